import type { DecodedLine, LimitNotice, UsageEvent } from "@claude-gauge/core";
import { decodeLine } from "@claude-gauge/core";
import { scanCandidates } from "./line-scan.js";
import type { TranscriptFile } from "./files.js";

/** A line we could not use, named by file and 1-based line number. Never carries line text. */
export interface BadLine {
  path: string;
  line: number;
  error: string;
}

/** What one file holds for the windows and reports, in line order. */
export interface FileScan {
  events: UsageEvent[];
  limits: LimitNotice[];
  badLines: BadLine[];
  /** the file could not be read */
  problem: string | null;
}

const NON_ASCII = /[^\x00-\x7e]/;

/**
 * Model names, sessions and projects repeat on every message; one shared copy each keeps a daemon
 * that holds every message of a long history small. Bounded so a pathological tree cannot grow it
 * without limit.
 */
const interned = new Map<string, string>();
const INTERN_MAX = 100_000;
function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size < INTERN_MAX) interned.set(s, s);
  return s;
}

function internEvent(d: DecodedLine): DecodedLine {
  if (d.kind !== "usage") return d;
  const e = d.event;
  e.model = intern(e.model);
  e.sessionId = intern(e.sessionId);
  e.fileSession = intern(e.fileSession);
  e.project = intern(e.project);
  return d;
}

/**
 * Candidate lines arrive decoded as latin1 (fast to parse); a kept string that is not ASCII means
 * the line must be decoded again as UTF-8 to get that string right.
 */
export function decodeCandidate(text: string, utf8: () => string, opts: { project: string; sessionId: string }): DecodedLine {
  const d = decodeLine(text, opts);
  if (d.kind !== "usage") return d;
  const e = d.event;
  if (NON_ASCII.test(e.model) || NON_ASCII.test(e.sessionId) || NON_ASCII.test(e.messageId ?? "") || NON_ASCII.test(e.requestId ?? "")) {
    return internEvent(decodeLine(utf8(), opts));
  }
  return internEvent(d);
}

/** Reads the usage lines of each file (synchronously; a cold scan is CPU-bound). */
export function scanFiles(files: readonly TranscriptFile[]): FileScan[] {
  return files.map(scanFile);
}

/**
 * Scans files taken one at a time from a counter shared between threads, so two threads split
 * the work by how fast each goes rather than by a guess; returns [file index, scan] pairs.
 */
export function scanShared(files: readonly TranscriptFile[], next: Int32Array): [number, FileScan][] {
  const out: [number, FileScan][] = [];
  for (let i = Atomics.add(next, 0, 1); i < files.length; i = Atomics.add(next, 0, 1)) out.push([i, scanFile(files[i]!)]);
  return out;
}

function scanFile(f: TranscriptFile): FileScan {
  {
    const out: FileScan = { events: [], limits: [], badLines: [], problem: null };
    const opts = { project: f.project, sessionId: f.name };
    try {
      const r = scanCandidates(
        f.path,
        ({ text, lineNo, utf8 }) => {
          const d = decodeCandidate(text, utf8, opts);
          if (d.kind === "usage") {
            out.events.push(d.event, ...d.extras);
            if (d.limit) out.limits.push(d.limit);
          } else if (d.kind === "limit") out.limits.push(d.limit);
          else if (d.kind === "error") out.badLines.push({ path: f.path, line: lineNo, error: d.error });
        },
        { includePartial: true },
      );
      for (const line of r.invalidUtf8) out.badLines.push({ path: f.path, line, error: "invalid UTF-8, skipped" });
    } catch (e) {
      out.problem = (e as Error).message;
    }
    return out;
  }
}
