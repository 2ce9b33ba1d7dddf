import type { Speed, TokenCounts, UsageDelta, UsageEvent } from "./usage-event.js";
import { totalTokens } from "./usage-event.js";

/** USD for one message's counts; the ledger prices whole messages so tiered prices stay exact. */
export type CostFn = (model: string, counts: TokenCounts, speed: Speed | null) => number;

interface Kept {
  event: UsageEvent;
  total: number;
  cost: number;
  /** output of this message attributed to thinking blocks so far (tokens) */
  thinkingOutput: number;
}

/**
 * Dedupe key: Claude Code writes one line per content block and resumed sessions copy old lines
 * into new files, all sharing message.id + requestId. Lines without a message id cannot be matched
 * and count on their own.
 */
export function messageKey(e: Pick<UsageEvent, "messageId" | "requestId">): string | null {
  if (e.messageId === null) return null;
  return e.requestId === null ? e.messageId : `${e.messageId}:${e.requestId}`;
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

/** Whether a later line of the same message replaces the kept one (ccusage ≥ 20's rule). */
function replaces(next: UsageEvent, nextTotal: number, kept: Kept): boolean {
  if (nextTotal !== kept.total) return nextTotal > kept.total;
  return next.speed !== null && kept.event.speed === null;
}

/**
 * Counts each API message once, at its largest usage. `add` returns the growth to apply to
 * incremental consumers (null when the line changes nothing), so that summing every delta equals
 * summing the kept lines — the figure ccusage reports.
 */
export class MessageLedger {
  readonly #kept = new Map<string, Kept>();
  readonly #unkeyed: Kept[] = [];
  readonly #cost: CostFn;

  constructor(cost: CostFn) {
    this.#cost = cost;
  }

  /** number of distinct messages held */
  get size(): number {
    return this.#kept.size + this.#unkeyed.length;
  }

  add(event: UsageEvent): UsageDelta | null {
    const key = messageKey(event);
    const total = totalTokens(event);
    const cost = this.#cost(event.model, event, event.speed);
    if (key === null) {
      this.#unkeyed.push({ event, total, cost, thinkingOutput: event.thinking ? event.output : 0 });
      return this.#delta(event, event, event.thinking ? event.output : 0, cost);
    }
    const kept = this.#kept.get(key);
    if (kept === undefined) {
      const thinkingOutput = event.thinking ? event.output : 0;
      this.#kept.set(key, { event, total, cost, thinkingOutput });
      return this.#delta(event, event, thinkingOutput, cost);
    }
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
   * The kept line of every message with its cost (USD) and thinking share (tokens) — what batch
   * reports aggregate, and what a cold start feeds the windows (one delta per message).
   */
  *entries(): IterableIterator<{ event: UsageEvent; cost: number; thinkingOutput: number }> {
    for (const k of this.#kept.values()) yield { event: k.event, cost: k.cost, thinkingOutput: k.thinkingOutput };
    for (const k of this.#unkeyed) yield { event: k.event, cost: k.cost, thinkingOutput: k.thinkingOutput };
  }
}
