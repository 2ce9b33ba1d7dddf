import { idHash, RowIndex } from "./row-index.js";
import { UsageColumns } from "./usage-columns.js";
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

/** A message id seen in more than one session: sidechain replays are matched by (message id, session). */
interface SessionLink {
  session: string;
  kept: number;
}

/**
 * Dedupe key: Claude Code writes one line per content block and resumed sessions copy old lines
 * into new files, all sharing message.id + requestId (global). Without a requestId the key is
 * scoped to the session (and, for daily, the timestamp). Without a message id: no key.
 */
export function messageKey(e: Pick<UsageEvent, "messageId" | "requestId" | "sessionId" | "timestamp">, mode: LedgerMode = "session"): string | null {
  if (e.messageId === null) return null;
  if (e.requestId !== null) return `r\u0000${e.messageId}\u0000${e.requestId}`;
  return mode === "daily" ? `s\u0000${e.messageId}\u0000${e.sessionId}\u0000${e.timestamp}` : `s\u0000${e.messageId}\u0000${e.sessionId}`;
}

/** What add() needs of a line, read either from an event object or from a row of columns. */
interface Line {
  messageId: string | null;
  requestId: string | null;
  sessionId: string;
  timestamp: number;
  isSidechain: boolean;
  hasSpeed: boolean;
  total: number;
  /** idHash of the ids (0 for none), worked out once per line */
  messageHash: number;
  requestHash: number;
  /** what this line's lookups found, so the registrations after them need not ask again */
  requestSeen: boolean;
  /** the row that first registered the message id; -1 for none, NOT_LOOKED before the lookup */
  firstRow: number;
}

/** A ledger's growth for one line, and where the kept line it replaced sat in time. */
export interface LedgerDelta extends UsageDelta {
  /** ms since epoch of the kept line this line replaced; null for a new message */
  replacedAt: number | null;
}

/** What a batch report reads of a ledger: its kept messages with their cost (USD) and thinking share (tokens). */
export interface KeptMessages {
  readonly mode: LedgerMode;
  /** number of distinct messages held */
  readonly size: number;
  /** the kept lines by column, one row per message in first-seen order */
  readonly columns: UsageColumns;
  /** USD of row `i` */
  cost(i: number): number;
  /** output tokens of row `i` attributed to thinking */
  thinkingOutput(i: number): number;
  /** the kept line of every message in first-seen order */
  entries(): IterableIterator<{ event: UsageEvent; cost: number; thinkingOutput: number }>;
}

/** A ledger's kept messages by column, as MessageLedger.save() gives them and SavedLedger takes them back. */
export interface SavedMessages {
  columns: UsageColumns;
  /** USD per row */
  cost: Float64Array;
  /** output tokens attributed to thinking, per row */
  thinking: Float64Array;
}

/**
 * Everything a live ledger holds, so that another can go on where it stopped (a daemon's restart
 * takes it back instead of adding every line of the history again): MessageLedger.state() gives
 * it, MessageLedger.resume() takes it. What can be worked out of the kept rows is not in it.
 */
export interface LedgerState {
  mode: LedgerMode;
  version: number;
  /** the kept messages, as save() gives them */
  kept: SavedMessages;
  /** per row: the index in kept.columns.strings of the session the row was created in */
  createdIn: Int32Array;
  /** rows not found by their own request id now (a sidechain copy replaced the line that made them, or none): [row, the id they are found by] */
  createdRequests: [number, string | null][];
  /** rows found by their general key (messageKey): [key, row] */
  keys: [string, number][];
  /** message ids seen in more than one session: [the row that first registered one, its (session, row) pairs first registration first] */
  links: [number, [string, number][]][];
}

/**
 * The kept messages of a finished ledger, read back (the scan cache keeps them, so a report on
 * unchanged transcripts skips the deduplication). It takes no more lines: a live source keeps a
 * MessageLedger.
 */
export class SavedLedger implements KeptMessages {
  readonly mode: LedgerMode;
  readonly #saved: SavedMessages;

  /** throws RangeError when the value columns do not match the rows */
  constructor(mode: LedgerMode, saved: SavedMessages) {
    const n = saved.columns.length;
    if (saved.cost.length !== n || saved.thinking.length !== n) throw new RangeError("saved ledger: value columns of another length");
    this.mode = mode;
    this.#saved = saved;
  }

  get size(): number {
    return this.#saved.columns.length;
  }

  get columns(): UsageColumns {
    return this.#saved.columns;
  }

  cost(i: number): number {
    return this.#saved.cost[i]!;
  }

  thinkingOutput(i: number): number {
    return this.#saved.thinking[i]!;
  }

  *entries(): IterableIterator<{ event: UsageEvent; cost: number; thinkingOutput: number }> {
    const { columns, cost, thinking } = this.#saved;
    for (let i = 0; i < columns.length; i++) yield { event: columns.get(i), cost: cost[i]!, thinkingOutput: thinking[i]! };
  }
}

/**
 * Counts each API message once, at its kept line. `add` returns the growth to apply to
 * incremental consumers (null when the line changes nothing), so that summing every delta equals
 * summing the kept lines — the figure ccusage reports. Deltas can be negative in a field when a
 * main-conversation copy replaces a larger sidechain copy.
 *
 * Kept messages live in columns (see UsageColumns): a daemon that holds a long history keeps
 * typed arrays and the two id strings per message, not an object graph, and finds messages by
 * id through tables of row numbers (RowIndex), not Maps.
 */
export class MessageLedger implements KeptMessages {
  /** every kept message in first-seen order (the order reports list models in) */
  #kept = new UsageColumns(256);
  /** per kept row: USD, total tokens, output tokens attributed to thinking, its creating line's session */
  #cost: Float64Array = new Float64Array(256);
  #total: Float64Array = new Float64Array(256);
  #thinking: Float64Array = new Float64Array(256);
  #createdIn: Int32Array = new Int32Array(256);
  /** the requestId each row was indexed under in #byRequest (null for rows that were not) */
  #createdRequest: (string | null)[] = [];
  /**
   * Lookup by requestId, which Claude Code never reuses across messages: the line's own string is
   * the key, so no key string is built per message. A hit for another message id falls through
   * to #byKey. Keyed by the creating line's requestId: a sidechain replay may replace a row's.
   */
  readonly #byRequest = new RowIndex((row) => this.#createdRequest[row] ?? null);
  /** the general key (messageKey) for lines without a requestId, or colliding ones */
  readonly #byKey = new Map<string, number>();
  /** keys in #byKey of lines with a requestId (colliding ones): while none, such lines skip #byKey */
  #requestKeys = 0;
  /**
   * message id → the row that first registered it (its creation: a row's message id never
   * changes). Sidechain replays carry a new requestId and are matched by message id within their
   * session: the row stands for the one pair (the session the row was created in, the row) until
   * the id is seen in a second session, when #links holds all the pairs, first registration first.
   */
  readonly #bySession = new RowIndex((row) => this.#kept.messageIds[row] ?? null);
  readonly #links = new Map<number, SessionLink[]>();
  readonly #price: CostFn;
  readonly #mode: LedgerMode;
  #version = 0;
  /** scratch for pricing a row without an object per line */
  readonly #counts: TokenCounts = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, cacheCreation5m: 0, cacheCreation1h: 0 };
  readonly #line: Line = {
    messageId: null,
    requestId: null,
    sessionId: "",
    timestamp: 0,
    isSidechain: false,
    hasSpeed: false,
    total: 0,
    messageHash: 0,
    requestHash: 0,
    requestSeen: false,
    firstRow: NOT_LOOKED,
  };

  constructor(cost: CostFn, mode: LedgerMode = "session") {
    this.#price = cost;
    this.#mode = mode;
  }

  /**
   * A ledger that goes on from `state` (MessageLedger.state()) as the one that gave it would.
   * Its columns, cost, thinking and createdIn arrays are taken over, not copied. Throws RangeError
   * naming the part of the state that does not hold together (a state read from a file is input).
   */
  static resume(cost: CostFn, state: LedgerState): MessageLedger {
    const l = new MessageLedger(cost, state.mode);
    l.#resume(state);
    return l;
  }

  #resume(s: LedgerState): void {
    const bad = (what: string): never => {
      throw new RangeError(`ledger state: ${what}`);
    };
    const kept = s.kept.columns;
    const n = kept.length;
    const isRow = (r: unknown): r is number => Number.isInteger(r) && (r as number) >= 0 && (r as number) < n;
    if (s.mode !== "session" && s.mode !== "daily") bad("mode");
    if (!Number.isSafeInteger(s.version) || s.version < 0) bad("version");
    if (s.kept.cost.length !== n || s.kept.thinking.length !== n || s.createdIn.length !== n) bad("value columns of another length");
    for (let i = 0; i < n; i++) if (!(s.createdIn[i]! >= 0 && s.createdIn[i]! < kept.strings.length)) bad("createdIn");
    const createdRequest = kept.requestIds.slice();
    for (const [row, id] of s.createdRequests) {
      if (!isRow(row) || !(id === null || typeof id === "string")) bad("createdRequests");
      createdRequest[row] = id;
    }
    this.#kept = kept;
    this.#cost = s.kept.cost;
    this.#thinking = s.kept.thinking;
    this.#createdIn = s.createdIn;
    this.#createdRequest = createdRequest;
    this.#total = new Float64Array(n);
    this.#byRequest.reserve(n);
    this.#bySession.reserve(n);
    for (let i = 0; i < n; i++) {
      this.#total[i] = kept.total(i);
      const r = createdRequest[i]!;
      if (r !== null) {
        const h = idHash(r);
        if (this.#byRequest.get(r, h) !== undefined) bad("a request id that finds two rows");
        this.#byRequest.add(i, h);
      }
      // the first registration of a message id is the creation of the first row that has it
      const m = kept.messageIds[i]!;
      if (m !== null) {
        const h = idHash(m);
        if (this.#bySession.get(m, h) === undefined) this.#bySession.add(i, h);
      }
    }
    for (const [key, row] of s.keys) {
      if (typeof key !== "string" || !isRow(row)) bad("keys");
      this.#byKey.set(key, row);
      if (key.startsWith("r\u0000")) this.#requestKeys++;
    }
    for (const [first, pairs] of s.links) {
      if (!isRow(first) || !Array.isArray(pairs) || pairs.length < 2) bad("links");
      const links: SessionLink[] = [];
      for (const [session, row] of pairs) {
        if (typeof session !== "string" || !isRow(row)) bad("links");
        links.push({ session, kept: row });
      }
      this.#links.set(first, links);
    }
    this.#version = s.version;
  }

  /**
   * What another ledger needs to go on from here (MessageLedger.resume): its columns and value
   * arrays are this ledger's own (views, not copies), valid until it next changes. Write them
   * out at once, or resume from them and leave this ledger: a daemon saving a long history
   * copies nothing (~7 MB of columns a save on a 1 GiB history, which the allocator kept).
   */
  state(): LedgerState {
    const n = this.#kept.length;
    const createdRequests: [number, string | null][] = [];
    for (let i = 0; i < n; i++) if (this.#createdRequest[i] !== this.#kept.requestIds[i]) createdRequests.push([i, this.#createdRequest[i]!]);
    return {
      mode: this.#mode,
      version: this.#version,
      kept: { columns: this.#kept, cost: this.#cost.subarray(0, n), thinking: this.#thinking.subarray(0, n) },
      createdIn: this.#createdIn.subarray(0, n),
      createdRequests,
      keys: [...this.#byKey],
      links: [...this.#links].map(([first, links]) => [first, links.map((l): [string, number] => [l.session, l.kept])]),
    };
  }

  /** number of distinct messages held */
  get size(): number {
    return this.#kept.length;
  }

  /** Grows whenever a kept line is added or replaced (a cache of anything computed from the rows can key on it). */
  get version(): number {
    return this.#version;
  }

  get mode(): LedgerMode {
    return this.#mode;
  }

  /** The kept messages as columns (read-only use: rows change when a later line replaces them). */
  get columns(): UsageColumns {
    return this.#kept;
  }

  /** USD of kept row `i` */
  cost(i: number): number {
    return this.#cost[i]!;
  }

  /** output tokens of kept row `i` attributed to thinking */
  thinkingOutput(i: number): number {
    return this.#thinking[i]!;
  }

  /** Whether a message of this request has been counted (an OTLP event of it must not be). */
  hasRequest(requestId: string): boolean {
    return this.#byRequest.get(requestId, idHash(requestId)) !== undefined;
  }

  add(event: UsageEvent): LedgerDelta | null {
    if (event.progress && this.#mode !== "daily") return null;
    const line = this.#line;
    line.messageId = event.messageId;
    line.requestId = event.requestId;
    line.sessionId = event.sessionId;
    line.timestamp = event.timestamp;
    line.isSidechain = event.isSidechain;
    line.hasSpeed = event.speed !== null;
    line.total = totalTokens(event);
    const k = this.#match(line);
    if (k === NOT_REPLACED) return null;
    const cost = event.loggedCostUsd ?? this.#price(event.model, event, event.speed);
    const thinking = event.thinking ? event.output : 0;
    this.#version++;
    if (k === NEW) {
      const row = this.#kept.push(event);
      this.#created(row, line, cost, thinking);
      return delta(event, event, thinking, cost, null);
    }
    const kept = this.#kept;
    const replacedAt = kept.timestamp[k]!;
    const counts: TokenCounts = {
      input: event.input - kept.input[k]!,
      output: event.output - kept.output[k]!,
      cacheCreation: event.cacheCreation - kept.cacheCreation[k]!,
      cacheRead: event.cacheRead - kept.cacheRead[k]!,
      cacheCreation5m: event.cacheCreation5m - kept.cacheCreation5m[k]!,
      cacheCreation1h: event.cacheCreation1h - kept.cacheCreation1h[k]!,
    };
    // Output grows block by block; growth that arrives on a thinking line was spent thinking.
    const thinkingGrowth = event.thinking && counts.output > 0 ? counts.output : 0;
    const costGrowth = cost - this.#cost[k]!;
    this.#thinking[k] = this.#thinking[k]! + thinkingGrowth;
    this.#cost[k] = cost;
    this.#total[k] = line.total;
    kept.set(k, event);
    return delta(event, counts, thinkingGrowth, costGrowth, replacedAt);
  }

  /**
   * add() for row `i` of `from`, without building the event or a delta (batch reports and cold
   * starts only want the kept lines).
   */
  addFrom(from: UsageColumns, i: number): void {
    this.#addRow(from, i, null);
  }

  /**
   * add() for row `i` of `from`, its delta written into `out` instead of a new object (a daemon's
   * cold start adds one per message: `out` is the caller's, read before the next call); false,
   * with `out` untouched, when the row changes nothing.
   */
  addFromInto(from: UsageColumns, i: number, out: LedgerDelta): boolean {
    return this.#addRow(from, i, out);
  }

  #addRow(from: UsageColumns, i: number, out: LedgerDelta | null): boolean {
    if (from.isProgress(i) && this.#mode !== "daily") return false;
    const line = this.#line;
    line.messageId = from.messageIds[i]!;
    line.requestId = from.requestIds[i]!;
    line.sessionId = from.strings[from.sessionId[i]!]!;
    line.timestamp = from.timestamp[i]!;
    line.isSidechain = from.isSidechain(i);
    line.hasSpeed = from.speed(i) !== null;
    line.total = from.total(i);
    const k = this.#match(line);
    if (k === NOT_REPLACED) return false;
    this.#version++;
    const c = this.#counts;
    c.input = from.input[i]!;
    c.output = from.output[i]!;
    c.cacheCreation = from.cacheCreation[i]!;
    c.cacheRead = from.cacheRead[i]!;
    c.cacheCreation5m = from.cacheCreation5m[i]!;
    c.cacheCreation1h = from.cacheCreation1h[i]!;
    const logged = from.loggedCostUsd[i]!;
    const cost = Number.isNaN(logged) ? this.#price(from.strings[from.model[i]!]!, c, from.speed(i)) : logged;
    const thinking = from.isThinking(i);
    if (k === NEW) {
      const row = this.#kept.pushFrom(from, i);
      this.#created(row, line, cost, thinking ? c.output : 0);
      if (out !== null) {
        copyCounts(out.counts, c);
        describe(out, from, i, thinking ? c.output : 0, cost, null);
      }
      return true;
    }
    const kept = this.#kept;
    // Output grows block by block; growth that arrives on a thinking line was spent thinking.
    const growth = c.output - kept.output[k]!;
    const thinkingGrowth = thinking && growth > 0 ? growth : 0;
    if (out !== null) {
      const d = out.counts;
      d.input = c.input - kept.input[k]!;
      d.output = growth;
      d.cacheCreation = c.cacheCreation - kept.cacheCreation[k]!;
      d.cacheRead = c.cacheRead - kept.cacheRead[k]!;
      d.cacheCreation5m = c.cacheCreation5m - kept.cacheCreation5m[k]!;
      d.cacheCreation1h = c.cacheCreation1h - kept.cacheCreation1h[k]!;
      describe(out, from, i, thinkingGrowth, cost - this.#cost[k]!, kept.timestamp[k]!);
    }
    this.#thinking[k] = this.#thinking[k]! + thinkingGrowth;
    this.#cost[k] = cost;
    this.#total[k] = line.total;
    kept.setFrom(k, from, i);
    return true;
  }

  /** The kept row the line replaces, NOT_REPLACED when it changes nothing, or NEW. */
  #match(line: Line): number {
    if (line.messageId === null) return NEW; // id-less lines cannot be matched: each is an entry of its own
    line.messageHash = idHash(line.messageId);
    line.requestHash = line.requestId === null ? 0 : idHash(line.requestId);
    line.requestSeen = false;
    line.firstRow = NOT_LOOKED;
    const k = this.#lookup(line) ?? this.#replayOf(line);
    if (k === undefined) return NEW;
    this.#remember(line, k);
    return this.#replaces(line, k) ? k : NOT_REPLACED;
  }

  /**
   * Whether a later line of the same message replaces the kept one (ccusage 20's rule): the main
   * conversation's copy beats a sidechain copy; otherwise the larger total; on a tie, the line that
   * reports its speed.
   */
  #replaces(line: Line, k: number): boolean {
    const keptSidechain = this.#kept.isSidechain(k);
    if (keptSidechain !== line.isSidechain) return keptSidechain;
    const keptTotal = this.#total[k]!;
    if (line.total !== keptTotal) return line.total > keptTotal;
    return line.hasSpeed && this.#kept.speed(k) === null;
  }

  #created(row: number, line: Line, cost: number, thinking: number): void {
    if (row >= this.#cost.length) {
      // by half, as the kept columns grow (see UsageColumns)
      const cap = Math.max(row + 1, Math.ceil(this.#cost.length * 1.5));
      this.#cost = grow(this.#cost, cap);
      this.#total = grow(this.#total, cap);
      this.#thinking = grow(this.#thinking, cap);
      const createdIn = new Int32Array(cap);
      createdIn.set(this.#createdIn);
      this.#createdIn = createdIn;
    }
    this.#cost[row] = cost;
    this.#total[row] = line.total;
    this.#thinking[row] = thinking;
    this.#createdIn[row] = this.#kept.sessionId[row]!;
    this.#createdRequest.push(null);
    if (line.messageId === null) return;
    this.#store(line, row);
    this.#remember(line, row);
  }

  #lookup(line: Line): number | undefined {
    if (line.requestId !== null) {
      const hit = this.#byRequest.get(line.requestId, line.requestHash);
      line.requestSeen = hit !== undefined;
      if (hit !== undefined && this.#kept.messageIds[hit] === line.messageId) return hit;
      if (this.#requestKeys === 0) return undefined;
    }
    const key = messageKey(line, this.#mode);
    return key === null ? undefined : this.#byKey.get(key);
  }

  #store(line: Line, row: number): void {
    if (line.requestId !== null && !line.requestSeen) {
      this.#createdRequest[row] = line.requestId;
      this.#byRequest.add(row, line.requestHash);
      return;
    }
    const key = messageKey(line, this.#mode);
    if (key === null) return;
    if (line.requestId !== null && !this.#byKey.has(key)) this.#requestKeys++;
    this.#byKey.set(key, row);
  }

  /** the session row `row` was created in */
  #createdSession(row: number): string {
    return this.#kept.strings[this.#createdIn[row]!]!;
  }

  /** the (session, row) pairs of the message id first registered by `first`, when seen in more than one session */
  #linksOf(first: number): SessionLink[] | undefined {
    return this.#links.size === 0 ? undefined : this.#links.get(first);
  }

  #firstRow(line: Line): number {
    if (line.firstRow === NOT_LOOKED) line.firstRow = this.#bySession.get(line.messageId!, line.messageHash) ?? -1;
    return line.firstRow;
  }

  /**
   * A sidechain replay repeats a message of the same session under a new requestId. It is a
   * duplicate when either side is a sidechain line — and, for session/blocks, only when it repeats
   * the kept line's timestamp.
   */
  #replayOf(line: Line): number | undefined {
    if (line.messageId === null) return undefined;
    const first = this.#firstRow(line);
    if (first === -1) return undefined;
    const links = this.#linksOf(first);
    let k: number | undefined;
    if (links === undefined) k = this.#createdSession(first) === line.sessionId ? first : undefined;
    else k = links.find((l) => l.session === line.sessionId)?.kept;
    if (k === undefined || !(line.isSidechain || this.#kept.isSidechain(k))) return undefined;
    if (this.#mode === "session" && this.#kept.timestamp[k] !== line.timestamp) return undefined;
    return k;
  }

  #remember(line: Line, k: number): void {
    if (line.messageId === null) return;
    const first = this.#firstRow(line);
    if (first === -1) {
      // the first registration of a message id is always its row's creation (see #created)
      this.#bySession.add(k, line.messageHash);
      line.firstRow = k;
      return;
    }
    const links = this.#linksOf(first);
    if (links === undefined) {
      const session = this.#createdSession(first);
      if (session !== line.sessionId) {
        this.#links.set(first, [
          { session, kept: first },
          { session: line.sessionId, kept: k },
        ]);
      }
    } else if (!links.some((l) => l.session === line.sessionId)) links.push({ session: line.sessionId, kept: k });
  }

  /** The kept messages as they stand (copies), for a SavedLedger later. */
  save(): SavedMessages {
    const n = this.#kept.length;
    return { columns: UsageColumns.fromParts(this.#kept.parts()), cost: this.#cost.slice(0, n), thinking: this.#thinking.slice(0, n) };
  }

  /**
   * The kept line of every message, in first-seen order, with its cost (USD) and thinking share
   * (tokens) — what batch reports aggregate, and what a cold start feeds the windows.
   */
  *entries(): IterableIterator<{ event: UsageEvent; cost: number; thinkingOutput: number }> {
    for (let i = 0; i < this.#kept.length; i++) yield { event: this.#kept.get(i), cost: this.#cost[i]!, thinkingOutput: this.#thinking[i]! };
  }
}

const NEW = -1;
const NOT_REPLACED = -2;
const NOT_LOOKED = -2;

function grow(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(cap);
  next.set(a);
  return next;
}

function copyCounts(to: TokenCounts, from: TokenCounts): void {
  to.input = from.input;
  to.output = from.output;
  to.cacheCreation = from.cacheCreation;
  to.cacheRead = from.cacheRead;
  to.cacheCreation5m = from.cacheCreation5m;
  to.cacheCreation1h = from.cacheCreation1h;
}

/** The rest of a delta for row `i` of `from` (its counts are the caller's). */
function describe(out: LedgerDelta, from: UsageColumns, i: number, thinkingOutput: number, costUsd: number, replacedAt: number | null): void {
  out.timestamp = from.timestamp[i]!;
  out.model = from.strings[from.model[i]!]!;
  out.sessionId = from.strings[from.sessionId[i]!]!;
  out.project = from.strings[from.project[i]!]!;
  out.thinkingOutput = thinkingOutput;
  out.costUsd = costUsd;
  out.replacedAt = replacedAt;
}

function delta(event: UsageEvent, counts: TokenCounts, thinkingOutput: number, costUsd: number, replacedAt: number | null): LedgerDelta {
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
    replacedAt,
  };
}
