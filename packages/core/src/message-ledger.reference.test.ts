import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MessageLedger, type CostFn, type LedgerDelta, type LedgerMode } from "./message-ledger.js";
import { UsageColumns } from "./usage-columns.js";
import type { TokenCounts, UsageDelta, UsageEvent } from "./usage-event.js";
import { subtractCounts, totalTokens } from "./usage-event.js";

// The columnar MessageLedger must keep exactly what the object-per-message ledger it replaced
// kept, with the same costs, thinking shares and deltas, for any sequence of lines. The old
// ledger is kept below, verbatim but for its name, as the oracle.

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
function messageKey(e: Pick<UsageEvent, "messageId" | "requestId" | "sessionId" | "timestamp">, mode: LedgerMode = "session"): string | null {
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
class ReferenceLedger {
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

const price: CostFn = (model, c, speed) =>
  (model.length + 1) * (c.input * 3 + c.output * 15 + c.cacheCreation5m * 3.75 + c.cacheCreation1h * 6 + c.cacheRead * 0.3) * (speed === "fast" ? 6 : 1) * 1e-6;

const line = fc.record({
  msg: fc.option(fc.integer({ min: 0, max: 4 }), { freq: 8 }),
  req: fc.option(fc.integer({ min: 0, max: 5 }), { freq: 4 }),
  session: fc.constantFrom("s1", "s2", "s3"),
  t: fc.integer({ min: 0, max: 3 }),
  sidechain: fc.boolean(),
  progress: fc.boolean(),
  thinking: fc.boolean(),
  speed: fc.constantFrom(null, "standard" as const, "fast" as const),
  model: fc.constantFrom("claude-opus-4-5", "claude-sonnet-4-5", "<synthetic>", ""),
  input: fc.integer({ min: 0, max: 2 }),
  output: fc.integer({ min: 0, max: 4 }),
  cacheRead: fc.integer({ min: 0, max: 3 }),
  cc5m: fc.integer({ min: 0, max: 3 }),
  cc1h: fc.integer({ min: 0, max: 2 }),
  logged: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { freq: 6 }),
});

function event(x: typeof line extends fc.Arbitrary<infer T> ? T : never, file: string): UsageEvent {
  return {
    timestamp: 1_000 * x.t,
    messageId: x.msg === null ? null : `m${x.msg}`,
    requestId: x.req === null ? null : `r${x.req}`,
    model: x.model,
    sessionId: x.session,
    fileSession: file,
    project: "p",
    isSidechain: x.sidechain,
    progress: x.progress,
    loggedCostUsd: x.logged,
    speed: x.speed,
    thinking: x.thinking,
    input: x.input,
    output: x.output,
    cacheCreation: x.cc5m + x.cc1h,
    cacheRead: x.cacheRead,
    cacheCreation5m: x.cc5m,
    cacheCreation1h: x.cc1h,
  };
}

const UNSET_DELTA: LedgerDelta = {
  timestamp: -1,
  model: "?",
  sessionId: "?",
  project: "?",
  counts: { input: -1, output: -1, cacheCreation: -1, cacheRead: -1, cacheCreation5m: -1, cacheCreation1h: -1 },
  thinkingOutput: -1,
  costUsd: -1,
  replacedAt: -1,
};

describe("MessageLedger against the object ledger it replaced", () => {
  it.each(["session", "daily"] as const)("keeps the same lines, costs and deltas, from events and from columns (%s mode)", (mode: LedgerMode) => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 80 }), (lines) => {
        const ref = new ReferenceLedger(price, mode);
        const ours = new MessageLedger(price, mode);
        const batch = new MessageLedger(price, mode);
        const into = new MessageLedger(price, mode);
        const cols = new UsageColumns(0);
        // one scratch delta for every row, as a daemon's cold start passes it
        const scratch: LedgerDelta = { ...UNSET_DELTA, counts: { ...UNSET_DELTA.counts } };
        lines.forEach((x, i) => {
          const e = event(x, `f${i % 3}`);
          const before = [...ours.entries()];
          const got = ours.add(e);
          const want = ref.add(e);
          if (got === null) expect(want).toBeNull();
          else {
            const { replacedAt, ...rest } = got;
            expect(rest).toEqual(want);
            // a replacement names the time of the kept line it replaced; otherwise a message was added
            if (replacedAt !== null) expect(before.some((k) => k.event.messageId === e.messageId && k.event.timestamp === replacedAt)).toBe(true);
            else expect(ours.size).toBe(before.length + 1);
          }
          cols.push(e);
          const counted = into.addFromInto(cols, cols.length - 1, scratch);
          expect(counted).toBe(got !== null);
          if (got !== null) expect({ ...scratch, counts: { ...scratch.counts } }).toEqual(got);
        });
        for (let i = 0; i < cols.length; i++) batch.addFrom(cols, i);
        const want = [...ref.entries()];
        expect([...ours.entries()]).toEqual(want);
        expect([...batch.entries()]).toEqual(want);
        expect([...into.entries()]).toEqual(want);
        expect(ours.size).toBe(ref.size);
      }),
      { numRuns: 400 },
    );
  });
});
