import type { Speed, TokenCounts, UsageDelta, UsageEvent } from "./usage-event.js";
import { totalTokens } from "./usage-event.js";

/** USD for one message's counts; the ledger prices whole messages so tiered prices stay exact. */
export type CostFn = (model: string, counts: TokenCounts, speed: Speed | null) => number;

/**
 * ccusage 20 has two loaders that disagree in three corners (docs/ccusage-semantics.md §7):
 * `daily` also counts progress lines and keys request-less messages by timestamp too;
 * `session` (also blocks, and our live windows) does neither.
 */
export type LedgerMode = "session" | "daily";

interface Kept {
  event: UsageEvent;
  total: number;
  cost: number;
  /** output of this message attributed to thinking blocks so far (tokens) */
  thinkingOutput: number;
}

/**
 * Dedupe key: Claude Code writes one line per content block and resumed sessions copy old lines
 * into new files, all sharing message.id + requestId (global). Without a requestId the key is
 * scoped to the session (and, for daily, the timestamp). Without a message id: no key.
 */
export function messageKey(
  e: Pick<UsageEvent, "messageId" | "requestId" | "sessionId" | "timestamp">,
  mode: LedgerMode = "session",
): string | null {
  if (e.messageId === null) return null;
  if (e.requestId !== null) return `r\u0000${e.messageId}\u0000${e.requestId}`;
  return mode === "daily" ? `s\u0000${e.messageId}\u0000${e.sessionId}\u0000${e.timestamp}` : `s\u0000${e.messageId}\u0000${e.sessionId}`;
}

function diff(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    input: a.input - b.input,
    output: a.output - b.output,
    cacheCreation: a.cacheCreation - b.cacheCreation,
    cacheRead: a.cacheRead - b.cacheRead,
    cacheCreation5m: a.cacheCreation5m - b.cacheCreation5m,
    cacheCreation1h: a.cacheCreation1h - b.cacheCreation1h,
  };
}

/**
 * Whether a later line of the same message replaces the kept one (ccusage 20's rule): the main
 * conversation's copy beats a sidechain copy; otherwise the larger total; on a tie, the line that
 * reports its speed.
 */
function replaces(next: UsageEvent, nextTotal: number, kept: Kept): boolean {
  if (kept.event.isSidechain !== next.isSidechain) return kept.event.isSidechain;
  if (nextTotal !== kept.total) return nextTotal > kept.total;
  return next.speed !== null && kept.event.speed === null;
}

/**
 * Counts each API message once, at its kept line. `add` returns the growth to apply to
 * incremental consumers (null when the line changes nothing), so that summing every delta equals
 * summing the kept lines — the figure ccusage reports. Deltas can be negative in a field when a
 * main-conversation copy replaces a larger sidechain copy.
 */
export class MessageLedger {
  readonly #kept = new Map<string, Kept>();
  /** message id + session → entry key, for sidechain replays that carry a new requestId */
  readonly #bySession = new Map<string, string>();
  readonly #cost: CostFn;
  readonly #mode: LedgerMode;
  #unkeyed = 0;

  constructor(cost: CostFn, mode: LedgerMode = "session") {
    this.#cost = cost;
    this.#mode = mode;
  }

  /** number of distinct messages held */
  get size(): number {
    return this.#kept.size;
  }

  add(event: UsageEvent): UsageDelta | null {
    if (event.progress && this.#mode !== "daily") return null;
    const total = totalTokens(event);
    const cost = event.loggedCostUsd ?? this.#cost(event.model, event, event.speed);
    const thinking = event.thinking ? event.output : 0;
    let key = messageKey(event, this.#mode);
    if (key === null) {
      // Map order is entry order (it orders model lists), so id-less lines get a slot of their own.
      this.#kept.set(`u\u0000${this.#unkeyed++}`, { event, total, cost, thinkingOutput: thinking });
      return this.#delta(event, event, thinking, cost);
    }
    let kept = this.#kept.get(key);
    if (kept === undefined) {
      const replayOf = this.#replayOf(event);
      if (replayOf !== null) {
        key = replayOf;
        kept = this.#kept.get(replayOf);
      }
    }
    if (kept === undefined) {
      this.#kept.set(key, { event, total, cost, thinkingOutput: thinking });
      this.#remember(event, key);
      return this.#delta(event, event, thinking, cost);
    }
    this.#remember(event, key);
    if (!replaces(event, total, kept)) return null;
    const counts = diff(event, kept.event);
    // Output grows block by block; growth that arrives on a thinking line was spent thinking.
    const thinkingGrowth = event.thinking && counts.output > 0 ? counts.output : 0;
    const costGrowth = cost - kept.cost;
    kept.thinkingOutput += thinkingGrowth;
    kept.event = event;
    kept.total = total;
    kept.cost = cost;
    return this.#delta(event, counts, thinkingGrowth, costGrowth);
  }

  /**
   * A sidechain replay repeats a message of the same session under a new requestId. It is a
   * duplicate when either side is a sidechain line — and, for session/blocks, only when it repeats
   * the kept line's timestamp.
   */
  #replayOf(event: UsageEvent): string | null {
    if (event.messageId === null) return null;
    const key = this.#bySession.get(`${event.messageId}\u0000${event.sessionId}`);
    if (key === undefined) return null;
    const kept = this.#kept.get(key);
    if (kept === undefined || !(event.isSidechain || kept.event.isSidechain)) return null;
    if (this.#mode === "session" && kept.event.timestamp !== event.timestamp) return null;
    return key;
  }

  #remember(event: UsageEvent, key: string): void {
    if (event.messageId === null) return;
    const k = `${event.messageId}\u0000${event.sessionId}`;
    if (!this.#bySession.has(k)) this.#bySession.set(k, key);
  }

  #delta(event: UsageEvent, counts: TokenCounts, thinkingOutput: number, costUsd: number): UsageDelta {
    return {
      timestamp: event.timestamp,
      model: event.model,
      sessionId: event.sessionId,
      project: event.project,
      counts: {
        input: counts.input,
        output: counts.output,
        cacheCreation: counts.cacheCreation,
        cacheRead: counts.cacheRead,
        cacheCreation5m: counts.cacheCreation5m,
        cacheCreation1h: counts.cacheCreation1h,
      },
      thinkingOutput,
      costUsd,
    };
  }

  /**
   * The kept line of every message, in first-seen order, with its cost (USD) and thinking share
   * (tokens) — what batch reports aggregate, and what a cold start feeds the windows.
   */
  *entries(): IterableIterator<{ event: UsageEvent; cost: number; thinkingOutput: number }> {
    for (const k of this.#kept.values()) yield { event: k.event, cost: k.cost, thinkingOutput: k.thinkingOutput };
  }
}
