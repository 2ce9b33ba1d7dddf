import { existsSync } from "node:fs";
import { open } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { decodeLine, MessageLedger, costOf } from "@claude-gauge/core";
import type { LedgerMode, LimitNotice, TurnSignal } from "@claude-gauge/core";
import { scanFiles, scanShared, type BadLine, type FileScan } from "./file-scan.js";
import { listTranscriptFiles, type TranscriptFile, type WalkProblem } from "./files.js";

export type { BadLine } from "./file-scan.js";

export interface LoadResult {
  ledger: MessageLedger;
  /** newest turn signals of recently written files (the lamps' view of open turns) */
  signals: TurnSignal[];
  limits: LimitNotice[];
  badLines: BadLine[];
  /** bad lines beyond the kept list (only the first MAX_KEPT_BAD are itemised) */
  badLineCount: number;
  problems: WalkProblem[];
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

/** Below this many bytes a second thread costs more than it saves. */
const PARALLEL_MIN_BYTES = 48 << 20;
const WORKER_URL = new URL("./scan-worker.js", import.meta.url);

/** The files' scans in path order, on two threads when the tree is big and the bundled worker exists. */
async function scanAll(files: readonly TranscriptFile[], totalBytes: number): Promise<FileScan[]> {
  if (totalBytes < PARALLEL_MIN_BYTES || availableParallelism() < 2 || !existsSync(fileURLToPath(WORKER_URL))) {
    return scanFiles(files);
  }
  const next = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_URL, { workerData: { files, next } });
  const fromWorker = new Promise<[number, FileScan][]>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`scan worker exited with ${code}`)));
  });
  const results: FileScan[] = new Array<FileScan>(files.length);
  for (const [i, scan] of scanShared(files, next)) results[i] = scan;
  try {
    for (const [i, scan] of await fromWorker) results[i] = scan;
  } catch {
    // A worker that cannot run (some runtimes) is not a reason to fail: finish its files here.
    for (let i = 0; i < files.length; i++) results[i] ??= scanFiles([files[i]!])[0]!;
  } finally {
    void worker.terminate();
  }
  return results;
}

/** Cold scan of every transcript under `roots` into a fresh ledger. */
export async function loadTranscripts(roots: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  const problems: WalkProblem[] = [];
  const files = await listTranscriptFiles(roots, problems);
  const ledger = new MessageLedger(costOf, opts.mode ?? "session");
  const limits: LimitNotice[] = [];
  const signals: TurnSignal[] = [];
  const badLines: BadLine[] = [];
  let badLineCount = 0;
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const progress = opts.progress;
  const timer = progress
    ? setInterval(() => progress(`scanning ${files.length} files, ${(totalBytes / 1e6).toFixed(0)} MB…`), 1000)
    : null;
  let scans: FileScan[];
  try {
    scans = await scanAll(files, totalBytes);
  } finally {
    if (timer) clearInterval(timer);
  }
  for (const [i, scan] of scans.entries()) {
    const f = files[i]!;
    for (const e of scan.events) ledger.add(e);
    limits.push(...scan.limits);
    badLineCount += scan.badLines.length;
    for (const b of scan.badLines) if (badLines.length < MAX_KEPT_BAD) badLines.push(b);
    if (scan.problem !== null) problems.push({ path: f.path, error: scan.problem });
    if (opts.signals && opts.now - f.mtimeMs < SIGNAL_WINDOW_MS) {
      signals.push(...(await tailSignals(f).catch(() => [])));
    }
  }
  return { ledger, signals, limits, badLines, badLineCount, problems };
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
