import type { CcusageBlock, CcusageDay } from "./ccusage-blocks.js";

type Tokens = CcusageBlock["tokens"];
const TYPES = ["input", "output", "cacheRead", "cacheCreation"] as const;
const zero = (): Tokens => ({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 });

/** Usage the source still has to hand on: a block's growth that the live tail did not deliver. */
export interface BlockGrowth {
  /** ms since epoch */
  t: number;
  model: string;
  tokens: Tokens;
  costUsd: number;
}

interface Delivered {
  tokens: Tokens;
  costUsd: number;
}

/** live deltas are kept this long waiting for the block that holds them, ms */
const PENDING_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;

/**
 * ccusage is the authority on the blocks; the transcript tail makes them live. Everything handed
 * on is booked against the block that holds its time, so each ccusage run adds only what neither
 * an earlier run nor the tail delivered (per token type, never less than zero: a line the tail saw
 * after ccusage read the files is caught up by the next run, not taken back).
 *
 * Blocks do not split by model; `daily` does, by UTC day. A block's growth is shared among models
 * in proportion to their tokens (per type) and cost over the days the block touches: exact when
 * those days hold only this block (the usual live case: the tail delivers the rest exactly), an
 * apportionment otherwise.
 */
export class BlockReconciler {
  readonly #delivered = new Map<number, Delivered>();
  /** live deltas whose time no block reported so far holds */
  #pending: { t: number; tokens: Tokens; costUsd: number }[] = [];
  #blocks: CcusageBlock[] = [];

  /** A live delta from the tail, already handed on. */
  live(t: number, tokens: Tokens, costUsd: number): void {
    const b = this.#blocks.find((x) => t >= x.startMs && t < x.endMs);
    if (b) add(this.#book(b.startMs), tokens, costUsd);
    else this.#pending.push({ t, tokens: { ...tokens }, costUsd });
  }

  /**
   * One ccusage run's blocks at `now` (ms since epoch): the growth to hand on. At the first run
   * (`initial`) a block's usage is placed at its start, where the window engine's block then
   * starts too; later growth at `now`, inside its block.
   */
  run(blocks: readonly CcusageBlock[], days: readonly CcusageDay[], now: number, initial: boolean): BlockGrowth[] {
    this.#blocks = [...blocks];
    const out: BlockGrowth[] = [];
    for (const b of blocks) {
      const d = this.#book(b.startMs);
      this.#pending = this.#pending.filter((p) => {
        if (p.t < b.startMs || p.t >= b.endMs) return true;
        add(d, p.tokens, p.costUsd);
        return false;
      });
      const tokens = zero();
      let grew = false;
      for (const k of TYPES) {
        tokens[k] = Math.max(0, b.tokens[k] - d.tokens[k]);
        if (tokens[k] > 0) grew = true;
      }
      const costUsd = Math.max(0, b.costUsd - d.costUsd);
      if (!grew && costUsd <= 1e-12) continue;
      add(d, tokens, costUsd);
      const t = initial ? b.startMs : Math.min(Math.max(now, b.startMs), b.endMs - 1);
      out.push(...apportion(t, b, days, tokens, costUsd));
    }
    this.#pending = this.#pending.filter((p) => p.t > now - PENDING_MS);
    return out;
  }

  #book(startMs: number): Delivered {
    let d = this.#delivered.get(startMs);
    if (d === undefined) {
      d = { tokens: zero(), costUsd: 0 };
      this.#delivered.set(startMs, d);
    }
    return d;
  }
}

function add(d: Delivered, tokens: Tokens, costUsd: number): void {
  for (const k of TYPES) d.tokens[k] += tokens[k];
  d.costUsd += costUsd;
}

/**
 * Shares one block's growth among the models of the UTC days it touches, per token type and for
 * the cost, in whole tokens that add up exactly; the block's last model comes last (the window
 * engine's last model is the newest, and at one instant the last one given).
 */
function apportion(t: number, b: CcusageBlock, days: readonly CcusageDay[], tokens: Tokens, costUsd: number): BlockGrowth[] {
  const firstDay = Math.floor(b.startMs / DAY_MS) * DAY_MS;
  const byModel = new Map<string, { tokens: Tokens; costUsd: number }>();
  for (const day of days) {
    if (day.startMs < firstDay || day.startMs >= b.endMs) continue;
    for (const m of day.models) {
      const x = byModel.get(m.model) ?? { tokens: zero(), costUsd: 0 };
      for (const k of TYPES) x.tokens[k] += m.tokens[k];
      x.costUsd += m.costUsd;
      byModel.set(m.model, x);
    }
  }
  const last = b.models.at(-1) ?? "";
  if (byModel.size === 0) return [{ t, model: last, tokens, costUsd }];
  const models = [...byModel.keys()].sort((x, y) => (x === last ? 1 : y === last ? -1 : 0));
  const out = models.map((model) => ({ t, model, tokens: zero(), costUsd: 0 }));
  for (const k of TYPES) {
    const whole = models.reduce((n, m) => n + byModel.get(m)!.tokens[k], 0);
    if (whole <= 0) {
      out[out.length - 1]!.tokens[k] += tokens[k];
      continue;
    }
    let given = 0;
    let largest = 0;
    models.forEach((m, i) => {
      const share = Math.round((tokens[k] * byModel.get(m)!.tokens[k]) / whole);
      out[i]!.tokens[k] = share;
      given += share;
      if (byModel.get(m)!.tokens[k] > byModel.get(models[largest]!)!.tokens[k]) largest = i;
    });
    out[largest]!.tokens[k] += tokens[k] - given;
  }
  const wholeCost = models.reduce((n, m) => n + byModel.get(m)!.costUsd, 0);
  for (const [i, m] of models.entries())
    out[i]!.costUsd = wholeCost > 0 ? (costUsd * byModel.get(m)!.costUsd) / wholeCost : i === models.length - 1 ? costUsd : 0;
  return out.filter((g) => g.costUsd > 0 || TYPES.some((k) => g.tokens[k] > 0));
}
