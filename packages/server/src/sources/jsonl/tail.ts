import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { relative, sep } from "node:path";
import { decodeLine, type DecodedLine } from "@claude-gauge/core";
import { scanCandidates, skippedLines } from "./line-scan.js";
import { fsError, sessionOfPath, type WalkProblem } from "./files.js";
import { signalFiles, tailSignals, type ResumePoint } from "./load.js";
import { decodeCandidate, type BadLine } from "./file-scan.js";
import { tailMarkHolds } from "./scan-cache.js";
import { gone, TreeWatch } from "./tree-watch.js";
import { WorkQueue } from "./work-queue.js";

/** files read at once after events (a stat and a read each) */
const READS_IN_FLIGHT = 8;
/**
 * A file is looked at once more this long after its last change event (ms): Bun's fs.watch drops a
 * change that lands while the previous one is being delivered (measured: 9 of 40 two-write bursts
 * from another process), and that write would wait for the 30 s rescan. One stat when nothing did.
 */
const FOLLOW_UP_MS = 250;

export interface TailHandlers {
  /** a decoded usage, signal or limit line; `initial` is true during the cold scan */
  line(d: Exclude<DecodedLine, { kind: "skip" | "error" }>, initial: boolean): void;
  badLine(b: BadLine): void;
  /** an unreadable file or folder: called when the problem appears or changes (once per state) */
  problem(p: WalkProblem): void;
  /** a path whose problem went away (it reads again, or it is gone) */
  recovered(path: string): void;
}

export interface TailOptions {
  /** slow safety rescan of the tree (ms) in case a watch event is lost. Default 30 s. */
  rescanMs?: number;
  /** how often the roots are resolved again and problems retried (ms): a few stats. Default 2 s. */
  checkMs?: number;
  /** appends larger than this are scanned for usage lines only (bytes) */
  fullDecodeMaxBytes?: number;
  /** files already read up to a point (a backfill from the scan cache): followed from there */
  resume?: ReadonlyMap<string, ResumePoint>;
}

interface FollowedFile {
  path: string;
  root: string;
  project: string;
  name: string;
}

interface FileState {
  file: FollowedFile;
  /** start of the first line not read yet (bytes) */
  offset: number;
  lineNo: number;
  ino: number;
  /** size and mtime (ms) at the last stat: a rewrite in place keeps the size but moves the mtime */
  size: number;
  mtimeMs: number;
  /**
   * the bytes just before `offset`, to notice a file rewritten in place to a larger size; for a
   * file taken over from the backfill unchanged, the scan cache's hash of them (ResumePoint.tail),
   * so that a restart reads no mark of each file
   */
  mark: Buffer | string;
  /**
   * The unterminated last line at `offset`, counted because it parses as a whole JSON object
   * (the cold report counts it too): skipped when its newline arrives, unless it changed.
   */
  counted: { bytes: number; digest: string } | null;
  reading: Promise<void> | null;
  dirty: boolean;
  /** order found in: which rescans look at the file while it is quiet */
  seq: number;
  /**
   * The size at which a read of this run left an unterminated last line it could not count (a
   * line cut mid-write stays so for good): the same file at that size holds nothing new; -1 none
   */
  partialAt: number;
}

export interface TailStats {
  files: number;
  /** bytes read of the files followed now */
  bytes: number;
}

/** The bytes of a file counted so far: its offset, and a counted unterminated last line (a follower's state or a saved position). */
export const consumedTo = (st: { offset: number; counted?: { bytes: number } | null }): number => st.offset + (st.counted?.bytes ?? 0);

/** files checked by the safety rescan between two turns of the event loop */
const RESCAN_SLICE = 256;

/**
 * Follows every transcript under the roots: a cold scan, then per-folder watches (TreeWatch) for
 * appends, new files and folders, truncation, rotation and rewrites. The roots are resolved again
 * every few seconds, so a projects/ folder that appears, vanishes or comes back is followed.
 * A half-written last line stays unread until it is a whole JSON object or its newline arrives.
 */
export class TranscriptTail {
  readonly #resolveRoots: () => readonly string[];
  readonly #h: TailHandlers;
  readonly #rescanMs: number;
  readonly #checkMs: number;
  readonly #fullMax: number;
  #resume: ReadonlyMap<string, ResumePoint> | null;
  readonly #files = new Map<string, FileState>();
  /** files found so far (FileState.seq) */
  #filesSeen = 0;
  /** followed roots → the inode of the folder, to notice one deleted and made again */
  readonly #roots = new Map<string, number>();
  readonly #tree: TreeWatch;
  readonly #reads = new WorkQueue(READS_IN_FLIGHT);
  readonly #followUps = new Map<string, ReturnType<typeof setTimeout>>();
  /** read errors now, by path (the tree keeps folder and link problems) */
  readonly #problems = new Map<string, string>();
  /** files found before the cold scan reached them: the cold scan reads them whole */
  readonly #coldPending = new Set<FileState>();
  #starting = false;
  #timers: ReturnType<typeof setInterval>[] = [];
  #checking: Promise<void> | null = null;
  #closed = false;
  readonly stats: TailStats = { files: 0, bytes: 0 };

  constructor(roots: () => readonly string[], handlers: TailHandlers, opts: TailOptions = {}) {
    this.#resolveRoots = roots;
    this.#h = handlers;
    this.#rescanMs = opts.rescanMs ?? 30_000;
    this.#checkMs = opts.checkMs ?? 2_000;
    this.#fullMax = opts.fullDecodeMaxBytes ?? 4 << 20;
    this.#resume = opts.resume ?? null;
    this.#tree = new TreeWatch({
      found: (path, root) => this.#found(path, root),
      changed: (path) => {
        const st = this.#files.get(path);
        if (!st || this.#coldPending.has(st)) return;
        this.#queueRead(path);
        this.#followUp(path);
      },
      lost: (path) => this.#lost(path),
      problem: (path, error) => this.#h.problem({ path, error }),
      recovered: (path) => this.#h.recovered(path),
    });
  }

  /** Cold scan (usage lines of every file), then follow. */
  async start(): Promise<void> {
    this.#starting = true;
    await this.#applyRoots();
    this.#starting = false;
    await this.#coldScan([...this.#coldPending].sort((a, b) => (a.file.path < b.file.path ? -1 : 1)));
    this.#resume = null;
    this.#timers = [setInterval(() => void this.rescan(), this.#rescanMs), setInterval(() => void this.check(), this.#checkMs)];
    for (const t of this.#timers) t.unref?.();
  }

  /** Reads each file whole with `initial` (the part a scan cache can replace), then open turns. */
  async #coldScan(states: FileState[]): Promise<void> {
    for (const st of states) {
      // a file the backfill read to its end, unchanged since it was listed, needs no read: a stat
      // here spares a trip through the thread pool per file (most of a restart's files)
      if (!this.#unchanged(st)) await this.#pump(st, true);
      this.#coldPending.delete(st);
    }
    // The cold scan skips user lines; the newest lines of recent files tell which turns are open.
    const live = states.filter((st) => this.#files.has(st.file.path));
    for (const st of signalFiles(live, Date.now())) {
      const signals = await tailSignals({ ...st.file, size: st.offset }).catch(() => []);
      for (const signal of signals) this.#h.line({ kind: "signal", signal }, true);
    }
  }

  close(): void {
    this.#closed = true;
    this.#tree.close();
    for (const t of this.#timers) clearInterval(t);
    for (const t of this.#followUps.values()) clearTimeout(t);
  }

  /** What is wrong now (path → error); empty when every root, folder and file reads. */
  get problems(): ReadonlyMap<string, string> {
    return new Map([...this.#tree.problems, ...this.#problems]);
  }

  /** The projects/ folders followed now. */
  get roots(): string[] {
    return [...this.#roots.keys()];
  }

  /**
   * Where each file stands now, for a saved daemon state: every line before a file's position has
   * been handed to the handlers (reads are synchronous from their stat on), so together with the
   * ledger as it is now, a restart can go on from here. Files never read yet are left out.
   */
  positions(): Map<string, ResumePoint> {
    const out = new Map<string, ResumePoint>();
    for (const [path, st] of this.#files) {
      if (st.ino === -1 || st.size < 0) continue;
      out.set(path, {
        offset: st.offset,
        lineNo: st.lineNo,
        ino: String(st.ino),
        size: st.size,
        mtimeMs: st.mtimeMs,
        tail: st.mark.length === 0 ? null : st.mark,
        counted: st.counted,
      });
    }
    return out;
  }

  /** Folders with a live watch. */
  get watchedDirs(): number {
    return this.#tree.watchedDirs;
  }

  /** Re-read changed folders and catch up every file, quiet ones in turns (what the safety timer runs). */
  async rescan(): Promise<void> {
    await this.#tree.resync(this.roots);
    let checked = 0;
    for (const st of [...this.#files.values()]) {
      // quiet files in turns, by the folders' rule (a file never stat'ed is not quiet)
      if (st.size >= 0 && this.#tree.passesOver(st.mtimeMs, st.seq)) continue;
      if (this.#unchanged(st)) {
        // synchronous stats in slices: the event loop answers between them
        if (++checked % RESCAN_SLICE === 0) await new Promise((r) => setImmediate(r));
        continue;
      }
      await this.#pump(st);
    }
  }

  /**
   * Whether a read of `st` now would find nothing to do (#readNew's first return: the same file,
   * size and mtime, all of it consumed, or all but a last line this run found it cannot count,
   * nothing wrong with it). The safety rescan asks this of every followed file every 30 s: a read
   * through fs/promises for each of thousands of files made ~3 KB of garbage apiece (a third of
   * what a rescan made at 2,446 files; the folder walk makes the rest), and a file cut mid-line
   * was read again at every rescan (110 of a generated 1 GiB history's 2,446).
   */
  #unchanged(st: FileState): boolean {
    if (st.reading !== null || this.#problems.has(st.file.path)) return false;
    try {
      const s = statSync(st.file.path, { throwIfNoEntry: false });
      const same = s?.isFile() === true && s.ino === st.ino && s.size === st.size && s.mtimeMs === st.mtimeMs;
      return same && (s.size === consumedTo(st) || s.size === st.partialAt);
    } catch {
      return false; // the read says what is wrong
    }
  }

  /** Resolve the roots again and retry what is wrong (what the check timer runs). */
  check(): Promise<void> {
    this.#checking ??= (async () => {
      try {
        await this.#applyRoots();
        await this.#tree.retryProblems();
        for (const path of [...this.#problems.keys()]) {
          const st = this.#files.get(path);
          if (st) await this.#pump(st);
          else this.#recover(path);
        }
      } finally {
        this.#checking = null;
      }
    })();
    return this.#checking;
  }

  async #applyRoots(): Promise<void> {
    const want = new Set(this.#resolveRoots());
    for (const root of [...this.#roots.keys()]) {
      if (want.has(root)) continue;
      this.#roots.delete(root);
      this.#tree.removeRoot(root);
    }
    for (const root of want) {
      if (this.#closed) return;
      let ino: number;
      try {
        ino = statSync(root).ino;
      } catch {
        if (this.#roots.delete(root)) this.#tree.removeRoot(root);
        continue;
      }
      const held = this.#roots.get(root);
      if (held === ino) continue;
      // a root deleted and made again between two checks: the old folder's watches are dead
      if (held !== undefined) this.#tree.removeRoot(root);
      this.#roots.set(root, ino);
      await this.#tree.addRoot(root);
    }
  }

  #found(path: string, root: string): void {
    if (this.#files.has(path)) {
      this.#queueRead(path);
      return;
    }
    const { project, session } = sessionOfPath(relative(root, path).split(sep));
    const st: FileState = {
      file: { path, root, project, name: session },
      offset: 0,
      lineNo: 1,
      ino: -1,
      size: -1,
      mtimeMs: 0,
      mark: Buffer.alloc(0),
      counted: null,
      reading: null,
      dirty: false,
      seq: this.#filesSeen++,
      partialAt: -1,
    };
    const r = this.#resume?.get(path);
    if (r !== undefined && r.ino !== null) {
      // read by the backfill: go on after its last complete line (a file changed since is read again)
      st.offset = r.offset;
      st.lineNo = r.lineNo;
      st.ino = Number(r.ino);
      // as if this follower had stat'ed it then: the first read of an unchanged file reads no mark again
      st.size = r.size;
      st.mtimeMs = r.mtimeMs;
      st.counted = r.counted ?? null;
      if (r.tail !== null) st.mark = r.tail;
      else {
        try {
          st.mark = readMark(path, r.offset);
        } catch {
          st.offset = 0;
          st.lineNo = 1;
        }
      }
      this.stats.bytes += consumedTo(st);
    }
    this.#files.set(path, st);
    this.stats.files = this.#files.size;
    if (this.#starting) this.#coldPending.add(st);
    else this.#queueRead(path);
  }

  #followUp(path: string): void {
    const held = this.#followUps.get(path);
    if (held) {
      held.refresh();
      return;
    }
    const t = setTimeout(() => {
      this.#followUps.delete(path);
      if (this.#files.has(path)) this.#queueRead(path);
    }, FOLLOW_UP_MS);
    t.unref?.();
    this.#followUps.set(path, t);
  }

  #queueRead(path: string): void {
    this.#reads.add(path, async () => {
      const st = this.#files.get(path); // the state now: the file may have been lost or replaced meanwhile
      if (st) await this.#pump(st);
    });
  }

  #lost(path: string): void {
    const st = this.#files.get(path);
    if (!st) return;
    // deleted transcripts keep their counted tokens (Claude Code deletes old logs at start-up)
    this.#files.delete(path);
    this.#coldPending.delete(st);
    this.stats.files = this.#files.size;
    this.stats.bytes -= consumedTo(st);
    this.#recover(path);
  }

  /** Reads what is new; resolves once the file is caught up to at least the moment of the call. */
  #pump(st: FileState, initial = false): Promise<void> {
    if (st.reading) {
      st.dirty = true;
      return st.reading;
    }
    st.reading = (async () => {
      try {
        do {
          st.dirty = false;
          await this.#readNew(st, initial);
        } while (st.dirty && !this.#closed && this.#files.get(st.file.path) === st);
      } finally {
        st.reading = null;
      }
    })();
    return st.reading;
  }

  async #readNew(st: FileState, initial: boolean): Promise<void> {
    const path = st.file.path;
    let s;
    try {
      s = await stat(path);
    } catch (e) {
      if (gone(e)) await this.#tree.reclassify(path);
      else this.#problem(path, fsError(e));
      return;
    }
    if (!s.isFile()) {
      await this.#tree.reclassify(path); // replaced by a folder, a FIFO…
      return;
    }
    const before = consumedTo(st);
    const rewritten =
      s.ino !== st.ino ||
      s.size < before ||
      // same size, new mtime: rewritten in place (a touch also lands here; the ledger dedupes)
      (s.size === st.size && s.mtimeMs !== st.mtimeMs) ||
      (s.size !== st.size && !this.#markHolds(st));
    if (rewritten) {
      // read it again from the top; the ledger ignores lines it already counted
      st.offset = 0;
      st.lineNo = 1;
      st.counted = null;
      st.mark = Buffer.alloc(0);
    }
    st.ino = s.ino;
    st.size = s.size;
    st.mtimeMs = s.mtimeMs;
    if (s.size === consumedTo(st)) {
      this.stats.bytes += consumedTo(st) - before;
      this.#recover(path);
      return;
    }
    const project = st.file.project;
    const sessionId = st.file.name;
    const all = !initial && s.size - st.offset <= this.#fullMax;
    const decode = (text: string, utf8: () => string): DecodedLine =>
      all ? decodeLine(text, { signals: true, project, sessionId }) : decodeCandidate(text, utf8, { project, sessionId });
    const emit = (d: DecodedLine, line: number): void => {
      if (d.kind === "skip") return;
      if (d.kind === "error") {
        this.#h.badLine({ path, line, error: d.error });
        return;
      }
      this.#h.line(d, initial);
    };
    try {
      const counted = st.counted;
      const countedAt = st.offset;
      const r = scanCandidates(
        path,
        ({ text, lineNo, utf8, offset }) => {
          // the last line we counted before its newline came: the same line again is not news
          if (counted && offset === countedAt && digest(utf8()) === counted.digest) return;
          emit(decode(text, utf8), lineNo);
        },
        { start: st.offset, startLine: st.lineNo, all },
      );
      for (const b of skippedLines(r)) this.#h.badLine({ path, ...b });
      if (r.consumed > st.offset) st.counted = null;
      st.lineNo = r.nextLine;
      st.offset = r.consumed;
      if (r.partial) this.#lastLine(st, all, decode, emit);
      st.partialAt = consumedTo(st) < s.size ? s.size : -1;
      st.mark = readMark(path, st.offset);
      this.stats.bytes += consumedTo(st) - before;
      this.#recover(path);
    } catch (e) {
      this.stats.bytes += consumedTo(st) - before;
      this.#problem(path, fsError(e));
    }
  }

  /**
   * An unterminated last line counts when it is a whole JSON object (a half-written line is not:
   * a proper prefix of a JSON object never parses). It stays at `offset` with its digest, so its
   * newline (or trailing spaces) later change nothing; other bytes appended to it make a new
   * line, decoded as any other (the ledger keeps one copy of a message).
   */
  #lastLine(st: FileState, all: boolean, decode: (text: string, utf8: () => string) => DecodedLine, emit: (d: DecodedLine, line: number) => void): void {
    if (!endsWithBrace(st.file.path)) return;
    let offered: { text: string; utf8: () => string; lineNo: number } | null = null;
    const r = scanCandidates(
      st.file.path,
      (l) => {
        if (l.offset === st.offset) offered = l;
      },
      { start: st.offset, startLine: st.lineNo, all, includePartial: true },
    );
    // a newline arrived between the two reads: the next event reads the line as a whole
    if (r.nextLine !== st.lineNo || r.oversized.length > 0) return;
    const bytes = r.consumed - st.offset;
    if (st.counted?.bytes === bytes) return;
    const line = offered as { text: string; utf8: () => string; lineNo: number } | null;
    if (line === null || !isJsonObject(line.text)) return;
    const d = digest(line.utf8());
    if (st.counted?.digest !== d) emit(decode(line.text, line.utf8), line.lineNo);
    st.counted = { bytes, digest: d };
  }

  /** False when the bytes before our offset changed: truncated and rewritten between two reads. */
  #markHolds(st: FileState): boolean {
    if (typeof st.mark === "string") return tailMarkHolds(st.file.path, st.offset, st.mark);
    if (st.mark.length === 0) return true;
    try {
      return readMark(st.file.path, st.offset).equals(st.mark);
    } catch {
      return false;
    }
  }

  #problem(path: string, error: string): void {
    const held = this.#problems.get(path);
    this.#problems.set(path, error);
    if (held !== error) this.#h.problem({ path, error });
  }

  #recover(path: string): void {
    if (this.#problems.delete(path)) this.#h.recovered(path);
  }
}

const digest = (line: string): string => createHash("sha1").update(line.trim()).digest("base64");

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

const MARK_BYTES = 64;

// The two small reads below are synchronous on purpose: they follow a synchronous scan of the same
// file, and a FileHandle per file (three thread-pool round trips and an object to collect) cost a
// burst of 5,000 new files more than the reads themselves.

/** Whether the file's last non-blank byte is `}`: the cheap test before parsing a last line. */
function endsWithBrace(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const { size } = fstatSync(fd);
    const len = Math.min(MARK_BYTES, size);
    const buf = Buffer.alloc(len);
    const bytesRead = readSync(fd, buf, 0, len, size - len);
    let i = bytesRead - 1;
    while (i >= 0 && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0d)) i--;
    return i >= 0 && buf[i] === 0x7d;
  } finally {
    closeSync(fd);
  }
}

function readMark(path: string, offset: number): Buffer {
  if (offset === 0) return Buffer.alloc(0);
  const len = Math.min(MARK_BYTES, offset);
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(len);
    const bytesRead = readSync(fd, buf, 0, len, offset - len);
    return buf.subarray(0, bytesRead);
  } finally {
    closeSync(fd);
  }
}
