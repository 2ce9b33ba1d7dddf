/** Token counts of one API message (or a delta of one), in tokens. */
export interface TokenCounts {
  input: number;
  output: number;
  /** cache writes, all TTLs, as the flat total logged (the TTL split below may disagree) */
  cacheCreation: number;
  cacheRead: number;
  /** part of cacheCreation written with the 5 min TTL (priced 1.25× input) */
  cacheCreation5m: number;
  /** part of cacheCreation written with the 1 h TTL (priced 2× input) */
  cacheCreation1h: number;
}

export type Speed = "standard" | "fast";

/**
 * Exact token counts of a line where some count exceeds 2^53 − 1 (ccusage reads counts as u64 and
 * sums them exactly; the number fields then hold the nearest doubles). Reports sum these.
 */
export interface WideCounts {
  input: bigint;
  output: bigint;
  cacheCreation: bigint;
  cacheRead: bigint;
}

/** One usage-bearing transcript line, stripped of all message text. */
export interface UsageEvent extends TokenCounts {
  /** ms since epoch */
  timestamp: number;
  messageId: string | null;
  requestId: string | null;
  /** raw model id as logged, e.g. "claude-opus-4-5-20251101" or "<synthetic>"; "" when absent */
  model: string;
  /** the line's sessionId, else the session its file belongs to */
  sessionId: string;
  /** the session of the file the line came from (subagent logs belong to their parent session) */
  fileSession: string;
  /** project folder name (encoded cwd) — the caller decides whether to expose it */
  project: string;
  isSidechain: boolean;
  /** read from a `progress` line's nested agent message (ccusage's daily report counts these) */
  progress: boolean;
  /** a cost logged on the line itself (old Claude Code's costUSD), USD; replaces the computed one */
  loggedCostUsd: number | null;
  speed: Speed | null;
  /** this line carried a thinking block (used for the thinking ratio) */
  thinking: boolean;
  /** present only when a count exceeds 2^53 − 1 */
  wide?: WideCounts;
}

/** Model of Claude Code's bookkeeping lines: zero usage, never listed among models. */
export const SYNTHETIC_MODEL = "<synthetic>";

export const ZERO_COUNTS: Readonly<TokenCounts> = Object.freeze({
  input: 0,
  output: 0,
  cacheCreation: 0,
  cacheRead: 0,
  cacheCreation5m: 0,
  cacheCreation1h: 0,
});

/** Adds `c` into `into`, field by field (tokens). */
export function addCounts(into: TokenCounts, c: TokenCounts): void {
  into.input += c.input;
  into.output += c.output;
  into.cacheCreation += c.cacheCreation;
  into.cacheRead += c.cacheRead;
  into.cacheCreation5m += c.cacheCreation5m;
  into.cacheCreation1h += c.cacheCreation1h;
}

/** `a − b`, field by field (tokens). */
export function subtractCounts(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    input: a.input - b.input,
    output: a.output - b.output,
    cacheCreation: a.cacheCreation - b.cacheCreation,
    cacheRead: a.cacheRead - b.cacheRead,
    cacheCreation5m: a.cacheCreation5m - b.cacheCreation5m,
    cacheCreation1h: a.cacheCreation1h - b.cacheCreation1h,
  };
}

export function totalTokens(c: TokenCounts): number {
  return c.input + c.output + c.cacheCreation + c.cacheRead;
}

/**
 * What the message ledger hands to windows and aggregates: the growth of one message's counted
 * usage. The first sighting of a message carries its full counts; later, larger lines of the same
 * message carry only the difference, so an incremental consumer that sums deltas stays exact.
 */
export interface UsageDelta {
  /** ms since epoch, of the line that produced this growth */
  timestamp: number;
  model: string;
  sessionId: string;
  project: string;
  /** the growth; every field ≥ 0 */
  counts: TokenCounts;
  /** part of counts.output attributed to thinking blocks (see docs/thinking-ratio.md) */
  thinkingOutput: number;
  /** growth of the message's API-equivalent cost, USD (may be negative by float noise only) */
  costUsd: number;
}

/**
 * Non-usage signals the lamps need. Derived from line types, never from text:
 * prompt = a user prompt, tool_result = a user line carrying tool results, interrupt = the user
 * cancelled the turn, tool_use / thinking / text = the block type of an assistant line.
 */
export const TURN_SIGNAL_KINDS = ["prompt", "tool_result", "interrupt", "tool_use", "thinking", "text"] as const;
export type TurnSignalKind = (typeof TURN_SIGNAL_KINDS)[number];

export interface TurnSignal {
  /** ms since epoch */
  timestamp: number;
  sessionId: string;
  kind: TurnSignalKind;
}

/** Claude's own "usage limit reached" notice with the reset time it announced. */
export interface LimitNotice {
  /** ms since epoch, when the notice was logged */
  timestamp: number;
  /** ms since epoch, when Claude said the limit resets */
  resetAt: number;
}
