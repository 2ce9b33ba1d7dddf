import { NEEDLE_SCALE } from "./contract.js";

/** The redline sits at this share of the tach dial, so bursts past it stay readable. */
export const REDLINE_DIAL_SHARE = 0.8;

function clampPosition(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.min(NEEDLE_SCALE, Math.max(0, Math.round(x)));
}

/** Tach needle 0..1000 for `rateTokensPerMin` against `redlineTokensPerMin` (full scale = 1.25 × redline). */
export function tachPosition(rateTokensPerMin: number, redlineTokensPerMin: number): number {
  if (!(rateTokensPerMin > 0)) return 0;
  if (!(redlineTokensPerMin > 0)) return NEEDLE_SCALE;
  return clampPosition((rateTokensPerMin / (redlineTokensPerMin / REDLINE_DIAL_SHARE)) * NEEDLE_SCALE);
}

/** Fuel needle 0..1000 for the used share `pct` (0..1) of a tank: 1000 = full, 0 = empty. */
export function fuelPosition(pct: number): number {
  // An unknown share reads as nothing used: a false empty tank would be the worse lie.
  if (Number.isNaN(pct)) return NEEDLE_SCALE;
  return clampPosition((1 - pct) * NEEDLE_SCALE);
}
