import { open } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { decodeLine, UsageColumns } from "@claude-gauge/core/decode";
import {
  costOf,
  MessageLedger,
  SavedLedger,
  type CostFn,
  type KeptMessages,
  type LedgerMode,
  type LimitNotice,
  type SavedMessages,
  type TurnSignal,
} from "@claude-gauge/core/reports";
import { LEDGER_FINGERPRINT, PRICING_FINGERPRINT } from "./cache-keys.js";
import { unpackColumns } from "./column-pack.js";
import {
  filesKey,
  marksOf,
  partColumns,
  partRows,
  ScanCache,
  type CachedPart,
  type CachePlan,
  type CacheWriter,
  type Segment,
  type StoredSegment,
} from "./scan-cache.js";
import { extendSegment, joinSegments, rowRuns, seenIds, segmentsOf, type LedgerSegment } from "./ledger-segments.js";
import { MAX_KEPT_BAD, scanShared, scanUnit, type BadLine, type ScanUnit, type UnitScan } from "./file-scan.js";
import { listTranscriptFiles, type FileIdentity, type Listing, type TranscriptFile, type WalkProblem } from "./files.js";
import { ScanThread, secondThreadWanted, type ScanDone } from "./scan-thread.js";

export type { BadLine } from "./file-scan.js";

export interface LoadResult {
  /** the kept messages (with LoadOptions.idsUnread, the rows read back from the scan cache have null ids) */
  ledger: KeptMessages;
  /** newest turn signals of recently written files (the lamps' view of open turns) */
  signals: TurnSignal[];
  limits: LimitNotice[];
  badLines: BadLine[];
  /** bad lines beyond the kept list (only the first MAX_KEPT_BAD are itemised) */
  badLineCount: number;
  problems: WalkProblem[];
  /** the transcripts as listed before they were read */
  files: TranscriptFile[];
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
  /** the saved ledger was updated with the lines appended since (only their messages were folded) */
  updatedLedger: boolean;
  /** the second scan thread, when one was started: the pieces it scanned, or why it stopped */
  worker: WorkerRun | null;
}

/** What the second scan thread did: pieces scanned, and its failure (null when it ended cleanly). */
export interface WorkerRun {
  pieces: number;
  problem: string | null;
}

/** Files written this recently get their last lines decoded for turn signals. */
const SIGNAL_WINDOW_MS = 60 * 60_000;
const SIGNAL_TAIL_BYTES = 256 << 10;
/**
 * At most this many files, the most recently written, are read for open turns: no one has more
 * sessions live at once, and a tree copied or restored in the last hour would otherwise have every
 * file's tail read at start (2,446 files: seconds of a restart).
 */
const SIGNAL_MAX_FILES = 32;

/** The files whose last lines can hold an open turn: the newest written in the last hour, a bounded number, in the order given. */
export function signalFiles<T extends { mtimeMs: number }>(files: readonly T[], now: number): T[] {
  const recent = files.filter((f) => now - f.mtimeMs <= SIGNAL_WINDOW_MS);
  if (recent.length <= SIGNAL_MAX_FILES) return recent;
  const newest = new Set([...recent].sort((a, b) => b.mtimeMs - a.mtimeMs).slice(0, SIGNAL_MAX_FILES));
  return recent.filter((f) => newest.has(f));
}

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
  /** files larger than this are split into ranges of about this size, bytes */
  unitBytes?: number;
  /** read and write the scan cache in this folder (absent: no cache) */
  cache?: { dir: string; fingerprint?: string } | undefined;
  /** a walk of the same roots made moments ago in this run (the saved-answer lookup's), used instead of walking again */
  listing?: Listing | undefined;
  /** a second scan thread started ahead (see commands/scan-head-start.ts): used if the scan wants one, else ended */
  scanThread?: ScanThread | undefined;
  /**
   * the caller reads no message or request id of the result (reports, a one-shot engine): a
   * ledger read back from the scan cache then comes back without them (null), unpacked for none
   */
  idsUnread?: boolean;
  /** how notes name a transcript file (a daemon's log names none by its path: see pathLabeler); the path by default */
  label?: (path: string) => string;
}

/** Large files are cut into ranges of this size, so both threads share one big file too. */
const UNIT_BYTES = 16 << 20;
const WORKER_FILE = fileURLToPath(new URL("./scan-worker.js", import.meta.url));

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

/**
 * Scans every unit, on two threads when given a second (`thread`), and hands each result to
 * `take` in unit order as soon as every unit before it is done (the ledger wants path order; the
 * threads finish out of order).
 */
async function scanAll(units: readonly ScanUnit[], thread: ScanThread | null, take: (i: number, scan: UnitScan) => void): Promise<WorkerRun | null> {
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
  if (thread === null) {
    for (const [i, u] of units.entries()) put(i, scanUnit(u));
    return null;
  }
  const run: WorkerRun = { pieces: 0, problem: null };
  const next = new Int32Array(new SharedArrayBuffer(4));
  const fromWorker = (d: ScanDone) => {
    run.pieces++;
    put(d.i, d.scan);
  };
  try {
    const ended = thread.run({ units, next }, fromWorker);
    scanShared(units, next, (i, scan) => {
      put(i, scan);
      thread.drain(fromWorker);
    });
    // the worker's last results; it exits once the counter runs out
    run.problem = await ended;
    thread.drain(fromWorker);
  } finally {
    thread.stop();
  }
  // Units the worker took but never finished (it failed, or cannot run here) are done here.
  for (let i = 0; i < units.length; i++) if (i >= taken && results[i] === undefined) put(i, scanUnit(units[i]!));
  return run;
}

/** How one listed file is read this time. */
interface FileWork {
  file: TranscriptFile;
  identity: FileIdentity;
  plan: CachePlan;
  /** the cached parts, checked and unpacked (hit and append) */
  cached: UsageColumns[];
  /** a hit's cached parts still packed, checked and unpacked as the file is handed over (ReadHow.lateHits) */
  late: CachedPart[] | null;
  /** units still running */
  pending: number;
  scans: UnitScan[];
}

function partColumnsOf(part: CachedPart, flatIds: boolean): UsageColumns {
  return UsageColumns.fromParts(unpackColumns(partColumns(part.events), flatIds ? "each" : "sliced"));
}

/** The parts of a file's new scans, line numbers made the file's (they count from `lineBase`). */
function scannedParts(
  scans: readonly UnitScan[],
  lineBase: number,
): { parts: CachedPart[]; partial: CachedPart | null; lines: number; consumed: number | null } {
  const parts: CachedPart[] = [];
  let partial: CachedPart | null = null;
  let lines = lineBase;
  let consumed: number | null = null;
  for (const s of scans) {
    const shift = (b: { line: number; error: string }) => ({ line: b.line + lines, error: b.error });
    parts.push({ events: { packed: s.events }, limits: s.limits, badLines: s.badLines.map(shift), badLineCount: s.badLineCount });
    if (s.partial)
      partial = {
        events: { packed: s.partial.events },
        limits: s.partial.limits,
        badLines: s.partial.badLines.map(shift),
        badLineCount: s.partial.badLineCount,
      };
    // a unit where no line starts says nothing about where the file's lines end
    if (s.lines > 0) consumed = s.consumed;
    lines += s.lines;
  }
  return { parts, partial, lines: lines - (partial ? 1 : 0), consumed };
}

/** Where a tree stands before reading: its files, how each is read, and the cache. */
interface Prepared {
  files: TranscriptFile[];
  problems: WalkProblem[];
  work: FileWork[];
  cache: ScanCache | null;
  /** names the files and their identities */
  key: string;
  /** every file a cache hit and none gone: nothing to read */
  unchanged: boolean;
}

const sameRoots = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((r, i) => r === b[i]);

async function prepare(roots: readonly string[], opts: LoadOptions): Promise<Prepared> {
  const listed = opts.listing && sameRoots(opts.listing.roots, roots) ? opts.listing : null;
  const problems: WalkProblem[] = listed ? [...listed.problems] : [];
  const files = listed ? listed.files : await listTranscriptFiles(roots, problems);
  const cache = opts.cache ? ScanCache.open({ ...opts.cache, roots, log: opts.progress ?? (() => undefined) }) : null;
  const work: FileWork[] = files.map((file) => ({
    file,
    identity: file.identity,
    plan: cache ? cache.plan(file.path, file.identity) : { kind: "miss" },
    cached: [],
    late: null,
    pending: 0,
    scans: [],
  }));
  const key = filesKey(files);
  const unchanged = cache !== null && work.every((w) => w.plan.kind === "hit") && cache.size === files.length;
  return { files, problems, work, cache, key, unchanged };
}

/** One file as read: what its complete lines hold, and apart what an unterminated last line holds. */
interface ReadFile {
  file: TranscriptFile;
  /** the complete lines' events, in line order (null: a cache hit left packed, see ReadHow.packedHits) */
  complete: UsageColumns[] | null;
  completeParts: CachedPart[];
  /** how many of the complete parts come from the cache (the rest were read now) */
  cachedParts: number;
  partial: UsageColumns | null;
  partialPart: CachedPart | null;
  /** bytes of complete lines (where a live tail goes on) */
  consumed: number;
  /** complete lines */
  lines: number;
  /** inode number, as the file system gave it when the file was planned */
  ino: string | null;
  /** the scan cache's tail mark at `consumed`, for a file it held unchanged (a hit) */
  tail: string | null;
  problem: string | null;
}

interface ReadHow {
  /** write the cache even when nothing changed (a ledger is to be saved in it) */
  keepLedger: boolean;
  /** runs before the new cache is committed */
  beforeCommit?: (w: CacheWriter, key: string) => void;
  /** ids decoded one by one (see unpackStrings): for a daemon that keeps them */
  flatIds?: boolean;
  /** leave the parts of unchanged files packed (a saved ledger stands in for them) */
  packedHits?: boolean;
  /**
   * check and unpack an unchanged file's parts only when it is handed over, not every file's
   * first: the rows of one file at a time are alive, not all of them (a daemon's restart on 1 GiB:
   * peak RSS 198 → 188 MB, less garbage collection). A part that does not hold then leaves its file
   * out, with a problem saying so (the backfill's tail reads such a file whole), where checked
   * first it is read again.
   */
  lateHits?: boolean;
}

/** A file's complete lines, then its unterminated last line: as read, or unpacked now. */
function linesOf(f: ReadFile): UsageColumns[] {
  if (f.complete !== null) return f.partial ? [...f.complete, f.partial] : f.complete;
  return [...f.completeParts, ...(f.partialPart ? [f.partialPart] : [])].map((p) => partColumnsOf(p, false));
}

/**
 * Reads what the cache does not answer (on two threads when there is enough), hands every file to
 * `take` in path order as soon as it and the ones before it are done, and writes the new cache
 * (after `how.beforeCommit`) when anything changed or `how.keepLedger` asks for it.
 */
async function readFiles(p: Prepared, opts: LoadOptions, take: (f: ReadFile) => void, how: ReadHow): Promise<WorkerRun | null> {
  const flat = how.flatIds === true;
  const columnsOf = (part: CachedPart) => partColumnsOf(part, flat);
  const { keepLedger, beforeCommit } = how;
  const { work, cache, key } = p;
  const note = opts.progress ?? (() => undefined);
  const label = opts.label ?? ((path: string) => path);
  for (const w of work) {
    try {
      if (w.plan.kind === "hit") {
        const parts = [...w.plan.file.parts, ...(w.plan.file.partial ? [w.plan.file.partial] : [])];
        if (how.packedHits) w.cached = [];
        else if (how.lateHits) w.late = parts;
        else w.cached = parts.map(columnsOf);
      } else if (w.plan.kind === "append") w.cached = w.plan.file.parts.map(columnsOf);
    } catch (e) {
      note(`scan cache entry for ${label(w.file.path)} does not hold (${(e as Error).message}); reading the file again`);
      w.plan = { kind: "miss" };
      w.cached = [];
    }
  }
  const units: ScanUnit[] = [];
  const unitFile: number[] = [];
  for (const [i, w] of work.entries()) {
    if (w.plan.kind === "hit") continue;
    const from = w.plan.kind === "append" ? w.plan.file.consumed : 0;
    const size = Math.max(w.identity.size, from);
    for (const u of planUnits(w.file, from, size, opts.unitBytes)) {
      units.push(u);
      unitFile.push(i);
      w.pending++;
    }
  }
  let scanBytes = 0;
  for (const [i, u] of units.entries()) scanBytes += Math.max(0, Math.min(u.stop, work[unitFile[i]!]!.identity.size) - u.start);
  // Nothing to write when every file was a hit and none left the tree, unless a ledger is to be kept.
  const stillUnchanged = p.unchanged && work.every((w) => w.plan.kind === "hit");
  let writer = cache !== null && (!stillUnchanged || keepLedger) ? cache.writer(key) : null;
  let next = 0;
  /** hands over every file whose units are all done, in path order */
  const deliver = () => {
    for (; next < work.length && work[next]!.pending === 0; next++) {
      const w = work[next]!;
      const { file, plan } = w;
      if (w.late !== null) {
        const late = w.late;
        w.late = null;
        try {
          w.cached = late.map(columnsOf);
        } catch (e) {
          // nothing of the file is handed over, so whoever reads it whole counts it once; and it
          // is left out of a cache written now
          const problem = `its scan cache entry does not hold (${(e as Error).message})`;
          take({
            file,
            complete: [],
            completeParts: [],
            cachedParts: 0,
            partial: null,
            partialPart: null,
            consumed: 0,
            lines: 0,
            ino: w.identity.ino,
            tail: null,
            problem,
          });
          // a cache that was to stay as it is is written anew without the entry: the next start
          // reads the file, where it would trip on the entry every time
          if (writer === null && cache !== null) {
            writer = cache.writer(key);
            for (let k = 0; k < next; k++) {
              const before = work[k]!;
              if (before.plan.kind === "hit") writer.add(before.plan.file);
            }
          }
          continue;
        }
      }
      const base = plan.kind === "miss" ? 0 : plan.file.lines;
      const fresh = scannedParts(w.scans, base);
      const problem = w.scans.find((s) => s.problem !== null)?.problem ?? null;
      const cachedComplete = plan.kind === "miss" ? [] : plan.file.parts;
      const cachedPartial = plan.kind === "hit" ? plan.file.partial : null;
      const completeCount = cachedComplete.length;
      const consumed = fresh.consumed ?? (plan.kind === "miss" ? 0 : plan.file.consumed);
      const completeParts = [...cachedComplete, ...fresh.parts];
      const packed = plan.kind === "hit" && how.packedHits === true;
      take({
        file,
        complete: packed ? null : [...w.cached.slice(0, completeCount), ...fresh.parts.map(columnsOf)],
        completeParts,
        cachedParts: completeCount,
        partial: packed ? null : cachedPartial !== null ? w.cached[completeCount]! : fresh.partial ? columnsOf(fresh.partial) : null,
        partialPart: cachedPartial ?? fresh.partial,
        consumed,
        lines: plan.kind === "hit" ? plan.file.lines : fresh.lines,
        ino: w.identity.ino,
        tail: plan.kind === "hit" ? plan.file.tail : null,
        problem,
      });
      w.cached = [];
      // a file that could not be read is left out of the cache (read again next time)
      if (writer === null || problem !== null) continue;
      if (plan.kind === "hit") {
        writer.add(plan.file);
        continue;
      }
      try {
        writer.add({
          path: file.path,
          identity: w.identity,
          consumed,
          lines: fresh.lines,
          ...marksOf(file.path, consumed),
          parts: completeParts,
          partial: fresh.partial,
        });
      } catch {
        // unreadable since it was scanned: left out, read again next time
      }
      w.scans = [];
    }
  };
  const progress = opts.progress;
  const timer = progress
    ? setInterval(() => progress(`scanning ${units.length} pieces of ${p.files.length} files, ${(scanBytes / 1e6).toFixed(0)} MB…`), 1000)
    : null;
  const parallel = units.length >= 2 && secondThreadWanted(scanBytes);
  // the thread the caller started ahead, else one started now (one started ahead and not wanted
  // ends with the load: see loadTranscripts)
  const thread = parallel ? (opts.scanThread ?? ScanThread.start(WORKER_FILE)) : null;
  let run: WorkerRun | null;
  try {
    deliver();
    run = await scanAll(units, thread, (i, scan) => {
      const w = work[unitFile[i]!]!;
      w.scans.push(scan);
      w.pending--;
      deliver();
    });
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    if (timer) clearInterval(timer);
  }
  if (writer !== null) {
    try {
      beforeCommit?.(writer, key);
    } catch (e) {
      writer.abort();
      throw e;
    }
    writer.commit();
  }
  return run;
}

/** How the tree moved on from the files the cache holds: their paths (in order) and key, and the files it does not know yet. */
interface Changes {
  paths: string[];
  key: string;
  fresh: Set<string>;
}

/** A saved ledger to update: its segments, one per cached file. */
interface Grown extends Changes {
  saved: StoredSegment[];
}

/**
 * Whether a saved ledger can be updated instead of folding every line again: when none of the
 * files the cache holds changed otherwise than by growing (and without an unterminated last line
 * that counted before: it is read again as a complete line now), new files appeared (a new
 * session's transcript) or some are gone (Claude Code deletes old transcripts).
 */
function changesOf(p: Prepared): Changes | null {
  const { cache, work } = p;
  if (cache === null) return null;
  const fresh = new Set<string>();
  let kept = 0;
  for (const w of work) {
    if (w.plan.kind === "miss") {
      // a file the cache knows that changed otherwise than by growing changes what its lines were
      if (cache.knows(w.file.path)) return null;
      fresh.add(w.file.path);
      continue;
    }
    if (w.plan.kind === "append" && w.plan.file.partial !== null && partRows(w.plan.file.partial) > 0) return null;
    kept++;
  }
  const before = cache.files();
  if (fresh.size === 0 && kept === before.length && !work.some((w) => w.plan.kind === "append")) return null;
  return { paths: before.map((f) => f.path), key: filesKey(before), fresh };
}

/** The ledger of `mode` saved for the files as the cache holds them (see changesOf), to update. */
function grownFrom(p: Prepared, changes: Changes, mode: LedgerMode, pricing: string): Grown | null {
  const saved = p.cache!.savedLedger(mode, changes.key, pricing);
  return saved !== null && saved.length === changes.paths.length ? { ...changes, saved } : null;
}

const NO_SEGMENT: LedgerSegment = {
  saved: { columns: new UsageColumns(0), cost: new Float64Array(0), thinking: new Float64Array(0) },
  seen: new Uint32Array(0),
};

/** files a message-id hash can name below 2^53 (hash × FILES + file) */
const FILES = 2 ** 21;

/**
 * Which file's lines hold each message-id hash (a cached file's place in the saved ledger, a new
 * file's after them), or -1 for several: the saved segments' hashes as one sorted column searched
 * by halves, and the hashes claimed since in a map. A map of every hash cost an update ~12 ms.
 */
class Owners {
  readonly #keys: Float64Array;
  readonly #claimed = new Map<number, number>();

  constructor(saved: readonly { seen: Uint32Array }[]) {
    let n = 0;
    for (const s of saved) n += s.seen.length;
    const keys = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < saved.length; i++) {
      const seen = saved[i]!.seen;
      for (let j = 0; j < seen.length; j++) keys[k++] = seen[j]! * FILES + i;
    }
    this.#keys = keys.sort();
  }

  of(h: number): number | undefined {
    const c = this.#claimed.get(h);
    if (c !== undefined) return c;
    const keys = this.#keys;
    let lo = 0;
    let hi = keys.length;
    const first = h * FILES;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < first) lo = mid + 1;
      else hi = mid;
    }
    if (lo === keys.length || keys[lo]! >= first + FILES) return undefined;
    const file = keys[lo]! - first;
    // sorted: a second file holding it comes next
    return lo + 1 < keys.length && keys[lo + 1]! < first + FILES && keys[lo + 1]! - first !== file ? -1 : file;
  }

  own(h: number, file: number): void {
    const o = this.of(h);
    this.#claimed.set(h, o === undefined || o === file ? file : -1);
  }
}

/**
 * The saved segments with the lines appended to grown files folded in, a segment for each new
 * file in its place (see extendSegment) and none for a file that is gone, or null when some line
 * reaches beyond its own file (a message that another file holds too).
 */
function updatedSegments(grown: Grown, read: readonly ReadFile[], cost: CostFn, mode: LedgerMode): Segment[] | null {
  const { saved, paths, fresh } = grown;
  // more files than a hash's owner column can name: every line is folded
  if (paths.length + read.length >= FILES) return null;
  const at = new Map(paths.map((path, i) => [path, i]));
  const owners = new Owners(saved);
  // a file gone takes its rows with it, when no other file holds its messages
  const present = new Set(read.map((f) => f.file.path));
  for (const [i, path] of paths.entries()) if (!present.has(path)) for (const h of saved[i]!.seen) if (owners.of(h) !== i) return null;
  const out: Segment[] = [];
  for (const [k, f] of read.entries()) {
    if (f.problem !== null) return null;
    const i = at.get(f.file.path);
    if (i === undefined && !fresh.has(f.file.path)) return null;
    const key = i ?? paths.length + k;
    const s = i === undefined ? null : saved[i]!;
    if (s !== null && f.complete === null) {
      out.push(s);
      continue;
    }
    let segment = NO_SEGMENT;
    if (s !== null) {
      try {
        const rows = s.rows();
        segment = { saved: { columns: UsageColumns.fromParts(rows.parts), cost: rows.cost, thinking: rows.thinking }, seen: s.seen };
      } catch (e) {
        if (e instanceof RangeError) return null;
        throw e;
      }
    }
    const lines = linesOf(f);
    const cachedParts = s === null ? 0 : f.cachedParts;
    const next = extendSegment(
      segment,
      lines.slice(0, cachedParts),
      lines.slice(cachedParts),
      (h) => {
        const o = owners.of(h);
        return o !== undefined && o !== key;
      },
      cost,
      mode,
    );
    if (next === null) return null;
    for (const h of next.seen) owners.own(h, key);
    out.push(next);
  }
  return out;
}

/** The segments of a saved ledger as one, or null (with a note) when a segment does not hold up. */
function joinSaved(segments: readonly Segment[], mode: LedgerMode, opts: LoadOptions): SavedMessages | null {
  const ids = opts.idsUnread !== true;
  try {
    return joinSegments(rowRuns(segments, ids));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    opts.progress?.(`scan cache: the saved ${mode} ledger does not hold up (${e.message}); counting again`);
    return null;
  }
}

/** A cached part left packed for an update turned out damaged when it had to be folded after all. */
class PackedPartFailed extends Error {}

/** Cold scan of every transcript under `roots` into a fresh ledger (reading only what changed when a scan cache is given). */
export async function loadTranscripts(roots: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  try {
    return await loadWith(roots, opts, true);
  } catch (e) {
    if (!(e instanceof PackedPartFailed)) throw e;
    // the load that checks every cached part first reads the damaged file's lines again (a thread
    // started ahead ran in the first, if it was wanted: this one starts its own)
    opts.progress?.(`scan cache: ${e.message}; reading again`);
    return loadWith(roots, { ...opts, scanThread: undefined }, false);
  } finally {
    // a thread started ahead for a scan that did not happen (the cache answered)
    opts.scanThread?.stop();
  }
}

async function loadWith(roots: readonly string[], opts: LoadOptions, update: boolean): Promise<LoadResult> {
  const p = await prepare(roots, opts);
  try {
    return await loadPrepared(p, opts, update);
  } finally {
    p.cache?.close();
  }
}

async function loadPrepared(p: Prepared, opts: LoadOptions, update: boolean): Promise<LoadResult> {
  const mode = opts.mode ?? "session";
  const prices = opts.cost ? (opts.cost.key ?? null) : PRICING_FINGERPRINT;
  const pricing = prices === null ? null : `${LEDGER_FINGERPRINT}/${prices}`;
  const saved = p.unchanged && pricing !== null ? p.cache!.savedLedger(mode, p.key, pricing) : null;
  const joined = saved !== null ? joinSaved(saved, mode, opts) : null;
  if (joined !== null) return restored(new SavedLedger(mode, joined), p.work, p.problems, opts);
  const cost = opts.cost?.fn ?? costOf;
  // the ledger is saved whenever the cache is written, by file, so the next run can update it
  const keep = pricing !== null && p.cache !== null;
  const changes = keep && update ? changesOf(p) : null;
  const grown = changes !== null ? grownFrom(p, changes, mode, pricing!) : null;
  // every cached part is folded
  if (grown === null) p.cache?.readAll();
  const ledger = new MessageLedger(cost, mode);
  /** rows after each file, and each file's id hashes (for the saved segments) */
  const ends: number[] = [];
  const seen: Uint32Array[] = [];
  const fold = (f: ReadFile) => {
    const lines = linesOf(f);
    // a batch report counts an unterminated last line too, as ccusage does
    for (const cols of lines) for (let r = 0; r < cols.length; r++) ledger.addFrom(cols, r);
    if (!keep) return;
    ends.push(ledger.size);
    seen.push(seenIds(lines));
  };
  const read: ReadFile[] = [];
  const limits: LimitNotice[] = [];
  const badLines: BadLine[] = [];
  let badLineCount = 0;
  let result: { kept: KeptMessages; segments: Segment[] | null; updated: boolean } | null = null;
  const finish = () => {
    if (result !== null) return result;
    const updated = grown !== null ? updatedSegments(grown, read, cost, mode) : null;
    const joined = updated !== null ? joinSaved(updated, mode, opts) : null;
    if (joined !== null) {
      result = { kept: new SavedLedger(mode, joined), segments: updated, updated: true };
      return result;
    }
    // files left packed for an update that did not hold are folded now, in order
    if (grown !== null) {
      for (const f of read) {
        try {
          fold(f);
        } catch (e) {
          throw new PackedPartFailed(`a part of ${f.file.path} does not hold (${(e as Error).message})`);
        }
      }
    }
    result = { kept: ledger, segments: keep ? segmentsOf(ledger, ends, seen) : null, updated: false };
    return result;
  };
  const worker = await readFiles(
    p,
    opts,
    (f) => {
      if (grown === null) fold(f);
      else read.push(f);
      for (const part of [...f.completeParts, ...(f.partialPart ? [f.partialPart] : [])]) {
        limits.push(...part.limits);
        badLineCount += part.badLineCount;
        for (const b of part.badLines) if (badLines.length < MAX_KEPT_BAD) badLines.push({ path: f.file.path, line: b.line, error: b.error });
      }
      if (f.problem !== null) p.problems.push({ path: f.file.path, error: f.problem });
    },
    {
      keepLedger: keep,
      packedHits: grown !== null,
      beforeCommit: (w, key) => {
        const { segments, updated } = finish();
        if (segments !== null) w.addLedger(mode, key, pricing!, segments);
        // the other mode's saved ledger is updated too, so that a report of one mode does not cost the next report of the other a fold of every line
        const other: LedgerMode = mode === "daily" ? "session" : "daily";
        const otherGrown = updated && changes !== null ? grownFrom(p, changes, other, pricing!) : null;
        const otherSegments = otherGrown !== null ? updatedSegments(otherGrown, read, cost, other) : null;
        if (otherSegments !== null) w.addLedger(other, key, pricing!, otherSegments);
      },
    },
  );
  const { kept, updated } = finish();
  return {
    ledger: kept,
    signals: await recentSignals(p.files, opts),
    limits,
    badLines,
    badLineCount,
    problems: p.problems,
    files: p.files,
    scan: { ...counts(p.work, false, worker), updatedLedger: updated },
  };
}

/** Where a live tail takes over a file the backfill read: after its complete lines. */
export interface ResumePoint {
  /** bytes */
  offset: number;
  /** number of the line that starts at `offset` */
  lineNo: number;
  ino: string | null;
  /** the size and mtime (ms) the file was listed with: a follower that finds them unchanged has nothing to check */
  size: number;
  mtimeMs: number;
  /**
   * the scan cache's tail mark of the bytes before `offset` (see marksOf), when the file came from
   * the cache unchanged: a follower checks a rewrite against it instead of reading a mark of its
   * own at start (a restart on 1 GiB: 2,446 files opened and read for nothing); from a saved
   * daemon state, the follower's own mark (the bytes themselves)
   */
  tail: Buffer | string | null;
  /** from a saved daemon state: the unterminated last line the daemon counted at `offset` */
  counted?: { bytes: number; digest: string } | null;
}

export interface BackfillSink {
  /** a file's complete lines, as columns (a cold start delivers hundreds of thousands) */
  usageRows(rows: UsageColumns): void;
  limit(n: LimitNotice): void;
  badLine(b: BadLine): void;
}

/** A scan of what the cache lacks, run elsewhere first when there is much to read (see first-scan.ts). */
export interface ScanElsewhere {
  /** from this many bytes to read */
  minBytes: number;
  /** fills the scan cache for the roots; false when it could not */
  run(): Promise<boolean>;
}

/** Bytes the cache does not hold: whole files it lacks, the appended ends of the others. */
function bytesToRead(work: readonly FileWork[]): number {
  let n = 0;
  for (const w of work) n += w.plan.kind === "miss" ? w.file.size : w.plan.kind === "append" ? w.file.size - w.plan.file.consumed : 0;
  return n;
}

/**
 * The daemon's cold start: every complete line of every transcript, from the scan cache where it
 * holds (a restart reads only what changed), delivered in path order, and where the live tail
 * goes on in each file. An unterminated last line is left to the tail, which reads it once it is
 * complete. With `elsewhere`, a long read fills the cache first and the lines come from it.
 */
export async function backfillTranscripts(
  roots: readonly string[],
  opts: LoadOptions,
  sink: BackfillSink,
  elsewhere?: ScanElsewhere,
): Promise<{ resume: Map<string, ResumePoint>; left: WalkProblem[]; scan: ScanCounts; scannedElsewhere: boolean }> {
  let p = await prepare(roots, opts);
  let scannedElsewhere = false;
  if (elsewhere !== undefined && p.cache !== null && bytesToRead(p.work) >= elsewhere.minBytes) {
    p.cache.close();
    scannedElsewhere = await elsewhere.run();
    // planned again on what the other process wrote (or as before, when it failed)
    p = await prepare(roots, opts);
  }
  // every cached part is delivered, from one buffer of the whole file: read block by block, the
  // blocks' buffers come from malloc's arenas and stay there (measured after 1 GiB: 28 MB more RSS)
  p.cache?.readAll();
  const resume = new Map<string, ResumePoint>();
  /** files handed over with a problem: no resume point, so the tail reads them whole */
  const left: WalkProblem[] = [];
  let worker: WorkerRun | null;
  try {
    worker = await readFiles(
      p,
      opts,
      (f) => {
        for (const cols of f.complete ?? []) sink.usageRows(cols);
        for (const part of f.completeParts) {
          for (const n of part.limits) sink.limit(n);
          for (const b of part.badLines) sink.badLine({ path: f.file.path, line: b.line, error: b.error });
        }
        if (f.problem !== null) left.push({ path: f.file.path, error: f.problem });
        else resume.set(f.file.path, { offset: f.consumed, lineNo: f.lines + 1, ino: f.ino, size: f.file.size, mtimeMs: f.file.mtimeMs, tail: f.tail });
      },
      // the daemon keeps the ids of every message for months: not as slices of each part's id text
      { keepLedger: false, flatIds: true, lateHits: true },
    );
  } finally {
    p.cache?.close();
  }
  return { resume, left, scan: counts(p.work, false, worker), scannedElsewhere };
}

function counts(work: readonly FileWork[], savedLedger: boolean, worker: WorkerRun | null): ScanCounts {
  const c: ScanCounts = { files: work.length, cached: 0, appended: 0, read: 0, savedLedger, updatedLedger: false, worker };
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
    for (const f of signalFiles(files, opts.now)) signals.push(...(await tailSignals(f).catch(() => [])));
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
  return {
    ledger,
    signals: await recentSignals(
      work.map((w) => w.file),
      opts,
    ),
    limits,
    badLines,
    badLineCount,
    problems,
    files: work.map((w) => w.file),
    scan: counts(work, true, null),
  };
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
