/**
 * Which token types does Claude's own percentage count? Each candidate set of types gives every
 * official reading an implied ceiling (local tokens of those types ÷ used share); the set whose
 * ceilings agree best (smallest robust spread) explains the readings best. With cache reads in a
 * set that Claude does not count, the implied ceiling swings with the cache hit rate, which is what
 * makes the wrong sets stand out. Pure.
 */
import { tokenCounter, type TokenType } from "./config.js";
import { fitCeiling, type CeilingFit, type OfficialWindow } from "./official-fuel.js";
import type { TokenCounts } from "./usage-event.js";

/** One official reading with the local tokens of its window split by type. */
export interface TypedReading {
  /** ms since epoch */
  at: number;
  window: OfficialWindow;
  /** 0..1 */
  usedPct: number;
  /** ms since epoch */
  resetsAt: number;
  /** tokens counted locally in the official window at `at`, by type */
  counts: TokenCounts;
}

export const CANDIDATE_TYPE_SETS: readonly (readonly TokenType[])[] = [
  ["input", "output", "cache_creation", "cache_read"],
  ["input", "output", "cache_creation"],
  ["input", "output"],
  ["output"],
];

export interface TypeSetFit extends CeilingFit {
  types: readonly TokenType[];
}

/** readings needed before a ranking means anything */
export const MIN_READINGS_FOR_TYPES = 3;

/** Every candidate set's fit for one window, best explanation first (null ceilings last). */
export function fitTokenTypes(readings: readonly TypedReading[], window: OfficialWindow): TypeSetFit[] {
  const fits = CANDIDATE_TYPE_SETS.map((types): TypeSetFit => {
    const count = tokenCounter(types);
    const samples = readings.map((r) => ({ at: r.at, window: r.window, usedPct: r.usedPct, resetsAt: r.resetsAt, localTokens: count(r.counts) }));
    return { types, ...fitCeiling(samples, { window }) };
  });
  const rank = (f: TypeSetFit): number => (f.ceilingTokens === null || f.used < MIN_READINGS_FOR_TYPES ? Number.POSITIVE_INFINITY : f.spread);
  return fits.sort((a, b) => rank(a) - rank(b));
}
