import { BLOCK_DURATION_MS, WEEK_MS, ZERO_COUNTS, type OfficialWindow, type PricedEntry, type TokenCounts, type TypedReading } from "@claude-gauge/core";
import type { StatuslineSample } from "./statusline.js";

const SPAN: Record<OfficialWindow, number> = { "5h": BLOCK_DURATION_MS, "7d": WEEK_MS };

/**
 * Pairs each official reading with the local tokens of its window, by type, from the kept
 * messages (sorted by time): prefix sums make each reading two binary searches.
 */
export function typedReadings(sorted: readonly PricedEntry[], samples: readonly StatuslineSample[]): TypedReading[] {
  const times = sorted.map((e) => e.event.timestamp);
  const prefix: TokenCounts[] = [{ ...ZERO_COUNTS }];
  for (const { event: e } of sorted) {
    const p = prefix[prefix.length - 1]!;
    prefix.push({
      input: p.input + e.input,
      output: p.output + e.output,
      cacheCreation: p.cacheCreation + e.cacheCreation,
      cacheRead: p.cacheRead + e.cacheRead,
      cacheCreation5m: p.cacheCreation5m + e.cacheCreation5m,
      cacheCreation1h: p.cacheCreation1h + e.cacheCreation1h,
    });
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
  const between = (from: number, to: number): TokenCounts => {
    const a = prefix[after(from - 1)]!;
    const b = prefix[after(to)]!;
    return {
      input: b.input - a.input,
      output: b.output - a.output,
      cacheCreation: b.cacheCreation - a.cacheCreation,
      cacheRead: b.cacheRead - a.cacheRead,
      cacheCreation5m: b.cacheCreation5m - a.cacheCreation5m,
      cacheCreation1h: b.cacheCreation1h - a.cacheCreation1h,
    };
  };
  const out: TypedReading[] = [];
  for (const s of samples) {
    for (const [window, l] of [["5h", s.rateLimits.fiveHour], ["7d", s.rateLimits.sevenDay]] as const) {
      if (l === null) continue;
      out.push({ at: s.at, window, usedPct: l.usedPct, resetsAt: l.resetsAt, counts: between(l.resetsAt - SPAN[window], s.at) });
    }
  }
  return out;
}
