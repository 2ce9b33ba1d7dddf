import { addCounts, subtractCounts, ZERO_COUNTS, type PricedEntry, type TokenCounts, type TypedReading } from "@claude-gauge/core";
import { OFFICIAL_WINDOW_MS } from "./official-store.js";
import type { StatuslineSample } from "../statusline/sample.js";

/**
 * Pairs each official reading with the local tokens of its window, by type, from the kept
 * messages (sorted by time): prefix sums make each reading two binary searches.
 */
export function typedReadings(sorted: readonly PricedEntry[], samples: readonly StatuslineSample[]): TypedReading[] {
  const times = sorted.map((e) => e.event.timestamp);
  const prefix: TokenCounts[] = [{ ...ZERO_COUNTS }];
  for (const { event } of sorted) {
    const next = { ...prefix[prefix.length - 1]! };
    addCounts(next, event);
    prefix.push(next);
  }
  /** index of the first time > t (upper bound) */
  const after = (t: number): number => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const between = (from: number, to: number): TokenCounts => subtractCounts(prefix[after(to)]!, prefix[after(from - 1)]!);
  const out: TypedReading[] = [];
  for (const s of samples) {
    for (const [window, l] of [
      ["5h", s.rateLimits.fiveHour],
      ["7d", s.rateLimits.sevenDay],
    ] as const) {
      if (l === null) continue;
      out.push({ at: s.at, window, usedPct: l.usedPct, resetsAt: l.resetsAt, counts: between(l.resetsAt - OFFICIAL_WINDOW_MS[window], s.at) });
    }
  }
  return out;
}
