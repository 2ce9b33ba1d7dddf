import type { DecodedLine, LimitNotice } from "@claude-gauge/core";
import { decodeLine, UsageColumns } from "@claude-gauge/core";
import { packColumns, packedBuffers, type PackedColumns } from "./column-pack.js";
import { scanRange } from "./line-scan.js";
import { decodeUsageBytes } from "./usage-bytes.js";

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

/**
 * What the lines of one unit hold, in line order. Line numbers count from 1 at the unit's first
 * line; the caller shifts them by the lines of the units before it.
 */
export interface UnitScan {
  events: PackedColumns;
  limits: LimitNotice[];
  badLines: { line: number; error: string }[];
  badLineCount: number;
  /** lines that start in the unit, an unterminated last line included */
  lines: number;
  /** offset after the last complete line */
  consumed: number;
  /**
   * what the unterminated last line contributed (at the end of each list): a batch report counts
   * it, a tail or a later append scan reads it again once it is complete
   */
  partial: { events: number; limits: number; badLines: number; badLineCount: number } | null;
  /** the file could not be read */
  problem: string | null;
}

const NON_ASCII = /[^\x00-\x7e]/;

/**
 * Candidate lines arrive decoded as latin1 (fast to parse); a kept string that is not ASCII means
 * the line must be decoded again as UTF-8 to get that string right.
 */
export function decodeCandidate(text: string, utf8: () => string, opts: { project: string; sessionId: string }): DecodedLine {
  const d = decodeLine(text, opts);
  if (d.kind !== "usage") return d;
  const e = d.event;
  if (NON_ASCII.test(e.model) || NON_ASCII.test(e.sessionId) || NON_ASCII.test(e.messageId ?? "") || NON_ASCII.test(e.requestId ?? "")) {
    return decodeLine(utf8(), opts);
  }
  return d;
}

const EMPTY = packColumns(new UsageColumns(0).parts());

/** Reads the usage lines of one unit (synchronously; a scan is CPU-bound). */
export function scanUnit(u: ScanUnit): UnitScan {
  const events = new UsageColumns(0);
  const out: UnitScan = { events: EMPTY, limits: [], badLines: [], badLineCount: 0, lines: 0, consumed: u.start, partial: null, problem: null };
  const opts = { project: u.project, sessionId: u.session };
  let lastOffset = -1;
  let before = { events: 0, limits: 0, badLines: 0, badLineCount: 0 };
  const bad = (line: number, error: string) => {
    out.badLineCount++;
    if (out.badLines.length < MAX_KEPT_BAD) out.badLines.push({ line, error });
  };
  try {
    const r = scanRange(
      u.path,
      (buf, from, to, lineNo, offset) => {
        lastOffset = offset;
        before = { events: events.length, limits: out.limits.length, badLines: out.badLines.length, badLineCount: out.badLineCount };
        const d = decodeUsageBytes(buf.subarray(from, to), opts) ?? decodeCandidate(buf.toString("latin1", from, to), () => buf.toString("utf8", from, to), opts);
        if (d.kind === "usage") {
          events.push(d.event);
          for (const x of d.extras) events.push(x);
          if (d.limit) out.limits.push(d.limit);
        } else if (d.kind === "limit") out.limits.push(d.limit);
        else if (d.kind === "error") bad(lineNo, d.error);
      },
      { start: u.start, stop: u.stop, align: u.align, includePartial: true },
    );
    for (const n of r.oversized) bad(n, "line too long, skipped");
    out.lines = r.lines;
    out.consumed = r.consumed;
    if (r.partial && lastOffset === r.consumed) out.partial = {
      events: events.length - before.events,
      limits: out.limits.length - before.limits,
      badLines: out.badLines.length - before.badLines,
      badLineCount: out.badLineCount - before.badLineCount,
    };
    else if (r.partial) out.partial = { events: 0, limits: 0, badLines: 0, badLineCount: 0 };
  } catch (e) {
    out.problem = (e as Error).message;
  }
  out.events = packColumns(events.parts());
  return out;
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
  return packedBuffers(scan.events);
}
