import type { UsageColumnParts, WideCounts } from "@claude-gauge/core/decode";

/**
 * Usage columns as plain buffers, for another thread (transferred, not copied) and for the scan
 * cache file. The per-message id strings are the costly part to hand over one by one; packed,
 * they are one string decoded at once and cut into slices.
 */

/** Strings (or nulls) as one blob: latin1 when every character fits a byte, else UTF-16. */
export interface PackedStrings {
  bytes: Uint8Array;
  wide: boolean;
  /** UTF-16 code units of each string; -1 for null */
  lengths: Int32Array;
}

export interface PackedColumns {
  length: number;
  numbers: Float64Array[];
  refs: Int32Array[];
  flags: Uint8Array;
  /** the message ids, then the request ids */
  ids: PackedStrings;
  strings: PackedStrings;
  /** rows whose exact counts exceed 2^53 − 1: row, then input, output, cache writes, cache reads as decimal strings */
  wide: [number, string, string, string, string][];
}

/** a character that does not fit a byte */
const WIDE = /[\u0100-\uffff]/;

export function packStrings(list: readonly (string | null)[]): PackedStrings {
  const lengths = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) lengths[i] = list[i]?.length ?? -1;
  const joined = list.join("");
  const wide = WIDE.test(joined);
  const encoding = wide ? "utf16le" : "latin1";
  // a buffer of its own (not a slice of Buffer's shared pool), so it can be transferred
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(joined, encoding));
  bytes.write(joined, 0, encoding);
  return { bytes, wide, lengths };
}

const PIECE_BYTES = 64 << 10;

/**
 * The strings of `lists` one after another, packed as packStrings packs them, but handed out by
 * `write` in pieces through one 64 KiB buffer used again (each piece is valid until `out` returns):
 * not one joined string and one buffer of all of them (a daemon's saved state on a 1 GiB history:
 * 134k ids, which the allocator kept after every save).
 */
export function packStringsInPieces(lists: readonly (readonly (string | null)[])[]): {
  wide: boolean;
  lengths: Int32Array;
  byteLength: number;
  write(out: (piece: Uint8Array) => void): void;
} {
  const lengths = new Int32Array(lists.reduce((n, l) => n + l.length, 0));
  let wide = false;
  let chars = 0;
  let k = 0;
  for (const list of lists) {
    for (const s of list) {
      lengths[k++] = s?.length ?? -1;
      if (s === null) continue;
      chars += s.length;
      if (!wide && WIDE.test(s)) wide = true;
    }
  }
  const unit = wide ? 2 : 1;
  const encoding = wide ? "utf16le" : "latin1";
  const write = (out: (piece: Uint8Array) => void): void => {
    const chunk = Buffer.allocUnsafe(PIECE_BYTES);
    let at = 0;
    for (const list of lists) {
      for (const s of list) {
        if (s === null || s.length === 0) continue;
        const n = s.length * unit;
        if (at + n > PIECE_BYTES) {
          out(chunk.subarray(0, at));
          at = 0;
        }
        if (n > PIECE_BYTES) out(Buffer.from(s, encoding));
        else at += chunk.write(s, at, encoding);
      }
    }
    if (at > 0) out(chunk.subarray(0, at));
  };
  return { wide, lengths, byteLength: chars * unit, write };
}

/**
 * The strings back; throws RangeError when the lengths do not add up to the blob. Decoded at once
 * and cut into slices, each of which keeps the whole decoded text alive; `flat` decodes each string
 * on its own instead (slower, but a daemon that keeps a few of them for months holds only those).
 */
export function unpackStrings(p: PackedStrings, flat = false): (string | null)[] {
  const bytes = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
  if (p.wide && bytes.length % 2 !== 0) throw new RangeError("packed strings: odd UTF-16 length");
  if (flat) return unpackEach(bytes, p);
  const text = bytes.toString(p.wide ? "utf16le" : "latin1");
  const out = new Array<string | null>(p.lengths.length);
  let at = 0;
  for (let i = 0; i < p.lengths.length; i++) {
    const n = p.lengths[i]!;
    if (n === -1) {
      out[i] = null;
      continue;
    }
    if (n < 0 || at + n > text.length) throw new RangeError("packed strings: lengths beyond the text");
    out[i] = text.slice(at, at + n);
    at += n;
  }
  if (at !== text.length) throw new RangeError("packed strings: text beyond the lengths");
  return out;
}

function unpackEach(bytes: Buffer, p: PackedStrings): (string | null)[] {
  const unit = p.wide ? 2 : 1;
  const encoding = p.wide ? "utf16le" : "latin1";
  const out = new Array<string | null>(p.lengths.length);
  let at = 0;
  // A message's lines are rows in a row and share its ids: the string decoded for the row before
  // is taken again when the bytes are the same (a daemon's restart decodes ~2.5 rows per message).
  let last: string | null = null;
  let lastAt = 0;
  for (let i = 0; i < p.lengths.length; i++) {
    const n = p.lengths[i]!;
    if (n === -1) {
      out[i] = null;
      continue;
    }
    if (n < 0 || at + n * unit > bytes.length) throw new RangeError("packed strings: lengths beyond the text");
    const size = n * unit;
    if (last === null || last.length !== n || !sameBytes(bytes, lastAt, at, size)) {
      last = bytes.toString(encoding, at, at + size);
      lastAt = at;
    }
    out[i] = last;
    at += size;
  }
  if (at !== bytes.length) throw new RangeError("packed strings: text beyond the lengths");
  return out;
}

export function packColumns(c: UsageColumnParts): PackedColumns {
  return {
    length: c.length,
    numbers: c.numbers,
    refs: c.refs,
    flags: c.flags,
    ids: packStrings([...c.messageIds, ...c.requestIds]),
    strings: packStrings(c.strings),
    wide: c.wide.map(([row, w]) => [row, String(w.input), String(w.output), String(w.cacheCreation), String(w.cacheRead)]),
  };
}

/** Whether the `size` bytes at x and at y are the same. */
function sameBytes(b: Buffer, x: number, y: number, size: number): boolean {
  for (let k = 0; k < size; k++) if (b[x + k] !== b[y + k]) return false;
  return true;
}

const DIGITS = /^\d{1,20}$/;

function wideOf(t: readonly unknown[]): [number, WideCounts] {
  const [row, ...counts] = t;
  if (t.length !== 5 || typeof row !== "number" || !counts.every((c) => typeof c === "string" && DIGITS.test(c))) {
    throw new RangeError("packed columns: a malformed exact count");
  }
  const [input, output, cacheCreation, cacheRead] = (counts as string[]).map(BigInt) as [bigint, bigint, bigint, bigint];
  return [row, { input, output, cacheCreation, cacheRead }];
}

/**
 * How the id strings come back: cut from one decoded text, decoded each on its own (see
 * unpackStrings), or not at all (every id null: for rows only a report reads, which reads none).
 */
export type IdReading = "sliced" | "each" | "none";

/** The string table, checked to hold no null, once the ids are checked to be two per row. */
function stringTable(p: PackedColumns): string[] {
  if (p.ids.lengths.length !== 2 * p.length) throw new RangeError("packed columns: id count differs from the row count");
  const strings = unpackStrings(p.strings);
  for (const s of strings) if (s === null) throw new RangeError("packed columns: a null in the string table");
  return strings as string[];
}

/** The parts back (UsageColumns.fromParts checks that they agree). */
export function unpackColumns(p: PackedColumns, idReading: IdReading = "sliced"): UsageColumnParts {
  const strings = stringTable(p);
  const ids = idReading === "none" ? new Array<null>(2 * p.length).fill(null) : unpackStrings(p.ids, idReading === "each");
  return {
    length: p.length,
    numbers: p.numbers,
    refs: p.refs,
    flags: p.flags,
    messageIds: ids.slice(0, p.length),
    requestIds: ids.slice(p.length),
    strings,
    wide: (Array.isArray(p.wide) ? p.wide : []).map(wideOf),
  };
}

/**
 * Rows [from, to) of the parts back (as unpackColumns gives them, the columns as views): only
 * their own ids are decoded, so one segment of a large saved-ledger block costs its size only.
 */
export function unpackRows(p: PackedColumns, from: number, to: number, idReading: IdReading = "sliced"): UsageColumnParts {
  if (from === 0 && to === p.length) return unpackColumns(p, idReading);
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= p.length))
    throw new RangeError("packed columns: rows beyond the block");
  const n = to - from;
  const strings = stringTable(p);
  const none = idReading === "none";
  return {
    ...sliceColumns({ numbers: p.numbers, refs: p.refs, flags: p.flags, wide: (Array.isArray(p.wide) ? p.wide : []).map(wideOf) }, from, to),
    length: n,
    messageIds: none ? new Array<null>(n).fill(null) : stringsAt(p.ids, from, to, idReading === "each"),
    requestIds: none ? new Array<null>(n).fill(null) : stringsAt(p.ids, p.length + from, p.length + to, idReading === "each"),
    strings,
  };
}

/** Rows [from, to) of the typed columns (views, no copies) and of the exact counts. */
export function sliceColumns(
  c: Pick<UsageColumnParts, "numbers" | "refs" | "flags" | "wide">,
  from: number,
  to: number,
): Pick<UsageColumnParts, "numbers" | "refs" | "flags" | "wide"> {
  return {
    numbers: c.numbers.map((col) => col.subarray(from, to)),
    refs: c.refs.map((col) => col.subarray(from, to)),
    flags: c.flags.subarray(from, to),
    wide: c.wide.filter(([row]) => row >= from && row < to).map(([row, w]): [number, WideCounts] => [row - from, w]),
  };
}

/** Strings [from, to) of packed strings (checked as unpackStrings checks them all), the rest left undecoded. */
function stringsAt(p: PackedStrings, from: number, to: number, flat: boolean): (string | null)[] {
  const unit = p.wide ? 2 : 1;
  if (p.wide && p.bytes.byteLength % 2 !== 0) throw new RangeError("packed strings: odd UTF-16 length");
  let total = 0;
  let start = 0;
  let end = 0;
  for (let i = 0; i < p.lengths.length; i++) {
    const n = p.lengths[i]!;
    if (i === from) start = total;
    if (i === to) end = total;
    if (n < -1) throw new RangeError("packed strings: lengths beyond the text");
    if (n > 0) total += n;
  }
  if (from === p.lengths.length) start = total;
  if (to === p.lengths.length) end = total;
  if (total * unit !== p.bytes.byteLength) throw new RangeError("packed strings: text beyond the lengths");
  return unpackStrings({ bytes: p.bytes.subarray(start * unit, end * unit), wide: p.wide, lengths: p.lengths.subarray(from, to) }, flat);
}

/** The buffers that can move to another thread instead of being copied. */
export function packedBuffers(p: PackedColumns): ArrayBuffer[] {
  return [...p.numbers, ...p.refs, p.flags, p.ids.bytes, p.ids.lengths, p.strings.bytes, p.strings.lengths].map((a) => a.buffer as ArrayBuffer);
}
