import { CLAUDE_CODE_TOKEN_TYPES, type ClaudeCodeTokenType } from "../../service/exported-totals.js";
import type { SeriesSamples } from "./prometheus-api.js";
import { COST_METRIC_NAMES, TOKEN_METRIC_NAMES } from "./selector.js";

/** The growth of the counters at one step and model: tokens by type, USD (null: no cost series seen for the model). */
export interface StepGrowth {
  /** ms since epoch of the step where the growth became visible */
  t: number;
  model: string;
  tokens: Record<ClaudeCodeTokenType, number>;
  costUsd: number | null;
}

interface SeriesState {
  last: number;
  /** ms since epoch of the step `last` was read at: steps up to it are done (re-reads skip them) */
  at: number;
}

/** Label that marks claude-gauge daemons' counters (see `observe`). */
const MACHINE_LABEL = "machine";
const tokenNames = new Set<string>(TOKEN_METRIC_NAMES);
const costNames = new Set<string>(COST_METRIC_NAMES);
const isType = (t: string | undefined): t is ClaudeCodeTokenType => (CLAUDE_CODE_TOKEN_TYPES as readonly string[]).includes(t ?? "");

/**
 * Turns the samples of many counters into growth per step and model, one series at a time.
 *
 * Per series, never summed first: a sum over series whose counters restart (a new process, a
 * resumed session) drops and climbs back, and differencing the sum reads each drop as a reset —
 * the phantom millions. Per series, a drop is a reset of that series alone and the value after it
 * is its growth since the restart (Prometheus's own rule for resets).
 *
 * Differences of stored values, not `increase()`: no extrapolation over a short history, so the
 * totals are exact. A series that appears inside the history starts from zero (Claude Code's
 * counters start at zero with each process, so its first sample is growth — the one `increase()`
 * leaves out). Except claude-gauge daemons' counters (label `machine`), which carry a machine's
 * whole transcript history: the first sample of a machine not seen before is where Prometheus
 * started to see it, not growth. A series that vanishes (staleness) and comes back continues from
 * its last value. Steps already read are skipped, so overlapping reads count nothing twice (the
 * source re-reads the last minutes to pick up samples a server shows late).
 */
export class CounterDeltas {
  readonly #series = new Map<string, SeriesState>();
  /** machine label → ms since epoch of the step it was first seen at */
  readonly #machines = new Map<string, number>();
  readonly #costModels = new Set<string>();
  /** series whose samples are ignored (a token type this source does not know) */
  readonly #ignored = new Set<string>();

  get seriesCount(): number {
    return this.#series.size;
  }

  /** how many distinct series were ignored (a name or token type this source does not know) */
  get ignored(): number {
    return this.#ignored.size;
  }

  /** The values every series had before the history starts: the baseline, no growth. */
  baseline(series: readonly SeriesSamples[]): void {
    for (const s of series) {
      const last = s.samples.at(-1);
      if (last === undefined || this.#kind(s.labels) === null) continue;
      this.#series.set(seriesKey(s.labels), { last: last[1], at: last[0] });
      const machine = s.labels[MACHINE_LABEL];
      if (machine && !this.#machines.has(machine)) this.#machines.set(machine, last[0]);
      if (this.#kind(s.labels) === "cost") this.#costModels.add(s.labels["model"] ?? "");
    }
  }

  /** The growth in one query answer (steps after everything seen so far), in time order. */
  observe(series: readonly SeriesSamples[]): StepGrowth[] {
    const points: { t: number; v: number; s: SeriesSamples; key: string }[] = [];
    for (const s of series) {
      const key = seriesKey(s.labels);
      if (this.#kind(s.labels) === null) {
        this.#ignored.add(key);
        continue;
      }
      for (const [t, v] of s.samples) points.push({ t, v, s, key });
    }
    points.sort((a, b) => a.t - b.t);
    const growth = new Map<string, StepGrowth>();
    for (const { t, v, s, key } of points) {
      const amount = this.#step(key, s.labels, t, v);
      if (amount <= 0) continue;
      const model = s.labels["model"] ?? "";
      const id = `${t}\u0000${model}`;
      let g = growth.get(id);
      if (g === undefined) {
        g = { t, model, tokens: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }, costUsd: null };
        growth.set(id, g);
      }
      const kind = this.#kind(s.labels);
      if (kind === "cost") g.costUsd = (g.costUsd ?? 0) + amount;
      else if (kind !== null) g.tokens[kind] += amount;
    }
    const out = [...growth.values()];
    for (const g of out) if (g.costUsd === null && this.#costModels.has(g.model)) g.costUsd = 0;
    return out;
  }

  /** This sample's growth over the series' last value. */
  #step(key: string, labels: Record<string, string>, t: number, v: number): number {
    if (v < 0) return 0;
    const kind = this.#kind(labels);
    if (kind === "cost") this.#costModels.add(labels["model"] ?? "");
    const s = this.#series.get(key);
    if (s !== undefined) {
      if (t <= s.at) return 0;
      const grown = v >= s.last ? v - s.last : v;
      s.last = v;
      s.at = t;
      return grown;
    }
    this.#series.set(key, { last: v, at: t });
    const machine = labels[MACHINE_LABEL];
    if (machine) {
      // Every series of a machine seen at its first step is its history (all of them, not just the first).
      const first = this.#machines.get(machine);
      if (first === undefined) this.#machines.set(machine, t);
      if (first === undefined || first === t) return 0;
    }
    return v;
  }

  #kind(labels: Record<string, string>): ClaudeCodeTokenType | "cost" | null {
    const name = labels["__name__"] ?? "";
    if (costNames.has(name)) return "cost";
    if (tokenNames.has(name)) return isType(labels["type"]) ? labels["type"] : null;
    return null;
  }
}

/** A series' identity: every label, in a fixed order. */
function seriesKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0001${labels[k]}`)
    .join("\u0000");
}
