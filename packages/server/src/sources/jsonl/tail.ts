import { watch, type FSWatcher } from "node:fs";
import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import { decodeLine, type DecodedLine } from "@claude-gauge/core";
import { scanCandidates } from "./line-scan.js";
import { fsError, listTranscriptFiles, type TranscriptFile, type WalkProblem } from "./files.js";
import { SIGNAL_WINDOW_MS, tailSignals } from "./load.js";
import { decodeCandidate, type BadLine } from "./file-scan.js";

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
  /** slow safety rescan of the tree (ms); fs.watch does the real work. Default 30 s. */
  rescanMs?: number;
  /** appends larger than this are scanned for usage lines only (bytes) */
  fullDecodeMaxBytes?: number;
  /** files already read up to a point (a backfill from the scan cache): followed from there */
  resume?: ReadonlyMap<string, { offset: number; lineNo: number; ino: string | null }>;
}

interface FileState {
  file: TranscriptFile;
  offset: number;
  lineNo: number;
  ino: number;
  /** the bytes just before `offset`, to notice a file rewritten in place to at least its old size */
  mark: Buffer;
  reading: boolean;
  dirty: boolean;
}

export interface TailStats {
  files: number;
  bytes: number;
  badLines: number;
  /** ms since epoch of the last line read (wall clock of the edge, not of the line) */
  lastReadAt: number | null;
}

/**
 * Follows every transcript under the roots: a cold scan, then fs.watch (recursive) for appends,
 * new files and folders, truncation and rotation, plus a slow rescan in case a watch event is lost.
 * Half-written last lines stay unread until their newline arrives.
 */
export class TranscriptTail {
  readonly #roots: readonly string[];
  readonly #h: TailHandlers;
  readonly #rescanMs: number;
  readonly #fullMax: number;
  #resume: ReadonlyMap<string, { offset: number; lineNo: number; ino: string | null }> | null;
  readonly #files = new Map<string, FileState>();
  readonly #watchers: FSWatcher[] = [];
  /** what is wrong now, by path; an entry leaves when its path reads again or disappears */
  readonly #problems = new Map<string, { error: string; fromWalk: boolean }>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #listing: Promise<void> | null = null;
  #relist = false;
  #closed = false;
  readonly stats: TailStats = { files: 0, bytes: 0, badLines: 0, lastReadAt: null };

  constructor(roots: readonly string[], handlers: TailHandlers, opts: TailOptions = {}) {
    this.#roots = roots;
    this.#h = handlers;
    this.#rescanMs = opts.rescanMs ?? 30_000;
    this.#fullMax = opts.fullDecodeMaxBytes ?? 4 << 20;
    this.#resume = opts.resume ?? null;
  }

  /** Cold scan (usage lines of every file), then start following. */
  async start(): Promise<void> {
    for (const root of this.#roots) {
      try {
        const w = watch(root, { recursive: true }, (_event, name) => this.#onEvent(root, name));
        w.on("error", (e) => this.#problem({ path: root, error: `watch failed: ${fsError(e)}` }, false));
        this.#watchers.push(w);
      } catch (e) {
        this.#problem({ path: root, error: `watch failed: ${fsError(e)}` }, false);
      }
    }
    await this.#list(true);
    this.#resume = null;
    // The cold scan skips user lines; the newest lines of recent files tell which turns are open.
    const now = Date.now();
    for (const st of this.#files.values()) {
      if (now - st.file.mtimeMs > SIGNAL_WINDOW_MS) continue;
      const signals = await tailSignals({ ...st.file, size: st.offset }).catch(() => []);
      for (const signal of signals) this.#h.line({ kind: "signal", signal }, true);
    }
    this.#timer = setInterval(() => void this.rescan(), this.#rescanMs);
    this.#timer.unref?.();
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#watchers) w.close();
    if (this.#timer) clearInterval(this.#timer);
  }

  /** What is wrong now (path → error); empty when every root, folder and file reads. */
  get problems(): ReadonlyMap<string, string> {
    return new Map([...this.#problems].map(([path, p]) => [path, p.error]));
  }

  /** Re-list the tree and catch up every file (also what the safety timer runs). */
  async rescan(): Promise<void> {
    await this.#list(false);
  }

  #onEvent(root: string, name: string | Buffer | null): void {
    if (this.#closed) return;
    if (name === null) {
      void this.#list(false);
      return;
    }
    const path = join(root, name.toString());
    const known = this.#files.get(path);
    if (known) void this.#pump(known);
    else void this.#list(false); // a new file or folder: find it with the same rules as the cold scan
  }

  #list(initial: boolean): Promise<void> {
    if (this.#listing) {
      this.#relist = true;
      return this.#listing;
    }
    this.#listing = (async () => {
      do {
        this.#relist = false;
        const problems: WalkProblem[] = [];
        const files = await listTranscriptFiles(this.#roots, problems);
        for (const p of problems) this.#problem(p, true);
        // A folder or entry that failed the last walk and not this one has recovered.
        const failing = new Set(problems.map((p) => p.path));
        for (const [path, p] of this.#problems) if (p.fromWalk && !failing.has(path)) this.#recover(path);
        const seen = new Set<string>();
        for (const f of files) {
          seen.add(f.path);
          let st = this.#files.get(f.path);
          if (!st) {
            st = { file: f, offset: 0, lineNo: 1, ino: -1, mark: Buffer.alloc(0), reading: false, dirty: false };
            const r = this.#resume?.get(f.path);
            if (r !== undefined && r.ino !== null) {
              // read by the backfill: go on after its last complete line (a changed file is read again)
              st.offset = r.offset;
              st.lineNo = r.lineNo;
              st.ino = Number(r.ino);
              st.mark = await readMark(f.path, r.offset).catch(() => Buffer.alloc(0));
              this.stats.bytes += r.offset;
            }
            this.#files.set(f.path, st);
          }
          await this.#pump(st, initial);
        }
        for (const path of this.#files.keys()) {
          if (seen.has(path)) continue;
          this.#files.delete(path);
          this.#recover(path);
        }
        this.stats.files = this.#files.size;
      } while (this.#relist && !this.#closed);
    })().finally(() => {
      this.#listing = null;
    });
    return this.#listing;
  }

  async #pump(st: FileState, initial = false): Promise<void> {
    if (st.reading) {
      st.dirty = true;
      return;
    }
    st.reading = true;
    try {
      do {
        st.dirty = false;
        await this.#readNew(st, initial);
      } while (st.dirty && !this.#closed);
    } finally {
      st.reading = false;
    }
  }

  async #readNew(st: FileState, initial: boolean): Promise<void> {
    const path = st.file.path;
    let s;
    try {
      s = await stat(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        this.#files.delete(path);
        this.#recover(path);
        return;
      }
      this.#problem({ path, error: fsError(e) }, false);
      return;
    }
    if (s.ino !== st.ino || s.size < st.offset || !(await this.#markHolds(st))) {
      // rotated or truncated: read it again from the top; the ledger ignores lines it already counted
      if (st.ino !== -1) this.stats.bytes -= st.offset;
      st.ino = s.ino;
      st.offset = 0;
      st.lineNo = 1;
    }
    if (s.size === st.offset) return;
    const project = st.file.project;
    const sessionId = st.file.name;
    const all = !initial && s.size - st.offset <= this.#fullMax;
    try {
      const r = scanCandidates(
        path,
        ({ text, lineNo, utf8 }) => {
          const d = all ? decodeLine(text, { signals: true, project, sessionId }) : decodeCandidate(text, utf8, { project, sessionId });
          if (d.kind === "skip") return;
          if (d.kind === "error") {
            this.stats.badLines++;
            this.#h.badLine({ path, line: lineNo, error: d.error });
            return;
          }
          this.#h.line(d, initial);
        },
        { start: st.offset, startLine: st.lineNo, all },
      );
      for (const n of r.oversized) {
        this.stats.badLines++;
        this.#h.badLine({ path, line: n, error: "line too long, skipped" });
      }
      for (const n of r.invalidUtf8) {
        this.stats.badLines++;
        this.#h.badLine({ path, line: n, error: "invalid UTF-8, skipped" });
      }
      this.stats.bytes += r.consumed - st.offset;
      st.lineNo = r.nextLine;
      st.offset = r.consumed;
      st.mark = await readMark(path, st.offset);
      this.stats.lastReadAt = Date.now();
      this.#recover(path);
    } catch (e) {
      this.#problem({ path, error: fsError(e) }, false);
    }
  }

  /** False when the bytes before our offset changed: truncated and rewritten between two reads. */
  async #markHolds(st: FileState): Promise<boolean> {
    if (st.mark.length === 0) return true;
    const now = await readMark(st.file.path, st.offset).catch(() => Buffer.alloc(0));
    return now.equals(st.mark);
  }

  #problem(p: WalkProblem, fromWalk: boolean): void {
    const held = this.#problems.get(p.path);
    this.#problems.set(p.path, { error: p.error, fromWalk });
    if (held?.error !== p.error) this.#h.problem(p);
  }

  #recover(path: string): void {
    if (this.#problems.delete(path)) this.#h.recovered(path);
  }
}

const MARK_BYTES = 64;

async function readMark(path: string, offset: number): Promise<Buffer> {
  if (offset === 0) return Buffer.alloc(0);
  const len = Math.min(MARK_BYTES, offset);
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, offset - len);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
