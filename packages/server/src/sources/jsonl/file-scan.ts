import type { DecodedLine, LimitNotice, UsageEvent } from "@claude-gauge/core/decode";
import { decodeLine, UsageColumns } from "@claude-gauge/core/decode";
import { packColumns, packedBuffers, type PackedColumns } from "./column-pack.js";
import { scanRange, skippedLines, type RangeResult } from "./line-scan.js";
import { decodeUsageBytes, keptIdsAscii } from "./usage-bytes.js";

/** A line we could not use, named by file and 1-based line number. Never carries line text. */
export interface BadLine {
  path: string;
  line: number;
  error: string;
}

/** Bad lines itemised per file (the rest are only counted). */
export const MAX_KEPT_BAD = 200;

/** One piece of work for a scan thread: the lines of `path` that start in [start, stop). */
export interface ScanUnit {
  path: string;
  /** the project and session the file belongs to (from its path) */
  project: string;
  session: string;
  /** byte offsets; `start` may fall inside a line when `align` is set */
  start: number;
  stop: number;
  align: boolean;
}

/** What some lines hold, in line order. */
export interface LinesScan {
  events: PackedColumns;
  limits: LimitNotice[];
  /** 1-based line numbers, counted from the unit's first line */
  badLines: { line: number; error: string }[];
  /** all bad lines, itemised or not */
  badLineCount: number;
}

/**
 * What the lines of one unit hold. Line numbers count from 1 at the unit's first line; the
 * caller shifts them by the lines of the units before it.
 */
export interface UnitScan extends LinesScan {
  /** lines that start in the unit, an unterminated last line included */
  lines: number;
  /** offset after the last complete line */
  consumed: number;
  /**
   * what an unterminated last line holds, apart: a batch report counts it, a live tail (or a
   * later scan of what was appended) reads it again once it is complete
   */
  partial: LinesScan | null;
  /** the file could not be read */
  problem: string | null;
}

/**
 * Candidate lines arrive decoded as latin1 (fast to parse); a kept string that is not ASCII means
 * the line must be decoded again as UTF-8 to get that string right.
 */
export function decodeCandidate(text: string, utf8: () => string, opts: { project: string; sessionId: string }): DecodedLine {
  const d = decodeLine(text, opts);
  if (d.kind !== "usage") return d;
  return keptIdsAscii(d.event) ? d : decodeLine(utf8(), opts);
}

/**
 * Usage lines this thread decodes with JSON.parse before the byte reader takes over. The byte
 * reader is a loop over every byte, slow until V8 has compiled it; JSON.parse is native from the
 * first line. A small scan (lines appended since the last report: 1 MiB holds ~800) is faster
 * without the byte reader (5% of such a run here); a large one is faster with it, and the
 * sooner it starts the better (a cold 200 MiB report ~5% faster at 1000 than at 4000, while
 * 300 made the 1 MiB append run ~15% slower).
 */
const PARSED_BEFORE_BYTES = 1000;
let parsed = 0;

/** Reads the usage lines of one unit (synchronously; a scan is CPU-bound). */
export function scanUnit(u: ScanUnit): UnitScan {
  // objects while the unit is read (they die young), columns of the exact size at the end
  const events: UsageEvent[] = [];
  const limits: LimitNotice[] = [];
  const badLines: { line: number; error: string }[] = [];
  let badLineCount = 0;
  const opts = { project: u.project, sessionId: u.session };
  /** where the last offered line started, and the lists' lengths before it */
  let last = { offset: -1, events: 0, limits: 0, badLines: 0, badLineCount: 0 };
  const bad = (line: number, error: string) => {
    badLineCount++;
    if (badLines.length < MAX_KEPT_BAD) badLines.push({ line, error });
  };
  let r: RangeResult | null = null;
  let problem: string | null = null;
  try {
    r = scanRange(
      u.path,
      (buf, from, to, lineNo, offset) => {
        last = { offset, events: events.length, limits: limits.length, badLines: badLines.length, badLineCount };
        const warm = parsed >= PARSED_BEFORE_BYTES;
        if (!warm) parsed++;
        const d =
          (warm ? decodeUsageBytes(buf.subarray(from, to), opts) : null) ??
          decodeCandidate(buf.toString("latin1", from, to), () => buf.toString("utf8", from, to), opts);
        if (d.kind === "usage") {
          events.push(d.event, ...d.extras);
          if (d.limit) limits.push(d.limit);
        } else if (d.kind === "limit") limits.push(d.limit);
        else if (d.kind === "error") bad(lineNo, d.error);
      },
      { start: u.start, stop: u.stop, align: u.align, includePartial: true },
    );
  } catch (e) {
    problem = (e as Error).message;
  }
  // the unterminated last line, when it was offered, is the last line offered
  const cut = r?.partial && last.offset === r.consumed ? last : { events: events.length, limits: limits.length, badLines: badLines.length, badLineCount };
  const completeBad = badLines.slice(0, cut.badLines);
  let completeBadCount = cut.badLineCount;
  const partialBad = badLines.slice(cut.badLines);
  let partialBadCount = badLineCount - cut.badLineCount;
  // lines the scanner skipped itself; the unterminated last line's one belongs to it
  const partialLine = r?.partial ? r.nextLine : -1;
  const skipped = r ? skippedLines(r) : [];
  for (const b of skipped) {
    if (b.line === partialLine) {
      partialBadCount++;
      if (partialBad.length < MAX_KEPT_BAD) partialBad.push(b);
      continue;
    }
    completeBadCount++;
    if (completeBad.length < MAX_KEPT_BAD) completeBad.push(b);
  }
  completeBad.sort((a, b) => a.line - b.line);
  const columns = (from: number, to: number) => {
    const c = new UsageColumns(to - from);
    for (let i = from; i < to; i++) c.push(events[i]!);
    return packColumns(c.parts());
  };
  return {
    events: columns(0, cut.events),
    limits: limits.slice(0, cut.limits),
    badLines: completeBad,
    badLineCount: completeBadCount,
    lines: r?.lines ?? 0,
    consumed: r?.consumed ?? u.start,
    partial: r?.partial
      ? {
          events: columns(cut.events, events.length),
          limits: limits.slice(cut.limits),
          badLines: partialBad,
          badLineCount: partialBadCount,
        }
      : null,
    problem,
  };
}

/**
 * Scans units taken one at a time from a counter shared between threads, so the threads split
 * the work by how fast each goes rather than by a guess; `done(i, scan)` gets each result.
 */
export function scanShared(units: readonly ScanUnit[], next: Int32Array, done: (i: number, scan: UnitScan) => void): void {
  for (let i = Atomics.add(next, 0, 1); i < units.length; i = Atomics.add(next, 0, 1)) done(i, scanUnit(units[i]!));
}

/** The buffers of a scan that can move to another thread instead of being copied. */
export function transferables(scan: UnitScan): ArrayBuffer[] {
  return [...packedBuffers(scan.events), ...(scan.partial ? packedBuffers(scan.partial.events) : [])];
}
