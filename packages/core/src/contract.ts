import { z } from "zod";

/** Bumped on any breaking change of the /usage shape; the firmware rejects other versions. */
export const CONTRACT_VERSION = 1 as const;

/** Largest serialized snapshot the firmware must accept (bytes). */
export const CONTRACT_MAX_BYTES = 512;

/** Needle positions are integers on this scale; the firmware maps them to its own steps. */
export const NEEDLE_SCALE = 1000;

export const MODEL_FAMILIES = ["opus", "sonnet", "haiku"] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

export const SOURCES = ["jsonl", "otlp", "prometheus", "ccusage", "demo"] as const;
export type SourceKind = (typeof SOURCES)[number];

const fraction = z.number().min(0).max(1);
const tokens = z.number().int().min(0);
const usd = z.number().min(0);
const needle = z.number().int().min(0).max(NEEDLE_SCALE);
const isoTime = z.iso.datetime({ offset: true });

/**
 * The /usage contract: one flat object, the same JSON over HTTP, WebSocket and in the firmware header.
 * This schema is the single source of truth; JSON Schema, TS types and the C header derive from it.
 */
export const UsageSnapshotSchema = z
  .object({
    v: z.literal(CONTRACT_VERSION).describe("contract version"),
    rate_1m: z.number().min(0).describe("tokens per minute over the last 60 s"),
    window_5h_tokens: tokens.describe("tokens counted in the current 5 h window"),
    window_5h_pct: fraction.describe("share of the 5 h ceiling used, 0..1"),
    window_5h_reset_at: isoTime.nullable().describe("when the 5 h window resets; null when no window is open"),
    window_7d_tokens: tokens.describe("tokens counted in the current 7 d window"),
    window_7d_pct: fraction.describe("share of the 7 d ceiling used, 0..1"),
    window_7d_reset_at: isoTime.nullable().describe("when the 7 d window resets (weekly mode) or its oldest tokens expire (rolling)"),
    cost_5h_usd: usd.describe("API-equivalent cost of the 5 h window, USD"),
    cost_7d_usd: usd.describe("API-equivalent cost of the 7 d window, USD"),
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
    source: z.enum(SOURCES).describe("where the numbers come from"),
    source_ok: z.boolean().describe("false when the source is failing; the numbers may be stale"),
    updated_at: isoTime.describe("when this snapshot was computed"),
  })
  .strict();

export type UsageSnapshot = z.infer<typeof UsageSnapshotSchema>;

/** JSON Schema of the contract, derived from the zod schema (the one canonical route). */
export function usageJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(UsageSnapshotSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
}
