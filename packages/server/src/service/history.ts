import {
  BLOCK_DURATION_MS,
  BlockTracker,
  CalibrationHistory,
  encodeCount,
  encodeShare,
  encodeUsd,
  MAX_RATE,
  MAX_TIMESTAMP_MS,
  MAX_TOKENS_5H,
  MAX_TOKENS_7D,
  MAX_USD,
  MIN_TIMESTAMP_MS,
  suggestCalibration,
  TACH_WINDOW_MS,
  tokenCounter,
  WEEK_MS,
  weekWindowAt,
  type GaugeConfig,
  type TokenCounts,
  type UsageDelta,
} from "@claude-gauge/core";
import { timeOrder, type KeptRows } from "./cold-engine.js";

/** Spacing of /history points, ms. */
export const HISTORY_STEP_MS = 5 * 60_000;

/** One /history point: the gauge values at `t`, encoded as /usage encodes them. */
export interface HistoryPoint {
  t: string;
  rate_1m: number;
  window_5h_tokens: number;
  window_5h_pct: number;
  window_7d_tokens: number;
  window_7d_pct: number;
  cost_5h_usd: number;
  cost_7d_usd: number;
}

const MINUTE_MS = 60_000;
/** The window engine keeps a week of minutes plus an hour in a ring; its sums run in slot order. */
const RING_MINUTES = WEEK_MS / MINUTE_MS + 60;

const fraction = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * Replays kept messages in time order and reads the gauge values off it at each step: what a
 * fresh WindowEngine fed the same messages shows (the figures of /usage, with no official
 * readings and the ceilings the history suggested then), from per-minute sums, the block tracker
 * and the calibration series — without the engine's per-snapshot work (its tach-redline
 * percentile over every active minute), which made a 168 h history cost seconds.
 */
class Replay {
  readonly #config: GaugeConfig;
  readonly #counted: (c: TokenCounts) => number;
  readonly #block = new BlockTracker();
  /** completed blocks and weeks only: the minute series (the redline's) is not kept */
  readonly #calibration: CalibrationHistory;
  /** fed messages within the longest short window (5 h): time, counted tokens, USD */
  #recent: { t: number; counted: number; cost: number }[] = [];
  #recentHead = 0;
  /** per minute with tokens or cost, ascending: minute, counted tokens, USD */
  readonly #minutes: number[] = [];
  readonly #minuteTokens: number[] = [];
  readonly #minuteCost: number[] = [];
  /** ms since epoch of the newest message fed */
  fedTo = Number.NEGATIVE_INFINITY;

  constructor(config: GaugeConfig) {
    this.#config = config;
    this.#counted = tokenCounter(config.count);
    this.#calibration = new CalibrationHistory({ count: config.count, weekAnchor: config.weekAnchor, weekTimeZone: config.weekTimeZone, maxActiveMinutes: 0 });
  }

  /** One kept message as one delta (messages arrive in time order); what the engine refuses is left out alike. */
  feed(d: UsageDelta): void {
    const t = d.timestamp;
    this.fedTo = t;
    const c = d.counts;
    if (!(t >= MIN_TIMESTAMP_MS && t <= MAX_TIMESTAMP_MS)) return;
    if (![c.input, c.output, c.cacheCreation, c.cacheRead, d.thinkingOutput].every(Number.isFinite)) return;
    const counted = this.#counted(c);
    const cost = d.costUsd > 0 ? Math.min(d.costUsd, MAX_USD) : 0;
    this.#recent.push({ t, counted, cost });
    const minute = Math.floor(t / MINUTE_MS);
    const last = this.#minutes.length - 1;
    if (last >= 0 && this.#minutes[last] === minute) {
      this.#minuteTokens[last] = this.#minuteTokens[last]! + counted;
      this.#minuteCost[last] = this.#minuteCost[last]! + cost;
    } else {
      this.#minutes.push(minute);
      this.#minuteTokens.push(counted);
      this.#minuteCost.push(cost);
    }
    if (this.#config.mode5h === "block") this.#block.add(d);
    this.#calibration.add(d);
  }

  /** Counted tokens and USD of the minutes in [from, to), summed in the engine's ring order. */
  #minuteSum(from: number, to: number): { tokens: number; cost: number } {
    const hi = Math.min(to, this.#minutes.length === 0 ? from : this.#minutes[this.#minutes.length - 1]! + 1);
    // the ring starts its sums at slot 0: the minute ≡ 0 (mod RING) within the span, then wraps
    const wrap = from + ((RING_MINUTES - (from % RING_MINUTES)) % RING_MINUTES);
    let tokens = 0;
    let cost = 0;
    for (const [a, b] of [
      [wrap, hi],
      [from, Math.min(wrap, hi)],
    ] as const) {
      for (let i = lowerBound(this.#minutes, a); i < this.#minutes.length && this.#minutes[i]! < b; i++) {
        tokens += this.#minuteTokens[i]!;
        cost += this.#minuteCost[i]!;
      }
    }
    return { tokens, cost };
  }

  /** The point at `t` (ms since epoch, after every message up to `t` was fed). */
  point(t: number): HistoryPoint {
    const c = this.#config;
    while (this.#recentHead < this.#recent.length && this.#recent[this.#recentHead]!.t <= t - BLOCK_DURATION_MS) this.#recentHead++;
    if (this.#recentHead > 4096 && this.#recentHead * 2 > this.#recent.length) {
      this.#recent = this.#recent.slice(this.#recentHead);
      this.#recentHead = 0;
    }
    let rate = 0;
    let rolling5h = 0;
    let rollingCost5h = 0;
    for (let i = this.#recent.length - 1; i >= this.#recentHead; i--) {
      const r = this.#recent[i]!;
      if (r.t > t) continue;
      if (r.t > t - TACH_WINDOW_MS) rate += r.counted;
      rolling5h += r.counted;
      rollingCost5h += r.cost;
    }
    let w5 = { tokens: rolling5h, cost: rollingCost5h };
    if (c.mode5h === "block") {
      const b = this.#block.current(t);
      w5 = b === null || !b.isActive ? { tokens: 0, cost: 0 } : { tokens: this.#counted(b.counts), cost: b.costUsd };
    }
    let w7: { tokens: number; cost: number };
    if (c.mode7d === "weekly") {
      const w = weekWindowAt(t, c.weekAnchor, c.weekTimeZone);
      w7 = this.#minuteSum(Math.ceil(w.startMs / MINUTE_MS), Math.ceil(w.resetMs / MINUTE_MS));
    } else {
      w7 = this.#minuteSum(Math.floor((t - WEEK_MS) / MINUTE_MS), Number.POSITIVE_INFINITY);
    }
    const needsSuggestion = c.ceiling5hTokens === null || c.ceiling7dTokens === null;
    const suggestion = needsSuggestion ? suggestCalibration(this.#calibration.samples(t)) : null;
    const ceiling5h = c.ceiling5hTokens ?? suggestion!.ceiling5hTokens;
    const ceiling7d = c.ceiling7dTokens ?? suggestion!.ceiling7dTokens;
    return {
      t: new Date(t).toISOString(),
      rate_1m: encodeCount(rate, MAX_RATE),
      window_5h_tokens: encodeCount(w5.tokens, MAX_TOKENS_5H),
      window_5h_pct: encodeShare(fraction(w5.tokens / ceiling5h)),
      window_7d_tokens: encodeCount(w7.tokens, MAX_TOKENS_7D),
      window_7d_pct: encodeShare(fraction(w7.tokens / ceiling7d)),
      cost_5h_usd: encodeUsd(w5.cost),
      cost_7d_usd: encodeUsd(w7.cost),
    };
  }
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * /history: the gauge values every HISTORY_STEP_MS over the last hours, from the kept messages
 * (so it survives restarts and does not depend on uptime). Points once computed are kept until a
 * message at or before them changes; a request computes only the steps it does not hold yet,
 * continuing the replay where it stopped when it can. So the first request after a start replays
 * the history once, and repeated or parallel ones cost next to nothing.
 */
export class HistoryBook {
  readonly #config: GaugeConfig;
  readonly #points = new Map<number, HistoryPoint>();
  #replay: Replay | null = null;
  /** the replay's rows in time order, and how many it has fed */
  #order: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  #fed = 0;
  /** the ledger version the order was taken at */
  #version = -1;
  /** kept messages changed at or after this time since the points were computed (ms) */
  #staleFrom = Number.POSITIVE_INFINITY;
  /** the newest point computed by the replay, ms */
  #lastPoint = Number.NEGATIVE_INFINITY;
  #stopped = false;

  constructor(config: GaugeConfig) {
    this.#config = config;
  }

  /** A kept message changed at `ms` (a new one, or one whose kept line moved): later points are stale. */
  changed(ms: number): void {
    if (ms < this.#staleFrom) this.#staleFrom = ms;
  }

  /** The points of the last `hours` before `now` (ms since epoch). */
  points(ledger: KeptRows, now: number, hours: number): { stepMinutes: number; hours: number; points: HistoryPoint[] } {
    const { start, end } = span(now, hours);
    this.#advance(ledger, start, end, Number.POSITIVE_INFINITY);
    const points: HistoryPoint[] = [];
    for (let t = start + HISTORY_STEP_MS; t <= end; t += HISTORY_STEP_MS) points.push(this.#points.get(t)!);
    return { stepMinutes: HISTORY_STEP_MS / 60_000, hours, points };
  }

  /**
   * Computes the points of the last `hours` in the background, a slice of work per turn of the
   * event loop, so the first request after a start finds them ready and nothing else waits long
   * meanwhile. Stops when done (or at stop()); a request meanwhile finishes what is left.
   */
  prefetch(ledger: () => KeptRows, clock: () => number, hours = 168): Promise<void> {
    return new Promise((done) => {
      const slice = () => {
        const { start, end } = span(clock(), hours);
        if (this.#stopped || this.#advance(ledger(), start, end, SLICE_WORK)) done();
        else setImmediate(slice);
      };
      setImmediate(slice);
    });
  }

  stop(): void {
    this.#stopped = true;
  }

  /**
   * Makes sure every step in (start, end] has its point, doing at most about `budget` units of
   * work (a message fed, or a point computed); returns whether all are there.
   */
  #advance(ledger: KeptRows, start: number, end: number, budget: number): boolean {
    if (this.#staleFrom !== Number.POSITIVE_INFINITY) {
      // the first stale point is now missing: the replay restarts there (it cannot take back what it fed)
      for (const t of this.#points.keys()) if (t >= this.#staleFrom) this.#points.delete(t);
      this.#staleFrom = Number.POSITIVE_INFINITY;
    }
    // keep a bounded book: the steps of the window asked for, and at least a week
    const keepFrom = Math.min(start, end - 7 * 24 * 3_600_000);
    for (const t of this.#points.keys()) if (t <= keepFrom) this.#points.delete(t);
    let from = start + HISTORY_STEP_MS;
    while (from <= end && this.#points.has(from)) from += HISTORY_STEP_MS;
    if (from > end) return true;
    this.#prepare(ledger, from);
    const replay = this.#replay!;
    const ts = (i: number) => ledger.timestamp(i);
    let work = 0;
    for (let t = from; t <= end; t += HISTORY_STEP_MS) {
      while (this.#fed < this.#order.length && ts(this.#order[this.#fed]!) <= t) {
        const row = this.#order[this.#fed++]!;
        replay.feed(ledger.delta(row));
        // pause only between distinct times, so "everything up to fedTo was fed" stays true
        const next = this.#order[this.#fed];
        if (++work >= budget && (next === undefined || ts(next) > ts(row))) return false;
      }
      this.#points.set(t, replay.point(t));
      this.#lastPoint = t;
      work += POINT_WORK;
      if (work >= budget) return t + HISTORY_STEP_MS > end;
    }
    return true;
  }

  /** A replay ready to compute the point at `from`: continued when it has not passed `from` and nothing it fed changed. */
  #prepare(ledger: KeptRows, from: number): void {
    if (this.#replay !== null && this.#lastPoint < from && this.#version === ledger.version) return;
    const continued = this.#replay !== null && this.#lastPoint < from;
    this.#order = timeOrder(ledger);
    this.#version = ledger.version;
    if (continued) {
      // every row at or before the replay's last fed time was fed (changes there would have made it stale)
      this.#fed = 0;
      while (this.#fed < this.#order.length && ledger.timestamp(this.#order[this.#fed]!) <= this.#replay!.fedTo) this.#fed++;
      return;
    }
    this.#replay = new Replay(this.#config);
    this.#fed = 0;
    this.#lastPoint = Number.NEGATIVE_INFINITY;
  }
}

function span(now: number, hours: number): { start: number; end: number } {
  const end = Math.floor(now / HISTORY_STEP_MS) * HISTORY_STEP_MS;
  return { start: end - hours * 3_600_000, end };
}

/** Work units per background slice (about 10 ms): a message fed is one, a point POINT_WORK. */
const SLICE_WORK = 4000;
const POINT_WORK = 40;
