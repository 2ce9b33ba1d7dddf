/** Token counts of one API message (or a delta of one), in tokens. */
export interface TokenCounts {
  input: number;
  output: number;
  /** cache writes, all TTLs (= cacheCreation5m + cacheCreation1h when the split is known) */
  cacheCreation: number;
  cacheRead: number;
  /** part of cacheCreation written with the 5 min TTL (priced 1.25× input) */
  cacheCreation5m: number;
  /** part of cacheCreation written with the 1 h TTL (priced 2× input) */
  cacheCreation1h: number;
}

export type Speed = "standard" | "fast";

/** One usage-bearing transcript line, stripped of all message text. */
export interface UsageEvent extends TokenCounts {
  /** ms since epoch */
  timestamp: number;
  messageId: string | null;
  requestId: string | null;
  /** raw model id as logged, e.g. "claude-opus-4-5-20251101" or "<synthetic>" */
  model: string;
  sessionId: string;
  /** project folder name (encoded cwd) — the caller decides whether to expose it */
  project: string;
  isSidechain: boolean;
  speed: Speed | null;
  /** this line carried a thinking block (used for the thinking ratio) */
  thinking: boolean;
}

export const ZERO_COUNTS: Readonly<TokenCounts> = Object.freeze({
  input: 0,
  output: 0,
  cacheCreation: 0,
  cacheRead: 0,
  cacheCreation5m: 0,
  cacheCreation1h: 0,
});

export function totalTokens(c: TokenCounts): number {
  return c.input + c.output + c.cacheCreation + c.cacheRead;
}
