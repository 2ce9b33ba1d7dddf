import { statSync, watch, type Dirent, type FSWatcher } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { below, fsError } from "./files.js";
import { WorkQueue } from "./work-queue.js";

/** entries classified at once after events (each is an lstat or two) */
const CLASSIFY_IN_FLIGHT = 8;

/**
 * A folder listed this long after its last change is not listed again by a resync while its
 * change time stays: file systems stamp changes with a coarse clock (a jiffy on Linux), so an
 * entry made just after a listing can leave the time as it was.
 */
const SETTLED_MS = 2_000;

/**
 * A file or folder unchanged this long (as last seen) is quiet: the safety rescan looks at it
 * only every QUIET_EVERY-th time, a slice of them each time. Watches report its changes as any
 * other's; the rescan is for events the OS dropped, and a stat of every file and folder of a long
 * history every 30 s was most of an idle daemon's CPU (2,446 files in 857 folders).
 */
const QUIET_MS = 3_600_000;
const QUIET_EVERY = 10;

export interface TreeWatchHandlers {
  /** a transcript file appeared (by a walk or an event); `root` is the projects/ folder above it */
  found(path: string, root: string): void;
  /** the folder holding a followed file reported a change to it (append, rewrite, chmod, delete…) */
  changed(path: string): void;
  /** a followed file is gone: deleted, renamed away, its folder removed, or no longer a file */
  lost(path: string): void;
  /** something below a root cannot be read or watched now (called when it appears or changes) */
  problem(path: string, error: string): void;
  /** a path whose problem went away (it reads again, or it is gone) */
  recovered(path: string): void;
}

interface DirRecord {
  root: string;
  /** real path once read (symlinks followed), so a second way into the same folder is skipped */
  real: string | null;
  watcher: FSWatcher | null;
  /** names below this folder we hold a record or a problem for */
  children: Set<string>;
  /** the folder as it was just before its last listing (see SETTLED_MS) */
  listed: { ino: number; ctimeMs: number; mtimeMs: number; at: number } | null;
  /** order made in: which resyncs look at the folder while it is quiet */
  seq: number;
}

/** The path is no longer there (or a folder on it became a file). */
export const gone = (e: unknown): boolean => {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
};

/**
 * Finds the *.jsonl files below the roots and watches every folder with its own non-recursive
 * fs.watch, so an event costs O(1) (a known file) or O(what appeared) (a new file or folder), never
 * O(tree): Node 20's recursive watch on Linux re-reads the whole tree on every event, and a folder
 * of 5,000 new files froze the daemon for minutes. Same rules as listTranscriptFiles: symlinks are
 * followed once (real paths are remembered, so a loop ends), unreadable entries are problems.
 * Problems are states: `retryProblems` (a slow timer) and later events clear them.
 */
export class TreeWatch {
  readonly #h: TreeWatchHandlers;
  /** folders made so far (DirRecord.seq) */
  #made = 0;
  /** resyncs so far, and when the last began */
  #resyncTurn = 0;
  #resyncAt = 0;
  readonly #dirs = new Map<string, DirRecord>();
  readonly #realDirs = new Map<string, string>();
  /** followed file → its real path */
  readonly #files = new Map<string, string>();
  readonly #realFiles = new Map<string, string>();
  /** what is wrong now, by path, and how to try again */
  readonly #problems = new Map<string, { error: string; retry: () => Promise<void> }>();
  /** entries being classified; true when another event for them came in meanwhile */
  readonly #busy = new Map<string, boolean>();
  readonly #work = new WorkQueue(CLASSIFY_IN_FLIGHT);
  #closed = false;

  constructor(handlers: TreeWatchHandlers) {
    this.#h = handlers;
  }

  /** Folders with a live watch. */
  get watchedDirs(): number {
    let n = 0;
    for (const d of this.#dirs.values()) if (d.watcher) n++;
    return n;
  }

  get problems(): ReadonlyMap<string, string> {
    return new Map([...this.#problems].map(([path, p]) => [path, p.error]));
  }

  /** Walks a root and watches its folders (also re-syncs one that is followed already). */
  async addRoot(root: string): Promise<void> {
    await this.#walkDir(root, root, true);
  }

  /** Stops following a root (it vanished): its files are lost, their counted tokens stay counted. */
  removeRoot(root: string): void {
    this.#gone(root);
  }

  /**
   * Looks at the followed folders, quiet ones in turns, and re-reads those changed since their
   * listing (the safety net for a lost event); on a slow timer.
   */
  async resync(roots: readonly string[]): Promise<void> {
    this.#resyncTurn++;
    this.#resyncAt = Date.now();
    for (const root of roots) if (this.#dirs.has(root)) await this.#walkDir(root, root, true, true);
  }

  /**
   * Whether the resync under way (or the last one) passes over something last changed at
   * `changedMs`: quiet (see QUIET_MS) and not on its turn; `seq` spreads the quiet ones over the
   * turns. The tail asks it of its files after each resync.
   */
  passesOver(changedMs: number, seq: number): boolean {
    return this.#resyncAt - changedMs > QUIET_MS && (seq + this.#resyncTurn) % QUIET_EVERY !== 0;
  }

  /** Tries every problem path again: a fixed link target or permission has no event of its own. */
  async retryProblems(): Promise<void> {
    for (const p of [...this.#problems.values()]) await p.retry();
  }

  /** A followed path is not a readable regular file any more: find out what it is now. */
  async reclassify(path: string): Promise<void> {
    const parent = this.#dirs.get(dirname(path));
    if (!parent) return this.#gone(path);
    await this.#entry(dirname(path), path.slice(dirname(path).length + 1), parent.root);
  }

  close(): void {
    this.#closed = true;
    for (const d of this.#dirs.values()) d.watcher?.close();
    this.#dirs.clear();
  }

  #onEvent(dir: string, name: string | Buffer | null): void {
    if (this.#closed) return;
    const rec = this.#dirs.get(dir);
    if (!rec) return;
    if (name === null) {
      // the OS did not say what changed: re-read this one folder
      this.#work.add(`list:${dir}`, () => this.#walkDir(dir, rec.root, false));
      return;
    }
    const path = join(dir, name.toString());
    if (this.#files.has(path)) this.#h.changed(path);
    else this.#work.add(path, () => this.#entry(dir, name.toString(), rec.root));
  }

  /**
   * Reads a folder: watches it (before listing, so nothing created in between is missed), then
   * classifies each entry it does not know; `deep` also re-reads the folders below it.
   * `resync`: a folder whose watch stands and that has not changed since it was listed (an entry
   * made, removed or renamed changes its change time, as does a chmod) is not listed again, only
   * the folders below it are looked at: the safety rescan of a 1 GiB history (857 folders) listed
   * every one every 30 s, most of an idle daemon's CPU. A folder quiet at its listing (see
   * QUIET_MS) is not even stat'ed but on its turn.
   */
  /** `knownReal`: the folder's real path when its parent's listing showed it as a folder, not a link. */
  async #walkDir(dir: string, root: string, deep: boolean, resync = false, knownReal: string | null = null): Promise<void> {
    if (this.#closed) return;
    let rec = this.#dirs.get(dir);
    let before: ReturnType<typeof statOrNull> = null;
    if (resync && rec?.watcher && rec.listed) {
      // a quiet folder off its turn is not even stat'ed
      const quiet = this.passesOver(rec.listed.mtimeMs, rec.seq);
      before = quiet ? null : statOrNull(dir);
      if (quiet || (before && unchangedSince(before, rec.listed))) {
        // most children are files: no join()'s normalising for each
        for (const name of [...rec.children]) {
          const sub = below(dir, name);
          if (this.#dirs.has(sub)) await this.#walkDir(sub, root, deep, true);
        }
        return;
      }
    } else before = statOrNull(dir);
    const listedAt = Date.now();
    let real: string;
    try {
      // a folder below a followed one is where its parent's real path says (857 folders: ~45 ms of
      // a restart); only a root, a link or a folder an event named needs asking
      real = knownReal ?? (await realpath(dir));
    } catch (e) {
      if (gone(e)) this.#gone(dir);
      else this.#fail(dir, fsError(e), () => this.#walkDir(dir, root, true));
      return;
    }
    if (this.#closed) return;
    const owner = this.#realDirs.get(real);
    if (owner !== undefined && owner !== dir) return; // a second way into a folder we follow (a link, a loop)
    if (!rec) {
      rec = { root, real: null, watcher: null, children: new Set(), listed: null, seq: this.#made++ };
      this.#dirs.set(dir, rec);
      this.#dirs.get(dirname(dir))?.children.add(dir.slice(dirname(dir).length + 1));
    }
    if (rec.real !== real) {
      if (rec.real !== null) this.#realDirs.delete(rec.real);
      rec.real = real;
      this.#realDirs.set(real, dir);
    }
    let watchError: string | null = null;
    if (!rec.watcher) {
      try {
        const w = watch(dir, (_event, name) => this.#onEvent(dir, name));
        w.on("error", (e) => {
          // the folder went away or the OS dropped the watch: find out which on the next retry
          w.close();
          if (rec.watcher === w) rec.watcher = null;
          this.#fail(dir, `watch failed: ${fsError(e)}`, () => this.#walkDir(dir, root, true));
        });
        rec.watcher = w;
      } catch (e) {
        watchError = `watch failed: ${fsError(e)}`;
      }
    }
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (gone(e)) this.#gone(dir);
      else this.#fail(dir, fsError(e), () => this.#walkDir(dir, root, true));
      return;
    }
    if (this.#closed || this.#dirs.get(dir) !== rec) return;
    rec.listed = before ? { ino: before.ino, ctimeMs: before.ctimeMs, mtimeMs: before.mtimeMs, at: listedAt } : null;
    if (watchError === null) this.#clear(dir);
    else this.#fail(dir, watchError, () => this.#walkDir(dir, root, true));
    const names = new Set<string>();
    // the folders below are walked side by side: each walk waits on the thread pool twice (its
    // real path, its listing), and one after another a walk of 857 folders sat idle ~0.1 s
    const walks: Promise<void>[] = [];
    for (const ent of entries) {
      names.add(ent.name);
      const path = join(dir, ent.name);
      if (this.#files.has(path)) continue;
      const sub = this.#dirs.get(path);
      if (sub) {
        if (deep || sub.real === null) walks.push(this.#walkDir(path, root, deep, resync));
      } else if (ent.isDirectory()) {
        walks.push(this.#walkDir(path, root, deep, false, join(real, ent.name)));
      } else if (ent.isFile()) {
        if (ent.name.endsWith(".jsonl")) this.#addFile(path, join(real, ent.name), root);
      } else {
        await this.#entry(dir, ent.name, root); // links, and types the listing did not say
      }
    }
    await Promise.all(walks);
    for (const name of [...rec.children]) if (!names.has(name)) this.#gone(join(dir, name));
  }

  /** Classifies one entry of a followed folder after an event (or a link found by a walk). */
  async #entry(dir: string, name: string, root: string): Promise<void> {
    const path = join(dir, name);
    if (this.#busy.has(path)) {
      this.#busy.set(path, true);
      return;
    }
    this.#busy.set(path, false);
    try {
      do {
        this.#busy.set(path, false);
        await this.#classify(dir, name, root);
      } while (this.#busy.get(path) === true && !this.#closed);
    } finally {
      this.#busy.delete(path);
    }
  }

  async #classify(dir: string, name: string, root: string): Promise<void> {
    const path = join(dir, name);
    const retry = () => this.#entry(dir, name, root);
    let link = false;
    let s;
    try {
      const l = await lstat(path);
      link = l.isSymbolicLink();
      s = link ? await stat(path) : l;
    } catch (e) {
      this.#gone(path);
      // a dangling link or a loop is wrong now; a vanished entry is simply gone
      if (link || !gone(e)) this.#fail(path, fsError(e), retry);
      return;
    }
    if (this.#closed || !this.#dirs.has(dir)) return;
    if (s.isDirectory()) {
      if (this.#files.has(path)) this.#gone(path);
      await this.#walkDir(path, root, true);
      return;
    }
    if (!name.endsWith(".jsonl")) {
      this.#gone(path);
      return;
    }
    if (!s.isFile()) {
      // a FIFO, socket or device named like a transcript: opening it could block a thread forever
      this.#gone(path);
      this.#fail(path, "not a regular file", retry);
      return;
    }
    if (this.#dirs.has(path)) this.#gone(path); // a folder replaced by a file
    if (this.#files.has(path)) {
      this.#clear(path);
      this.#h.changed(path);
      return;
    }
    // a plain file's real path is its folder's; only a link needs asking (one call less per new file)
    const folderReal = this.#dirs.get(dir)?.real ?? null;
    let real: string;
    try {
      real = link || folderReal === null ? await realpath(path) : join(folderReal, name);
    } catch (e) {
      if (gone(e)) this.#gone(path);
      else this.#fail(path, fsError(e), retry);
      return;
    }
    if (this.#closed || !this.#dirs.has(dir)) return;
    this.#clear(path);
    this.#addFile(path, real, root);
  }

  #addFile(path: string, real: string, root: string): void {
    if (this.#files.has(path)) {
      this.#h.changed(path); // found by a walk and an event at once
      return;
    }
    const owner = this.#realFiles.get(real);
    if (owner !== undefined && owner !== path) return; // the same file reached another way
    this.#files.set(path, real);
    this.#realFiles.set(real, path);
    this.#dirs.get(dirname(path))?.children.add(path.slice(dirname(path).length + 1));
    this.#h.found(path, root);
  }

  /** Forgets a path and everything below it (files are lost; problems there are over). */
  #gone(path: string): void {
    const real = this.#files.get(path);
    if (real !== undefined) {
      this.#files.delete(path);
      if (this.#realFiles.get(real) === path) this.#realFiles.delete(real);
      this.#h.lost(path);
    }
    const rec = this.#dirs.get(path);
    if (rec) {
      this.#dirs.delete(path);
      rec.watcher?.close();
      if (rec.real !== null && this.#realDirs.get(rec.real) === path) this.#realDirs.delete(rec.real);
      for (const name of rec.children) this.#gone(join(path, name));
    }
    this.#dirs.get(dirname(path))?.children.delete(path.slice(dirname(path).length + 1));
    this.#clear(path);
  }

  #fail(path: string, error: string, retry: () => Promise<void>): void {
    const held = this.#problems.get(path);
    this.#problems.set(path, { error, retry });
    this.#dirs.get(dirname(path))?.children.add(path.slice(dirname(path).length + 1));
    if (held?.error !== error) this.#h.problem(path, error);
  }

  #clear(path: string): void {
    if (this.#problems.delete(path)) this.#h.recovered(path);
  }
}

/** The folder's own times now, or null where it cannot be looked at (the listing then says why). */
function statOrNull(dir: string): { ino: number; ctimeMs: number; mtimeMs: number } | null {
  try {
    return statSync(dir, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** The folder is as it was at its listing, which came well after its last change (see SETTLED_MS). */
function unchangedSince(now: { ino: number; ctimeMs: number }, listed: { ino: number; ctimeMs: number; at: number }): boolean {
  return now.ino === listed.ino && now.ctimeMs === listed.ctimeMs && listed.at - listed.ctimeMs > SETTLED_MS;
}
