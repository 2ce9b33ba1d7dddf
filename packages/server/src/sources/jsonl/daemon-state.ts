import crypto from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { LedgerState, WindowsState } from "@claude-gauge/core";
import { type LimitNotice, UsageColumns } from "@claude-gauge/core/decode";
import { cacheStem, LEDGER_FINGERPRINT, PRICING_FINGERPRINT, SCAN_FINGERPRINT } from "./cache-keys.js";
import { packColumns, packStringsInPieces, unpackColumns, type PackedColumns } from "./column-pack.js";
import type { ResumePoint } from "./load.js";

/**
 * The daemon's saved state: its transcript ledger (MessageLedger.state(): the kept messages and
 * how it finds them) and where it stands in each file it follows, taken at one moment. A restart
 * takes the ledger back and follows each file from there, instead of adding every line of the
 * history to a new ledger (a 1 GiB history: 163k lines, 67k messages). The state is written when
 * the daemon stops and every half hour while it changes, so a daemon killed outright leaves one
 * a little older, which is still whole: the lines written since are read as new.
 *
 * One file per set of transcript roots beside the scan cache: a fixed header (magic, format, the
 * length and SHA-1 of the rest), a JSON part, then the columns' buffers, each 8-aligned. Everything
 * read back is checked; a state that fails is dropped with a note naming what failed, and the
 * daemon starts through the scan cache instead.
 */

/** Layout of the file; a change makes older states unreadable (the daemon starts without them). */
const FORMAT = 1;
const MAGIC = Buffer.from("cg-state", "latin1");
const HEADER_BYTES = 64;

/**
 * What must match for a state to be taken back: the decoder (what a line yields), the prices (the
 * state holds costs) and the deduplication rules (the state holds their indexes).
 */
export const STATE_FINGERPRINT = `${SCAN_FINGERPRINT}/${PRICING_FINGERPRINT}/${LEDGER_FINGERPRINT}`;

export interface DaemonState {
  roots: string[];
  /** ms since epoch, when it was taken */
  savedAt: number;
  ledger: LedgerState;
  /** by path */
  positions: Map<string, ResumePoint>;
  /** the newest limit notices read (the windows use those of the last 5 h) */
  limits: LimitNotice[];
  /** the windows fed this ledger (WindowEngine.state, checked when taken back), when the daemon had them */
  windows: WindowsState | null;
}

/** The daemon state file of these roots in the cache folder. */
export function daemonStatePath(dir: string, roots: readonly string[]): string {
  return join(dir, `${cacheStem(roots)}.state`);
}

/** A state that does not hold up: dropped, the daemon starts without it. */
export class StateInvalid extends Error {}

function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new StateInvalid(what);
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const pad8 = (n: number): number => (n + 7) & ~7;

/** A run of bytes of the file: its length, and how to hand them out (in one piece or several). */
interface Piece {
  bytes: number;
  write(out: (b: Uint8Array) => void): void;
}

const whole = (b: ArrayBufferView): Piece => ({
  bytes: b.byteLength,
  write: (out) => out(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
});

/**
 * Writes `state` to `path` through a temporary file and a rename (a reader sees the old state or
 * the new one). The columns go out as they are, views of the ledger's own (see
 * MessageLedger.state), the ids through a small buffer: a save copies nothing large.
 */
export function writeDaemonState(path: string, state: DaemonState, fingerprint = STATE_FINGERPRINT): void {
  const { ledger } = state;
  const columns = ledger.kept.columns.view();
  // every part but the ids, which go out in pieces
  const packed = packColumns({ ...columns, messageIds: [], requestIds: [] });
  const ids = packStringsInPieces([columns.messageIds, columns.requestIds]);
  const pieces: Piece[] = [
    ...[...packed.numbers, ...packed.refs, packed.flags].map(whole),
    { bytes: ids.byteLength, write: ids.write },
    whole(ids.lengths),
    ...[packed.strings.bytes, packed.strings.lengths, ledger.kept.cost, ledger.kept.thinking, ledger.createdIn].map(whole),
  ];
  const positions = [...state.positions].map(([path, p]) => [
    path,
    p.offset,
    p.lineNo,
    p.ino,
    p.size,
    p.mtimeMs,
    p.tail === null ? null : typeof p.tail === "string" ? `h${p.tail}` : `b${p.tail.toString("base64")}`,
    p.counted?.bytes ?? null,
    p.counted?.digest ?? null,
  ]);
  const json = Buffer.from(
    JSON.stringify({
      format: FORMAT,
      fingerprint,
      roots: state.roots,
      savedAt: state.savedAt,
      mode: ledger.mode,
      version: ledger.version,
      rows: packed.length,
      idsWide: ids.wide,
      stringsWide: packed.strings.wide,
      wide: packed.wide,
      buffers: pieces.map((b) => b.bytes),
      createdRequests: ledger.createdRequests,
      keys: ledger.keys,
      links: ledger.links,
      positions,
      limits: state.limits.map((n) => [n.timestamp, n.resetAt]),
      windows: state.windows,
    }),
    "utf8",
  );
  mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
  // one name, not one per process: a save cut off by a second signal leaves no file behind the
  // next save does not overwrite (two daemons on the same roots writing at once fail the checksum)
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    const hash = crypto.createHash("sha1");
    let at = HEADER_BYTES;
    const out = (b: Uint8Array): void => {
      hash.update(b);
      for (let done = 0; done < b.byteLength; ) done += writeSync(fd, b, done, b.byteLength - done, at + done);
      at += b.byteLength;
    };
    const zeros = Buffer.alloc(8);
    out(json);
    out(zeros.subarray(0, pad8(json.length) - json.length));
    for (const p of pieces) {
      p.write(out);
      out(zeros.subarray(0, pad8(p.bytes) - p.bytes));
    }
    // the header last, at the front: its checksum covers everything after it
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header, 0);
    header.writeUInt32LE(FORMAT, 8);
    header.writeUInt32LE(json.length, 12);
    header.write(hash.digest("hex"), 16, "latin1");
    writeSync(fd, header, 0, HEADER_BYTES, 0);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/**
 * The state saved at `path` for these roots, or null when there is none; throws StateInvalid
 * naming what does not hold (the file, its checksum, a field) — never a value from it.
 */
export function readDaemonState(path: string, roots: readonly string[], fingerprint = STATE_FINGERPRINT): DaemonState | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new StateInvalid(`unreadable (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  try {
    return readOpenState(fd, roots, fingerprint);
  } finally {
    closeSync(fd);
  }
}

function readOpenState(fd: number, roots: readonly string[], fingerprint: string): DaemonState {
  const size = fstatSync(fd).size;
  let at = 0;
  // Each buffer is read into its own memory, hashed on the way: no copy of the whole file (a
  // view into one would keep all of it alive for months, and a copy out of it costs a pass).
  const hash = crypto.createHash("sha1");
  const read = (into: Uint8Array): void => {
    for (let got = 0; got < into.length; ) {
      const n = readSync(fd, into, got, into.length - got, at + got);
      check(n > 0, "shorter than its size");
      got += n;
    }
    at += into.length;
  };
  check(size >= HEADER_BYTES, "not a claude-gauge state");
  const header = Buffer.alloc(HEADER_BYTES);
  read(header);
  check(header.subarray(0, 8).equals(MAGIC), "not a claude-gauge state");
  check(header.readUInt32LE(8) === FORMAT, "made by another version");
  const jsonLength = header.readUInt32LE(12);
  check(HEADER_BYTES + pad8(jsonLength) <= size && header.subarray(56).every((b) => b === 0), "header");
  const jsonPart = Buffer.alloc(pad8(jsonLength));
  read(jsonPart);
  hash.update(jsonPart);
  let raw: unknown;
  try {
    raw = JSON.parse(jsonPart.toString("utf8", 0, jsonLength));
  } catch {
    throw new StateInvalid("JSON part");
  }
  check(typeof raw === "object" && raw !== null && !Array.isArray(raw), "JSON part");
  const o = raw as Record<string, unknown>;
  check(Array.isArray(o["buffers"]) && (o["buffers"] as unknown[]).length === 20 && (o["buffers"] as unknown[]).every(isCount), "buffers");
  const lengths = o["buffers"] as number[];
  check(lengths.reduce((sum, b) => sum + pad8(b), at) === size, "buffers");
  const buffers = lengths.map((bytes) => {
    const b = new ArrayBuffer(bytes);
    read(new Uint8Array(b));
    hash.update(new Uint8Array(b));
    const pad = Buffer.alloc(pad8(bytes) - bytes);
    read(pad);
    hash.update(pad);
    return b;
  });
  check(hash.digest("hex") === header.toString("latin1", 16, 56), "checksum");

  check(o["format"] === FORMAT, "format");
  check(o["fingerprint"] === fingerprint, "made by another build");
  // the same set in any order, as the file's name (cacheStem) takes them
  const sorted = (list: readonly unknown[]): string => JSON.stringify([...list].sort());
  check(Array.isArray(o["roots"]) && sorted(o["roots"] as unknown[]) === sorted(roots), "roots");
  check(typeof o["savedAt"] === "number" && Number.isFinite(o["savedAt"]), "savedAt");
  check(o["mode"] === "session" || o["mode"] === "daily", "mode");
  check(isCount(o["version"]), "version");
  check(isCount(o["rows"]), "rows");
  check(typeof o["idsWide"] === "boolean" && typeof o["stringsWide"] === "boolean", "idsWide");
  check(Array.isArray(o["wide"]) && (o["wide"] as unknown[]).every(Array.isArray), "wide");
  const n = o["rows"] as number;

  const f64 = (i: number, len: number): Float64Array => {
    check(buffers[i]!.byteLength === len * 8, "a number column of another length");
    return new Float64Array(buffers[i]!);
  };
  const i32 = (i: number, len: number): Int32Array => {
    check(buffers[i]!.byteLength === len * 4, "an index column of another length");
    return new Int32Array(buffers[i]!);
  };
  const u8 = (i: number): Uint8Array => new Uint8Array(buffers[i]!);
  const numbers = Array.from({ length: 8 }, (_, k) => f64(k, n));
  const refs = Array.from({ length: 4 }, (_, k) => i32(8 + k, n));
  const flags = u8(12);
  const idBytes = u8(13);
  const idLengths = i32(14, 2 * n);
  const stringBytes = u8(15);
  check(buffers[16]!.byteLength % 4 === 0, "string table");
  const stringLengths = new Int32Array(buffers[16]!);
  const cost = f64(17, n);
  const thinking = f64(18, n);
  const createdIn = i32(19, n);

  let columns: UsageColumns;
  try {
    const parts = unpackColumns(
      {
        length: n,
        numbers,
        refs,
        flags,
        ids: { bytes: idBytes, wide: o["idsWide"] as boolean, lengths: idLengths },
        strings: { bytes: stringBytes, wide: o["stringsWide"] as boolean, lengths: stringLengths },
        wide: o["wide"] as PackedColumns["wide"],
      },
      // the daemon keeps these ids for months: each its own string, not a slice of all of them
      "each",
    );
    columns = UsageColumns.fromParts(parts);
  } catch {
    throw new StateInvalid("columns");
  }

  const ledger: LedgerState = {
    mode: o["mode"] as LedgerState["mode"],
    version: o["version"] as number,
    kept: { columns, cost, thinking },
    createdIn,
    createdRequests: checkPairs(o["createdRequests"], "createdRequests", (v) => v === null || typeof v === "string") as [number, string | null][],
    keys: checkKeys(o["keys"]),
    links: checkLinks(o["links"]),
  };
  return {
    roots: [...roots],
    savedAt: o["savedAt"] as number,
    ledger,
    positions: checkPositions(o["positions"]),
    limits: checkLimits(o["limits"]),
    windows: checkWindows(o["windows"]),
  };
}

function checkPairs(v: unknown, what: string, second: (x: unknown) => boolean): [number, unknown][] {
  check(Array.isArray(v), what);
  for (const p of v as unknown[]) check(Array.isArray(p) && p.length === 2 && isCount(p[0]) && second(p[1]), what);
  return v as [number, unknown][];
}

/** [a string, a row]: a key's row, or a session's row in a link */
const isNamedRow = (p: unknown): boolean => Array.isArray(p) && p.length === 2 && typeof p[0] === "string" && isCount(p[1]);

function checkKeys(v: unknown): [string, number][] {
  check(Array.isArray(v), "keys");
  for (const p of v as unknown[]) check(isNamedRow(p), "keys");
  return v as [string, number][];
}

function checkLinks(v: unknown): [number, [string, number][]][] {
  checkPairs(v, "links", Array.isArray);
  for (const [, pairs] of v as [number, unknown[]][]) for (const p of pairs) check(isNamedRow(p), "links");
  return v as [number, [string, number][]][];
}

function checkPositions(v: unknown): Map<string, ResumePoint> {
  check(Array.isArray(v), "positions");
  const out = new Map<string, ResumePoint>();
  for (const p of v as unknown[]) {
    check(Array.isArray(p) && p.length === 9, "positions");
    const [path, offset, lineNo, ino, size, mtimeMs, tail, countedBytes, countedDigest] = p as unknown[];
    check(typeof path === "string" && path.length > 0 && !out.has(path), "positions: path");
    check(isCount(offset) && isCount(lineNo) && lineNo >= 1 && isCount(size) && typeof mtimeMs === "number" && Number.isFinite(mtimeMs), "positions: offsets");
    check(ino === null || (typeof ino === "string" && /^\d{1,20}$/.test(ino)), "positions: ino");
    check(tail === null || (typeof tail === "string" && (tail.startsWith("h") || tail.startsWith("b"))), "positions: mark");
    const counted = countedBytes === null && countedDigest === null ? null : { bytes: countedBytes, digest: countedDigest };
    check(counted === null || (isCount(counted.bytes) && counted.bytes > 0 && typeof counted.digest === "string"), "positions: counted line");
    out.set(path, {
      offset,
      lineNo,
      ino,
      size,
      mtimeMs,
      tail: tail === null ? null : tail.startsWith("h") ? tail.slice(1) : Buffer.from(tail.slice(1), "base64"),
      counted: counted as { bytes: number; digest: string } | null,
    });
  }
  return out;
}

/** An object or nothing: its parts are checked where they are taken back (WindowEngine.resume). */
function checkWindows(v: unknown): WindowsState | null {
  check(v === undefined || v === null || (typeof v === "object" && !Array.isArray(v)), "windows");
  return (v ?? null) as WindowsState | null;
}

function checkLimits(v: unknown): LimitNotice[] {
  check(Array.isArray(v), "limits");
  return (v as unknown[]).map((p) => {
    check(Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === "number" && Number.isFinite(x)), "limits");
    return { timestamp: p[0] as number, resetAt: p[1] as number };
  });
}
