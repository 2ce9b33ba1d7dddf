import { open } from "node:fs/promises";

/** Bytes read per syscall; large enough to amortise, small enough that a 500 MB file stays cheap. */
const CHUNK = 4 << 20;
/** A single line longer than this is skipped (and reported) instead of being held in memory. */
export const MAX_LINE_BYTES = 64 << 20;

const NL = 0x0a;
const USAGE = Buffer.from('"usage":{');
const LIMIT = Buffer.from("usage limit reached|");

export interface CandidateLine {
  text: string;
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
  /** 1-based number of the line that starts at `consumed` (where a tail continues) */
  nextLine: number;
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  let p = buf.indexOf(NL, from);
  while (p !== -1 && p < to) {
    n++;
    p = buf.indexOf(NL, p + 1);
  }
  return n;
}

/**
 * Finds the lines of a JSONL file that can carry usage or a limit notice without decoding the rest
 * (tool results and file snapshots are most of the bytes). Only candidate lines become strings.
 * With `includePartial`, an unterminated last line is also offered (batch reports; ccusage parses
 * it too); a live tail passes false and resumes from `consumed`.
 */
export async function scanCandidates(
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
): Promise<ScanResult> {
  const maxLine = opts.maxLineBytes ?? MAX_LINE_BYTES;
  const fh = await open(path, "r");
  const oversized: number[] = [];
  let fileOffset = opts.start ?? 0;
  let lineNo = opts.startLine ?? 1;
  let carry: Buffer = Buffer.alloc(0);
  let skippingLong = false;
  let partial = false;
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, CHUNK, fileOffset + carry.length);
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
      (opts.all ? emitAll : emitCandidates)(buf, end, fileOffset, lineNo, onLine);
      lineNo += countNewlines(buf, 0, end);
      fileOffset += end;
      if (eof) break;
      carry = Buffer.from(buf.subarray(end));
      if (carry.length > maxLine) {
        oversized.push(lineNo);
        skippingLong = true;
        fileOffset += carry.length;
        carry = Buffer.alloc(0);
      }
    }
  } finally {
    await fh.close();
  }
  return { consumed: fileOffset, partial, oversized, nextLine: lineNo };
}

function emitCandidates(
  buf: Buffer,
  end: number,
  baseOffset: number,
  baseLine: number,
  onLine: (line: CandidateLine) => void,
): void {
  // Collect line starts hit by either marker, in order, each once.
  const starts: number[] = [];
  for (const marker of [USAGE, LIMIT]) {
    let p = buf.indexOf(marker, 0);
    while (p !== -1 && p < end) {
      const s = buf.lastIndexOf(NL, p) + 1;
      starts.push(s);
      const e = buf.indexOf(NL, p);
      if (e === -1) break;
      p = buf.indexOf(marker, e + 1);
    }
  }
  if (starts.length === 0) return;
  starts.sort((a, b) => a - b);
  let counted = 0;
  let line = baseLine;
  let prev = -1;
  for (const s of starts) {
    if (s === prev) continue;
    prev = s;
    line += countNewlines(buf, counted, s);
    counted = s;
    let e = buf.indexOf(NL, s);
    if (e === -1 || e > end) e = end;
    onLine({ text: buf.toString("utf8", s, e), lineNo: line, offset: baseOffset + s });
  }
}

function emitAll(
  buf: Buffer,
  end: number,
  baseOffset: number,
  baseLine: number,
  onLine: (line: CandidateLine) => void,
): void {
  let s = 0;
  let line = baseLine;
  while (s < end) {
    let e = buf.indexOf(NL, s);
    if (e === -1 || e > end) e = end;
    if (e > s) onLine({ text: buf.toString("utf8", s, e), lineNo: line, offset: baseOffset + s });
    line++;
    s = e + 1;
  }
}
