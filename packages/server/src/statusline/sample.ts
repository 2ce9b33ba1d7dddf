import { z } from "zod";
import { BLOCK_DURATION_MS, WEEK_MS, type OfficialRateLimits } from "@claude-gauge/core";

/** What the daemon receives on POST /statusline and what each state-file line holds. */
export interface StatuslineSample {
  /** when the statusline ran, ms since epoch */
  at: number;
  sessionId: string | null;
  rateLimits: OfficialRateLimits;
}

/** ms since epoch of 2020-01-01 and 2100-01-01: outside them a time is a bug or an attack, not a reading. */
const EARLIEST_MS = Date.UTC(2020, 0, 1);
const LATEST_MS = Date.UTC(2100, 0, 1);
/** a statusline's clock may run this far ahead of the daemon's (ms) */
const CLOCK_SKEW_MS = 5 * 60_000;
/** a window's reset may lie this far past its nominal span from the reading (ms): Claude rounds up */
const RESET_SLACK_MS = 60 * 60_000;

const time = z.number().finite().min(EARLIEST_MS).max(LATEST_MS);
const limit = z.object({ usedPct: z.number().finite().min(0).max(1), resetsAt: time });

/**
 * The one parser of a statusline reading (POST /statusline body, state-file line). Unknown keys
 * are ignored so a newer statusline command can talk to an older daemon.
 */
const SampleSchema = z.object({
  at: time,
  sessionId: z.string().max(256).nullable().optional(),
  rateLimits: z.object({ fiveHour: limit.nullable().optional(), sevenDay: limit.nullable().optional() }),
});

function spanCheck(name: string, at: number, resetsAt: number, spanMs: number): string | null {
  if (resetsAt < at - RESET_SLACK_MS) return `rateLimits.${name}.resetsAt: before the reading`;
  if (resetsAt > at + spanMs + RESET_SLACK_MS) return `rateLimits.${name}.resetsAt: further ahead than the window is long`;
  return null;
}

/**
 * A reading, or an error naming the bad field (never its value). `now` is the reader's clock
 * (ms): a reading from the future would otherwise stay the newest and hide every genuine one.
 */
export function parseStatuslineSample(v: unknown, now: number): StatuslineSample | string {
  const r = SampleSchema.safeParse(v);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.join(".") || "body";
    return `${path}: ${issue?.code === "invalid_type" ? `expected ${"expected" in issue ? String(issue.expected) : "another type"}` : "out of range"}`;
  }
  const { at, sessionId, rateLimits } = r.data;
  if (at > now + CLOCK_SKEW_MS) return "at: in the future";
  const fiveHour = rateLimits.fiveHour ?? null;
  const sevenDay = rateLimits.sevenDay ?? null;
  if (fiveHour === null && sevenDay === null) return "rateLimits: neither fiveHour nor sevenDay";
  const bad =
    (fiveHour && spanCheck("fiveHour", at, fiveHour.resetsAt, BLOCK_DURATION_MS)) || (sevenDay && spanCheck("sevenDay", at, sevenDay.resetsAt, WEEK_MS));
  if (bad) return bad;
  return { at, sessionId: sessionId ?? null, rateLimits: { fiveHour, sevenDay } };
}
