import type { StatsTotals, ThresholdLevel, UsageStats } from "@claude-gauge/core";

export type { StatsTotals, ThresholdLevel };
export type StatsWindow = UsageStats["window"];

/** GET /stats as the server answers it: core's aggregates plus the ceilings and 50/80/95 % levels. */
export interface StatsResponse extends UsageStats {
  ceilings: {
    /** tokens */
    window5hTokens: number;
    /** tokens */
    window7dTokens: number;
    /** tokens/min */
    tachRedlineTokensPerMin: number;
    basis: "configured" | "suggested";
  };
  thresholds: {
    window5h: { pct: number; level: ThresholdLevel };
    window7d: { pct: number; level: ThresholdLevel };
  };
}

export function asStats(x: unknown): StatsResponse | null {
  if (typeof x !== "object" || x === null) return null;
  const o = x as Partial<StatsResponse>;
  if (typeof o.totals?.total !== "number" || !Array.isArray(o.byDay) || !Array.isArray(o.byModel) || !Array.isArray(o.byProject)) return null;
  if (typeof o.ceilings?.tachRedlineTokensPerMin !== "number" || typeof o.thresholds?.window5h.level !== "string") return null;
  return o as StatsResponse;
}
