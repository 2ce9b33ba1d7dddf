import { isUtf8 } from "node:buffer";
import { closeSync, openSync, readSync } from "node:fs";

/**
 * Bytes read per syscall. Small enough that a chunk is still in the CPU cache when it is searched,
 * and that a scan holds a bounded amount whatever the file size.
 */
const CHUNK = 1 << 20;
/** A single line longer than this is skipped (and reported) instead of being held in memory. */
export const MAX_LINE_BYTES = 64 << 20;

const NL = 0x0a;
// Limit notices are synthetic assistant lines and carry a (zero) usage object too: one marker finds
// both, as in ccusage, which reads reset times only from lines that pass this same filter.
// Searched without its leading quote, whose byte is the commonest in JSON (a slow start for the
// search); the quote is checked after a hit.
const USAGE_TAIL = Buffer.from('usage":{');

export interface CandidateLine {
  /** the line, decoded as latin1 for candidates (see decodeLatin1) and as UTF-8 with `all` */
  text: string;
  /** the same line decoded as UTF-8 */
  utf8: () => string;
  /** 1-based line number in the file */
  lineNo: number;
  /** byte offset of the line start */
  offset: number;
}

export interface ScanResult {
  /** bytes consumed up to the last complete line (where a tail continues) */
  consumed: number;
  /** an unterminated last line was present (held back by a tail, parsed by a batch scan) */
  partial: boolean;
  /** lines skipped for exceeding MAX_LINE_BYTES, as 1-based numbers */
  oversized: number[];
  /** usage lines skipped for bytes that are not UTF-8 (ccusage drops them), as 1-based numbers */
  invalidUtf8: number[];
  /** 1-based number of the line that starts at `consumed` (where a tail continues) */
  nextLine: number;
}

/** The lines the scanner skipped itself, with why (no field values: only the reason). */
export function skippedLines(r: Pick<ScanResult, "oversized" | "invalidUtf8">): { line: number; error: string }[] {
  return [
    ...r.oversized.map((line) => ({ line, error: "line too long, skipped" })),
    ...r.invalidUtf8.map((line) => ({ line, error: "invalid UTF-8, skipped" })),
  ];
}

export interface RangeOptions {
  /** byte offset to start at (default 0); see `align` */
  start?: number;
  /** lines starting at or after this byte offset are left to the next range (default: the end) */
  stop?: number;
  /** number of the first line offered (default 1) */
  startLine?: number;
  /** `start` may fall inside a line: begin after the next newline (parallel ranges of one file) */
  align?: boolean;
  /** also offer an unterminated last line (batch reports; ccusage parses it too) */
  includePartial?: boolean;
  maxLineBytes?: number;
  /** offer every non-empty line, not only the ones that can carry usage */
  all?: boolean;
}

/** What a range scan saw (line numbers count from the range's startLine). */
export interface RangeResult extends ScanResult {
  /** lines that start in the range, an unterminated last one included */
  lines: number;
  /** offset after the last byte of the range's lines that was read (an unterminated last line's end) */
  end: number;
}

/**
 * The buffer a line is offered in: `buf[from, to)` is the line without its newline. Valid only
 * during the call (the buffer is reused).
 */
export type LineSink = (buf: Buffer, from: number, to: number, lineNo: number, offset: number) => void;

let shared: Buffer | null = null;
/** One read buffer per thread for all scans (they are synchronous, so never interleave). */
function takeBuffer(): Buffer {
  const b = shared ?? Buffer.allocUnsafe(CHUNK);
  shared = null;
  return b;
}
function giveBack(b: Buffer): void {
  // A buffer grown for one long line is dropped rather than held for the life of the process.
  if (b.length === CHUNK) shared = b;
}

const NORMAL = 0;
/** before the first line that starts in an aligned range */
const FINDING_START = 1;
/** inside a line longer than maxLineBytes */
const SKIPPING_LONG = 2;

/**
 * Reads the lines of `path` that start in [start, stop), in bounded chunks, and offers the ones
 * that can carry usage (or every line, with `all`) to `sink`. Lines longer than maxLineBytes are
 * skipped and listed. Synchronous on purpose: a scan is CPU-bound and each read is one chunk.
 */
export function scanRange(path: string, sink: LineSink, opts: RangeOptions = {}): RangeResult {
  const maxLine = opts.maxLineBytes ?? MAX_LINE_BYTES;
  const stop = opts.stop ?? Number.POSITIVE_INFINITY;
  const all = opts.all === true;
  const firstLine = opts.startLine ?? 1;
  const oversized: number[] = [];
  const invalidUtf8: number[] = [];
  let lineNo = firstLine;
  /** file offset of buf[0] */
  let base = opts.start ?? 0;
  let mode = NORMAL;
  if (opts.align && base > 0) {
    base -= 1; // a line starts at `start` only when the byte before it is a newline
    mode = FINDING_START;
  }
  let fill = 0;
  let partial = false;
  /** offset of the first byte after the last complete line of the range */
  let consumed = base;
  let end = -1;
  let buf = takeBuffer();
  const marker = new MarkerSearch();
  const fd = openSync(path, "r");
  try {
    for (;;) {
      if (fill === buf.length) {
        // the buffer holds one unfinished line: grow it up to the line limit, else skip the line
        if (mode === NORMAL && buf.length <= maxLine) {
          const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxLine + 1));
          buf.copy(bigger, 0, 0, fill);
          buf = bigger;
        } else {
          if (mode === NORMAL) {
            oversized.push(lineNo);
            mode = SKIPPING_LONG;
          }
          base += fill;
          fill = 0;
        }
      }
      const n = readSync(fd, buf, fill, buf.length - fill, base + fill);
      // one view per read (not per line), so no search runs into the bytes of an earlier read
      marker.reset(buf.subarray(0, fill + n));
      const eof = n === 0;
      fill += n;
      let s = 0;
      if (mode !== NORMAL) {
        const nl = buf.indexOf(NL);
        if (nl === -1 || nl >= fill) {
          base += fill;
          fill = 0;
          if (eof) {
            // an oversized last line without a newline counts as read; no line starts in this range
            if (mode === SKIPPING_LONG) lineNo++;
            consumed = base;
            break;
          }
          continue;
        }
        if (mode === SKIPPING_LONG) lineNo++;
        mode = NORMAL;
        s = nl + 1;
      }
      let finished = false;
      for (;;) {
        if (base + s >= stop) {
          finished = true;
          break;
        }
        const nl = buf.indexOf(NL, s);
        if (nl === -1 || nl >= fill) break;
        offer(buf, s, nl, lineNo, base + s, all, sink, invalidUtf8, marker);
        lineNo++;
        s = nl + 1;
      }
      consumed = base + s;
      if (finished) break;
      if (eof) {
        if (fill > s) {
          partial = true;
          if (opts.includePartial) offer(buf, s, fill, lineNo, base + s, all, sink, invalidUtf8, marker);
          lineNo++;
        }
        end = base + fill;
        break;
      }
      if (s > 0) {
        // keep the unfinished line at the front of the buffer and read after it
        buf.copy(buf, 0, s, fill);
        base += s;
        fill -= s;
      }
    }
  } finally {
    closeSync(fd);
    giveBack(buf);
  }
  return { consumed, partial, oversized, invalidUtf8, nextLine: partial ? lineNo - 1 : lineNo, lines: lineNo - firstLine, end: Math.max(end, consumed) };
}

/**
 * Lines at least this long are first classified by their head: most transcript bytes are user
 * lines carrying tool results, and Claude Code writes `"type":"user","message":{"role":"user"`
 * in their first few hundred bytes. A user message never carries `message.usage`, so such a line
 * cannot count (ccusage parses it and drops it); skipping it unread is the big saving of a scan.
 */
const CLASSIFY_MIN_BYTES = 2048;
const HEAD_BYTES = 1024;
const USER_HEAD = Buffer.from('"type":"user","message":{"role":"user"');
const SNAPSHOT_HEAD = Buffer.from('{"type":"file-history-snapshot"');

function cannotCarryUsage(buf: Buffer, s: number, e: number): boolean {
  if (e - s < CLASSIFY_MIN_BYTES) return false;
  const head = buf.subarray(s, s + HEAD_BYTES);
  return head.indexOf(USER_HEAD) !== -1 || head.indexOf(SNAPSHOT_HEAD) === 0;
}

/**
 * Finds the usage marker `"usage":{` line by line in one buffer without a Buffer view per line (an
 * object each, for every line of every file): a search runs forward from a line's start and its
 * hit is kept for the lines after it, so each byte is searched about once. Lines are asked in
 * order; `reset` with the buffer's filled part whenever its bytes change.
 */
class MarkerSearch {
  #filled: Buffer = Buffer.alloc(0);
  /** where the tail of the next marker candidate starts, at or after the last search's start; Infinity: none */
  #next = -1;

  reset(filled: Buffer): void {
    this.#filled = filled;
    this.#next = -1;
  }

  /** Whether filled[s, e) holds the marker. */
  holds(s: number, e: number): boolean {
    const buf = this.#filled;
    if (this.#next < s + 1) this.#next = tailAt(buf, s + 1);
    while (this.#next + USAGE_TAIL.length <= e) {
      if (buf[this.#next - 1] === 0x22) return true;
      this.#next = tailAt(buf, this.#next + 1);
    }
    return false;
  }
}

function tailAt(buf: Buffer, from: number): number {
  const at = buf.indexOf(USAGE_TAIL, from);
  return at === -1 ? Number.POSITIVE_INFINITY : at;
}

/** Whether buf[s, e) holds the usage marker `"usage":{`. */
export function holdsUsageMarker(buf: Buffer, s: number, e: number): boolean {
  const marker = new MarkerSearch();
  marker.reset(buf);
  return marker.holds(s, e);
}

function offer(
  buf: Buffer,
  s: number,
  e: number,
  lineNo: number,
  offset: number,
  all: boolean,
  sink: LineSink,
  invalidUtf8: number[],
  marker: MarkerSearch,
): void {
  if (e === s) return;
  // The head test first: it spares the marker search over huge tool-result lines.
  const usage = (all || !cannotCarryUsage(buf, s, e)) && marker.holds(s, e);
  // ccusage's parser rejects a whole line that is not UTF-8; its text never reaches the decoder
  if (usage && !isUtf8(buf.subarray(s, e))) invalidUtf8.push(lineNo);
  else if (all || usage) sink(buf, s, e, lineNo, offset);
}

/**
 * Finds the lines of a JSONL file that can carry usage (or a limit notice) without decoding the rest
 * (tool results and file snapshots are most of the bytes). Only candidate lines become strings:
 * decoded as latin1 (JSON.parse is much faster on one-byte strings and the fields we keep are
 * ASCII; the decoder asks for `utf8()` when a kept field is not), or as UTF-8 with `all`.
 * With `includePartial`, an unterminated last line is also offered (batch reports; ccusage parses
 * it too); a live tail passes false and resumes from `consumed`.
 */
export function scanCandidates(
  path: string,
  onLine: (line: CandidateLine) => void,
  opts: {
    start?: number;
    startLine?: number;
    includePartial?: boolean;
    maxLineBytes?: number;
    /** offer every complete line, not only candidates (a live tail needs user lines for turn state) */
    all?: boolean;
  } = {},
): ScanResult {
  const all = opts.all === true;
  const r = scanRange(
    path,
    (buf, from, to, lineNo, offset) => {
      if (all) {
        const text = buf.toString("utf8", from, to);
        onLine({ text, utf8: () => text, lineNo, offset });
      } else {
        onLine({ text: buf.toString("latin1", from, to), utf8: () => buf.toString("utf8", from, to), lineNo, offset });
      }
    },
    opts,
  );
  // with includePartial, `consumed` takes in the unterminated last line (as a whole file was read)
  return {
    consumed: opts.includePartial && r.partial ? r.end : r.consumed,
    partial: r.partial,
    oversized: r.oversized,
    invalidUtf8: r.invalidUtf8,
    nextLine: r.nextLine,
  };
}
