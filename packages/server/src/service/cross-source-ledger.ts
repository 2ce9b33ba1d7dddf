import {
  MessageLedger,
  subtractCounts,
  UsageColumns,
  ZERO_COUNTS,
  type CostFn,
  type LedgerDelta,
  type LedgerState,
  type PricedRows,
  type UsageEvent,
} from "@claude-gauge/core";
import { entryDelta, ledgerRows, type KeptRows } from "./cold-engine.js";

interface Counted {
  event: UsageEvent;
  /** USD */
  cost: number;
}

/** A delta for addFromInto to write into: one for all the rows of a backfill. */
export function scratchDelta(): LedgerDelta {
  return { timestamp: 0, model: "", sessionId: "", project: "", counts: { ...ZERO_COUNTS }, thinkingOutput: 0, costUsd: 0, replacedAt: null };
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
  #ledger: MessageLedger;
  readonly #price: CostFn;
  /** requests counted from their event alone, by request id, first seen first */
  readonly #requests = new Map<string, Counted>();
  /** grows when #requests changes */
  #requestsVersion = 0;
  /** #requests as rows, made again after a change (they are few: a transcript soon takes each over) */
  #requestRows: { version: number; counted: Counted[]; columns: UsageColumns } | null = null;

  constructor(ledger: MessageLedger, price: CostFn) {
    this.#ledger = ledger;
    this.#price = price;
  }

  /** Grows whenever the transcript ledger changes. */
  get transcriptVersion(): number {
    return this.#ledger.version;
  }

  /** How many requests are counted from their event alone (no transcript line of theirs yet). */
  get eventOnlyRequests(): number {
    return this.#requests.size;
  }

  /** The transcript ledger's state (MessageLedger.state), for a restart to go on from. */
  transcriptState(): LedgerState {
    return this.#ledger.state();
  }

  /**
   * Takes a saved transcript ledger back (MessageLedger.resume), only before anything was counted
   * and for the same mode: false otherwise. Throws RangeError when the state does not hold
   * together, the ledger as it was.
   */
  resumeTranscripts(state: LedgerState): boolean {
    if (this.#ledger.size > 0 || this.#requests.size > 0 || state.mode !== this.#ledger.mode) return false;
    this.#ledger = MessageLedger.resume(this.#price, state);
    return true;
  }

  /** A transcript line (see MessageLedger.add); it takes over a request its event counted. */
  add(event: UsageEvent): LedgerDelta | null {
    const delta = this.#ledger.add(event);
    if (delta === null) return delta;
    const counted = this.#takeOver(event.requestId);
    return counted === undefined ? delta : without(delta, counted);
  }

  /**
   * add() for row `i` of `rows`, its delta written into `out` (MessageLedger.addFromInto); false
   * when the row changes nothing.
   */
  addFromInto(rows: UsageColumns, i: number, out: LedgerDelta): boolean {
    if (!this.#ledger.addFromInto(rows, i, out)) return false;
    const counted = this.#takeOver(rows.requestIds[i]!);
    if (counted === undefined) return true;
    const d = without(out, counted);
    out.counts = d.counts;
    out.costUsd = d.costUsd;
    out.replacedAt = d.replacedAt;
    return true;
  }

  /** The request a transcript line of `requestId` takes over (no longer counted from its event), if any. */
  #takeOver(requestId: string | null): Counted | undefined {
    const counted = requestId === null ? undefined : this.#requests.get(requestId);
    if (counted === undefined) return undefined;
    this.#requests.delete(requestId!);
    this.#requestsVersion++;
    return counted;
  }

  /** An API request known by its request id only: counted unless the request is counted already. */
  addRequest(event: UsageEvent & { requestId: string }): LedgerDelta | null {
    if (this.#requests.has(event.requestId) || this.#ledger.hasRequest(event.requestId)) return null;
    const counted = { event, cost: event.loggedCostUsd ?? this.#price(event.model, event, event.speed) };
    this.#requests.set(event.requestId, counted);
    this.#requestsVersion++;
    return { ...entryDelta(counted), replacedAt: null };
  }

  #requestTable(): { counted: Counted[]; columns: UsageColumns } {
    if (this.#requestRows?.version !== this.#requestsVersion) {
      const counted = [...this.#requests.values()];
      const columns = new UsageColumns(counted.length);
      for (const c of counted) columns.push(c.event);
      this.#requestRows = { version: this.#requestsVersion, counted, columns };
    }
    return this.#requestRows;
  }

  /** Every counted message, then every request known from its event alone, as rows (for the windows and /history). */
  rows(): KeptRows {
    const kept = ledgerRows(this.#ledger);
    const requests = () => this.#requestTable().counted;
    return {
      get size() {
        return kept.size + requests().length;
      },
      version: this.#ledger.version + this.#requestsVersion,
      timestamp: (i) => (i < kept.size ? kept.timestamp(i) : requests()[i - kept.size]!.event.timestamp),
      delta: (i) => (i < kept.size ? kept.delta(i) : entryDelta(requests()[i - kept.size]!)),
    };
  }

  /** The same as priced columns (for /stats), and a number that grows whenever they change. */
  priced(): { sets: PricedRows[]; version: number } {
    const t = this.#requestTable();
    return { sets: [this.#ledger, { columns: t.columns, cost: (i) => t.counted[i]!.cost }], version: this.#ledger.version + this.#requestsVersion };
  }

  /** Every counted message and request (what stats, /history and a cold start read). */
  *entries(): IterableIterator<{ event: UsageEvent; cost: number; thinkingOutput: number }> {
    yield* this.#ledger.entries();
    for (const c of this.#requests.values()) yield { event: c.event, cost: c.cost, thinkingOutput: 0 };
  }
}

/** `d` less what `c` had counted (tokens and USD, field by field); the request's row is replaced where it sat. */
function without(d: LedgerDelta, c: Counted): LedgerDelta {
  const replacedAt = Math.min(d.replacedAt ?? c.event.timestamp, c.event.timestamp);
  return { ...d, counts: subtractCounts(d.counts, c.event), costUsd: d.costUsd - c.cost, replacedAt };
}
