import type { CalibrationSuggestion, SeriesEvidence } from "./calibration.js";
import { MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from "./timestamp.js";
import type { TokenCounts, TurnSignalKind, UsageDelta } from "./usage-event.js";

/**
 * The windows' state as JSON data (WindowEngine.state), what a restart takes back instead of
 * feeding the windows the whole history again. Every part is checked when taken back: a state
 * that does not hold together is refused with a RangeError naming the part, never its value.
 */
export interface WindowsState {
  /** the settings the state depends on (what is counted, the 5 h mode, the week's anchor and zone) */
  basis: string;
  /** the short windows' records, oldest first: t, counted, USD, input, cache read, cache creation, output, thinking */
  records: number[];
  /** the week's minutes holding anything: minute, counted tokens, USD */
  week: number[];
  /** the open 5 h block (block mode), null in rolling mode */
  block: BlockState | null;
  history: CalibrationState;
  /** id, newest signal's kind and time, newest tokens' time */
  sessions: [string, TurnSignalKind | null, number | null, number | null][];
  /** limit notices: logged at, reset at */
  limits: [number, number][];
  lastTokenAt: number | null;
  /** time and family of the newest model seen */
  lastModel: [number, string] | null;
  /** the newest time seen, null before any */
  watermark: number | null;
  /** deltas waiting for their time, earliest first (see deltaRow) */
  pending: (string | number)[][];
  /** the suggestion computed in this minute, [minute, suggestion] */
  suggestion: [number, CalibrationSuggestion] | null;
}

/** An open 5 h block's sums (BlockTracker.state). */
export interface BlockState {
  startMs: number;
  firstMs: number;
  lastMs: number;
  entries: number;
  counts: TokenCounts;
  costUsd: number;
  models: string[];
  late: number;
}

/** CalibrationHistory.state */
export interface CalibrationState {
  block: BlockState;
  blockTotals: number[];
  /** week start, reset, tokens */
  weeks: [number, number, number][];
  /** minute, tokens, … */
  minutes: number[];
  /** start of the oldest week seen, null before any */
  firstWeekStart: number | null;
  changes: number;
}

export function check(ok: boolean, part: string): asserts ok {
  if (!ok) throw new RangeError(`windows state: ${part}`);
}

export const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
export const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
export const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
/** an instant a transcript line can carry (ms since epoch, years 0..10000): what every time held is */
export const isTime = (v: unknown): v is number => typeof v === "number" && v >= MIN_TIMESTAMP_MS && v <= MAX_TIMESTAMP_MS;
export const isTimeOrNull = (v: unknown): v is number | null => v === null || isTime(v);

const COUNT_KEYS = ["input", "output", "cacheCreation", "cacheRead", "cacheCreation5m", "cacheCreation1h"] as const;

/** Token counts as held by the windows: finite (a delta may be negative in a field). */
export function checkCounts(v: unknown, part: string): TokenCounts {
  check(typeof v === "object" && v !== null, part);
  const o = v as Record<string, unknown>;
  const counts = {} as TokenCounts;
  for (const k of COUNT_KEYS) {
    check(isFiniteNumber(o[k]), part);
    counts[k] = o[k] as number;
  }
  return counts;
}

/** A waiting delta as one row of JSON data. */
export function deltaRow(d: UsageDelta): (string | number)[] {
  const c = d.counts;
  return [
    d.timestamp,
    d.model,
    d.sessionId,
    d.project,
    c.input,
    c.output,
    c.cacheCreation,
    c.cacheRead,
    c.cacheCreation5m,
    c.cacheCreation1h,
    d.thinkingOutput,
    d.costUsd,
  ];
}

export function deltaOfRow(v: unknown): UsageDelta {
  check(isArray(v) && v.length === 12, "pending");
  const [timestamp, model, sessionId, project, ...numbers] = v;
  check(isTime(timestamp) && typeof model === "string" && typeof sessionId === "string" && typeof project === "string", "pending");
  check(numbers.every(isFiniteNumber), "pending");
  const [input, output, cacheCreation, cacheRead, cacheCreation5m, cacheCreation1h, thinkingOutput, costUsd] = numbers as number[];
  return {
    timestamp,
    model,
    sessionId,
    project,
    counts: {
      input: input!,
      output: output!,
      cacheCreation: cacheCreation!,
      cacheRead: cacheRead!,
      cacheCreation5m: cacheCreation5m!,
      cacheCreation1h: cacheCreation1h!,
    },
    thinkingOutput: thinkingOutput!,
    costUsd: costUsd!,
  };
}

function checkEvidence(v: unknown): SeriesEvidence {
  check(typeof v === "object" && v !== null, "suggestion");
  const e = v as Record<string, unknown>;
  check(isCount(e["samples"]) && isCount(e["minSamples"]), "suggestion");
  for (const k of ["p50", "p90", "p95", "max"]) check(isTimeOrNull(e[k]), "suggestion");
  check(e["basis"] === "history" || e["basis"] === "fallback", "suggestion");
  return {
    samples: e["samples"] as number,
    minSamples: e["minSamples"] as number,
    p50: e["p50"] as number | null,
    p90: e["p90"] as number | null,
    p95: e["p95"] as number | null,
    max: e["max"] as number | null,
    basis: e["basis"] as SeriesEvidence["basis"],
  };
}

/** A cached suggestion, [minute, suggestion], or null. */
export function checkSuggestion(v: unknown): { minute: number; value: CalibrationSuggestion } | null {
  if (v === null) return null;
  check(isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]), "suggestion");
  const s = v[1];
  check(typeof s === "object" && s !== null, "suggestion");
  const o = s as Record<string, unknown>;
  for (const k of ["ceiling5hTokens", "ceiling7dTokens", "tachRedlineTokensPerMin"]) check(isFiniteNumber(o[k]) && (o[k] as number) >= 1, "suggestion");
  const ev = o["evidence"];
  check(typeof ev === "object" && ev !== null, "suggestion");
  const e = ev as Record<string, unknown>;
  return {
    minute: v[0] as number,
    value: {
      ceiling5hTokens: o["ceiling5hTokens"] as number,
      ceiling7dTokens: o["ceiling7dTokens"] as number,
      tachRedlineTokensPerMin: o["tachRedlineTokensPerMin"] as number,
      evidence: { blocks5h: checkEvidence(e["blocks5h"]), weeks7d: checkEvidence(e["weeks7d"]), activeMinutes: checkEvidence(e["activeMinutes"]) },
    },
  };
}
