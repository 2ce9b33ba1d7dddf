import { existsSync } from "node:fs";
import { open } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { decodeLine, MessageLedger, costOf, UsageColumns } from "@claude-gauge/core";
import type { CostFn, LedgerMode, LimitNotice, TurnSignal } from "@claude-gauge/core";
import { unpackColumns } from "./column-pack.js";
import { MAX_KEPT_BAD, scanShared, scanUnit, type BadLine, type ScanUnit, type UnitScan } from "./file-scan.js";
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
  /** prices a message (USD); default the bundled table */
  cost?: CostFn;
  /** bytes of transcripts from which a second thread helps (tests set 0 to exercise it) */
  parallelMinBytes?: number;
  /** files larger than this are split into ranges of about this size, bytes */
  unitBytes?: number;
}

/**
 * Below this many bytes a second thread costs more than it saves: starting a worker and loading
 * the scan bundle into it takes about what one thread scans of this in the meantime.
 */
export const PARALLEL_MIN_BYTES = 24 << 20;
/** Large files are cut into ranges of this size, so both threads share one big file too. */
export const UNIT_BYTES = 16 << 20;
const WORKER_URL = new URL("./scan-worker.js", import.meta.url);

/** The work for the files: one unit per file, or aligned ranges of one large file. */
export function planUnits(files: readonly TranscriptFile[], unitBytes = UNIT_BYTES): { units: ScanUnit[]; fileOf: number[] } {
  const units: ScanUnit[] = [];
  const fileOf: number[] = [];
  files.forEach((f, i) => {
    const pieces = Math.max(1, Math.ceil(f.size / unitBytes));
    for (let p = 0; p < pieces; p++) {
      const start = p === 0 ? 0 : Math.floor((f.size * p) / pieces);
      const last = p === pieces - 1;
      units.push({ path: f.path, project: f.project, session: f.name, start, stop: last ? Number.MAX_SAFE_INTEGER : Math.floor((f.size * (p + 1)) / pieces), align: p > 0 });
      fileOf.push(i);
    }
  });
  return { units, fileOf };
}

/** A worker's message: the scan of unit `i`. */
interface Done {
  i: number;
  scan: UnitScan;
}

/**
 * Scans every unit, on two threads when there is enough work and the bundled worker exists, and
 * hands each result to `take` in unit order as soon as every unit before it is done (the ledger
 * wants path order; the threads finish out of order).
 */
function scanAll(units: readonly ScanUnit[], parallel: boolean, take: (i: number, scan: UnitScan) => void): Promise<void> {
  const results = new Array<UnitScan | undefined>(units.length);
  let taken = 0;
  const put = (i: number, scan: UnitScan) => {
    results[i] = scan;
    while (taken < units.length && results[taken] !== undefined) {
      take(taken, results[taken]!);
      results[taken] = undefined; // let the columns go once the ledger has them
      taken++;
    }
  };
  if (!parallel || units.length < 2) {
    units.forEach((u, i) => put(i, scanUnit(u)));
    return Promise.resolve();
  }
  const next = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_URL, { workerData: { units, next, port: port2 }, transferList: [port2] });
  const drain = () => {
    for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1)) {
      const d = m.message as Done;
      put(d.i, d.scan);
    }
  };
  return new Promise<void>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      drain();
      // Units the worker took but never finished (it failed, or cannot run here) are done here.
      for (let i = 0; i < units.length; i++) if (i >= taken && results[i] === undefined) put(i, scanUnit(units[i]!));
      port1.close();
      void worker.terminate();
      resolve();
    };
    worker.once("error", finish);
    worker.once("exit", finish);
    scanShared(units, next, (i, scan) => {
      put(i, scan);
      drain();
    });
    // the worker's last results; it exits once the counter runs out
    port1.on("message", (d: Done) => put(d.i, d.scan));
  });
}

/** Cold scan of every transcript under `roots` into a fresh ledger. */
export async function loadTranscripts(roots: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  const problems: WalkProblem[] = [];
  const files = await listTranscriptFiles(roots, problems);
  const ledger = new MessageLedger(opts.cost ?? costOf, opts.mode ?? "session");
  const limits: LimitNotice[] = [];
  const badLines: BadLine[] = [];
  let badLineCount = 0;
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const progress = opts.progress;
  const timer = progress
    ? setInterval(() => progress(`scanning ${files.length} files, ${(totalBytes / 1e6).toFixed(0)} MB…`), 1000)
    : null;
  const parallel =
    totalBytes >= (opts.parallelMinBytes ?? PARALLEL_MIN_BYTES) && availableParallelism() >= 2 && existsSync(fileURLToPath(WORKER_URL));
  const { units, fileOf } = planUnits(files, opts.unitBytes);
  let lineBase = 0;
  let fileAt = -1;
  try {
    await scanAll(units, parallel, (i, scan) => {
      const f = files[fileOf[i]!]!;
      if (fileOf[i] !== fileAt) {
        fileAt = fileOf[i]!;
        lineBase = 0;
      }
      const cols = UsageColumns.fromParts(unpackColumns(scan.events));
      for (let r = 0; r < cols.length; r++) ledger.addFrom(cols, r);
      limits.push(...scan.limits);
      badLineCount += scan.badLineCount;
      for (const b of scan.badLines) if (badLines.length < MAX_KEPT_BAD) badLines.push({ path: f.path, line: lineBase + b.line, error: b.error });
      if (scan.problem !== null && !problems.some((p) => p.path === f.path)) problems.push({ path: f.path, error: scan.problem });
      lineBase += scan.lines;
    });
  } finally {
    if (timer) clearInterval(timer);
  }
  const signals: TurnSignal[] = [];
  if (opts.signals) {
    for (const f of files) if (opts.now - f.mtimeMs < SIGNAL_WINDOW_MS) signals.push(...(await tailSignals(f).catch(() => [])));
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
