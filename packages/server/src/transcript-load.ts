import { open } from "node:fs/promises";
import { decodeLine, MessageLedger, costOf } from "@claude-gauge/core";
import type { DecodedLine, LedgerMode, LimitNotice, TurnSignal } from "@claude-gauge/core";
import { scanCandidates } from "./jsonl-scan.js";
import { listTranscriptFiles, type TranscriptFile, type WalkProblem } from "./transcript-files.js";

/** A line we could not use, named by file and 1-based line number. Never carries line text. */
export interface BadLine {
  path: string;
  line: number;
  error: string;
}

export interface LoadResult {
  ledger: MessageLedger;
  files: TranscriptFile[];
  /** newest turn signals of recently written files (the lamps' view of open turns) */
  signals: TurnSignal[];
  limits: LimitNotice[];
  badLines: BadLine[];
  /** bad lines beyond the kept list (only the first MAX_KEPT_BAD are itemised) */
  badLineCount: number;
  problems: WalkProblem[];
  bytes: number;
  ms: number;
}

const MAX_KEPT_BAD = 200;
/** Files written this recently get their last lines decoded for turn signals. */
export const SIGNAL_WINDOW_MS = 60 * 60_000;
const SIGNAL_TAIL_BYTES = 256 << 10;

export interface LoadOptions {
  /** ms since epoch; only used to pick which files' tails to read for turn signals */
  now: number;
  /** progress sink, called about once a second after the first second */
  progress?: (msg: string) => void;
  /** read turn signals from recent files (live views); batch reports skip it */
  signals?: boolean;
  /** which of ccusage's two loaders to mirror (daily counts progress lines); default session */
  mode?: LedgerMode;
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

/** Cold scan of every transcript under `roots` into a fresh ledger. */
export async function loadTranscripts(roots: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  const started = performance.now();
  const problems: WalkProblem[] = [];
  const files = await listTranscriptFiles(roots, problems);
  const ledger = new MessageLedger(costOf, opts.mode ?? "session");
  const limits: LimitNotice[] = [];
  const signals: TurnSignal[] = [];
  const badLines: BadLine[] = [];
  let badLineCount = 0;
  let bytes = 0;
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  let lastProgress = started;

  for (const [i, f] of files.entries()) {
    const decodeOpts = { project: f.project, sessionId: f.name };
    try {
      scanCandidates(
        f.path,
        ({ text, lineNo, utf8 }) => {
          const d = decodeCandidate(text, utf8, decodeOpts);
          if (d.kind === "usage") {
            ledger.add(d.event);
            if (d.limit) limits.push(d.limit);
          } else if (d.kind === "limit") {
            limits.push(d.limit);
          } else if (d.kind === "error") {
            badLineCount++;
            if (badLines.length < MAX_KEPT_BAD) badLines.push({ path: f.path, line: lineNo, error: d.error });
          }
        },
        { includePartial: true },
      );
    } catch (e) {
      problems.push({ path: f.path, error: (e as Error).message });
    }
    if (opts.signals && opts.now - f.mtimeMs < SIGNAL_WINDOW_MS) {
      signals.push(...(await tailSignals(f).catch(() => [])));
    }
    bytes += f.size;
    const t = performance.now();
    if (opts.progress && t - started > 1000 && t - lastProgress > 1000) {
      lastProgress = t;
      opts.progress(
        `scanning ${i + 1}/${files.length} files, ${(bytes / 1e6).toFixed(0)}/${(totalBytes / 1e6).toFixed(0)} MB`,
      );
    }
  }
  return { ledger, files, signals, limits, badLines, badLineCount, problems, bytes, ms: performance.now() - started };
}

/** Turn signals from the last lines of a file (only the newest ones decide whether a turn is open). */
export async function tailSignals(f: Pick<TranscriptFile, "path" | "size" | "project" | "name">): Promise<TurnSignal[]> {
  const fh = await open(f.path, "r");
  try {
    const start = Math.max(0, f.size - SIGNAL_TAIL_BYTES);
    const buf = Buffer.alloc(f.size - start);
    await fh.read(buf, 0, buf.length, start);
    const lines = buf.toString("utf8").split("\n");
    if (start > 0) lines.shift(); // first piece may be a partial line
    const out: TurnSignal[] = [];
    for (const line of lines) {
      const d = decodeLine(line, { signals: true, project: f.project, sessionId: f.name });
      if (d.kind === "signal") out.push(d.signal);
      else if (d.kind === "usage" && d.signal) out.push(d.signal);
    }
    return out;
  } finally {
    await fh.close();
  }
}
