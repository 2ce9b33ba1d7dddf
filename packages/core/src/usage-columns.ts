import type { Speed, UsageEvent, WideCounts } from "./usage-event.js";

/**
 * Usage events stored by column: numbers in typed arrays, repeated strings (models, sessions,
 * projects) as indexes into one table. A scan hands its events over in this form (to another
 * thread, or to the scan cache, without an object per line), and the ledger keeps its messages
 * so: about 110 bytes per message plus its two id strings, where an event object costs ~600.
 */

const SIDECHAIN = 1;
const PROGRESS = 2;
const THINKING = 4;
const SPEED_STANDARD = 8;
const SPEED_FAST = 16;

/**
 * A column set without methods: what crosses a thread (typed arrays transfer) or is written to
 * the scan cache. `numbers` holds NUMBER_COLUMNS in order (ms since epoch, tokens, USD with NaN
 * for none); `refs` holds STRING_COLUMNS in order, as indexes into `strings`.
 */
export interface UsageColumnParts {
  length: number;
  numbers: Float64Array[];
  refs: Int32Array[];
  flags: Uint8Array;
  messageIds: (string | null)[];
  requestIds: (string | null)[];
  strings: string[];
  /** exact counts of the rows where one exceeds 2^53 − 1 (row, counts) */
  wide: [number, WideCounts][];
}

/** The numeric columns, in the order of UsageColumnParts.numbers. */
const NUMBER_COLUMNS = ["timestamp", "input", "output", "cacheCreation", "cacheRead", "cacheCreation5m", "cacheCreation1h", "loggedCostUsd"] as const;
/** The string columns, in the order of UsageColumnParts.refs. */
const STRING_COLUMNS = ["model", "sessionId", "fileSession", "project"] as const;

// Shared by every empty column set; never written (the first push grows the columns).
const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U8 = new Uint8Array(0);

function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, capacity: number): T {
  const next = new (a.constructor as new (n: number) => T)(capacity);
  next.set(a);
  return next;
}

/**
 * Whether the parts agree in length and kind (references are checked by the caller, which may
 * translate them in the same loop). Plain loops: this runs once per cached file on every report,
 * mostly before the JIT warms up.
 */
function partsAgree(p: UsageColumnParts): boolean {
  const n = p.length;
  let ok =
    Number.isInteger(n) &&
    n >= 0 &&
    p.numbers.length === NUMBER_COLUMNS.length &&
    p.refs.length === STRING_COLUMNS.length &&
    p.flags instanceof Uint8Array &&
    p.flags.length === n &&
    p.messageIds.length === n &&
    p.requestIds.length === n;
  for (const c of p.numbers) ok &&= c instanceof Float64Array && c.length === n;
  for (const c of p.refs) ok &&= c instanceof Int32Array && c.length === n;
  for (let i = 0; ok && i < p.strings.length; i++) ok = typeof p.strings[i] === "string";
  for (let i = 0; ok && i < n; i++) {
    const m = p.messageIds[i];
    const r = p.requestIds[i];
    ok = (m === null || typeof m === "string") && (r === null || typeof r === "string");
  }
  for (const [row, w] of p.wide) {
    ok &&= Number.isInteger(row) && row >= 0 && row < n && [w.input, w.output, w.cacheCreation, w.cacheRead].every((x) => typeof x === "bigint" && x >= 0n);
  }
  return ok;
}

export class UsageColumns {
  #length = 0;
  #capacity: number;
  /** ms since epoch */
  timestamp: Float64Array;
  /** tokens */
  input: Float64Array;
  output: Float64Array;
  cacheCreation: Float64Array;
  cacheRead: Float64Array;
  cacheCreation5m: Float64Array;
  cacheCreation1h: Float64Array;
  /** USD logged on the line, NaN for none */
  loggedCostUsd: Float64Array;
  /** indexes into `strings` */
  model: Int32Array;
  sessionId: Int32Array;
  fileSession: Int32Array;
  project: Int32Array;
  flags: Uint8Array;
  messageIds: (string | null)[] = [];
  requestIds: (string | null)[] = [];
  readonly strings: string[] = [];
  /** exact counts of the few rows where one exceeds 2^53 − 1 (hostile or broken transcripts) */
  readonly wide = new Map<number, WideCounts>();
  readonly #index = new Map<string, number>();
  /**
   * the string table of the last source translated into ours (see pushFrom): the table, not the
   * source, whose columns may be views of a whole cache file a long-lived ledger must not hold
   */
  #fromStrings: readonly string[] | null = null;
  #fromRefs: Int32Array = new Int32Array(0);

  /** `capacity` rows are allocated up front; 0 allocates nothing until the first push. */
  constructor(capacity = 16) {
    const n = Math.max(0, capacity);
    this.#capacity = n;
    const f64 = () => (n === 0 ? EMPTY_F64 : new Float64Array(n));
    const i32 = () => (n === 0 ? EMPTY_I32 : new Int32Array(n));
    this.timestamp = f64();
    this.input = f64();
    this.output = f64();
    this.cacheCreation = f64();
    this.cacheRead = f64();
    this.cacheCreation5m = f64();
    this.cacheCreation1h = f64();
    this.loggedCostUsd = f64();
    this.model = i32();
    this.sessionId = i32();
    this.fileSession = i32();
    this.project = i32();
    this.flags = n === 0 ? EMPTY_U8 : new Uint8Array(n);
  }

  /** Columns from their parts (taken over, not copied); throws RangeError when they disagree. */
  static fromParts(p: UsageColumnParts): UsageColumns {
    const n = p.length;
    const strings = p.strings;
    let ok = partsAgree(p);
    for (const c of p.refs) for (let i = 0; ok && i < n; i++) ok = c[i]! >= 0 && c[i]! < strings.length;
    if (!ok) throw new RangeError("usage columns: parts of different lengths, or references out of range");
    const c = new UsageColumns(0);
    [c.timestamp, c.input, c.output, c.cacheCreation, c.cacheRead, c.cacheCreation5m, c.cacheCreation1h, c.loggedCostUsd] = p.numbers as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    [c.model, c.sessionId, c.fileSession, c.project] = p.refs as [Int32Array, Int32Array, Int32Array, Int32Array];
    c.flags = p.flags;
    c.messageIds = p.messageIds;
    c.requestIds = p.requestIds;
    c.#length = n;
    c.#capacity = n;
    for (const [row, w] of p.wide) c.wide.set(row, w);
    for (const s of strings) {
      c.#index.set(s, c.strings.length);
      c.strings.push(s);
    }
    if (c.#index.size !== c.strings.length) throw new RangeError("usage columns: a repeated string table entry");
    return c;
  }

  /**
   * The rows of several parts, in order, as one column set (copied); throws RangeError when a
   * part's columns disagree or a reference is out of range. A column is copied whole per part
   * and only the string references are translated: joining row by row (pushFrom) looks up a
   * table for each string of each row.
   */
  static concat(list: readonly UsageColumnParts[]): UsageColumns {
    let n = 0;
    for (const p of list) {
      if (!partsAgree(p)) throw new RangeError("usage columns: parts of different lengths");
      n += p.length;
    }
    const c = new UsageColumns(n);
    const numbers = [c.timestamp, c.input, c.output, c.cacheCreation, c.cacheRead, c.cacheCreation5m, c.cacheCreation1h, c.loggedCostUsd];
    const refs = [c.model, c.sessionId, c.fileSession, c.project];
    let o = 0;
    for (const p of list) {
      for (let k = 0; k < numbers.length; k++) numbers[k]!.set(p.numbers[k]!, o);
      const ours = new Int32Array(p.strings.length);
      let same = true;
      for (let s = 0; s < p.strings.length; s++) {
        ours[s] = c.intern(p.strings[s]!);
        if (ours[s] !== s) same = false;
      }
      for (let k = 0; k < refs.length; k++) {
        const from = p.refs[k]!;
        const to = refs[k]!;
        // parts that share one string table (runs of one saved block) keep their references
        if (same) to.set(from, o);
        for (let i = 0; i < p.length; i++) {
          const r = from[i]!;
          if (!(r >= 0 && r < ours.length)) throw new RangeError("usage columns: a reference out of range");
          if (!same) to[o + i] = ours[r]!;
        }
      }
      c.flags.set(p.flags, o);
      for (const [row, w] of p.wide) c.wide.set(o + row, w);
      o += p.length;
    }
    c.messageIds = ([] as (string | null)[]).concat(...list.map((p) => p.messageIds));
    c.requestIds = ([] as (string | null)[]).concat(...list.map((p) => p.requestIds));
    c.#length = n;
    return c;
  }

  get length(): number {
    return this.#length;
  }

  /** Rows [from, to) as parts (copies of the typed arrays, safe to transfer). */
  parts(from = 0, to = this.#length): UsageColumnParts {
    return this.#parts(from, to, true);
  }

  /**
   * Every row as parts whose typed arrays are views of these columns, valid until they next
   * change: for writing them out at once without a copy (the ids and strings arrays are copies).
   */
  view(): UsageColumnParts {
    return this.#parts(0, this.#length, false);
  }

  #parts(from: number, to: number, copy: boolean): UsageColumnParts {
    const cut = <T extends Float64Array | Int32Array | Uint8Array>(c: T): T => (copy ? c.slice(from, to) : c.subarray(from, to)) as T;
    return {
      length: to - from,
      numbers: [
        this.timestamp,
        this.input,
        this.output,
        this.cacheCreation,
        this.cacheRead,
        this.cacheCreation5m,
        this.cacheCreation1h,
        this.loggedCostUsd,
      ].map((c) => cut(c)),
      refs: [this.model, this.sessionId, this.fileSession, this.project].map((c) => cut(c)),
      flags: cut(this.flags),
      messageIds: this.messageIds.slice(from, to),
      requestIds: this.requestIds.slice(from, to),
      strings: [...this.strings],
      wide: [...this.wide].filter(([row]) => row >= from && row < to).map(([row, w]): [number, WideCounts] => [row - from, w]),
    };
  }

  intern(s: string): number {
    let i = this.#index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.#index.set(s, i);
    }
    return i;
  }

  #reserve(): number {
    if (this.#length === this.#capacity) {
      // by half, not double: a daemon's ledger is one large table kept for months (on average
      // a quarter of it unused instead of a half)
      const n = Math.max(16, Math.ceil(this.#capacity * 1.5));
      this.#capacity = n;
      this.timestamp = grown(this.timestamp, n);
      this.input = grown(this.input, n);
      this.output = grown(this.output, n);
      this.cacheCreation = grown(this.cacheCreation, n);
      this.cacheRead = grown(this.cacheRead, n);
      this.cacheCreation5m = grown(this.cacheCreation5m, n);
      this.cacheCreation1h = grown(this.cacheCreation1h, n);
      this.loggedCostUsd = grown(this.loggedCostUsd, n);
      this.model = grown(this.model, n);
      this.sessionId = grown(this.sessionId, n);
      this.fileSession = grown(this.fileSession, n);
      this.project = grown(this.project, n);
      this.flags = grown(this.flags, n);
    }
    this.messageIds.push(null);
    this.requestIds.push(null);
    return this.#length++;
  }

  /** Appends an event; returns its row. */
  push(e: UsageEvent): number {
    const i = this.#reserve();
    this.set(i, e);
    return i;
  }

  /** Appends row `j` of `from`; returns its row. */
  pushFrom(from: UsageColumns, j: number): number {
    const i = this.#reserve();
    this.setFrom(i, from, j);
    return i;
  }

  /** Overwrites row `i` with `e`. */
  set(i: number, e: UsageEvent): void {
    this.timestamp[i] = e.timestamp;
    this.input[i] = e.input;
    this.output[i] = e.output;
    this.cacheCreation[i] = e.cacheCreation;
    this.cacheRead[i] = e.cacheRead;
    this.cacheCreation5m[i] = e.cacheCreation5m;
    this.cacheCreation1h[i] = e.cacheCreation1h;
    this.loggedCostUsd[i] = e.loggedCostUsd ?? Number.NaN;
    this.model[i] = this.intern(e.model);
    this.sessionId[i] = this.intern(e.sessionId);
    this.fileSession[i] = this.intern(e.fileSession);
    this.project[i] = this.intern(e.project);
    this.flags[i] =
      (e.isSidechain ? SIDECHAIN : 0) |
      (e.progress ? PROGRESS : 0) |
      (e.thinking ? THINKING : 0) |
      (e.speed === "standard" ? SPEED_STANDARD : e.speed === "fast" ? SPEED_FAST : 0);
    // a replaced row keeps its own id strings when equal: the ledger's indexes hold those, and a
    // fresh copy per line would keep every message's ids twice
    if (this.messageIds[i] !== e.messageId) this.messageIds[i] = e.messageId;
    if (this.requestIds[i] !== e.requestId) this.requestIds[i] = e.requestId;
    if (e.wide === undefined) this.wide.delete(i);
    else this.wide.set(i, e.wide);
  }

  /** Our index for `from`'s string `ref` (tables are translated once per source). */
  #translate(from: UsageColumns, ref: number): number {
    if (this.#fromStrings !== from.strings || this.#fromRefs.length < from.strings.length) {
      if (this.#fromStrings !== from.strings) this.#fromRefs = new Int32Array(Math.max(16, from.strings.length)).fill(-1);
      else this.#fromRefs = grown(this.#fromRefs, from.strings.length * 2).fill(-1, this.#fromRefs.length);
      this.#fromStrings = from.strings;
    }
    let mine = this.#fromRefs[ref]!;
    if (mine < 0) {
      mine = this.intern(from.strings[ref]!);
      this.#fromRefs[ref] = mine;
    }
    return mine;
  }

  /** Overwrites row `i` with row `j` of `from`. */
  setFrom(i: number, from: UsageColumns, j: number): void {
    this.timestamp[i] = from.timestamp[j]!;
    this.input[i] = from.input[j]!;
    this.output[i] = from.output[j]!;
    this.cacheCreation[i] = from.cacheCreation[j]!;
    this.cacheRead[i] = from.cacheRead[j]!;
    this.cacheCreation5m[i] = from.cacheCreation5m[j]!;
    this.cacheCreation1h[i] = from.cacheCreation1h[j]!;
    this.loggedCostUsd[i] = from.loggedCostUsd[j]!;
    this.model[i] = this.#translate(from, from.model[j]!);
    this.sessionId[i] = this.#translate(from, from.sessionId[j]!);
    this.fileSession[i] = this.#translate(from, from.fileSession[j]!);
    this.project[i] = this.#translate(from, from.project[j]!);
    this.flags[i] = from.flags[j]!;
    if (this.messageIds[i] !== from.messageIds[j]) this.messageIds[i] = from.messageIds[j]!;
    if (this.requestIds[i] !== from.requestIds[j]) this.requestIds[i] = from.requestIds[j]!;
    const w = from.wide.get(j);
    if (w === undefined) this.wide.delete(i);
    else this.wide.set(i, w);
  }

  /** Row `i` as an event object (a fresh one each call). */
  get(i: number): UsageEvent {
    const logged = this.loggedCostUsd[i]!;
    const f = this.flags[i]!;
    const wide = this.wide.size === 0 ? undefined : this.wide.get(i);
    const e: UsageEvent = {
      timestamp: this.timestamp[i]!,
      messageId: this.messageIds[i]!,
      requestId: this.requestIds[i]!,
      model: this.strings[this.model[i]!]!,
      sessionId: this.strings[this.sessionId[i]!]!,
      fileSession: this.strings[this.fileSession[i]!]!,
      project: this.strings[this.project[i]!]!,
      isSidechain: (f & SIDECHAIN) !== 0,
      progress: (f & PROGRESS) !== 0,
      loggedCostUsd: Number.isNaN(logged) ? null : logged,
      speed: this.speed(i),
      thinking: (f & THINKING) !== 0,
      input: this.input[i]!,
      output: this.output[i]!,
      cacheCreation: this.cacheCreation[i]!,
      cacheRead: this.cacheRead[i]!,
      cacheCreation5m: this.cacheCreation5m[i]!,
      cacheCreation1h: this.cacheCreation1h[i]!,
    };
    if (wide !== undefined) e.wide = wide;
    return e;
  }

  isSidechain(i: number): boolean {
    return (this.flags[i]! & SIDECHAIN) !== 0;
  }

  isProgress(i: number): boolean {
    return (this.flags[i]! & PROGRESS) !== 0;
  }

  isThinking(i: number): boolean {
    return (this.flags[i]! & THINKING) !== 0;
  }

  speed(i: number): Speed | null {
    const f = this.flags[i]!;
    return f & SPEED_FAST ? "fast" : f & SPEED_STANDARD ? "standard" : null;
  }

  /** input + output + cache writes + cache reads of row `i`, tokens (totalTokens' order of sums) */
  total(i: number): number {
    return this.input[i]! + this.output[i]! + this.cacheCreation[i]! + this.cacheRead[i]!;
  }
}
