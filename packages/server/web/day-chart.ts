import { compactTokens, fullNumber } from "./format.js";
import type { StatsTotals } from "./stats.js";

const NS = "http://www.w3.org/2000/svg";

/** The stacked series, bottom to top, with their legend names. */
export const SERIES = [
  ["input", "Input"],
  ["output", "Output"],
  ["cacheCreation", "Cache write"],
  ["cacheRead", "Cache read"],
] as const satisfies readonly (readonly [keyof StatsTotals, string])[];

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.appendChild(e);
  return e;
}

/** A round grid step (1, 2, 2.5 or 5 × 10ⁿ) giving at most 5 intervals up to `v`. */
function gridStep(v: number): number {
  if (v <= 0) return 1;
  const mag = 10 ** Math.floor(Math.log10(v / 5));
  return [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => v / s <= 5) ?? 10 * mag;
}

/** Widest drawing (user units = CSS px at this width); wider boxes scale it up. */
export const CHART_MAX_WIDTH = 720;

/**
 * Tokens per day as stacked columns (input, output, cache write, cache read). Linear, so the
 * chart shows honestly that cache reads dominate; each segment's exact count is in its tooltip.
 * `width` is the box it is shown in (CSS px): up to CHART_MAX_WIDTH the drawing is made that wide,
 * so its text keeps its CSS size on a phone instead of shrinking with the whole picture.
 */
export function renderDayChart(days: readonly ({ date: string } & StatsTotals)[], width: number = CHART_MAX_WIDTH): SVGSVGElement {
  const W = Math.round(Math.min(CHART_MAX_WIDTH, Math.max(240, width)));
  const H = 240;
  const left = 48;
  const bottom = 24;
  const top = 8;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("class", "day-chart");
  svg.setAttribute("role", "img");
  const total = days.reduce((s, d) => s + d.total, 0);
  svg.setAttribute("aria-label", `Tokens per day, ${days.length} day(s), ${fullNumber(total)} tokens in all`);
  const highest = Math.max(0, ...days.map((d) => d.total));
  const step = gridStep(highest);
  const lines = Math.max(1, Math.ceil(highest / step));
  const max = step * lines;
  const plotH = H - top - bottom;
  const y = (v: number) => top + plotH - (v / max) * plotH;
  for (let i = 0; i <= lines; i++) {
    const v = step * i;
    el("line", { x1: left, x2: W, y1: y(v), y2: y(v), class: "grid" }, svg);
    el("text", { x: left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, svg).textContent = compactTokens(v);
  }
  const n = Math.max(days.length, 1);
  const slot = (W - left) / n;
  const bar = Math.min(48, slot * 0.7);
  // date labels ~60 px apart at most
  const labelEvery = Math.ceil(n / Math.max(2, Math.floor((W - left) / 60)));
  days.forEach((d, i) => {
    const x = left + slot * i + (slot - bar) / 2;
    let acc = 0;
    const g = el("g", { class: "day", "data-date": d.date, "data-total": d.total }, svg);
    for (const [key, name] of SERIES) {
      const v = d[key];
      if (v <= 0) continue;
      const r = el("rect", { x, width: bar, y: y(acc + v), height: Math.max(0.5, y(acc) - y(acc + v)), class: `seg seg-${key}` }, g);
      el("title", {}, r).textContent = `${d.date} · ${name}: ${fullNumber(v)} tokens`;
      acc += v;
    }
    if (i % labelEvery === 0) {
      el("text", { x: x + bar / 2, y: H - 6, class: "axis", "text-anchor": "middle" }, svg).textContent = d.date.slice(5);
    }
  });
  if (days.length === 0) el("text", { x: (W + left) / 2, y: H / 2, class: "axis", "text-anchor": "middle" }, svg).textContent = "no usage in this window";
  return svg;
}
