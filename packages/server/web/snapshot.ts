import type { UsageSnapshot } from "@claude-gauge/core";

export type { UsageSnapshot };

const NUMBERS = [
  "rate_1m",
  "window_5h_tokens",
  "window_5h_pct",
  "window_7d_tokens",
  "window_7d_pct",
  "cost_5h_usd",
  "cost_7d_usd",
  "thinking_ratio",
  "cache_hit_rate",
  "tach_pos",
  "fuel_5h_pos",
  "fuel_7d_pos",
] as const;
const FLAGS = ["hot", "warn", "stall", "idle", "limit_hit", "source_ok"] as const;

/**
 * A cheap shape check of a frame (the zod schema stays on the server; it would triple the page).
 * A frame that fails is dropped, never half-applied.
 */
export function asSnapshot(x: unknown): UsageSnapshot | null {
  if (typeof x !== "object" || x === null) return null;
  const o = x as Record<string, unknown>;
  if (o["v"] !== 1) return null;
  for (const k of NUMBERS) if (typeof o[k] !== "number" || !Number.isFinite(o[k])) return null;
  for (const k of FLAGS) if (typeof o[k] !== "boolean") return null;
  if (typeof o["source"] !== "string" || typeof o["updated_at"] !== "string") return null;
  return x as UsageSnapshot;
}
