import { needleAngleDeg, needleStepFor, SWITEC_STEPS, SWITEC_SWEEP_DEG } from "@claude-gauge/core";

/*
 * One round gauge drawn in SVG, laid out like the X27.168 it imitates: the needle's zero stop at
 * the lower left, 315° of sweep clockwise, the gap at the bottom for the title and a digital read-out.
 * Marks are placed with the same position → step → angle mapping as the needle, so a needle at
 * position p rests exactly on the mark for p.
 */

const NS = "http://www.w3.org/2000/svg";
const C = 100;
/** angle of the zero stop, degrees clockwise from 12 o'clock */
export const ZERO_DEG = -SWITEC_SWEEP_DEG / 2;

export interface DialMark {
  /** contract position 0..1000 */
  pos: number;
  label?: string;
}

export interface DialZone {
  from: number;
  to: number;
  /** CSS class of the arc (zone-redline, zone-reserve) */
  cls: string;
}

export interface DialSpec {
  /** unique among the page's gauges (SVG ids) */
  id: string;
  /** printed on the face, e.g. "TOKENS / MIN" */
  title: string;
  /** the screen reader's name of the meter */
  label: string;
  marks: DialMark[];
  /** minor ticks every this many positions */
  minorEvery: number;
  zones: DialZone[];
  /** the larger centre gauge */
  large?: boolean;
}

/** Needle angle for a motor step, degrees clockwise from 12 o'clock. */
export function angleForStep(step: number): number {
  return ZERO_DEG + needleAngleDeg(step);
}

/** Where position `pos` sits on the dial: the continuous form of needleStepFor. */
function angleForPos(pos: number): number {
  return ZERO_DEG + needleAngleDeg((Math.min(1000, Math.max(0, pos)) * (SWITEC_STEPS - 1)) / 1000);
}

function polar(deg: number, r: number): [number, number] {
  const a = (deg * Math.PI) / 180;
  return [C + r * Math.sin(a), C - r * Math.cos(a)];
}

const f = (n: number) => n.toFixed(2);

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

function arcPath(fromDeg: number, toDeg: number, r: number): string {
  const [x0, y0] = polar(fromDeg, r);
  const [x1, y1] = polar(toDeg, r);
  const large = toDeg - fromDeg > 180 ? 1 : 0;
  return `M${f(x0)} ${f(y0)}A${r} ${r} 0 ${large} 1 ${f(x1)} ${f(y1)}`;
}

export class GaugeDial {
  /** the element to place in the page; carries role="meter" */
  readonly root: HTMLElement;
  readonly #needle: SVGGElement;
  readonly #scale: SVGGElement;
  readonly #readout: SVGTextElement;
  readonly #unit: HTMLElement;
  #step = -1;

  constructor(readonly spec: DialSpec) {
    this.root = document.createElement("div");
    this.root.className = `gauge${spec.large ? " gauge-large" : ""}`;
    this.root.id = `gauge-${spec.id}`;
    this.root.setAttribute("role", "meter");
    this.root.setAttribute("aria-label", spec.label);
    this.root.setAttribute("aria-valuemin", "0");
    this.root.setAttribute("aria-valuemax", "100");
    this.root.setAttribute("aria-valuenow", "0");

    const svg = el("svg", { viewBox: "0 0 200 200", class: "dial", "aria-hidden": "true", focusable: "false" });
    const defs = el("defs", {}, svg);
    const bezel = el("linearGradient", { id: `${spec.id}-bezel`, x1: 0, y1: 0, x2: 0, y2: 1 }, defs);
    el("stop", { offset: "0", class: "bezel-hi" }, bezel);
    el("stop", { offset: "1", class: "bezel-lo" }, bezel);
    const glass = el("radialGradient", { id: `${spec.id}-glass`, cx: "0.35", cy: "0.2", r: "0.8" }, defs);
    el("stop", { offset: "0", class: "glass-hi" }, glass);
    el("stop", { offset: "0.55", class: "glass-lo" }, glass);
    const face = el("radialGradient", { id: `${spec.id}-face`, cx: "0.5", cy: "0.45", r: "0.6" }, defs);
    el("stop", { offset: "0.7", class: "face-mid" }, face);
    el("stop", { offset: "1", class: "face-edge" }, face);

    el("circle", { cx: C, cy: C, r: 99, fill: `url(#${spec.id}-bezel)`, class: "bezel" }, svg);
    el("circle", { cx: C, cy: C, r: 92, class: "bezel-inner" }, svg);
    el("circle", { cx: C, cy: C, r: 90, fill: `url(#${spec.id}-face)`, class: "face" }, svg);

    for (const z of spec.zones) el("path", { d: arcPath(angleForPos(z.from), angleForPos(z.to), 80), class: `zone ${z.cls}` }, svg);
    this.#scale = el("g", { class: "scale" }, svg);
    this.setMarks(spec.marks, spec.minorEvery);

    // The read-out sits in the 45° gap below the hub, the one place no needle position covers;
    // longer text goes in the caption under the dial. The title sits just under the hub, where
    // no numeral is near: above it, upper numerals as wide as "1.5M" touched a long title.
    el("text", { x: C, y: 128, class: "dial-title", "text-anchor": "middle" }, svg).textContent = spec.title;
    this.#readout = el("text", { x: C, y: 178, class: "dial-readout", "text-anchor": "middle" }, svg);

    this.#needle = el("g", { class: "needle", transform: `rotate(${angleForStep(0).toFixed(3)} ${C} ${C})` }, svg);
    el("path", { d: "M98.5 112 L99.3 24 L100 17 L100.7 24 L101.5 112 Z", class: "needle-blade" }, this.#needle);
    el("path", { d: "M97.4 100 L98.7 119 L101.3 119 L102.6 100 Z", class: "needle-tail" }, this.#needle);
    el("circle", { cx: C, cy: C, r: 9, class: "hub" }, svg);
    el("circle", { cx: C, cy: C, r: 3, class: "hub-dot" }, svg);
    el("circle", { cx: C, cy: C, r: 90, fill: `url(#${spec.id}-glass)`, class: "glass" }, svg);
    this.#unit = document.createElement("div");
    this.#unit.className = "gauge-caption";
    this.#unit.setAttribute("aria-hidden", "true");
    this.root.append(svg, this.#unit);
  }

  /** (Re)draws ticks and numerals, e.g. when the tach's full scale becomes known. */
  setMarks(marks: readonly DialMark[], minorEvery: number): void {
    this.#scale.replaceChildren();
    for (let i = 0; i * minorEvery <= 1000 + 1e-6; i++) {
      const pos = i * minorEvery;
      if (marks.some((m) => Math.abs(m.pos - pos) < 1e-3)) continue;
      const a = angleForPos(pos);
      const [x0, y0] = polar(a, 86);
      const [x1, y1] = polar(a, 79);
      el("line", { x1: f(x0), y1: f(y0), x2: f(x1), y2: f(y1), class: "tick-minor" }, this.#scale);
    }
    for (const m of marks) {
      const a = angleForPos(m.pos);
      const [x0, y0] = polar(a, 87);
      const [x1, y1] = polar(a, 74);
      el("line", { x1: f(x0), y1: f(y0), x2: f(x1), y2: f(y1), class: "tick-major" }, this.#scale);
      if (m.label !== undefined) {
        const [tx, ty] = polar(a, 62);
        const t = el("text", { x: f(tx), y: f(ty + 4), class: "numeral", "text-anchor": "middle" }, this.#scale);
        t.textContent = m.label;
      }
    }
  }

  /** Puts the needle on a motor step (0..944); the animator calls this on every step it takes. */
  setStep(step: number): void {
    if (step === this.#step) return;
    this.#step = step;
    this.#needle.setAttribute("transform", `rotate(${angleForStep(step).toFixed(3)} ${C} ${C})`);
  }

  /** The value for people and assistive tech: percent of the dial, a spoken text, a read-out and its caption. */
  setValue(pos: number, valueText: string, readout: string, caption: string): void {
    this.root.setAttribute("aria-valuenow", String(Math.round(pos / 10)));
    this.root.setAttribute("aria-valuetext", valueText);
    this.root.dataset["pos"] = String(pos);
    this.root.dataset["step"] = String(needleStepFor(pos));
    this.#readout.textContent = readout;
    this.#unit.textContent = caption;
  }
}
