import { isUtf8 } from "node:buffer";
import { closeSync, openSync, readSync } from "node:fs";

/** Bytes read per syscall; large enough to amortise, small enough that a 500 MB file stays cheap. */
const CHUNK = 8 << 20;
/** A single line longer than this is skipped (and reported) instead of being held in memory. */
export const MAX_LINE_BYTES = 64 << 20;

const NL = 0x0a;
// Limit notices are synthetic assistant lines and carry a (zero) usage object too: one marker finds
// both, as in ccusage, which reads reset times only from lines that pass this same filter.
const USAGE = Buffer.from('"usage":{');

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

/**
 * Finds the lines of a JSONL file that can carry usage (or a limit notice) without decoding the rest
 * (tool results and file snapshots are most of the bytes). Only candidate lines become strings.
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
  // Synchronous on purpose: a cold scan is CPU-bound and each read is one large chunk; the daemon
  // scans before it listens and afterwards only reads small appends.
  const maxLine = opts.maxLineBytes ?? MAX_LINE_BYTES;
  const fd = openSync(path, "r");
  const oversized: number[] = [];
  const invalidUtf8: number[] = [];
  let fileOffset = opts.start ?? 0;
  let lineNo = opts.startLine ?? 1;
  let carry: Buffer = Buffer.alloc(0);
  let skippingLong = false;
  let partial = false;
  try {
    const chunk = sharedChunk();
    for (;;) {
      const bytesRead = readSync(fd, chunk, 0, CHUNK, fileOffset + carry.length);
      const eof = bytesRead === 0;
      let buf: Buffer;
      if (eof) {
        buf = carry;
      } else if (carry.length === 0) {
        buf = chunk.subarray(0, bytesRead);
      } else {
        buf = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      }
      const lastNl = buf.lastIndexOf(NL);
      let end = lastNl + 1; // bytes of complete lines in buf
      if (eof && buf.length > end) {
        partial = true;
        if (opts.includePartial && !skippingLong) end = buf.length;
      }
      if (skippingLong) {
        // still inside an oversized line: drop bytes until its newline
        if (lastNl === -1) {
          fileOffset += buf.length;
          carry = Buffer.alloc(0);
          if (eof) break;
          continue;
        }
        const firstNl = buf.indexOf(NL);
        fileOffset += firstNl + 1;
        lineNo++;
        buf = buf.subarray(firstNl + 1);
        end = eof && opts.includePartial ? buf.length : buf.lastIndexOf(NL) + 1;
        skippingLong = false;
      }
      lineNo += emitLines(opts.all === true, buf, end, fileOffset, lineNo, onLine, invalidUtf8);
      fileOffset += end;
      if (eof) break;
      // copy: the shared chunk is overwritten by the next read
      carry = Buffer.from(buf.subarray(end));
      if (carry.length > maxLine) {
        oversized.push(lineNo);
        skippingLong = true;
        fileOffset += carry.length;
        carry = Buffer.alloc(0);
      }
    }
  } finally {
    closeSync(fd);
  }
  return { consumed: fileOffset, partial, oversized, invalidUtf8, nextLine: lineNo };
}

let chunkBuffer: Buffer | null = null;
/** One read buffer for all scans (they are synchronous, so never interleave). */
function sharedChunk(): Buffer {
  chunkBuffer ??= Buffer.allocUnsafe(CHUNK);
  return chunkBuffer;
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
 * Offers the lines in buf[0, end) — only the candidates, or with `all` every non-empty one — and
 * returns how many newlines that range holds. Candidates are decoded as latin1: JSON.parse is much
 * faster on one-byte strings and the fields we keep are ASCII (the decoder asks for `utf8()` when
 * a kept field is not).
 */
function emitLines(
  all: boolean,
  buf: Buffer,
  end: number,
  baseOffset: number,
  baseLine: number,
  onLine: (line: CandidateLine) => void,
  invalidUtf8: number[],
): number {
  let s = 0;
  let line = baseLine;
  while (s < end) {
    let e = buf.indexOf(NL, s);
    const terminated = e !== -1 && e < end;
    if (!terminated) e = end;
    const from = s;
    const to = e;
    // The head test first: it spares the marker search over huge tool-result lines.
    const usage = to > from && (all || !cannotCarryUsage(buf, from, to)) && buf.subarray(from, to).indexOf(USAGE) !== -1;
    if (usage && !isUtf8(buf.subarray(from, to))) {
      // ccusage's parser rejects the whole line; its text never reaches the decoder
      invalidUtf8.push(line);
    } else if (all && to > from) {
      const text = buf.toString("utf8", from, to);
      onLine({ text, utf8: () => text, lineNo: line, offset: baseOffset + from });
    } else if (usage) {
      onLine({ text: buf.toString("latin1", from, to), utf8: () => buf.toString("utf8", from, to), lineNo: line, offset: baseOffset + from });
    }
    if (!terminated) break;
    line++;
    s = e + 1;
  }
  return line - baseLine;
}
