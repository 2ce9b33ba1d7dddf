import { lookupPricing, TIER_THRESHOLD_TOKENS } from "./pricing.js";
import type { Speed, TokenCounts } from "./usage-event.js";

const PER_MILLION = 1_000_000;

/**
 * ccusage's tier rule: each token type of ONE message is split on its own at 200k — the first
 * 200k tokens of that type at the base rate, the rest at the >200k rate. It is neither per day nor
 * over input+cache combined, so it must be applied per message, never to aggregated counts.
 */
function tiered(tokens: number, base: number, above: number | undefined): number {
  if (tokens <= 0) return 0;
  if (above === undefined || tokens <= TIER_THRESHOLD_TOKENS) return (tokens * base) / PER_MILLION;
  return (TIER_THRESHOLD_TOKENS * base + (tokens - TIER_THRESHOLD_TOKENS) * above) / PER_MILLION;
}

/**
 * API-equivalent cost in USD of one message, matching `ccusage claude … --offline` (20.0.24).
 * Unknown models and `<synthetic>` cost 0, as in ccusage (which lists them as unpriced).
 */
export function costOf(model: string, counts: TokenCounts, speed: Speed | null): number {
  const p = lookupPricing(model);
  if (p === null) return 0;
  // ccusage uses the 5m/1h breakdown whenever the line has one (ignoring the flat total);
  // without it every cache write is billed at the 5 min rate.
  const hasSplit = counts.cacheCreation5m + counts.cacheCreation1h > 0;
  const write5m = hasSplit ? counts.cacheCreation5m : counts.cacheCreation;
  const write1h = hasSplit ? counts.cacheCreation1h : 0;
  const t = p.above200k;
  const cost =
    tiered(counts.input, p.input, t?.input) +
    tiered(counts.output, p.output, t?.output) +
    tiered(write5m, p.cacheWrite5m, t?.cacheWrite5m) +
    tiered(write1h, p.cacheWrite1h, t?.cacheWrite1h) +
    tiered(counts.cacheRead, p.cacheRead, t?.cacheRead);
  // The multiplier scales the whole message; a null speed (older Claude Code) is standard.
  return speed === "fast" ? cost * p.fastMultiplier : cost;
}
