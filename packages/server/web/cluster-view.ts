import { REDLINE_DIAL_SHARE } from "@claude-gauge/core";
import { clockTime, compactTokens, duration, percent, usd } from "./format.js";
import { GaugeDial, type DialMark } from "./gauge-dial.js";
import { LampRow } from "./lamp-row.js";
import type { LinkState } from "./live-link.js";
import type { NeedleAnimator } from "./needle-animator.js";
import type { UsageSnapshot } from "./snapshot.js";
import type { StatsResponse } from "./stats.js";

const FUEL_MARKS: DialMark[] = [
  { pos: 0, label: "E" },
  { pos: 250, label: "¼" },
  { pos: 500, label: "½" },
  { pos: 750, label: "¾" },
  { pos: 1000, label: "F" },
];
/** The reserve arc ends where the default warn share (80 % used) leaves 20 % in the tank. */
const RESERVE_TO = 200;
const REDLINE_FROM = REDLINE_DIAL_SHARE * 1000;

/** Majors at a round step (1, 2, 2.5 or 5 × 10ⁿ tokens/min) that gives 4..8 intervals. */
function tachMarks(fullScalePerMin: number): { marks: DialMark[]; minorEvery: number } {
  const raw = fullScalePerMin / 6;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => fullScalePerMin / s <= 8) ?? 10 * mag;
  const marks: DialMark[] = [];
  for (let v = 0; v <= fullScalePerMin * 1.0001; v += step) marks.push({ pos: (v / fullScalePerMin) * 1000, label: compactTokens(v) });
  return { marks, minorEvery: (step / 5 / fullScalePerMin) * 1000 };
}

type ReadoutKey = "reset5h" | "reset7d" | "cost5h" | "cost7d" | "cache" | "thinking";

interface Readout {
  value: HTMLElement;
  sub: HTMLElement;
}

/** The cluster page: three gauges, the lamp row and the read-outs under them. */
export class ClusterView {
  readonly root: HTMLElement;
  readonly #fuel5h: GaugeDial;
  readonly #tach: GaugeDial;
  readonly #fuel7d: GaugeDial;
  readonly #lamps = new LampRow();
  readonly #banner: HTMLElement;
  readonly #readouts = new Map<ReadoutKey, Readout>();
  readonly #needle: { fuel5h: (p: number) => void; tach: (p: number) => void; fuel7d: (p: number) => void };
  #snap: UsageSnapshot | null = null;
  /** performance.now() when #snap arrived: anchors countdowns to the server's clock, not ours */
  #snapAt = 0;
  #offline = false;
  #ceilings: StatsResponse["ceilings"] | null = null;

  constructor(animator: NeedleAnimator) {
    this.root = document.createElement("section");
    this.root.className = "cluster";
    this.root.setAttribute("aria-label", "Instrument cluster");

    this.#fuel5h = new GaugeDial({
      id: "fuel5h",
      title: "5 H FUEL",
      label: "5-hour fuel: share of the 5-hour window left",
      marks: FUEL_MARKS,
      minorEvery: 62.5,
      zones: [{ from: 0, to: RESERVE_TO, cls: "zone-reserve" }],
    });
    this.#tach = new GaugeDial({
      id: "tach",
      title: "TOKENS / MIN",
      label: "Tachometer: tokens per minute, share of full scale",
      marks: [],
      minorEvery: 50,
      zones: [{ from: REDLINE_FROM, to: 1000, cls: "zone-redline" }],
      large: true,
    });
    this.#fuel7d = new GaugeDial({
      id: "fuel7d",
      title: "7 D FUEL",
      label: "7-day fuel: share of the 7-day window left",
      marks: FUEL_MARKS,
      minorEvery: 62.5,
      zones: [{ from: 0, to: RESERVE_TO, cls: "zone-reserve" }],
    });
    this.#tach.setMarks(
      Array.from({ length: 11 }, (_, i) => ({ pos: i * 100 })),
      50,
    );

    const panel = document.createElement("div");
    panel.className = "panel";
    const gauges = document.createElement("div");
    gauges.className = "gauges";
    gauges.append(this.#fuel5h.root, this.#tach.root, this.#fuel7d.root);
    this.#banner = document.createElement("div");
    this.#banner.className = "banner";
    this.#banner.setAttribute("role", "alert");
    this.#banner.hidden = true;
    this.#banner.textContent = "SERVER OFFLINE — needles parked, retrying…";
    panel.append(gauges, this.#lamps.root, this.#banner);

    const readouts = document.createElement("div");
    readouts.className = "readouts";
    const tiles: [ReadoutKey, string][] = [
      ["reset5h", "5 H RESET"],
      ["cost5h", "5 H COST"],
      ["cache", "CACHE HIT"],
      ["reset7d", "7 D RESET"],
      ["cost7d", "7 D COST"],
      ["thinking", "THINKING"],
    ];
    for (const [key, label] of tiles) {
      const tile = document.createElement("div");
      tile.className = "readout";
      tile.dataset["readout"] = key;
      const l = document.createElement("div");
      l.className = "readout-label";
      l.textContent = label;
      const value = document.createElement("div");
      value.className = "readout-value";
      value.textContent = "—";
      const sub = document.createElement("div");
      sub.className = "readout-sub";
      tile.append(l, value, sub);
      readouts.appendChild(tile);
      this.#readouts.set(key, { value, sub });
    }
    this.root.append(panel, readouts);

    this.#needle = {
      fuel5h: animator.add(this.#fuel5h),
      tach: animator.add(this.#tach),
      fuel7d: animator.add(this.#fuel7d),
    };
    setInterval(() => this.#renderReadouts(), 1000);
  }

  /** Tach numerals and the "of N" texts need the ceilings in use (from /stats). */
  setCeilings(c: StatsResponse["ceilings"]): void {
    const same = this.#ceilings?.tachRedlineTokensPerMin === c.tachRedlineTokensPerMin;
    this.#ceilings = c;
    if (!same) {
      const { marks, minorEvery } = tachMarks(c.tachRedlineTokensPerMin / REDLINE_DIAL_SHARE);
      this.#tach.setMarks(marks, minorEvery);
    }
    this.#render();
  }

  apply(s: UsageSnapshot): void {
    this.#snap = s;
    this.#snapAt = performance.now();
    this.#render();
  }

  /** Offline is the hardware's "no data for 10 s": needles to zero, STALL alone lit. */
  setLink(state: LinkState): void {
    // IDLE breathes only while the server answers: a lamp that pulses is a lamp that is fed
    this.root.dataset["reachable"] = String(state === "live" || state === "polling");
    const offline = state === "offline";
    if (offline === this.#offline) return;
    this.#offline = offline;
    this.#render();
  }

  #render(): void {
    const s = this.#snap;
    this.root.classList.toggle("offline", this.#offline);
    this.#banner.hidden = !this.#offline;
    if (this.#offline || s === null) {
      this.#needle.fuel5h(0);
      this.#needle.tach(0);
      this.#needle.fuel7d(0);
      this.#lamps.set({ stall: this.#offline });
      const why = this.#offline ? "server offline" : "waiting for data";
      this.#fuel5h.setValue(0, why, "—", "");
      this.#tach.setValue(0, why, "—", "");
      this.#fuel7d.setValue(0, why, "—", "");
      this.#renderReadouts();
      return;
    }
    this.#needle.fuel5h(s.fuel_5h_pos);
    this.#needle.tach(s.tach_pos);
    this.#needle.fuel7d(s.fuel_7d_pos);
    this.#lamps.set({
      opus: s.last_model === "opus",
      sonnet: s.last_model === "sonnet",
      haiku: s.last_model === "haiku",
      hot: s.hot,
      warn: s.warn,
      stall: s.stall,
      idle: s.idle,
    });
    const c = this.#ceilings;
    const ofCeiling = (used: number, ceiling: number | undefined) =>
      ceiling ? `${compactTokens(used)} of ${compactTokens(ceiling)} used` : `${compactTokens(used)} used`;
    const fuelText = (label: string, pct: number, used: number, ceiling: number | undefined) =>
      `${percent(1 - pct)} of the ${label} window left; ${compactTokens(used)}${ceiling ? ` of ${compactTokens(ceiling)}` : ""} tokens used`;
    this.#fuel5h.setValue(
      s.fuel_5h_pos,
      fuelText("5-hour", s.window_5h_pct, s.window_5h_tokens, c?.window5hTokens),
      percent(1 - s.window_5h_pct),
      ofCeiling(s.window_5h_tokens, c?.window5hTokens),
    );
    this.#fuel7d.setValue(
      s.fuel_7d_pos,
      fuelText("7-day", s.window_7d_pct, s.window_7d_tokens, c?.window7dTokens),
      percent(1 - s.window_7d_pct),
      ofCeiling(s.window_7d_tokens, c?.window7dTokens),
    );
    this.#tach.setValue(
      s.tach_pos,
      `${compactTokens(s.rate_1m)} tokens per minute${c ? `, redline ${compactTokens(c.tachRedlineTokensPerMin)}` : ""}${s.hot ? ", above the redline" : ""}`,
      compactTokens(s.rate_1m),
      c ? `redline ${compactTokens(c.tachRedlineTokensPerMin)}` : "tokens / min",
    );
    this.#renderReadouts();
  }

  #renderReadouts(): void {
    const s = this.#snap;
    const put = (key: ReadoutKey, value: string, sub: string) => {
      const r = this.#readouts.get(key);
      if (!r) return;
      if (r.value.textContent !== value) r.value.textContent = value;
      if (r.sub.textContent !== sub) r.sub.textContent = sub;
    };
    if (s === null) return;
    const serverNow = Date.parse(s.updated_at) + (performance.now() - this.#snapAt);
    const reset = (at: string | null, none: string): [string, string] => {
      if (at === null) return ["—", none];
      const ms = Date.parse(at);
      return [duration(ms - serverNow), `at ${clockTime(ms, serverNow)}`];
    };
    const [r5, r5sub] = reset(s.window_5h_reset_at, "no window open");
    put("reset5h", r5, s.limit_hit ? `LIMIT HIT · ${r5sub}` : r5sub);
    put("reset7d", ...reset(s.window_7d_reset_at, "nothing in the window"));
    put("cost5h", usd(s.cost_5h_usd), "API-equivalent");
    put("cost7d", usd(s.cost_7d_usd), "API-equivalent");
    put("cache", percent(s.cache_hit_rate), "last 5 min");
    put("thinking", percent(s.thinking_ratio), "of output, last 5 min");
  }
}
