import { rmSync } from "node:fs";
import { dirname } from "node:path";
import type { LimitNotice, SourceKind } from "@claude-gauge/core";
import { pathLabeler, projectLabeler } from "../project-label.js";
import type { Source, SourceHealth, SourceSink } from "../source.js";
import { findTranscriptRoots, type RootsResult } from "./roots.js";
import { FIRST_SCAN_MIN_BYTES, scanInChildProcess } from "./first-scan.js";
import { daemonStatePath, readDaemonState, writeDaemonState } from "./daemon-state.js";
import { backfillTranscripts, type ResumePoint, type WorkerRun } from "./load.js";
import { consumedTo, TranscriptTail } from "./tail.js";

export interface JsonlSourceOptions {
  /** where the transcripts are; Claude Code's own folders (CLAUDE_CONFIG_DIR, ~/.claude…) by default */
  resolveRoots?: () => RootsResult;
  /** slow safety rescan, ms (the tail's default when unset) */
  rescanMs?: number;
  /** how often the roots are resolved again and problems retried, ms (the tail's default when unset) */
  checkMs?: number;
  /** show project folder names in health and logs (otherwise a short hash) */
  showProjects?: boolean;
  log?: (msg: string) => void;
  /** the demo follows its own generated transcripts with this same source */
  kind?: SourceKind;
  /**
   * read and update the scan cache in this folder, and keep the daemon's state there: a restart
   * goes on from the saved state, else reads only what changed (absent: neither)
   */
  cacheDir?: string;
  /** how often the state is saved while it changes, ms (it is also saved at stop); 30 min by default */
  saveStateMs?: number;
}

/**
 * How often the state is saved while it changes (it is also saved at stop): only a daemon killed
 * outright starts from an older one, which reads more; each save is ~12 MB written and ~0.2 s of
 * the event loop on a 1 GiB history, so not every few minutes of a working day.
 */
const SAVE_STATE_MS = 30 * 60_000;

/** limit notices a saved state keeps, newest first (the windows use those of the last 5 h; Claude Code logs one per limit hit) */
const KEPT_LIMITS = 32;

/** Claude Code's JSONL transcripts: a cold scan of every file, then the live tail. */
export class JsonlSource implements Source {
  readonly kind: SourceKind;
  readonly #o: JsonlSourceOptions;
  readonly #label: (path: string) => string;
  #roots: RootsResult = { roots: [], missing: [] };
  #tail: TranscriptTail | null = null;
  #sink: SourceSink | null = null;
  /** the newest limit notices read, for a saved state */
  #limits: LimitNotice[] = [];
  /** what the last saved (or resumed) state was taken at: ledger version, files, bytes */
  #savedAt = "";
  /** the key of the state the start resumed, until the tail has started */
  #resumedKey: string | null = null;
  #saver: ReturnType<typeof setInterval> | null = null;

  constructor(opts: JsonlSourceOptions = {}) {
    this.#o = opts;
    this.kind = opts.kind ?? "jsonl";
    this.#label = pathLabeler(() => this.#roots.roots, projectLabeler(opts.showProjects ?? false));
  }

  async start(sink: SourceSink): Promise<void> {
    const log = this.#o.log ?? (() => {});
    const resolveRoots = this.#o.resolveRoots ?? findTranscriptRoots;
    // Resolved again on the tail's slow check: on a fresh machine ~/.claude/projects appears later.
    let first = true;
    const roots = (): readonly string[] => {
      const next = resolveRoots();
      const was = this.#roots.roots;
      for (const r of next.roots) if (!was.includes(r)) log(`following ${r}`);
      for (const r of was) if (!next.roots.includes(r)) log(`${r} is gone; its counted tokens stay`);
      if (next.roots.length === 0 && (was.length > 0 || first)) {
        log(`no transcripts yet (looked in ${next.missing.join(", ")}); following them once they appear`);
      }
      first = false;
      this.#roots = next;
      return next.roots;
    };
    this.#sink = sink;
    const cacheDir = this.#o.cacheDir;
    // From the state the daemon saved when it last stopped, else from the scan cache where it
    // holds: the tail then follows each file from where that stopped.
    let resume: ReadonlyMap<string, ResumePoint> | null = null;
    if (cacheDir !== undefined) {
      const startRoots = roots();
      resume = this.#resumeSaved(sink, cacheDir, startRoots) ?? (await this.#backfill(sink, cacheDir, startRoots));
    }
    const tail = new TranscriptTail(
      roots,
      {
        line: (d, initial) => {
          if (d.kind === "usage") {
            sink.usage(d.event, initial);
            for (const e of d.extras) sink.usage(e, initial);
            if (d.signal) sink.signal(d.signal, initial);
            if (d.limit) this.#limit(d.limit, initial);
          } else if (d.kind === "signal") sink.signal(d.signal, initial);
          else this.#limit(d.limit, initial);
        },
        badLine: (b) => sink.rejected(`${this.#label(b.path)}:${b.line}`, b.error),
        problem: (p) => log(`cannot read ${this.#label(p.path)}: ${p.error}`),
        recovered: (path) => log(`reads again: ${this.#label(path)}`),
      },
      {
        ...(this.#o.rescanMs === undefined ? {} : { rescanMs: this.#o.rescanMs }),
        ...(this.#o.checkMs === undefined ? {} : { checkMs: this.#o.checkMs }),
        ...(resume ? { resume } : {}),
      },
    );
    this.#tail = tail;
    await tail.start();
    // nothing changed while the daemon was down: the state saved is this one (no rewrite at stop)
    if (this.#resumedKey === this.#stateKey()) this.#savedAt = this.#resumedKey;
    this.#resumedKey = null;
    if (cacheDir !== undefined && sink.ledger !== undefined) {
      this.#saver = setInterval(() => this.#saveState(), this.#o.saveStateMs ?? SAVE_STATE_MS);
      this.#saver.unref?.();
    }
  }

  #limit(n: LimitNotice, initial: boolean): void {
    this.#limits.push(n);
    if (this.#limits.length > 2 * KEPT_LIMITS) this.#limits = newest(this.#limits);
    this.#sink?.limit(n, initial);
  }

  /** What a state taken now would be taken at (a state is saved only when this moved). */
  #stateKey(): string {
    const tail = this.#tail;
    return stateKey(this.#sink?.ledger?.version() ?? 0, tail?.stats.files ?? 0, tail?.stats.bytes ?? 0);
  }

  /**
   * The daemon's state as the last one left it (see daemon-state.ts): its ledger taken back, the
   * positions for the tail. Null when there is none or it does not hold (then dropped, with a note).
   */
  #resumeSaved(sink: SourceSink, cacheDir: string, roots: readonly string[]): ReadonlyMap<string, ResumePoint> | null {
    const log = this.#o.log ?? (() => {});
    if (sink.ledger === undefined) return null;
    const path = daemonStatePath(cacheDir, roots);
    try {
      const state = readDaemonState(path, roots);
      if (state === null) return null;
      if (!sink.ledger.resume(state.ledger, state.windows)) {
        log("the saved state does not fit this start (something was counted before it, or another ledger mode); starting through the scan cache");
        return null;
      }
      for (const n of state.limits) this.#limit(n, true);
      // what the key will be once the tail has followed each file from here, if nothing changed
      let bytes = 0;
      for (const p of state.positions.values()) bytes += consumedTo(p);
      // a state without the windows (an earlier build's) is saved again at stop, with them
      this.#resumedKey = state.windows === null ? null : stateKey(sink.ledger.version(), state.positions.size, bytes);
      log(`resumed the state saved ${new Date(state.savedAt).toISOString()}: ${state.ledger.kept.columns.length} messages, ${state.positions.size} files`);
      return state.positions;
    } catch (e) {
      log(`the saved state does not hold up (${(e as Error).message}); starting through the scan cache`);
      rmSync(path, { force: true });
      return null;
    }
  }

  /** Saves the daemon's state when it moved since the last one (a failure is a note: the next start reads more). */
  #saveState(): void {
    const cacheDir = this.#o.cacheDir;
    const ledger = this.#sink?.ledger;
    const tail = this.#tail;
    if (cacheDir === undefined || ledger === undefined || tail === null) return;
    const key = this.#stateKey();
    if (key === this.#savedAt) return;
    const roots = tail.roots;
    try {
      writeDaemonState(daemonStatePath(cacheDir, roots), {
        roots,
        savedAt: Date.now(),
        ledger: ledger.state(),
        positions: tail.positions(),
        limits: newest(this.#limits),
        windows: ledger.windows(),
      });
      this.#savedAt = key;
    } catch (e) {
      (this.#o.log ?? (() => {}))(`could not save the daemon state (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }

  /** The cold start's bulk: every complete line, through the scan cache; where each file was left. */
  async #backfill(sink: SourceSink, cacheDir: string, roots: readonly string[]): Promise<ReadonlyMap<string, ResumePoint> | null> {
    const log = this.#o.log ?? (() => {});
    try {
      const r = await backfillTranscripts(
        roots,
        { now: Date.now(), cache: { dir: cacheDir }, progress: (msg) => log(msg), label: this.#label },
        {
          usageRows: (rows) => sink.usageRows(rows),
          limit: (n) => this.#limit(n, true),
          badLine: (b) => sink.rejected(`${this.#label(b.path)}:${b.line}`, b.error),
        },
        { minBytes: FIRST_SCAN_MIN_BYTES, run: () => scanInChildProcess(roots, cacheDir, this.#o.showProjects ?? false) },
      );
      log(
        `backfill: ${r.scannedElsewhere ? "scanned by a process of its own, then " : ""}${r.scan.files} files, ${r.scan.cached} from the scan cache, ${r.scan.appended} read from where it stopped, ${r.scan.read} read whole${threadsNote(r.scan.worker)}`,
      );
      for (const p of r.left) log(`backfill: ${this.#label(p.path)} is read whole by the tail (${p.error})`);
      return r.resume;
    } catch (e) {
      // the tail's own cold scan reads everything instead
      log(`backfill from the scan cache failed (${(e as Error).message}); reading every file`);
      return null;
    }
  }

  stop(): void {
    if (this.#saver !== null) clearInterval(this.#saver);
    this.#saver = null;
    this.#saveState();
    this.#tail?.close();
  }

  health(): SourceHealth {
    const problems = [...(this.#tail?.problems ?? [])].map(([path, error]) => ({ where: this.#label(path), error }));
    return {
      kind: this.kind,
      ok: this.#tail !== null && problems.length === 0,
      problems,
      detail: {
        roots: this.#tail?.roots ?? [],
        looked_in: [...this.#roots.roots.map((r) => dirname(r)), ...this.#roots.missing],
        files: this.#tail?.stats.files ?? 0,
        watched_dirs: this.#tail?.watchedDirs ?? 0,
        bytes: this.#tail?.stats.bytes ?? 0,
      },
    };
  }
}

/** How the backfill's scan ran: on one thread, or on two (and why the second stopped, if it failed). */
function threadsNote(w: WorkerRun | null): string {
  if (w === null) return "; one scan thread";
  return w.problem === null
    ? `; two scan threads (the second scanned ${w.pieces} pieces)`
    : `; the second scan thread failed (${w.problem}), its pieces scanned on the first`;
}

/** What a state is taken at: the ledger's version, the files followed and the bytes counted of them. */
function stateKey(version: number, files: number, bytes: number): string {
  return `${version}/${files}/${bytes}`;
}

/** The newest KEPT_LIMITS notices. */
function newest(limits: readonly LimitNotice[]): LimitNotice[] {
  return [...limits].sort((a, b) => b.timestamp - a.timestamp).slice(0, KEPT_LIMITS);
}
