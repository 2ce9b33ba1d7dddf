import { z } from "zod";

/** One ccusage 5 h block as the source needs it: times in ms since epoch, tokens, USD. */
export interface CcusageBlock {
  startMs: number;
  endMs: number;
  /** the models of the block, in ccusage's order (the last one names the block's growth) */
  models: string[];
  tokens: { input: number; output: number; cacheRead: number; cacheCreation: number };
  costUsd: number;
}

const count = z.number().finite().min(0);
const isoTime = z
  .string()
  .max(40)
  .refine((s) => Number.isFinite(Date.parse(s)), "not a time");
const blocksOutput = z.object({
  blocks: z.array(
    z.object({
      startTime: isoTime,
      endTime: isoTime,
      isGap: z.boolean().optional(),
      models: z.array(z.string().max(200)).max(100),
      tokenCounts: z.object({ inputTokens: count, outputTokens: count, cacheCreationInputTokens: count, cacheReadInputTokens: count }),
      costUSD: count,
    }),
  ),
});

/** One UTC day of `ccusage claude daily --json --timezone UTC`: tokens and USD per model. */
export interface CcusageDay {
  /** ms since epoch of the day's start (UTC) */
  startMs: number;
  models: { model: string; tokens: CcusageBlock["tokens"]; costUsd: number }[];
}

const dailyOutput = z.object({
  daily: z.array(
    z.object({
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      modelBreakdowns: z
        .array(
          z.object({
            modelName: z.string().max(200),
            inputTokens: count,
            outputTokens: count,
            cacheCreationTokens: count,
            cacheReadTokens: count,
            cost: count,
          }),
        )
        .max(100),
    }),
  ),
});

/** `ccusage claude daily --json --timezone UTC` output, parsed as hostile input (errors name the field). */
export function parseCcusageDaily(stdout: string): CcusageDay[] | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    return { error: "output is not JSON" };
  }
  const parsed = dailyOutput.safeParse(raw);
  if (!parsed.success) return { error: `unexpected output at ${parsed.error.issues[0]?.path.join(".") || "(root)"}` };
  const days: CcusageDay[] = [];
  for (const [i, d] of parsed.data.daily.entries()) {
    const startMs = Date.parse(`${d.date}T00:00:00Z`);
    if (!Number.isFinite(startMs)) return { error: `unexpected output at daily.${i}.date` };
    days.push({
      startMs,
      models: d.modelBreakdowns.map((m) => ({
        model: m.modelName,
        tokens: { input: m.inputTokens, output: m.outputTokens, cacheRead: m.cacheReadTokens, cacheCreation: m.cacheCreationTokens },
        costUsd: m.cost,
      })),
    });
  }
  return days;
}

/**
 * `ccusage claude blocks --json` output, parsed as hostile input: an error names the field (never
 * its value); gap blocks (no usage) are left out.
 */
export function parseCcusageBlocks(stdout: string): CcusageBlock[] | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    return { error: "output is not JSON" };
  }
  const parsed = blocksOutput.safeParse(raw);
  if (!parsed.success) return { error: `unexpected output at ${parsed.error.issues[0]?.path.join(".") || "(root)"}` };
  return parsed.data.blocks
    .filter((b) => b.isGap !== true)
    .map((b) => ({
      startMs: Date.parse(b.startTime),
      endMs: Date.parse(b.endTime),
      models: b.models,
      tokens: {
        input: b.tokenCounts.inputTokens,
        output: b.tokenCounts.outputTokens,
        cacheRead: b.tokenCounts.cacheReadInputTokens,
        cacheCreation: b.tokenCounts.cacheCreationInputTokens,
      },
      costUsd: b.costUSD,
    }));
}
