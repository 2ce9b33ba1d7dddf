import type { TokenType } from "./config.js";
import { TOKEN_TYPES, tokenCounter } from "./config.js";
import { BlockTracker } from "./session-blocks.js";
import type { TokenCounts, UsageDelta } from "./usage-event.js";
import type { WeekAnchor, WeekWindow } from "./week-anchor.js";
import { type CalibrationState, check, isArray, isCount, isFiniteNumber, isTime } from "./windows-state.js";
import { DEFAULT_WEEK_ANCHOR, weekWindowAt } from "./week-anchor.js";

/** What a suggestion is computed from; each number is one completed period. */
export interface CalibrationSamples {
  /** totals of completed 5 h session blocks (ccusage blocks), tokens */
  blockTotals: readonly number[];
  /** totals of completed anchored weeks (week anchor + zone), oldest week of the history left out, tokens */
  weekTotals: readonly number[];
  /** tokens of each completed minute that had any, tokens/min */
  minuteRates: readonly number[];
}

/** Enough to print why a ceiling is what it is. */
export interface SeriesEvidence {
  samples: number;
  /** samples needed before the percentile is trusted over the fallback */
  minSamples: number;
  /** nearest-rank percentiles and maximum of the samples (tokens or tokens/min); null without samples */
  p50: number | null;
  p90: number | null;
  p95: number | null;
  max: number | null;
  basis: "history" | "fallback";
}

export interface CalibrationSuggestion {
  /** tokens */
  ceiling5hTokens: number;
  /** tokens */
  ceiling7dTokens: number;
  /** tokens/min */
  tachRedlineTokensPerMin: number;
  evidence: { blocks5h: SeriesEvidence; weeks7d: SeriesEvidence; activeMinutes: SeriesEvidence };
}

/**
 * Fallbacks for a fresh install. With too few samples the ceiling is the larger of the fallback
 * and the largest sample, so a light user's tank reads nearly full and a heavy user's first big
 * block is not reported as 300 % of a guess.
 */
export const CALIBRATION_FALLBACK = Object.freeze({
  /** tokens; all four types counted, a busy 5 h block is tens of millions, mostly cache reads */
  ceiling5hTokens: 20_000_000,
  /** the 7 d fallback is this many 5 h ceilings (about two full blocks a day, five days a week) */
  weekPer5h: 10,
  /** the redline fallback empties the 5 h tank in this many minutes at full rate, min */
  redlineMinutesToEmpty: 60,
  minBlocks: 10,
  minWeeks: 3,
  minActiveMinutes: 60,
});

/** Nearest-rank percentile (p in 0..1) of ascending `sorted`; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? null;
}

function evidence(samples: readonly number[], minSamples: number): SeriesEvidence {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    minSamples,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p95: percentile(sorted, 0.95),
    max: sorted[sorted.length - 1] ?? null,
    basis: sorted.length >= minSamples ? "history" : "fallback",
  };
}

function pick(e: SeriesEvidence, trusted: number | null, fallback: number): number {
  const value = e.basis === "history" && trusted !== null ? trusted : Math.max(fallback, e.max ?? 0);
  return Math.max(1, Math.round(value));
}

/** P90 of block totals, P90 of week totals, P95 of active-minute rates, or the fallbacks. */
export function suggestCalibration(history: CalibrationSamples): CalibrationSuggestion {
  const f = CALIBRATION_FALLBACK;
  const blocks5h = evidence(history.blockTotals, f.minBlocks);
  const weeks7d = evidence(history.weekTotals, f.minWeeks);
  const activeMinutes = evidence(history.minuteRates, f.minActiveMinutes);
  const ceiling5hTokens = pick(blocks5h, blocks5h.p90, f.ceiling5hTokens);
  const ceiling7dTokens = pick(weeks7d, weeks7d.p90, ceiling5hTokens * f.weekPer5h);
  const tachRedlineTokensPerMin = pick(activeMinutes, activeMinutes.p95, ceiling5hTokens / f.redlineMinutesToEmpty);
  return { ceiling5hTokens, ceiling7dTokens, tachRedlineTokensPerMin, evidence: { blocks5h, weeks7d, activeMinutes } };
}

export interface CalibrationHistoryOptions {
  count?: readonly TokenType[];
  weekAnchor?: WeekAnchor;
  /** IANA zone of the week anchor */
  weekTimeZone?: string;
  /** most recent samples kept per series; recent habits matter more than old ones */
  maxBlocks?: number;
  maxWeeks?: number;
  maxActiveMinutes?: number;
}

interface WeekTotal {
  resetMs: number;
  tokens: number;
}

/**
 * Collects the samples {@link suggestCalibration} needs from deltas, keeping one number per
 * completed block, two per week and one per active minute (each series capped), never per delta.
 * Deltas may arrive slightly out of order; a delta older than its closed 5 h block still counts
 * for its week and minute but not for the block (see BlockTracker).
 */
export class CalibrationHistory {
  private readonly counted: (c: TokenCounts) => number;
  private readonly anchor: WeekAnchor;
  private readonly timeZone: string;
  private readonly maxBlocks: number;
  private readonly maxWeeks: number;
  private readonly maxMinutes: number;
  private blocks = new BlockTracker();
  private readonly blockTotals: number[] = [];
  private readonly weeks = new Map<number, WeekTotal>();
  private readonly minutes = new Map<number, number>();
  private lastWeek: WeekWindow | null = null;
  /** the newest minute with tokens (what samplesStableUntil needs of the minutes), -Infinity before any */
  private newestMinute = Number.NEGATIVE_INFINITY;
  /** start of the week of the oldest delta seen: that week is usually cut by the history's start */
  private firstWeekStart = Number.POSITIVE_INFINITY;
  private changes = 0;

  constructor(options: CalibrationHistoryOptions = {}) {
    this.counted = tokenCounter(options.count ?? TOKEN_TYPES);
    this.anchor = options.weekAnchor ?? DEFAULT_WEEK_ANCHOR;
    this.timeZone = options.weekTimeZone ?? "UTC";
    this.maxBlocks = options.maxBlocks ?? 200;
    this.maxWeeks = options.maxWeeks ?? 26;
    this.maxMinutes = options.maxActiveMinutes ?? 20_000;
  }

  /** Grows on every change, so a caller can cache a suggestion. */
  get version(): number {
    return this.changes;
  }

  add(d: UsageDelta): void {
    const tokens = this.counted(d.counts);
    this.changes += 1;
    for (const b of this.blocks.add(d)) {
      const total = this.counted(b.counts);
      if (total > 0) push(this.blockTotals, total, this.maxBlocks);
    }
    if (tokens <= 0) return;
    this.addToWeek(d.timestamp, tokens);
    const minute = Math.floor(d.timestamp / 60_000);
    this.minutes.set(minute, (this.minutes.get(minute) ?? 0) + tokens);
    if (minute > this.newestMinute) this.newestMinute = minute;
    if (this.minutes.size > this.maxMinutes) dropOldestKey(this.minutes);
  }

  /** The completed periods as of `now` (ms since epoch). */
  samples(now: number): CalibrationSamples {
    const blockTotals = [...this.blockTotals];
    const open = this.blocks.current(now);
    if (open !== null && !open.isActive && now >= (open.lastEntryMs ?? now)) {
      const total = this.counted(open.counts);
      if (total > 0) blockTotals.push(total);
    }

    const weekTotals: number[] = [];
    for (const [start, w] of this.weeks) if (start !== this.firstWeekStart && w.resetMs <= now) weekTotals.push(w.tokens);

    const nowMinute = Math.floor(now / 60_000);
    const minuteRates: number[] = [];
    for (const [minute, tokens] of this.minutes) if (minute < nowMinute) minuteRates.push(tokens);

    return { blockTotals, weekTotals, minuteRates };
  }

  /**
   * The first time after `now` (ms since epoch) at which samples() could differ from
   * samples(now) with nothing added meanwhile: when the open block ends, a week resets, or a
   * minute with tokens completes. What was computed from samples(now) holds until then.
   */
  samplesStableUntil(now: number): number {
    let until = Number.POSITIVE_INFINITY;
    const open = this.blocks.current(now);
    if (open !== null && open.lastEntryMs !== null) {
      // samples() counts the open block from this moment on (see there)
      const counted = Math.max(open.lastEntryMs, Math.min(open.endMs, open.lastEntryMs + this.blocks.durationMs));
      if (now < counted) until = counted;
    }
    for (const [start, w] of this.weeks) if (start !== this.firstWeekStart && w.resetMs > now) until = Math.min(until, w.resetMs);
    const nowMinute = Math.floor(now / 60_000);
    if (this.newestMinute >= nowMinute) until = Math.min(until, (nowMinute + 1) * 60_000);
    return until;
  }

  /** What it holds as JSON data, for a restart (see WindowsState). */
  state(): CalibrationState {
    const minutes: number[] = [];
    for (const [minute, tokens] of this.minutes) minutes.push(minute, tokens);
    return {
      block: this.blocks.state(),
      blockTotals: [...this.blockTotals],
      weeks: [...this.weeks].map(([start, w]) => [start, w.resetMs, w.tokens]),
      minutes,
      firstWeekStart: Number.isFinite(this.firstWeekStart) ? this.firstWeekStart : null,
      changes: this.changes,
    };
  }

  /**
   * A history that goes on as the one whose state() this was, with the same options; RangeError
   * naming the part that does not hold.
   */
  static resume(options: CalibrationHistoryOptions, state: CalibrationState): CalibrationHistory {
    const s = state as unknown as Record<string, unknown>;
    check(typeof s === "object" && s !== null, "calibration");
    const h = new CalibrationHistory(options);
    h.blocks = BlockTracker.resume(s["block"] as CalibrationState["block"], "calibration block");
    const totals = s["blockTotals"];
    check(isArray(totals) && totals.length <= h.maxBlocks && totals.every(isFiniteNumber), "calibration blocks");
    h.blockTotals.push(...totals);
    const weeks = s["weeks"];
    check(isArray(weeks) && weeks.length <= h.maxWeeks + 1, "calibration weeks");
    for (const w of weeks) {
      check(isArray(w) && w.length === 3 && isTime(w[0]) && isTime(w[1]) && w[0] < w[1] && isFiniteNumber(w[2]) && !h.weeks.has(w[0]), "calibration weeks");
      h.weeks.set(w[0] as number, { resetMs: w[1] as number, tokens: w[2] as number });
    }
    const minutes = s["minutes"];
    check(isArray(minutes) && minutes.length % 2 === 0 && minutes.length / 2 <= h.maxMinutes, "calibration minutes");
    for (let i = 0; i < minutes.length; i += 2) {
      const [minute, tokens] = [minutes[i], minutes[i + 1]];
      check(
        Number.isSafeInteger(minute) && isTime((minute as number) * 60_000) && isFiniteNumber(tokens) && !h.minutes.has(minute as number),
        "calibration minutes",
      );
      h.minutes.set(minute as number, tokens);
      h.newestMinute = Math.max(h.newestMinute, minute as number);
    }
    const first = s["firstWeekStart"];
    check(first === null || isTime(first), "calibration first week");
    h.firstWeekStart = first ?? Number.POSITIVE_INFINITY;
    check(isCount(s["changes"]), "calibration changes");
    h.changes = s["changes"];
    return h;
  }

  private addToWeek(t: number, tokens: number): void {
    let w = this.lastWeek;
    if (w === null || t < w.startMs || t >= w.resetMs) {
      w = weekWindowAt(t, this.anchor, this.timeZone);
      this.lastWeek = w;
    }
    if (w.startMs < this.firstWeekStart) this.firstWeekStart = w.startMs;
    const total = this.weeks.get(w.startMs);
    if (total !== undefined) {
      total.tokens += tokens;
      return;
    }
    this.weeks.set(w.startMs, { resetMs: w.resetMs, tokens });
    if (this.weeks.size > this.maxWeeks + 1) this.weeks.delete(Math.min(...this.weeks.keys()));
  }
}

function push(into: number[], value: number, max: number): void {
  into.push(value);
  if (into.length > max) into.shift();
}

function dropOldestKey(map: Map<number, number>): void {
  // Keys arrive nearly in time order, so the first inserted is the oldest but for rare stragglers.
  const first = map.keys().next();
  if (first.done !== true) map.delete(first.value);
}
