/**
 * Official fuel: Claude's own rate-limit percentages, fed by the statusline command.
 *
 * Claude Code hands its `statusLine` command the real 5 h and 7 d `used_percentage`, but only when it
 * runs it (after a response), so the value is a step function that lags between turns. The local
 * transcripts, on the other hand, show every token as it is written, but in units whose ceiling we
 * can only guess. The model joins the two:
 *
 * - each official value is stored with the tokens counted locally in that window at the same moment
 *   (`OfficialSample`);
 * - their ratio `localTokens / usedPct` is the ceiling as seen from this machine; `fitCeiling` takes
 *   a robust average over recent samples, so one odd reading (usage on another device, a window
 *   that just rolled, a percentage rounded near zero) does not move it;
 * - between official updates the needle advances from the last official value by the tokens counted
 *   locally since then, scaled by that fitted ceiling (`officialFuel`), and snaps to the next official
 *   value when it arrives. The error is bounded by one update's worth of drift, never accumulated.
 *
 * A sample whose window has reset says nothing about the new window: `officialFuel` returns null and
 * the caller falls back to the estimated fuel. Pure: no I/O, `now` is a parameter.
 */

export type OfficialWindow = "5h" | "7d";

/** One window's official reading. */
export interface OfficialLimit {
  /** share of the window used, 0..1 */
  usedPct: number;
  /** when the window resets, ms since epoch */
  resetsAt: number;
}

export interface OfficialRateLimits {
  fiveHour: OfficialLimit | null;
  sevenDay: OfficialLimit | null;
}

/** What the statusline command needs from Claude Code's stdin object. */
export interface StatuslineInput {
  /** null when Claude Code sent no usable `rate_limits` (API users, before the first response) */
  rateLimits: OfficialRateLimits | null;
  sessionId: string | null;
  /** display name, else id; null when absent */
  model: string | null;
}

/** An official reading paired with the local count it is compared against. */
export interface OfficialSample {
  /** when the reading was taken, ms since epoch */
  at: number;
  window: OfficialWindow;
  /** share of the window used, 0..1 */
  usedPct: number;
  /** when the window resets, ms since epoch */
  resetsAt: number;
  /**
   * tokens counted locally in that window at `at`, tokens. The official window is
   * [resetsAt − 5 h or 7 d, resetsAt), which need not match the gauge's own block or week.
   */
  localTokens: number;
}

export interface CeilingFit {
  /** tokens that make 100 % of the window as seen from this machine; null when no sample qualified */
  ceilingTokens: number | null;
  /** samples considered (qualified and among the most recent `maxSamples`) */
  samples: number;
  /** samples kept after outlier rejection */
  used: number;
  /** robust relative spread of the kept ratios (scaled MAD / ceiling), unitless; 0 with one sample */
  spread: number;
}

export interface FitOptions {
  /** only fit samples of this window; all samples otherwise (pass one window's samples then) */
  window?: OfficialWindow;
  /** least usedPct (0..1) a sample needs: one rounding step is a large share of a small percentage. Default 0.02 */
  minUsedPct?: number;
  /** most recent qualified samples to consider. Default 20 */
  maxSamples?: number;
  /** reject ratios further than this many scaled MADs from the median. Default 3 */
  madK?: number;
  /**
   * ratios within this share of the median are never outliers (0..1). Default 0.1: local and official
   * accounting disagree by a few percent anyway, and when the MAD happens to be small, trimming that
   * ordinary noise on one side would bias the mean.
   */
  keepWithin?: number;
}

export const FIT_DEFAULTS = Object.freeze({ minUsedPct: 0.02, maxSamples: 20, madK: 3, keepWithin: 0.1 });

/** MAD × this estimates the standard deviation for normal noise, so `madK` reads as "sigmas". */
const MAD_TO_SIGMA = 1.4826;

export interface OfficialFuel {
  /** used share of the window, 0..1 */
  pct: number;
  source: "official";
  /** when the window resets, ms since epoch */
  resetAt: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/** Below this a reset time must be seconds (1e11 s is the year 5138, 1e11 ms is 1973). */
const SECONDS_LIMIT = 1e11;
/** 2100-01-01 in ms: a later reset time is garbage, not a reading */
const LATEST_RESET_MS = 4_102_444_800_000;

/** `resets_at` as ms since epoch: Unix seconds (what Claude Code sends), ms, or an ISO string (seen once). */
function resetMs(v: unknown): number | null {
  const ms = typeof v === "string" ? Date.parse(v) : finite(v) ? (v < SECONDS_LIMIT ? v * 1000 : v) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 && ms <= LATEST_RESET_MS ? ms : null;
}

function parseLimit(v: unknown): OfficialLimit | null {
  if (!isRecord(v)) return null;
  const pct = v["used_percentage"];
  const resets = resetMs(v["resets_at"]);
  if (!finite(pct) || resets === null) return null;
  // Always a percentage: guessing "0..1 or 0..100" from the value would read 0.5 % as 50 %.
  // Rounded to 0.0001 % so 41.2 is stored as 0.412, not 0.41200000000000003.
  return {
    usedPct: clamp01(Math.round(pct * 1e4) / 1e6),
    resetsAt: resets,
  };
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** Tolerant: each part that is missing or of the wrong type becomes null; never throws. */
export function parseStatuslineInput(json: unknown): StatuslineInput {
  if (!isRecord(json)) return { rateLimits: null, sessionId: null, model: null };
  const rl = json["rate_limits"];
  let rateLimits: OfficialRateLimits | null = null;
  if (isRecord(rl)) {
    const fiveHour = parseLimit(rl["five_hour"]);
    const sevenDay = parseLimit(rl["seven_day"]);
    if (fiveHour || sevenDay) rateLimits = { fiveHour, sevenDay };
  }
  const m = json["model"];
  const model = isRecord(m) ? (str(m["display_name"]) ?? str(m["id"])) : str(m);
  return { rateLimits, sessionId: str(json["session_id"]), model };
}

function medianOf(sorted: readonly number[]): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const sortNum = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/**
 * The ceiling implied by recent samples. Outliers are found against the median and MAD; the
 * ceiling is then the mean of the survivors, since with bounded noise the mean of ~20 ratios
 * wanders about 0.6× as far as their median does.
 */
export function fitCeiling(samples: readonly OfficialSample[], opts: FitOptions = {}): CeilingFit {
  const minUsedPct = opts.minUsedPct ?? FIT_DEFAULTS.minUsedPct;
  const maxSamples = opts.maxSamples ?? FIT_DEFAULTS.maxSamples;
  const madK = opts.madK ?? FIT_DEFAULTS.madK;
  const keepWithin = opts.keepWithin ?? FIT_DEFAULTS.keepWithin;
  const qualified = samples.filter(
    (s) =>
      (opts.window === undefined || s.window === opts.window) &&
      finite(s.at) &&
      finite(s.usedPct) &&
      s.usedPct >= minUsedPct &&
      s.usedPct <= 1 &&
      finite(s.localTokens) &&
      // zero local tokens against a real percentage means usage elsewhere; it says nothing of the ceiling
      s.localTokens > 0,
  );
  const recent = [...qualified].sort((a, b) => a.at - b.at).slice(-maxSamples);
  const ratios = recent.map((s) => s.localTokens / s.usedPct);
  if (ratios.length === 0) return { ceilingTokens: null, samples: 0, used: 0, spread: 0 };
  const med = medianOf(sortNum(ratios));
  const mad = medianOf(sortNum(ratios.map((r) => Math.abs(r - med))));
  const limit = Math.max(madK * MAD_TO_SIGMA * mad, keepWithin * med);
  const kept = ratios.filter((r) => Math.abs(r - med) <= limit);
  const ceiling = kept.reduce((a, b) => a + b, 0) / kept.length;
  const keptMed = medianOf(sortNum(kept));
  const keptMad = medianOf(sortNum(kept.map((r) => Math.abs(r - keptMed))));
  return {
    ceilingTokens: ceiling,
    samples: ratios.length,
    used: kept.length,
    spread: ceiling > 0 ? (MAD_TO_SIGMA * keptMad) / ceiling : 0,
  };
}

/**
 * The official fuel now: the last official value plus the local tokens since, over the fitted
 * ceiling. Null when there is no sample or its window has reset (the caller shows the estimate).
 * Local tokens never lower the value below the official one: Claude's number is the floor.
 */
export function officialFuel(
  last: OfficialSample | null,
  /** tokens counted locally in the same window now, tokens */
  localTokensNow: number,
  /** from `fitCeiling`, tokens; null keeps the last official value */
  fittedCeiling: number | null,
  /** ms since epoch */
  now: number,
): OfficialFuel | null {
  if (last === null || !(now < last.resetsAt) || !finite(last.usedPct)) return null;
  let pct = last.usedPct;
  if (fittedCeiling !== null && fittedCeiling > 0 && finite(fittedCeiling) && finite(localTokensNow) && finite(last.localTokens)) {
    pct += Math.max(0, localTokensNow - last.localTokens) / fittedCeiling;
  }
  return { pct: clamp01(pct), source: "official", resetAt: last.resetsAt };
}
