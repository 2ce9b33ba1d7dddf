import { z } from "zod";
import { YEAR_ZERO_MS } from "./timestamp.js";

/** Bumped on any breaking change of the /usage shape; the firmware rejects other versions. */
export const CONTRACT_VERSION = 1 as const;

/**
 * Largest serialized snapshot (bytes), every value at its widest (a test builds that case).
 * It was 512 until `fuel_source` (26 bytes) joined; the firmware's parser accepts 704.
 */
export const CONTRACT_MAX_BYTES = 544;

/** Needle positions are integers on this scale; the firmware maps them to its own steps. */
export const NEEDLE_SCALE = 1000;

export const MODEL_FAMILIES = ["opus", "sonnet", "haiku"] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

/** promql = a Prometheus server queried with PromQL (an OTel collector feeding it). */
export const SOURCES = ["jsonl", "otlp", "promql", "ccusage", "demo"] as const;
export type SourceKind = (typeof SOURCES)[number];

/** official = Claude Code's own rate-limit percentage (statusline); estimated = local tokens ÷ ceiling. */
export const FUEL_SOURCES = ["official", "estimated"] as const;
export type FuelSource = (typeof FUEL_SOURCES)[number];

/*
 * Every value has a bounded printed width so the worst case fits CONTRACT_MAX_BYTES (a test builds
 * it). The encoders below are the only way values should enter a snapshot.
 */
/** largest rate, tokens/min (7 digits) */
export const MAX_RATE = 9_999_999;
/** largest 5 h window, tokens (9 digits) */
export const MAX_TOKENS_5H = 999_999_999;
/** largest 7 d window, tokens (10 digits) */
export const MAX_TOKENS_7D = 9_999_999_999;
/** largest cost, USD (5 characters) */
export const MAX_USD = 99_999;

const fraction = z.number().min(0).max(1);
const usd = z.number().min(0).max(MAX_USD);
const needle = z.number().int().min(0).max(NEEDLE_SCALE);
const isoSecond = z.iso.datetime({ offset: true, precision: 0 });
const isoMinute = z.iso.datetime({ offset: true, precision: -1 });

/** NaN reads as `lo`; ±Infinity as the bound it passed. */
const clamp = (x: number, lo: number, hi: number): number => (Number.isNaN(x) ? lo : Math.min(hi, Math.max(lo, x)));

/** A 0..1 share at 1 % resolution (the needles carry the fine position). */
export function encodeShare(x: number): number {
  return Math.round(clamp(x, 0, 1) * 100) / 100;
}

/** A token count or rate as a bounded integer. */
export function encodeCount(x: number, max: number): number {
  return Math.round(clamp(x, 0, max));
}

/** USD in at most 5 characters: cents below $100, dimes below $1000, whole dollars above. */
export function encodeUsd(x: number): number {
  const v = clamp(x, 0, MAX_USD);
  if (v < 99.995) return Math.round(v * 100) / 100;
  if (v < 999.95) return Math.round(v * 10) / 10;
  return Math.round(v);
}

/**
 * The instants the contract can print, ms since epoch: the schema's datetimes have four-digit
 * years, 0000-01-01T00:00:00Z … 9999-12-31T23:59:59Z.
 */
const PRINTABLE_MIN_MS = YEAR_ZERO_MS;
const PRINTABLE_MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * `updated_at`: whole seconds, UTC ("2026-11-26T14:05:07Z"). Always a valid datetime: an instant
 * outside years 0000..9999 is clamped to the nearest printable second, NaN reads as the epoch.
 */
export function encodeTime(ms: number): string {
  const t = Number.isNaN(ms) ? 0 : Math.min(PRINTABLE_MAX_MS, Math.max(PRINTABLE_MIN_MS, ms));
  return `${new Date(Math.floor(t / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/**
 * Reset times: whole minutes, rounded up so the gauge never announces a reset before it happens
 * ("2026-11-26T19:00Z"). Block ends and week anchors fall on whole minutes, so this is exact there.
 * A reset the contract cannot print (outside years 0000..9999, or not a number) is null: unknown,
 * as when no window is open — never a clamped date that would read as a real reset.
 */
export function encodeResetTime(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  const minute = Math.ceil(ms / 60_000) * 60_000;
  if (minute < PRINTABLE_MIN_MS || minute > PRINTABLE_MAX_MS) return null;
  return `${new Date(minute).toISOString().slice(0, 16)}Z`;
}

/**
 * The /usage contract: one flat object, the same JSON over HTTP, WebSocket and in the firmware header.
 * This schema is the single source of truth; JSON Schema, TS types and the C header derive from it.
 */
export const UsageSnapshotSchema = z
  .object({
    v: z.literal(CONTRACT_VERSION).describe("contract version"),
    rate_1m: z.number().int().min(0).max(MAX_RATE).describe("tokens per minute over the last 60 s"),
    window_5h_tokens: z.number().int().min(0).max(MAX_TOKENS_5H).describe("tokens counted in the current 5 h window"),
    window_5h_pct: fraction.describe("share of the 5 h ceiling used, 0..1 (1 % steps)"),
    window_5h_reset_at: isoMinute.nullable().describe("when the 5 h window resets (whole minutes, UTC); null when no window is open"),
    window_7d_tokens: z.number().int().min(0).max(MAX_TOKENS_7D).describe("tokens counted in the current 7 d window"),
    window_7d_pct: fraction.describe("share of the 7 d ceiling used, 0..1 (1 % steps)"),
    window_7d_reset_at: isoMinute.nullable().describe("when the 7 d window resets (weekly) or its oldest tokens expire (rolling); whole minutes, UTC"),
    cost_5h_usd: usd.describe("API-equivalent cost of the 5 h window, USD (cents below $100, dimes below $1000, dollars above)"),
    cost_7d_usd: usd.describe("API-equivalent cost of the 7 d window, USD (same rounding)"),
    thinking_ratio: fraction.describe("share of output tokens spent thinking over the last 5 min"),
    cache_hit_rate: fraction.describe("cacheRead / (input + cacheRead + cacheCreation) over the last 5 min"),
    last_model: z.enum(MODEL_FAMILIES).nullable().describe("family of the newest model seen"),
    hot: z.boolean().describe("lamp: rate above the tach redline"),
    warn: z.boolean().describe("lamp: a fuel window past its warn threshold or cache hit rate collapsed"),
    stall: z.boolean().describe("lamp: a turn is open with no tokens for the stall time, or the source is unhealthy"),
    idle: z.boolean().describe("lamp: source healthy and nothing in flight"),
    limit_hit: z.boolean().describe("Claude reported 'usage limit reached' in the current 5 h window"),
    tach_pos: needle.describe("tach needle, 0..1000 of full scale"),
    fuel_5h_pos: needle.describe("5 h fuel needle, 0..1000 (1000 = full tank)"),
    fuel_7d_pos: needle.describe("7 d fuel needle, 0..1000 (1000 = full tank)"),
    fuel_source: z
      .enum(FUEL_SOURCES)
      .describe("official: a fuel window follows Claude's own percentage (and its reset time); estimated: local tokens against the ceiling"),
    source: z.enum(SOURCES).describe("where the numbers come from"),
    source_ok: z.boolean().describe("false when the source is failing; the numbers may be stale"),
    updated_at: isoSecond.describe("when this snapshot was computed (whole seconds, UTC)"),
  })
  .strict();

export type UsageSnapshot = z.infer<typeof UsageSnapshotSchema>;

/** JSON Schema of the contract, derived from the zod schema (the one canonical route). */
export function usageJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(UsageSnapshotSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
}
