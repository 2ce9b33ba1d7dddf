import type { ModelFamily } from "./contract.js";

/** All prices in USD per million tokens. */
export interface TierPrices {
  readonly input: number;
  readonly output: number;
  readonly cacheWrite5m: number;
  readonly cacheWrite1h: number;
  readonly cacheRead: number;
}

/** All prices in USD per million tokens. */
export interface ModelPricing extends TierPrices {
  /** rates for the part of one token type's count above 200k in one message; null = no tier */
  readonly above200k: TierPrices | null;
  /** factor on the whole message cost when `usage.speed` is "fast" (1 = fast costs the same) */
  readonly fastMultiplier: number;
}

export const TIER_THRESHOLD_TOKENS = 200_000;

/**
 * ccusage derives the 1 h cache-write rate as 2× input (also above the tier, from the >200k input
 * rate) instead of reading one from its data, so the table states only the 5 min write rate.
 */
function price(
  input: number,
  output: number,
  cacheWrite5m: number,
  cacheRead: number,
  opts: { above?: Omit<TierPrices, "cacheWrite1h">; fast?: number } = {},
): ModelPricing {
  const a = opts.above;
  return {
    input,
    output,
    cacheWrite5m,
    cacheWrite1h: input * 2,
    cacheRead,
    above200k: a === undefined ? null : { ...a, cacheWrite1h: a.input * 2 },
    fastMultiplier: opts.fast ?? 1,
  };
}

// Rates are what ccusage 20.0.24 --offline charges (its LiteLLM snapshot plus built-in entries),
// read back with `node --import tsx test/oracle/probe-pricing.ts --derive`.
const OPUS_4_5 = price(5, 25, 6.25, 0.5);
const OPUS_4_6 = price(5, 25, 6.25, 0.5, { fast: 6 });
const OPUS_4_8 = price(5, 25, 6.25, 0.5, { fast: 2 });
const OPUS_4 = price(15, 75, 18.75, 1.5);
const SONNET = price(3, 15, 3.75, 0.3);
// ccusage's data carries the 1M-context tier for sonnet 4 and 4-5 only (not 4-6, not opus)
const SONNET_LONG = price(3, 15, 3.75, 0.3, { above: { input: 6, output: 22.5, cacheWrite5m: 7.5, cacheRead: 0.6 } });
const SONNET_5 = price(2, 10, 2.5, 0.2);
const HAIKU_4_5 = price(1, 5, 1.25, 0.1);
const HAIKU_3_5 = price(0.8, 4, 1, 0.08);
const HAIKU_3 = price(0.25, 1.25, 0.3, 0.03);
const FABLE_5 = price(10, 50, 12.5, 1);
const FABLE_5_1 = price(10, 50, 12.5, 0.25);

interface PriceGroup {
  readonly p: ModelPricing;
  /** ids ccusage has as keys itself: exact matches and candidates for name matching */
  readonly ids: readonly string[];
  /**
   * ids ccusage prices only through keys this table does not carry (Bedrock/Vertex spellings);
   * matched exactly, never offered to name matching, or e.g. `claude-3-5-sonnet-latest` (which
   * ccusage leaves unpriced) would find `claude-3-5-sonnet`.
   */
  readonly exactOnly?: readonly string[];
}

const PRICES: readonly PriceGroup[] = [
  { p: OPUS_4_8, ids: ["claude-opus-4-8", "claude-opus-5"] },
  { p: OPUS_4_6, ids: ["claude-opus-4-7", "claude-opus-4-7-20260416", "claude-opus-4-6", "claude-opus-4-6-20260205"] },
  { p: OPUS_4_5, ids: ["claude-opus-4-5", "claude-opus-4-5-20251101"] },
  {
    p: OPUS_4,
    ids: [
      "claude-opus-4-1",
      "claude-opus-4-1-20250805",
      "claude-opus-4",
      "claude-opus-4-20250514",
      "claude-4-opus-20250514",
      "claude-3-opus",
      "claude-3-opus-20240229",
    ],
  },
  {
    p: SONNET_LONG,
    ids: ["claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "claude-sonnet-4", "claude-sonnet-4-20250514", "claude-4-sonnet-20250514"],
  },
  {
    p: SONNET,
    ids: ["claude-sonnet-4-6", "claude-3-7-sonnet-20250219", "claude-3-sonnet"],
    exactOnly: [
      "claude-3-7-sonnet",
      "claude-3-7-sonnet-latest",
      "claude-3-5-sonnet",
      "claude-3-5-sonnet-20241022",
      "claude-3-5-sonnet-20240620",
      "claude-3-sonnet-20240229",
    ],
  },
  { p: SONNET_5, ids: ["claude-sonnet-5"] },
  { p: HAIKU_4_5, ids: ["claude-haiku-4-5", "claude-haiku-4-5-20251001"] },
  { p: HAIKU_3_5, ids: ["claude-3-5-haiku", "claude-3-5-haiku-20241022"] },
  { p: HAIKU_3, ids: ["claude-3-haiku", "claude-3-haiku-20240307"] },
  { p: FABLE_5, ids: ["claude-fable-5", "claude-mythos-5", "claude-mythos-preview"] },
  { p: FABLE_5_1, ids: ["claude-fable-5-1", "claude-mythos-5-1"] },
];

const MATCH_KEYS: ReadonlyMap<string, ModelPricing> = new Map(PRICES.flatMap((g) => g.ids.map((id) => [id, g.p] as const)));
const TABLE: ReadonlyMap<string, ModelPricing> = new Map([...MATCH_KEYS, ...PRICES.flatMap((g) => (g.exactOnly ?? []).map((id) => [id, g.p] as const))]);

/** Every model id the table prices exactly (the rest resolve through {@link lookupPricing}). */
export const PRICED_MODELS: readonly string[] = [...TABLE.keys()];

const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);

/**
 * ccusage keeps version boundaries when it matches a key inside a longer name: `claude-opus-4`
 * must not price `claude-opus-4-6`, while an 8-digit date (`-20250514`) may follow.
 */
function followsAsVersion(key: string, suffix: string): boolean {
  if (!/[0-9]$/.test(key) || !(suffix.startsWith("-") || suffix.startsWith("."))) return false;
  const digits = /^[0-9]*/.exec(suffix.slice(1))?.[0] ?? "";
  if (digits.length === 0) return false;
  return !(digits.length === 8 && !isAlnum(suffix[1 + digits.length]));
}

/** `key` occurs in `value` delimited by non-alphanumerics (ccusage's `contains_pricing_key`). */
function containsKey(value: string, key: string): boolean {
  for (let i = value.indexOf(key); i !== -1; i = value.indexOf(key, i + key.length)) {
    const suffix = value.slice(i + key.length);
    if (isAlnum(value[i - 1])) continue;
    if (suffix === "" || (!isAlnum(suffix[0]) && !followsAsVersion(key, suffix))) return true;
  }
  return false;
}

const normalize = (s: string): string => s.replace(/[.@]/g, "-");

function keyMatches(candidate: string, model: string): boolean {
  if (containsKey(model, candidate) || containsKey(candidate, model)) return true;
  const nc = normalize(candidate);
  const nm = normalize(model);
  return containsKey(nm, nc) || containsKey(nc, nm);
}

/**
 * Price of a model as ccusage resolves it: exact id first, otherwise the longest table key that
 * contains or is contained in the name at separator boundaries (so `anthropic/claude-sonnet-4-5`,
 * `claude-sonnet-4.5` or a new date suffix find their base model); ties go to the
 * alphabetically first key. Null (cost 0) for `<synthetic>` and models nothing matches.
 */
export function lookupPricing(model: string): ModelPricing | null {
  const exact = TABLE.get(model);
  if (exact !== undefined) return exact;
  if (model === "" || model === "<synthetic>") return null;
  let best: string | null = null;
  for (const key of MATCH_KEYS.keys()) {
    if (!keyMatches(key, model)) continue;
    if (best === null || key.length > best.length || (key.length === best.length && key < best)) best = key;
  }
  return best === null ? null : (MATCH_KEYS.get(best) ?? null);
}

/** Family of a model id by name, independent of whether it is priced. */
export function modelFamily(model: string): ModelFamily | null {
  const m = /(?:^|[^a-z])(opus|sonnet|haiku)(?:$|[^a-z])/.exec(model.toLowerCase());
  return m === null ? null : (m[1] as ModelFamily);
}
