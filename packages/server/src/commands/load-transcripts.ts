import type { LedgerMode } from "@claude-gauge/core/reports";
import type { CommonFlags } from "./args.js";
import { loadTranscripts, type LoadResult } from "../sources/jsonl/load.js";
import { findTranscriptRoots } from "../sources/jsonl/roots.js";
import { defaultCacheDir } from "../sources/jsonl/cache-keys.js";
import { isTerminal, writeOut } from "./direct-output.js";
import { progressLine } from "./progress-line.js";
import type { HeadStart } from "./scan-head-start.js";

/** Scans every transcript root for a one-shot command, with progress and problems on stderr. */
export async function load(
  flags: CommonFlags,
  signals: boolean,
  now: number,
  mode: LedgerMode = "session",
  ahead: HeadStart = {},
): Promise<LoadResult & { roots: string[]; notes: string }> {
  const { roots, missing } = findTranscriptRoots();
  if (roots.length === 0) {
    writeOut(2, `claude-gauge: no transcripts found (looked in ${missing.join(", ") || "nothing"}); reporting zeros\n`);
  }
  const progress = progressLine({ isTTY: !flags.quiet && isTerminal(2), write: (s) => writeOut(2, s) }, flags.quiet);
  let result: LoadResult;
  try {
    result = await loadTranscripts(roots, {
      now,
      signals,
      mode,
      listing: ahead.listing,
      scanThread: ahead.scanThread,
      // reports and the one-shot engine read no ids
      idsUnread: true,
      ...(progress.update ? { progress: progress.update } : {}),
      ...(flags.cache ? { cache: { dir: defaultCacheDir() } } : {}),
    });
  } finally {
    progress.done();
  }
  const notes = flags.quiet ? "" : problemNotes(result);
  writeOut(2, notes);
  return { ...result, roots, notes };
}

/** What was skipped: unreadable files and folders, and the first bad lines. */
function problemNotes(r: LoadResult): string {
  let s = "";
  for (const p of r.problems) s += `claude-gauge: skipped ${p.path}: ${p.error}\n`;
  const problem = r.scan.worker?.problem;
  if (problem) s += `claude-gauge: the second scan thread failed (${problem}); the first scanned its part\n`;
  if (r.badLineCount === 0) return s;
  s += `claude-gauge: ${r.badLineCount} bad usage line(s) skipped\n`;
  for (const b of r.badLines.slice(0, 10)) s += `  ${b.path}:${b.line}: ${b.error}\n`;
  if (r.badLineCount > 10) s += `  … ${r.badLineCount - 10} more\n`;
  return s;
}

export function jsonText(v: unknown): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}
