import { existsSync } from "node:fs";
import { open } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { decodeLine, MessageLedger, costOf, UsageColumns } from "@claude-gauge/core";
import { SavedLedger, type CostFn, type KeptMessages, type LedgerMode, type LimitNotice, type TurnSignal } from "@claude-gauge/core";
import { unpackColumns } from "./column-pack.js";
import { filesKey, identityOf, marksOf, partColumns, PRICING_FINGERPRINT, ScanCache, type CachedPart, type CachePlan, type FileIdentity } from "./scan-cache.js";
import { MAX_KEPT_BAD, scanShared, scanUnit, type BadLine, type ScanUnit, type UnitScan } from "./file-scan.js";
import { listTranscriptFiles, type TranscriptFile, type WalkProblem } from "./files.js";

export type { BadLine } from "./file-scan.js";

export interface LoadResult {
  ledger: KeptMessages;
  /** newest turn signals of recently written files (the lamps' view of open turns) */
  signals: TurnSignal[];
  limits: LimitNotice[];
  badLines: BadLine[];
  /** bad lines beyond the kept list (only the first MAX_KEPT_BAD are itemised) */
  badLineCount: number;
  problems: WalkProblem[];
  /** how the files were read: from the cache, only their appended bytes, or whole */
  scan: ScanCounts;
}

export interface ScanCounts {
  files: number;
  /** answered by the scan cache */
  cached: number;
  /** read from where the cached scan stopped */
  appended: number;
  /** read whole */
  read: number;
  /** the cache's saved ledger stood in for deduplication */
  savedLedger: boolean;
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
  /**
   * prices a message (USD); default the bundled table. `key` names the prices: a ledger saved in
   * the scan cache is reused only under the same key (without one, none is saved or reused).
   */
  cost?: { fn: CostFn; key?: string };
  /** bytes of transcripts from which a second thread helps (tests set 0 to exercise it) */
  parallelMinBytes?: number;
  /** files larger than this are split into ranges of about this size, bytes */
  unitBytes?: number;
  /** read and write the scan cache in this folder (absent: no cache) */
  cache?: { dir: string; fingerprint?: string } | undefined;
}

/**
 * Below this many bytes a second thread costs more than it saves: starting a worker and loading
 * the scan bundle into it takes about what one thread scans of this in the meantime.
 */
export const PARALLEL_MIN_BYTES = 24 << 20;
/** Large files are cut into ranges of this size, so both threads share one big file too. */
export const UNIT_BYTES = 16 << 20;
const WORKER_URL = new URL("./scan-worker.js", import.meta.url);

/** The work for bytes [from, size) of a file: one unit, or aligned ranges of about unitBytes. */
export function planUnits(f: TranscriptFile, from: number, size: number, unitBytes = UNIT_BYTES): ScanUnit[] {
  const units: ScanUnit[] = [];
  const pieces = Math.max(1, Math.ceil((size - from) / unitBytes));
  for (let p = 0; p < pieces; p++) {
    const start = from + Math.floor(((size - from) * p) / pieces);
    const stop = p === pieces - 1 ? Number.MAX_SAFE_INTEGER : from + Math.floor(((size - from) * (p + 1)) / pieces);
    units.push({ path: f.path, project: f.project, session: f.name, start, stop, align: p > 0 });
  }
  return units;
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
    for (const [i, u] of units.entries()) put(i, scanUnit(u));
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

/** How one listed file is read this time. */
interface FileWork {
  file: TranscriptFile;
  identity: FileIdentity | null;
  plan: CachePlan;
  /** the cached parts, checked and unpacked (hit and append) */
  cached: UsageColumns[];
  /** units still running */
  pending: number;
  scans: UnitScan[];
}

function columnsOf(part: CachedPart): UsageColumns {
  return UsageColumns.fromParts(unpackColumns(partColumns(part.events)));
}

/** The parts of a file's new scans, line numbers made the file's (they count from `lineBase`). */
function scannedParts(scans: readonly UnitScan[], lineBase: number): { parts: CachedPart[]; partial: CachedPart | null; lines: number; consumed: number | null } {
  const parts: CachedPart[] = [];
  let partial: CachedPart | null = null;
  let lines = lineBase;
  let consumed: number | null = null;
  for (const s of scans) {
    const shift = (b: { line: number; error: string }) => ({ line: b.line + lines, error: b.error });
    parts.push({ events: { packed: s.events }, limits: s.limits, badLines: s.badLines.map(shift), badLineCount: s.badLineCount });
    if (s.partial) partial = { events: { packed: s.partial.events }, limits: s.partial.limits, badLines: s.partial.badLines.map(shift), badLineCount: s.partial.badLineCount };
    // a unit where no line starts says nothing about where the file's lines end
    if (s.lines > 0) consumed = s.consumed;
    lines += s.lines;
  }
  return { parts, partial, lines: lines - (partial ? 1 : 0), consumed };
}

/** Cold scan of every transcript under `roots` into a fresh ledger (reading only what changed when a scan cache is given). */
export async function loadTranscripts(roots: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  const problems: WalkProblem[] = [];
  const files = await listTranscriptFiles(roots, problems);
  const mode = opts.mode ?? "session";
  const pricing = opts.cost ? (opts.cost.key ?? null) : PRICING_FINGERPRINT;
  const ledger = new MessageLedger(opts.cost?.fn ?? costOf, mode);
  const limits: LimitNotice[] = [];
  const badLines: BadLine[] = [];
  let badLineCount = 0;
  const note = opts.progress ?? (() => undefined);
  const cache = opts.cache ? ScanCache.open({ ...opts.cache, roots, log: note }) : null;
  const work: FileWork[] = files.map((file) => {
    let identity: FileIdentity | null = null;
    let plan: CachePlan = { kind: "miss" };
    try {
      identity = identityOf(file.path);
      if (cache) plan = cache.plan(file.path, identity);
    } catch {
      // gone since it was listed: the scan reports it
    }
    return { file, identity, plan, cached: [], pending: 0, scans: [] };
  });
  const known = work.every((w) => w.identity !== null);
  const key = known ? filesKey(work.map((w) => ({ path: w.file.path, identity: w.identity! }))) : null;
  const unchanged = cache !== null && work.every((w) => w.plan.kind === "hit") && cache.size === files.length;
  const saved = unchanged && key !== null && pricing !== null ? cache.savedLedger(mode, key, pricing) : null;
  if (saved !== null) return restored(new SavedLedger(mode, saved), work, problems, opts);
  for (const w of work) {
    try {
      if (w.plan.kind === "hit") w.cached = [...w.plan.file.parts, ...(w.plan.file.partial ? [w.plan.file.partial] : [])].map(columnsOf);
      else if (w.plan.kind === "append") w.cached = w.plan.file.parts.map(columnsOf);
    } catch (e) {
      note(`scan cache entry for ${w.file.path} does not hold (${(e as Error).message}); reading the file again`);
      w.plan = { kind: "miss" };
      w.cached = [];
    }
  }
  const units: ScanUnit[] = [];
  const unitFile: number[] = [];
  work.forEach((w, i) => {
    if (w.plan.kind === "hit") return;
    const from = w.plan.kind === "append" ? w.plan.file.consumed : 0;
    const size = Math.max(w.identity?.size ?? w.file.size, from);
    for (const u of planUnits(w.file, from, size, opts.unitBytes)) {
      units.push(u);
      unitFile.push(i);
      w.pending++;
    }
  });
  let scanBytes = 0;
  for (const [i, u] of units.entries()) scanBytes += Math.max(0, Math.min(u.stop, work[unitFile[i]!]!.identity?.size ?? 0) - u.start);
  // Nothing to write when every file was a hit, none left the tree, and the ledger is not worth saving.
  const stillUnchanged = unchanged && work.every((w) => w.plan.kind === "hit");
  const writer = cache !== null && key !== null && (!stillUnchanged || pricing !== null) ? cache.writer(key) : null;
  let next = 0;
  /** feeds the ledger every file whose units are all done, in path order */
  const ingest = () => {
    for (; next < work.length && work[next]!.pending === 0; next++) {
      const w = work[next]!;
      const { file, plan } = w;
      const base = plan.kind === "miss" ? 0 : plan.file.lines;
      const fresh = scannedParts(w.scans, base);
      for (const cols of w.cached) for (let r = 0; r < cols.length; r++) ledger.addFrom(cols, r);
      for (const part of [...fresh.parts, ...(fresh.partial ? [fresh.partial] : [])]) {
        const cols = columnsOf(part);
        for (let r = 0; r < cols.length; r++) ledger.addFrom(cols, r);
      }
      const kept = plan.kind === "hit" ? [...plan.file.parts, ...(plan.file.partial ? [plan.file.partial] : [])] : plan.kind === "append" ? plan.file.parts : [];
      for (const part of [...kept, ...fresh.parts, ...(fresh.partial ? [fresh.partial] : [])]) {
        limits.push(...part.limits);
        badLineCount += part.badLineCount;
        for (const b of part.badLines) if (badLines.length < MAX_KEPT_BAD) badLines.push({ path: file.path, line: b.line, error: b.error });
      }
      const problem = w.scans.find((s) => s.problem !== null)?.problem ?? null;
      if (problem !== null) problems.push({ path: file.path, error: problem });
      // a file that could not be read is left out of the cache (read again next time)
      if (writer === null || w.identity === null || problem !== null) continue;
      if (plan.kind === "hit") {
        writer.add(plan.file);
        continue;
      }
      const consumed = fresh.consumed ?? (plan.kind === "append" ? plan.file.consumed : 0);
      try {
        writer.add({
          path: file.path,
          identity: w.identity,
          consumed,
          lines: fresh.lines,
          ...marksOf(file.path, consumed),
          parts: [...(plan.kind === "append" ? plan.file.parts : []), ...fresh.parts],
          partial: fresh.partial,
        });
      } catch {
        // unreadable since it was scanned: left out, read again next time
      }
      w.scans = [];
    }
  };
  const progress = opts.progress;
  const timer = progress ? setInterval(() => progress(`scanning ${units.length} pieces of ${files.length} files, ${(scanBytes / 1e6).toFixed(0)} MB…`), 1000) : null;
  const parallel = scanBytes >= (opts.parallelMinBytes ?? PARALLEL_MIN_BYTES) && availableParallelism() >= 2 && existsSync(fileURLToPath(WORKER_URL));
  try {
    ingest();
    await scanAll(units, parallel, (i, scan) => {
      const w = work[unitFile[i]!]!;
      w.scans.push(scan);
      w.pending--;
      ingest();
    });
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    if (timer) clearInterval(timer);
  }
  if (writer !== null) {
    if (pricing !== null && key !== null) writer.addLedger(mode, key, pricing, ledger.save());
    writer.commit();
  }
  return { ledger, signals: await recentSignals(files, opts), limits, badLines, badLineCount, problems, scan: counts(work, false) };
}

function counts(work: readonly FileWork[], savedLedger: boolean): ScanCounts {
  const c: ScanCounts = { files: work.length, cached: 0, appended: 0, read: 0, savedLedger };
  for (const w of work) {
    if (w.plan.kind === "hit") c.cached++;
    else if (w.plan.kind === "append") c.appended++;
    else c.read++;
  }
  return c;
}

async function recentSignals(files: readonly TranscriptFile[], opts: LoadOptions): Promise<TurnSignal[]> {
  const signals: TurnSignal[] = [];
  if (opts.signals) {
    for (const f of files) if (opts.now - f.mtimeMs < SIGNAL_WINDOW_MS) signals.push(...(await tailSignals(f).catch(() => [])));
  }
  return signals;
}

/** A load answered from the cache alone: the saved ledger, and the limit notices and bad lines of each file. */
async function restored(ledger: SavedLedger, work: readonly FileWork[], problems: WalkProblem[], opts: LoadOptions): Promise<LoadResult> {
  const limits: LimitNotice[] = [];
  const badLines: BadLine[] = [];
  let badLineCount = 0;
  for (const { file, plan } of work) {
    if (plan.kind !== "hit") continue;
    for (const part of [...plan.file.parts, ...(plan.file.partial ? [plan.file.partial] : [])]) {
      limits.push(...part.limits);
      badLineCount += part.badLineCount;
      for (const b of part.badLines) if (badLines.length < MAX_KEPT_BAD) badLines.push({ path: file.path, line: b.line, error: b.error });
    }
  }
  return { ledger, signals: await recentSignals(work.map((w) => w.file), opts), limits, badLines, badLineCount, problems, scan: counts(work, true) };
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
