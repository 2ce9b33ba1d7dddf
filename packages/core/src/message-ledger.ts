import type { Speed, TokenCounts, UsageDelta, UsageEvent } from "./usage-event.js";
import { subtractCounts, totalTokens } from "./usage-event.js";

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
  /** message id of the line that created the entry (the lookup key's other half) */
  firstMessageId?: string | null;
}

interface SessionLink {
  session: string;
  kept: Kept;
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
  /** every kept message in first-seen order (the order reports list models in) */
  readonly #entries: Kept[] = [];
  /**
   * Lookup by requestId, which Claude Code never reuses across messages: the event's own string is
   * the key, so a long-running daemon holds no key strings per message (memory is bounded by
   * history). A hit for another message id falls through to #byKey.
   */
  readonly #byRequest = new Map<string, Kept>();
  /** the general key (messageKey) for lines without a requestId, or colliding ones */
  readonly #byKey = new Map<string, Kept>();
  /**
   * message id → the (session, entry) pairs seen, first registration first: sidechain replays
   * carry a new requestId and are matched by message id within their session.
   */
  readonly #bySession = new Map<string, SessionLink | SessionLink[]>();
  readonly #cost: CostFn;
  readonly #mode: LedgerMode;

  constructor(cost: CostFn, mode: LedgerMode = "session") {
    this.#cost = cost;
    this.#mode = mode;
  }

  /** number of distinct messages held */
  get size(): number {
    return this.#entries.length;
  }

  /** Whether a message of this request has been counted (an OTLP event of it must not be). */
  hasRequest(requestId: string): boolean {
    return this.#byRequest.has(requestId);
  }

  add(event: UsageEvent): UsageDelta | null {
    if (event.progress && this.#mode !== "daily") return null;
    const total = totalTokens(event);
    const cost = event.loggedCostUsd ?? this.#cost(event.model, event, event.speed);
    const thinking = event.thinking ? event.output : 0;
    if (event.messageId === null) {
      // id-less lines cannot be matched: each is an entry of its own
      this.#entries.push({ event, total, cost, thinkingOutput: thinking });
      return this.#delta(event, event, thinking, cost);
    }
    let kept = this.#lookup(event) ?? this.#replayOf(event);
    if (kept === undefined) {
      kept = { event, total, cost, thinkingOutput: thinking };
      this.#entries.push(kept);
      this.#store(event, kept);
      this.#remember(event, kept);
      return this.#delta(event, event, thinking, cost);
    }
    this.#remember(event, kept);
    if (!replaces(event, total, kept)) return null;
    const counts = subtractCounts(event, kept.event);
    // Output grows block by block; growth that arrives on a thinking line was spent thinking.
    const thinkingGrowth = event.thinking && counts.output > 0 ? counts.output : 0;
    const costGrowth = cost - kept.cost;
    kept.thinkingOutput += thinkingGrowth;
    kept.event = event;
    kept.total = total;
    kept.cost = cost;
    return this.#delta(event, counts, thinkingGrowth, costGrowth);
  }

  #lookup(event: UsageEvent): Kept | undefined {
    if (event.requestId !== null) {
      const hit = this.#byRequest.get(event.requestId);
      if (hit !== undefined && hit.firstMessageId === event.messageId) return hit;
    }
    const key = messageKey(event, this.#mode);
    return key === null ? undefined : this.#byKey.get(key);
  }

  #store(event: UsageEvent, kept: Kept): void {
    kept.firstMessageId = event.messageId;
    if (event.requestId !== null && !this.#byRequest.has(event.requestId)) {
      this.#byRequest.set(event.requestId, kept);
      return;
    }
    const key = messageKey(event, this.#mode);
    if (key !== null) this.#byKey.set(key, kept);
  }

  /**
   * A sidechain replay repeats a message of the same session under a new requestId. It is a
   * duplicate when either side is a sidechain line — and, for session/blocks, only when it repeats
   * the kept line's timestamp.
   */
  #replayOf(event: UsageEvent): Kept | undefined {
    if (event.messageId === null) return undefined;
    const links = this.#bySession.get(event.messageId);
    if (links === undefined) return undefined;
    const link = Array.isArray(links) ? links.find((l) => l.session === event.sessionId) : links.session === event.sessionId ? links : undefined;
    const kept = link?.kept;
    if (kept === undefined || !(event.isSidechain || kept.event.isSidechain)) return undefined;
    if (this.#mode === "session" && kept.event.timestamp !== event.timestamp) return undefined;
    return kept;
  }

  #remember(event: UsageEvent, kept: Kept): void {
    if (event.messageId === null) return;
    const link: SessionLink = { session: event.sessionId, kept };
    const links = this.#bySession.get(event.messageId);
    if (links === undefined) this.#bySession.set(event.messageId, link);
    else if (Array.isArray(links)) {
      if (!links.some((l) => l.session === event.sessionId)) links.push(link);
    } else if (links.session !== event.sessionId) this.#bySession.set(event.messageId, [links, link]);
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
    for (const k of this.#entries) yield { event: k.event, cost: k.cost, thinkingOutput: k.thinkingOutput };
  }
}
