import { subtractCounts, type CostFn, type MessageLedger, type UsageDelta, type UsageEvent } from "@claude-gauge/core";
import { entryDelta } from "./cold-engine.js";

interface Counted {
  event: UsageEvent;
  /** USD */
  cost: number;
}

/**
 * The service's one ledger for every source. Transcript lines go to the MessageLedger (each
 * message once, ccusage's rules); an API request known by its request id only (an OTLP
 * api_request event) is matched with the transcript's message of the same request — since Claude
 * Code v2.1.214 the transcript's `requestId` is the event's `request_id` — whichever comes first:
 *
 * - the transcript first: the event adds nothing;
 * - the event first: it is counted, and the transcript's first line of that request replaces it,
 *   so the request ends up with the transcript's exact counts (the delta may be negative in a
 *   field, as when the ledger swaps a sidechain copy for the main one).
 */
export class CrossSourceLedger {
  readonly #ledger: MessageLedger;
  readonly #price: CostFn;
  /** requests counted from their event alone, by request id, first seen first */
  readonly #requests = new Map<string, Counted>();

  constructor(ledger: MessageLedger, price: CostFn) {
    this.#ledger = ledger;
    this.#price = price;
  }

  /** A transcript line (see MessageLedger.add); it takes over a request its event counted. */
  add(event: UsageEvent): UsageDelta | null {
    const delta = this.#ledger.add(event);
    if (delta === null || event.requestId === null) return delta;
    const counted = this.#requests.get(event.requestId);
    if (counted === undefined) return delta;
    this.#requests.delete(event.requestId);
    return without(delta, counted);
  }

  /** An API request known by its request id only: counted unless the request is counted already. */
  addRequest(event: UsageEvent & { requestId: string }): UsageDelta | null {
    if (this.#requests.has(event.requestId) || this.#ledger.hasRequest(event.requestId)) return null;
    const counted = { event, cost: event.loggedCostUsd ?? this.#price(event.model, event, event.speed) };
    this.#requests.set(event.requestId, counted);
    return entryDelta(counted);
  }

  /** Every counted message and request (what stats, /history and a cold start read). */
  *entries(): IterableIterator<{ event: UsageEvent; cost: number; thinkingOutput: number }> {
    yield* this.#ledger.entries();
    for (const c of this.#requests.values()) yield { event: c.event, cost: c.cost, thinkingOutput: 0 };
  }
}

/** `d` less what `c` had counted (tokens and USD, field by field). */
function without(d: UsageDelta, c: Counted): UsageDelta {
  return { ...d, counts: subtractCounts(d.counts, c.event), costUsd: d.costUsd - c.cost };
}
