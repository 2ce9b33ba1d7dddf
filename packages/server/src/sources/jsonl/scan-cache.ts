import crypto, { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  copyFileSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { isAbsolute, join } from "node:path";
import type { LimitNotice } from "@claude-gauge/core/decode";
import type { LedgerMode } from "@claude-gauge/core/reports";
import { ANSWERS_SUFFIX, SCAN_FINGERPRINT, scanCachePath } from "./cache-keys.js";
import { packColumns, unpackColumns, unpackRows, type PackedColumns, type PackedStrings } from "./column-pack.js";
import type { FileIdentity } from "./files.js";
import { joinSegments, rowRuns, sliceRows, type LedgerSegment, type RangeSegment, type RowSource, type SegmentRows } from "./ledger-segments.js";

/**
 * The persistent scan cache: per transcript file, its identity and what its lines hold (usage
 * events as columns, limit notices, bad lines), so that a report reads only what changed since
 * the last one — the bytes appended to a file, or a whole file that was rewritten. What is kept
 * is what a scan found before any deduplication or pricing, so the ledger, the prices and the
 * reports are computed afresh on every run exactly as without the cache.
 *
 * Beside the files it keeps the deduplicated result of the last report of each ledger mode, one
 * segment per file (see ledger-segments.ts), valid for the files as cached and the same prices: a
 * report on unchanged transcripts reads it instead of running the ledger again, and one on
 * transcripts that only grew reads it and updates the segments of the files that grew. The
 * segments are row ranges of a few blocks (all of them in one after a full count; an update adds
 * a block for the segments it changed): a block per segment cost a report after an append more
 * to read and join (~40 ms at 555 files) than its scan of the appended lines.
 *
 * One file per set of transcript roots, under $XDG_CACHE_HOME/claude-gauge (~/.cache/claude-gauge):
 * a fixed header, the column blocks, then a JSON index. A reader reads the header and the index,
 * then only the blocks it needs (a report after an append needs a tenth of them). A writer
 * appends the new blocks and index to the file and then rewrites its header (see CacheWriter):
 * no byte an earlier index refers to is written over, so a reader never sees half a cache;
 * writers take turns by a lock file, and one that finds it taken writes a copy and renames it
 * over, so two writers at once leave one whole cache. Blocks no index refers to any more are
 * dropped when they would be half of the file, by writing the live blocks into a new one.
 * Everything read back is checked (magic, format, the build's scan fingerprint, roots, a SHA-1 of
 * the index and of each block before it is used, every offset, length and value); a cache that
 * fails is dropped with a note and the files are read again.
 */

/** Layout of the file; a change makes older caches unreadable (they are rebuilt). */
const SCAN_CACHE_FORMAT = 3;

/** One file's segment of a ledger to save: made now, a range of a fold's rows, or read from the old cache. */
export type Segment = LedgerSegment | RangeSegment | StoredSegment;

/** Blocks a saved ledger may be spread over before an update writes it anew as one (each costs a report a read and a run to join). */
const MAX_LEDGER_BLOCKS = 16;

/** A name for the exact set of files a ledger was computed from (paths and identities, in order). */
export function filesKey(files: readonly { path: string; identity: FileIdentity }[]): string {
  const h = createHash(HASH);
  for (const f of files) h.update(`${f.path}\u0000${f.identity.dev}:${f.identity.ino}:${f.identity.size}:${f.identity.mtime}:${f.identity.ctime}\u0000`);
  return h.digest("hex");
}

const MAGIC = Buffer.from("CGSCANv1", "latin1");
const HEADER_BYTES = 64;
const HASH = "sha1";
const HASH_BYTES = 20;
/** bytes hashed at a file's head and before its consumed offset, to tell an append from a rewrite */
const MARK_BYTES = 4096;
/** caches of other root sets kept (each test tree or config dir gets its own) */
const KEEP_CACHES = 8;
/** beside a cache file while a writer appends to it in place */
const LOCK_SUFFIX = ".lock";
/** a lock this old is taken over even when its process id names a live process (another host's, or a reused id), ms */
const STALE_LOCK_MS = 60 * 60_000;
/** a temporary file older than this is a crashed writer's, ms */
const STALE_TEMP_MS = 10 * 60_000;
/** bytes a writer gathers before it writes them */
const WRITE_BUFFER_BYTES = 256 << 10;
/** longest error text kept per bad line */
const MAX_ERROR_CHARS = 200;

/** Column data of one part: packed from a scan, or a block of the cache file read earlier. */
export type EventSource = { packed: PackedColumns } | { stored: StoredChunk };

interface StoredChunk {
  file: CacheFile;
  desc: ChunkDesc;
}

/** Some lines' results (line numbers are the file's). */
export interface CachedPart {
  events: EventSource;
  limits: LimitNotice[];
  badLines: { line: number; error: string }[];
  badLineCount: number;
}

export interface CachedFile {
  path: string;
  identity: FileIdentity;
  /** bytes of complete lines: where the next scan of an appended file starts */
  consumed: number;
  /** complete lines */
  lines: number;
  /** hashes of the first MARK_BYTES and of the MARK_BYTES before `consumed` */
  head: string;
  tail: string;
  /** results of the complete lines, in line order */
  parts: CachedPart[];
  /** results of an unterminated last line (read again once it is complete) */
  partial: CachedPart | null;
}

/** What to do about one file: use the cache, read only what was appended, or read it all. */
export type CachePlan = { kind: "hit"; file: CachedFile } | { kind: "append"; file: CachedFile } | { kind: "miss" };

interface ChunkDesc {
  /** rows */
  n: number;
  /** offset of the block in the file (8-aligned) */
  at: number;
  /** SHA-1 of the block, hex */
  sum: string;
  ids: { wide: boolean; bytes: number };
  strings: { wide: boolean; bytes: number; count: number };
  /** rows with counts past 2^53 − 1, exactly (see PackedColumns.wide) */
  big: [number, string, string, string, string][];
}

/**
 * Rows of a saved ledger: a column block, then a block of their costs and thinking shares (2n
 * doubles) followed by the message-id hashes of the files whose segments it holds (`seen` uint32s).
 */
interface LedgerBlockDesc {
  kept: ChunkDesc;
  values: { at: number; n: number; seen: number; sum: string };
}

/** One file's segment: rows [from, from + n) of a block, and its id hashes [seenFrom, seenFrom + seen) of the block's. */
interface SegmentDesc {
  block: number;
  from: number;
  n: number;
  seenFrom: number;
  seen: number;
}

/** A ledger mode's kept messages, one segment per file in the order of the files it was computed from. */
interface LedgerDesc {
  mode: LedgerMode;
  /** hash of the files (paths and identities) it was computed from */
  files: string;
  /** what priced it (see loadTranscripts) */
  pricing: string;
  blocks: LedgerBlockDesc[];
  segments: SegmentDesc[];
}

/** A block of a saved ledger as read back: its rows [from, to), read when first asked for (checked once). */
interface StoredBlock extends RowSource {
  seen: Uint32Array;
  file: CacheFile;
  desc: LedgerBlockDesc;
}

/**
 * A segment of a saved ledger as read back: its message-id hashes, its rows (read when first
 * asked for; throws RangeError when their block does not hold up; checked again where they are
 * joined or updated), and where they are: a range of a block (kept as it is by the next cache).
 */
export interface StoredSegment extends RangeSegment {
  /** the segment's rows; without `ids`, every id is null (for a report, which reads none) */
  rows(ids?: boolean): SegmentRows;
  range: { source: StoredBlock; from: number; to: number };
  /** where its hashes start among its block's */
  seenFrom: number;
}

interface PartDesc {
  events: ChunkDesc;
  limits: [number, number][];
  bad: [number, string][];
  badCount: number;
}

interface FileDesc {
  path: string;
  identity: FileIdentity;
  consumed: number;
  lines: number;
  head: string;
  tail: string;
  parts: PartDesc[];
  partial: PartDesc | null;
}

interface Index {
  fingerprint: string;
  roots: string[];
  files: FileDesc[];
  ledgers: LedgerDesc[];
}

export interface ScanCacheOptions {
  /** the cache folder (default: defaultCacheDir()) */
  dir: string;
  /** the transcript roots; one cache per set */
  roots: readonly string[];
  /** what must match for a cache to be read (default SCAN_FINGERPRINT; tests vary it) */
  fingerprint?: string;
  /** where notes go (a dropped cache, a failed write) */
  log?: (msg: string) => void;
}

function markOf(fd: number, from: number, to: number): string {
  const len = Math.max(0, to - from);
  const buf = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, from + got);
    if (n === 0) break;
    got += n;
  }
  return sha1(buf.subarray(0, got));
}

/** Whether the bytes of `path` before `consumed` are still those whose tail mark (see marksOf) is `tail`; false when unreadable. */
export function tailMarkHolds(path: string, consumed: number, tail: string): boolean {
  try {
    const fd = openSync(path, "r");
    try {
      return markOf(fd, Math.max(0, consumed - MARK_BYTES), consumed) === tail;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** The head and tail marks of `path` for a consumed offset (bytes). */
export function marksOf(path: string, consumed: number): { head: string; tail: string } {
  const fd = openSync(path, "r");
  try {
    return { head: markOf(fd, 0, Math.min(MARK_BYTES, consumed)), tail: markOf(fd, Math.max(0, consumed - MARK_BYTES), consumed) };
  } finally {
    closeSync(fd);
  }
}

/**
 * glibc's malloc serves a large buffer from its own mapping, and when one between 128 KiB and
 * 32 MiB is freed it raises the size from which it does so to that buffer's, for the rest of the
 * process: a daemon that read a 25 MB cache file then keeps every later buffer under 25 MB in its
 * heap, whose freed holes stay resident. Past 32 MiB nothing is raised, so a large read gets a
 * buffer of at least that (the pages never touched cost nothing). Measured on a 1 GiB history's
 * restart of plain `serve`: settled 117–121 → 110–117 MB; glibc's setting itself
 * (MALLOC_MMAP_THRESHOLD_, what the service unit sets) is worth ~10 MB more.
 */
const MALLOC_MMAP_MAX = 32 << 20;

function readBuffer(len: number): Buffer {
  return len > 1 << 20 ? Buffer.allocUnsafeSlow(Math.max(len, MALLOC_MMAP_MAX + 4096)).subarray(0, len) : Buffer.allocUnsafeSlow(len);
}

/** A cache that does not hold up: dropped (or the one file it concerns is read again). */
class Invalid extends Error {}

/** The cache file as it was when its index was read: blocks are read from it when they are needed. */
class CacheFile {
  #fd: number | null;
  readonly size: number;
  /** the header as read: a copy of the file with the same header is the same cache */
  readonly header: Buffer;

  constructor(fd: number, size: number, header: Buffer) {
    this.#fd = fd;
    this.size = size;
    this.header = header;
  }

  /** the whole file, once a writer that drops garbage needs most of it (one read, not one per block) */
  #all: Buffer | null = null;

  /** `len` bytes at `at`, in a buffer whose start is 8-aligned (blocks start 8-aligned), so typed views need no copy. */
  read(at: number, len: number): Buffer {
    if (this.#all !== null) {
      if (at + len > this.#all.length) throw new Invalid("a block beyond the end of the file");
      return this.#all.subarray(at, at + len);
    }
    if (this.#fd === null) throw new Invalid("read after the cache was closed");
    const b = readBuffer(len);
    for (let got = 0; got < len; ) {
      const n = readSync(this.#fd, b, got, len - got, at + got);
      if (n === 0) throw new Invalid("a block beyond the end of the file");
      got += n;
    }
    return b;
  }

  /** Reads the whole file now: the blocks read after this are views on it. */
  readAll(): void {
    if (this.#all === null) this.#all = this.read(0, this.size);
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    this.#all = null;
  }
}

/** crypto.hash where Node has it (20.12+, Bun): a thousand blocks hashed through Hash objects cost ~12 ms more before the JIT warms up. */
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: "hex") => string }).hash;
const sha1 = oneShot ? (b: Uint8Array) => oneShot(HASH, b, "hex") : (b: Uint8Array) => createHash(HASH).update(b).digest("hex");

function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Invalid(what);
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isDigits = (v: unknown): v is string => typeof v === "string" && /^\d{1,40}$/.test(v);
/** a file time as FileIdentity keeps it (ms, a fraction, a sign before 1970) */
const isTime = (v: unknown): v is string => typeof v === "string" && /^-?\d{1,20}(\.\d{1,20})?$/.test(v);
const isHex = (v: unknown): v is string => typeof v === "string" && /^[0-9a-f]{40}$/.test(v);

function checkIdentity(v: unknown): FileIdentity {
  check(typeof v === "object" && v !== null, "identity");
  const o = v as Record<string, unknown>;
  check(isDigits(o["dev"]) && isDigits(o["ino"]) && isCount(o["size"]) && isTime(o["mtime"]) && isTime(o["ctime"]), "identity fields");
  return { dev: o["dev"], ino: o["ino"], size: o["size"], mtime: o["mtime"], ctime: o["ctime"] };
}

const valuesBytes = (v: { n: number; seen: number }) => 16 * v.n + 4 * v.seen;

function chunkBytes(d: ChunkDesc): number {
  return 88 * d.n + 4 * d.strings.count + d.n + d.ids.bytes + d.strings.bytes;
}

function checkChunk(v: unknown, size: number): ChunkDesc {
  check(typeof v === "object" && v !== null, "chunk");
  const o = v as Record<string, unknown>;
  const ids = o["ids"] as Record<string, unknown> | null;
  const strings = o["strings"] as Record<string, unknown> | null;
  check(isCount(o["n"]) && isCount(o["at"]) && (o["at"] as number) % 8 === 0, "chunk rows and offset");
  check(typeof ids === "object" && ids !== null && typeof ids["wide"] === "boolean" && isCount(ids["bytes"]), "chunk ids");
  check(
    typeof strings === "object" && strings !== null && typeof strings["wide"] === "boolean" && isCount(strings["bytes"]) && isCount(strings["count"]),
    "chunk strings",
  );
  check(isHex(o["sum"]), "chunk checksum");
  const big = o["big"];
  check(
    Array.isArray(big) &&
      big.every((b) => Array.isArray(b) && b.length === 5 && isCount(b[0]) && b.slice(1).every((x) => typeof x === "string" && /^\d{1,20}$/.test(x))),
    "chunk exact counts",
  );
  const d: ChunkDesc = {
    n: o["n"] as number,
    at: o["at"] as number,
    sum: o["sum"] as string,
    ids: { wide: ids["wide"] as boolean, bytes: ids["bytes"] as number },
    strings: { wide: strings["wide"] as boolean, bytes: strings["bytes"] as number, count: strings["count"] as number },
    big: big as ChunkDesc["big"],
  };
  check(d.at >= HEADER_BYTES && d.at + chunkBytes(d) <= size, "chunk beyond the file");
  return d;
}

function checkPart(v: unknown, size: number): PartDesc {
  check(typeof v === "object" && v !== null, "part");
  const o = v as Record<string, unknown>;
  const limits = o["limits"];
  const bad = o["bad"];
  check(
    Array.isArray(limits) && limits.every((l) => Array.isArray(l) && l.length === 2 && l.every((x) => typeof x === "number" && Number.isFinite(x))),
    "limits",
  );
  check(
    Array.isArray(bad) &&
      bad.every((b) => Array.isArray(b) && b.length === 2 && isCount(b[0]) && b[0] > 0 && typeof b[1] === "string" && b[1].length <= MAX_ERROR_CHARS),
    "bad lines",
  );
  check(isCount(o["badCount"]) && (o["badCount"] as number) >= bad.length, "bad line count");
  return { events: checkChunk(o["events"], size), limits: limits as [number, number][], bad: bad as [number, string][], badCount: o["badCount"] as number };
}

function checkIndex(v: unknown, size: number): Index {
  check(typeof v === "object" && v !== null, "index");
  const o = v as Record<string, unknown>;
  check(typeof o["fingerprint"] === "string", "fingerprint");
  check(Array.isArray(o["roots"]) && o["roots"].every((r) => typeof r === "string"), "roots");
  check(Array.isArray(o["files"]), "files");
  const files = (o["files"] as unknown[]).map((f): FileDesc => {
    check(typeof f === "object" && f !== null, "file");
    const x = f as Record<string, unknown>;
    check(typeof x["path"] === "string" && isAbsolute(x["path"]), "file path");
    check(isCount(x["consumed"]) && isCount(x["lines"]) && isHex(x["head"]) && isHex(x["tail"]) && Array.isArray(x["parts"]), "file fields");
    return {
      path: x["path"],
      identity: checkIdentity(x["identity"]),
      consumed: x["consumed"] as number,
      lines: x["lines"] as number,
      head: x["head"] as string,
      tail: x["tail"] as string,
      parts: (x["parts"] as unknown[]).map((p) => checkPart(p, size)),
      partial: x["partial"] === null ? null : checkPart(x["partial"], size),
    };
  });
  check(Array.isArray(o["ledgers"]), "ledgers");
  const ledgers = (o["ledgers"] as unknown[]).map((l): LedgerDesc => {
    check(typeof l === "object" && l !== null, "ledger");
    const x = l as Record<string, unknown>;
    check((x["mode"] === "daily" || x["mode"] === "session") && isHex(x["files"]) && typeof x["pricing"] === "string", "ledger fields");
    check(Array.isArray(x["blocks"]) && Array.isArray(x["segments"]), "ledger blocks and segments");
    const blocks = (x["blocks"] as unknown[]).map((g): LedgerBlockDesc => {
      check(typeof g === "object" && g !== null, "ledger block");
      const v = (g as Record<string, unknown>)["values"] as Record<string, unknown> | null;
      check(
        typeof v === "object" && v !== null && isCount(v["at"]) && (v["at"] as number) % 8 === 0 && isCount(v["n"]) && isCount(v["seen"]) && isHex(v["sum"]),
        "ledger values",
      );
      const values = { at: v["at"] as number, n: v["n"] as number, seen: v["seen"] as number, sum: v["sum"] as string };
      check(values.at >= HEADER_BYTES && values.at + valuesBytes(values) <= size, "ledger values beyond the file");
      const kept = checkChunk((g as Record<string, unknown>)["kept"], size);
      check(kept.n === values.n, "ledger rows");
      return { kept, values };
    });
    const segments = (x["segments"] as unknown[]).map((g): SegmentDesc => {
      check(typeof g === "object" && g !== null, "ledger segment");
      const d = g as Record<string, unknown>;
      check(isCount(d["block"]) && isCount(d["from"]) && isCount(d["n"]) && isCount(d["seenFrom"]) && isCount(d["seen"]), "ledger segment fields");
      const b = blocks[d["block"] as number];
      check(b !== undefined, "ledger segment block");
      const seg: SegmentDesc = {
        block: d["block"] as number,
        from: d["from"] as number,
        n: d["n"] as number,
        seenFrom: d["seenFrom"] as number,
        seen: d["seen"] as number,
      };
      check(seg.from + seg.n <= b.values.n && seg.seenFrom + seg.seen <= b.values.seen, "ledger segment beyond its block");
      return seg;
    });
    return { mode: x["mode"], files: x["files"], pricing: x["pricing"], blocks, segments };
  });
  return { fingerprint: o["fingerprint"] as string, roots: o["roots"] as string[], files, ledgers };
}

// A block is read into a buffer of its own, whose start is 8-aligned: views need no copy.
const f64 = (buf: Buffer, at: number, n: number) => new Float64Array(buf.buffer, buf.byteOffset + at, n);
const i32 = (buf: Buffer, at: number, n: number) => new Int32Array(buf.buffer, buf.byteOffset + at, n);
// not buf.subarray: a Buffer's subarray looks up its species on every call, which showed in profiles of reading a saved ledger
const u8 = (buf: Buffer, at: number, n: number) => new Uint8Array(buf.buffer, buf.byteOffset + at, n);

/** The packed columns of a stored block (views on the block as read, checked as UsageColumns needs). */
function storedColumns(c: StoredChunk): PackedColumns {
  const d = c.desc;
  const buf = c.file.read(d.at, chunkBytes(d));
  if (sha1(buf) !== d.sum) throw new Invalid("a block's checksum");
  const n = d.n;
  let at = 0;
  const numbers: Float64Array[] = [];
  for (let i = 0; i < 8; i++, at += 8 * n) numbers.push(f64(buf, at, n));
  const refs: Int32Array[] = [];
  for (let i = 0; i < 4; i++, at += 4 * n) refs.push(i32(buf, at, n));
  const idLengths = i32(buf, at, 2 * n);
  at += 8 * n;
  const stringLengths = i32(buf, at, d.strings.count);
  at += 4 * d.strings.count;
  const flags = u8(buf, at, n);
  at += n;
  const idBytes = u8(buf, at, d.ids.bytes);
  at += d.ids.bytes;
  const stringBytes = u8(buf, at, d.strings.bytes);
  // values a scan can produce: times and counts finite, counts and costs not negative (NaN: no
  // cost logged). One plain loop per kind of column: a saved ledger's block holds every row.
  const times = numbers[0]!;
  for (let i = 0; i < n; i++) if (!(times[i]! >= -Number.MAX_VALUE && times[i]! <= Number.MAX_VALUE)) throw new Invalid("a stored time out of range");
  for (let c = 1; c < 7; c++) {
    const col = numbers[c]!;
    for (let i = 0; i < n; i++) if (!(col[i]! >= 0 && col[i]! <= Number.MAX_VALUE)) throw new Invalid("a stored count out of range");
  }
  const costs = numbers[7]!;
  for (let i = 0; i < n; i++)
    if (!(Number.isNaN(costs[i]!) || (costs[i]! >= 0 && costs[i]! <= Number.MAX_VALUE))) throw new Invalid("a stored cost out of range");
  for (let i = 0; i < n; i++) if (flags[i]! > 31 || (flags[i]! & 24) === 24) throw new Invalid("stored flags");
  return {
    length: n,
    numbers,
    refs,
    flags,
    ids: { bytes: idBytes, wide: d.ids.wide, lengths: idLengths },
    strings: { bytes: stringBytes, wide: d.strings.wide, lengths: stringLengths },
    wide: d.big,
  };
}

/** A saved ledger's blocks (their costs checked now, their rows read when first asked for) and its segments as ranges of them. */
function storedSegments(file: CacheFile, desc: LedgerDesc): StoredSegment[] {
  const blocks = desc.blocks.map((d): StoredBlock => {
    const { at, n, seen: m, sum } = d.values;
    const buf = file.read(at, valuesBytes(d.values));
    if (sha1(buf) !== sum) throw new Invalid("a block's checksum");
    const values = f64(buf, 0, 2 * n);
    const cost = values.subarray(0, n);
    const thinking = values.subarray(n);
    for (let i = 0; i < n; i++) if (!Number.isFinite(cost[i]!) || !(thinking[i]! >= 0)) throw new Invalid("a saved cost");
    let packed: PackedColumns | null = null;
    /** all rows without ids, as every report joins them */
    let joined: SegmentRows | null = null;
    const read = (ids: boolean, from: number, to: number): SegmentRows => {
      try {
        packed ??= storedColumns({ file, desc: d.kept });
        if (!ids) {
          joined ??= { parts: unpackColumns(packed, "none"), cost, thinking };
          return sliceRows(joined, from, to);
        }
        return { parts: unpackRows(packed, from, to), cost: cost.subarray(from, to), thinking: thinking.subarray(from, to) };
      } catch (e) {
        if (e instanceof Invalid) throw new RangeError(`scan cache: ${e.message}`);
        throw e;
      }
    };
    return { rows: read, seen: new Uint32Array(buf.buffer, buf.byteOffset + 16 * n, m), file, desc: d };
  });
  return desc.segments.map((g): StoredSegment => {
    const block = blocks[g.block]!;
    return {
      rows: (ids = true) => block.rows(ids, g.from, g.from + g.n),
      seen: block.seen.subarray(g.seenFrom, g.seenFrom + g.seen),
      range: { source: block, from: g.from, to: g.from + g.n },
      seenFrom: g.seenFrom,
    };
  });
}

/** Rows (usage lines) a part holds. */
export function partRows(p: CachedPart): number {
  return "packed" in p.events ? p.events.packed.length : p.events.stored.desc.n;
}

/** The columns of a part, whichever form it is in. */
export function partColumns(s: EventSource): PackedColumns {
  return "packed" in s ? s.packed : storedColumns(s.stored);
}

export class ScanCache {
  readonly path: string;
  readonly #dir: string;
  readonly #roots: string[];
  readonly #fingerprint: string;
  readonly #log: (msg: string) => void;
  readonly #files = new Map<string, CachedFile>();
  readonly #ledgers: LedgerDesc[] = [];
  #file: CacheFile | null = null;
  /** bytes of the file that its index refers to (header and index included) */
  #live = 0;

  private constructor(opts: ScanCacheOptions) {
    this.#dir = opts.dir;
    this.#roots = [...opts.roots];
    this.#fingerprint = opts.fingerprint ?? SCAN_FINGERPRINT;
    this.#log = opts.log ?? (() => undefined);
    this.path = scanCachePath(opts.dir, opts.roots);
  }

  /** The cache for these roots as last written, or an empty one (with a note when one was dropped). */
  static open(opts: ScanCacheOptions): ScanCache {
    const cache = new ScanCache(opts);
    cache.#read();
    return cache;
  }

  /** files the cache knows */
  get size(): number {
    return this.#files.size;
  }

  /** The files the cache holds results of, in path order, as they were when read. */
  files(): { path: string; identity: FileIdentity }[] {
    return [...this.#files.values()].map((f) => ({ path: f.path, identity: f.identity })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Whether the cache holds results of `path` (whatever they are worth now). */
  knows(path: string): boolean {
    return this.#files.has(path);
  }

  /**
   * `again`: a writer appending in place (see CacheWriter) may have been putting its header in as
   * this one was read; a header or index that does not hold is read once more before the cache
   * is taken for damaged.
   */
  #read(again = true): void {
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT")
        this.#log(`scan cache ${this.path} unreadable (${(e as NodeJS.ErrnoException).code ?? "error"}); scanning everything`);
      return;
    }
    try {
      const size = fstatSync(fd).size;
      const header = Buffer.alloc(HEADER_BYTES);
      const file = new CacheFile(fd, size, header);
      check(size >= HEADER_BYTES, "not a claude-gauge scan cache");
      header.set(file.read(0, HEADER_BYTES));
      check(header.subarray(0, 8).equals(MAGIC), "not a claude-gauge scan cache");
      const format = header.readUInt32LE(8);
      if (format !== SCAN_CACHE_FORMAT) {
        this.#log(`scan cache made by another version (format ${format}); scanning everything`);
        closeSync(fd);
        return;
      }
      const indexAt = header.readDoubleLE(16);
      const indexLength = header.readDoubleLE(24);
      // the index ends the file, unless a writer is appending (or crashed while it was) after it
      const bounded = isCount(indexAt) && isCount(indexLength) && indexAt >= HEADER_BYTES && indexAt + indexLength <= size;
      const indexBytes = bounded ? file.read(indexAt, indexLength) : Buffer.alloc(0);
      const sound = bounded && sha1(indexBytes) === header.toString("hex", 32, 32 + HASH_BYTES);
      if (!sound && again) {
        closeSync(fd);
        this.#read(false);
        return;
      }
      check(bounded, "index bounds");
      check(sound, "index checksum");
      let raw: unknown;
      try {
        raw = JSON.parse(indexBytes.toString("utf8"));
      } catch {
        throw new Invalid("index JSON");
      }
      const index = checkIndex(raw, indexAt);
      if (index.fingerprint !== this.#fingerprint) {
        this.#log("scan cache made by another release of the scanner; scanning everything");
        closeSync(fd);
        return;
      }
      check(JSON.stringify([...index.roots].sort()) === JSON.stringify([...this.#roots].sort()), "roots");
      let live = HEADER_BYTES + indexLength;
      const part = (p: PartDesc): CachedPart => {
        live += chunkBytes(p.events);
        return {
          events: { stored: { file, desc: p.events } },
          limits: p.limits.map(([timestamp, resetAt]) => ({ timestamp, resetAt })),
          badLines: p.bad.map(([line, error]) => ({ line, error })),
          badLineCount: p.badCount,
        };
      };
      for (const f of index.files) {
        this.#files.set(f.path, {
          path: f.path,
          identity: f.identity,
          consumed: f.consumed,
          lines: f.lines,
          head: f.head,
          tail: f.tail,
          parts: f.parts.map(part),
          partial: f.partial === null ? null : part(f.partial),
        });
      }
      for (const l of index.ledgers) {
        for (const b of l.blocks) live += chunkBytes(b.kept) + valuesBytes(b.values);
        this.#ledgers.push(l);
      }
      this.#file = file;
      this.#live = live;
    } catch (e) {
      closeSync(fd);
      if (!(e instanceof Invalid)) throw e;
      this.#files.clear();
      this.#ledgers.length = 0;
      this.#log(`scan cache ${this.path} is damaged (${e.message}); dropped, scanning everything`);
    }
  }

  /**
   * Reads the whole file now, for a run that needs most of its blocks: one buffer instead of one
   * per block (thousands of small buffers left a restarted daemon holding ~20 MB more).
   */
  readAll(): void {
    this.#file?.readAll();
  }

  /** Lets go of the cache file (blocks not read by now are not read). */
  close(): void {
    this.#file?.close();
  }

  /**
   * Whether the cached results of `path` still hold: the same file unchanged (hit), the same file
   * grown with its old bytes in place (append: read from `consumed`), or anything else (miss).
   */
  plan(path: string, now: FileIdentity): CachePlan {
    const f = this.#files.get(path);
    if (f === undefined) return { kind: "miss" };
    const was = f.identity;
    if (was.dev !== now.dev || was.ino !== now.ino) return { kind: "miss" };
    if (was.size === now.size && was.mtime === now.mtime && was.ctime === now.ctime) return { kind: "hit", file: f };
    if (now.size <= was.size || now.size < f.consumed) return { kind: "miss" };
    try {
      const marks = marksOf(path, f.consumed);
      if (marks.head === f.head && marks.tail === f.tail) return { kind: "append", file: f };
    } catch {
      // unreadable now: the scan will say so
    }
    return { kind: "miss" };
  }

  /**
   * The kept messages a report of `mode` found on exactly these files (`files`, see filesKey)
   * with these prices, one segment per file, or null (none kept, or a block does not hold up).
   */
  savedLedger(mode: LedgerMode, files: string, pricing: string): StoredSegment[] | null {
    const hit = this.#ledgers.find((l) => l.mode === mode && l.files === files && l.pricing === pricing);
    const file = this.#file;
    if (hit === undefined || file === null) return null;
    try {
      return storedSegments(file, hit);
    } catch (e) {
      if (!(e instanceof Invalid) && !(e instanceof RangeError)) throw e;
      this.#log(`scan cache: the saved ${mode} ledger does not hold up (${e.message}); counting again`);
      return null;
    }
  }

  /**
   * A writer for the cache that replaces this one when committed; saved ledgers still valid for
   * `files` carry over. It builds on this file (in place, or on a copy) unless that would keep
   * more bytes no index refers to than bytes it does.
   */
  writer(files: string): CacheWriter {
    const base = this.#file !== null && this.#file.size <= 2 * this.#live ? this.#file : null;
    // dropping the garbage: the live blocks are most of the file, read in one go
    if (base === null) this.#file?.readAll();
    const w = new CacheWriter(this.#dir, this.path, this.#roots, this.#fingerprint, this.#log, base);
    if (this.#file !== null) for (const l of this.#ledgers) if (l.files === files) w.carryLedger(this.#file, l);
    return w;
  }
}

/** Chunk block: numbers, refs, id lengths, string lengths, flags, id bytes, string bytes. */
function packedBlock(p: PackedColumns): { parts: Uint8Array[]; desc: Omit<ChunkDesc, "at" | "sum"> } {
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ids: PackedStrings = p.ids;
  const strings: PackedStrings = p.strings;
  return {
    parts: [...p.numbers.map(bytes), ...p.refs.map(bytes), bytes(ids.lengths), bytes(strings.lengths), bytes(p.flags), bytes(ids.bytes), bytes(strings.bytes)],
    desc: {
      n: p.length,
      ids: { wide: ids.wide, bytes: ids.bytes.byteLength },
      strings: { wide: strings.wide, bytes: strings.bytes.byteLength, count: strings.lengths.length },
      big: p.wide,
    },
  };
}

/**
 * Writes the next cache. Mostly in place: new blocks and the index are appended to the cache
 * file itself (blocks already in it stay where they are, and no byte a reader of the old index
 * uses is touched), then the header is rewritten to point at the new index: one 64-byte write.
 * Writers that append in place take turns by a lock file; one that finds the lock taken, or the
 * file changed since it was read, writes a copy of the old file instead and renames it over,
 * as does one that drops garbage (a new file of the live blocks only). Copying and freeing the
 * old file was a tenth of a report after an append.
 */
export class CacheWriter {
  readonly #final: string;
  readonly #tmp: string;
  readonly #lock: string;
  readonly #roots: string[];
  readonly #fingerprint: string;
  readonly #log: (msg: string) => void;
  readonly #files: FileDesc[] = [];
  readonly #ledgers: LedgerDesc[] = [];
  #fd: number | null = null;
  #at = HEADER_BYTES;
  /** the old cache this file is (or is a copy of): its blocks are in place */
  #base: CacheFile | null = null;
  /** appending to the cache file itself, holding the lock (else writing #tmp) */
  #inPlace = false;
  /**
   * Bytes not yet written, ending at #at: a block is a dozen small parts and a pad, and a write
   * per part was a third of an update's cache write.
   */
  readonly #pending = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  #fill = 0;

  constructor(dir: string, final: string, roots: string[], fingerprint: string, log: (msg: string) => void, base: CacheFile | null) {
    this.#final = final;
    this.#roots = roots;
    this.#fingerprint = fingerprint;
    this.#log = log;
    this.#tmp = `${final}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    this.#lock = `${final}${LOCK_SUFFIX}`;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (base !== null && (this.#onto(base) || this.#copyOf(base))) return;
      this.#fd = openSync(this.#tmp, "wx", 0o600);
      writeSync(this.#fd, Buffer.alloc(HEADER_BYTES), 0, HEADER_BYTES, 0);
    } catch (e) {
      this.#fail(e);
    }
  }

  /**
   * Appends to the old cache file itself; false when another writer holds the lock or the file
   * is no longer the one read (another writer's cache was put in place since).
   */
  #onto(base: CacheFile): boolean {
    if (!takeLock(this.#lock)) return false;
    try {
      const fd = openSync(this.#final, "r+");
      if (isFileOf(fd, base)) {
        this.#fd = fd;
        this.#at = base.size;
        this.#base = base;
        this.#inPlace = true;
        return true;
      }
      closeSync(fd);
    } catch {
      // gone or unwritable: the copy is tried next
    }
    removeQuietly(this.#lock);
    return false;
  }

  /**
   * Starts from a copy of the old cache; false when it cannot be had (then every block is written).
   * Another writer may have put its cache in place since `base` was read: the copy is only used
   * when its header, which holds the checksum of the index, is the one read.
   */
  #copyOf(base: CacheFile): boolean {
    try {
      // a reflink where the file system has them (btrfs, XFS, APFS): no byte is copied at all
      copyFileSync(this.#final, this.#tmp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      const fd = openSync(this.#tmp, "r+");
      if (!isFileOf(fd, base)) {
        closeSync(fd);
        removeQuietly(this.#tmp);
        return false;
      }
      this.#fd = fd;
      this.#at = base.size;
      this.#base = base;
      return true;
    } catch {
      removeQuietly(this.#tmp);
      return false;
    }
  }

  #fail(e: unknown): void {
    this.#drop();
    this.#log(`scan cache not written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }

  /** Leaves the old cache as it was: the temporary copy removed, or what was appended in place cut off. */
  #drop(): void {
    const fd = this.#fd;
    this.#fd = null;
    if (!this.#inPlace) {
      if (fd !== null) closeSync(fd);
      removeQuietly(this.#tmp);
      return;
    }
    try {
      // nothing refers to the bytes after the old end: the header still points at the old index
      if (fd !== null) ftruncateSync(fd, this.#base!.size);
    } catch {
      // left as garbage after the index; dropped at the next compaction
    } finally {
      if (fd !== null) closeSync(fd);
      removeQuietly(this.#lock);
    }
  }

  #write(bytes: Uint8Array, hash: ReturnType<typeof createHash> | null): void {
    if (this.#fd === null) return;
    hash?.update(bytes);
    const n = bytes.byteLength;
    if (this.#fill + n > this.#pending.length) this.#flush();
    if (n >= this.#pending.length) writeAll(this.#fd, bytes, this.#at);
    else {
      this.#pending.set(bytes, this.#fill);
      this.#fill += n;
    }
    this.#at += n;
  }

  /** Writes what is pending (it ends at #at). */
  #flush(): void {
    if (this.#fd !== null && this.#fill > 0) writeAll(this.#fd, this.#pending.subarray(0, this.#fill), this.#at - this.#fill);
    this.#fill = 0;
  }

  /** Pads to 8 (blocks start 8-aligned, so a reader can view their numbers in place); returns the offset. */
  #align(): number {
    const pad = (8 - (this.#at % 8)) % 8;
    if (pad > 0) this.#write(new Uint8Array(pad), null);
    return this.#at;
  }

  #block(source: EventSource): ChunkDesc {
    if ("stored" in source && source.stored.file === this.#base) return source.stored.desc;
    const at = this.#align();
    if ("stored" in source) {
      const { file, desc } = source.stored;
      // copied as it is, checksum included: a damaged block stays detectable where it is used
      this.#write(file.read(desc.at, chunkBytes(desc)), null);
      return { ...desc, at };
    }
    const { parts, desc } = packedBlock(source.packed);
    const hash = createHash(HASH);
    for (const p of parts) this.#write(p, hash);
    return { ...desc, at, sum: hash.digest("hex") };
  }

  /** Writes rows and their id hashes as one block of a saved ledger. */
  #ledgerBlock(rows: SegmentRows, seen: Uint32Array): LedgerBlockDesc {
    const kept = this.#block({ packed: packColumns(rows.parts) });
    const at = this.#align();
    const n = rows.parts.length;
    const values = new Float64Array(2 * n + Math.ceil(seen.length / 2));
    values.set(rows.cost.subarray(0, n), 0);
    values.set(rows.thinking.subarray(0, n), n);
    new Uint32Array(values.buffer, 16 * n, seen.length).set(seen);
    const bytes = new Uint8Array(values.buffer, 0, 16 * n + 4 * seen.length);
    this.#write(bytes, null);
    return { kept, values: { at, n, seen: seen.length, sum: sha1(bytes) } };
  }

  /**
   * A block of a saved ledger of the old cache in this file: where it is, or copied as it is,
   * checksums included (a damaged block stays detectable where it is used, as #block's copies do).
   */
  #keptBlock(file: CacheFile, desc: LedgerBlockDesc): LedgerBlockDesc {
    if (file === this.#base) return desc;
    const kept = this.#block({ stored: { file, desc: desc.kept } });
    const at = this.#align();
    this.#write(file.read(desc.values.at, valuesBytes(desc.values)), null);
    return { kept, values: { ...desc.values, at } };
  }

  /**
   * A saved ledger's blocks and segments: segments read from the old cache keep their blocks, and
   * each run of the others is written as one new block; when that would make more than
   * MAX_LEDGER_BLOCKS blocks, all are written anew as one.
   */
  #ledger(segments: readonly Segment[]): Pick<LedgerDesc, "blocks" | "segments"> {
    const stored = (g: Segment | undefined): g is StoredSegment => g !== undefined && "seenFrom" in g;
    let count = 0;
    const old = new Set<StoredBlock>();
    for (const [i, g] of segments.entries()) {
      if (stored(g)) old.add(g.range.source);
      else if (i === 0 || stored(segments[i - 1])) count++;
    }
    const keep = old.size + count <= MAX_LEDGER_BLOCKS;
    const blocks: LedgerBlockDesc[] = [];
    const index = new Map<StoredBlock, number>();
    const out: SegmentDesc[] = [];
    let run: Segment[] = [];
    const flush = () => {
      if (run.length === 0) return;
      let m = 0;
      for (const g of run) m += g.seen.length;
      const seen = new Uint32Array(m);
      let from = 0;
      let seenFrom = 0;
      for (const g of run) {
        const n = "range" in g ? g.range.to - g.range.from : g.saved.columns.length;
        out.push({ block: blocks.length, from, n, seenFrom, seen: g.seen.length });
        seen.set(g.seen, seenFrom);
        from += n;
        seenFrom += g.seen.length;
      }
      const runs = rowRuns(run, true);
      let rows = runs[0]!;
      if (runs.length > 1) {
        const joined = joinSegments(runs);
        rows = { parts: joined.columns.parts(), cost: joined.cost, thinking: joined.thinking };
      }
      blocks.push(this.#ledgerBlock(rows, seen));
      run = [];
    };
    for (const g of segments) {
      if (!(keep && stored(g))) {
        run.push(g);
        continue;
      }
      flush();
      const { source: block, from, to } = g.range;
      const { seenFrom } = g;
      let b = index.get(block);
      if (b === undefined) {
        b = blocks.length;
        blocks.push(this.#keptBlock(block.file, block.desc));
        index.set(block, b);
      }
      out.push({ block: b, from, n: to - from, seenFrom, seen: g.seen.length });
    }
    flush();
    return { blocks, segments: out };
  }

  /** Keeps a saved ledger of the old cache (its files did not change). */
  carryLedger(file: CacheFile, desc: LedgerDesc): void {
    if (this.#fd === null) return;
    try {
      // copied as they are, not read: a damaged block must not cost the whole cache its write
      this.#ledgers.push({ ...desc, blocks: desc.blocks.map((b) => this.#keptBlock(file, b)) });
    } catch (e) {
      this.#fail(e);
    }
  }

  /**
   * Adds the kept messages of a report of `mode` on the files `files` (see filesKey), priced by
   * `pricing`: one segment per file, in their order.
   */
  addLedger(mode: LedgerMode, files: string, pricing: string, segments: readonly Segment[]): void {
    if (this.#fd === null) return;
    try {
      const desc = this.#ledger(segments);
      const others = this.#ledgers.filter((l) => l.mode !== mode);
      this.#ledgers.length = 0;
      this.#ledgers.push(...others, { mode, files, pricing, ...desc });
    } catch (e) {
      this.#fail(e);
    }
  }

  #part(p: CachedPart): PartDesc {
    return {
      events: this.#block(p.events),
      limits: p.limits.map((l): [number, number] => [l.timestamp, l.resetAt]),
      bad: p.badLines.map((b): [number, string] => [b.line, b.error.slice(0, MAX_ERROR_CHARS)]),
      badCount: p.badLineCount,
    };
  }

  add(f: CachedFile): void {
    if (this.#fd === null) return;
    try {
      this.#files.push({
        path: f.path,
        identity: f.identity,
        consumed: f.consumed,
        lines: f.lines,
        head: f.head,
        tail: f.tail,
        parts: f.parts.map((p) => this.#part(p)),
        partial: f.partial === null ? null : this.#part(f.partial),
      });
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Puts the new cache in place of the old one (atomically), and drops caches of long-unused root sets. */
  commit(): void {
    if (this.#fd === null) return;
    try {
      const indexAt = this.#align();
      const index: Index = { fingerprint: this.#fingerprint, roots: this.#roots, files: this.#files, ledgers: this.#ledgers };
      const json = Buffer.from(JSON.stringify(index), "utf8");
      this.#write(json, null);
      this.#flush();
      const header = Buffer.alloc(HEADER_BYTES);
      MAGIC.copy(header, 0);
      header.writeUInt32LE(SCAN_CACHE_FORMAT, 8);
      header.writeDoubleLE(indexAt, 16);
      header.writeDoubleLE(json.length, 24);
      header.write(sha1(json), 32, HASH_BYTES, "hex");
      // in place, this one write makes the new index the cache's: before it, readers find the old one
      writeSync(this.#fd, header, 0, HEADER_BYTES, 0);
      closeSync(this.#fd);
      this.#fd = null;
      if (this.#inPlace) removeQuietly(this.#lock);
      else renameSync(this.#tmp, this.#final);
    } catch (e) {
      this.#fail(e);
      return;
    }
    sweep(join(this.#final, ".."), this.#final);
  }

  /** Leaves the old cache as it was (nothing changed, or the scan failed). */
  abort(): void {
    if (this.#fd === null) return;
    this.#drop();
  }
}

/** Whether `fd` holds the cache `base` was read from: the same header (it holds the index's checksum) and size. */
function isFileOf(fd: number, base: CacheFile): boolean {
  const header = Buffer.alloc(HEADER_BYTES);
  return readSync(fd, header, 0, HEADER_BYTES, 0) === HEADER_BYTES && header.equals(base.header) && fstatSync(fd).size === base.size;
}

function writeAll(fd: number, bytes: Uint8Array, at: number): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done, at + done);
}

/**
 * The lock of writers that append in place: a file created exclusively, holding the writer's
 * process id. Two writers appending at once would write over each other's blocks, so a lock is
 * only taken over once its writer is gone (or after STALE_LOCK_MS, for a writer on another host
 * sharing the folder).
 */
function takeLock(path: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || !lockIsStale(path)) return false;
      removeQuietly(path);
    }
  }
  return false;
}

/** Whether a lock's writer is gone: its process does not exist, or the lock is older than STALE_LOCK_MS. */
function lockIsStale(path: string): boolean {
  try {
    if (Date.now() - statSync(path).mtimeMs > STALE_LOCK_MS) return true;
    const pid = Number(readFileSync(path, "latin1"));
    if (!Number.isSafeInteger(pid) || pid <= 0) return false; // being written this moment
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // the folder is not there or not ours to change: nothing was left behind in it
  }
}

/**
 * Keeps the KEEP_CACHES most recently written caches (with their saved report answers), drops
 * answers whose cache is gone and removes crashed writers' temporary files.
 */
function sweep(dir: string, keep: string): void {
  try {
    const now = Date.now();
    const names = readdirSync(dir).filter((n) => n.startsWith("scan-"));
    const caches: { path: string; mtime: number }[] = [];
    for (const name of names) {
      const path = join(dir, name);
      if (name.endsWith(LOCK_SUFFIX)) {
        if (lockIsStale(path)) rmSync(path, { force: true });
      } else if (name.endsWith(".tmp")) {
        if (now - statSync(path).mtimeMs > STALE_TEMP_MS) rmSync(path, { force: true });
      } else if (name.endsWith(".bin") && path !== keep) caches.push({ path, mtime: statSync(path).mtimeMs });
    }
    caches.sort((a, b) => b.mtime - a.mtime);
    const kept = new Set([keep, ...caches.slice(0, KEEP_CACHES - 1).map((c) => c.path)]);
    for (const c of caches.slice(KEEP_CACHES - 1)) rmSync(c.path, { force: true });
    for (const name of names) {
      if (name.endsWith(ANSWERS_SUFFIX) && !kept.has(join(dir, `${name.slice(0, -ANSWERS_SUFFIX.length)}.bin`))) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // another process swept at the same time, or the folder is unreadable: not our problem now
  }
}
