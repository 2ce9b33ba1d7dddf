import { dirname } from "node:path";
import type { SourceKind } from "@claude-gauge/core";
import { pathLabeler, projectLabeler } from "../project-label.js";
import type { Source, SourceHealth, SourceSink } from "../source.js";
import { findTranscriptRoots, type RootsResult } from "./roots.js";
import { FIRST_SCAN_MIN_BYTES, scanInChildProcess } from "./first-scan.js";
import { backfillTranscripts, type ResumePoint, type WorkerRun } from "./load.js";
import { TranscriptTail } from "./tail.js";

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
  /** read and update the scan cache in this folder: a restart reads only what changed (absent: no cache) */
  cacheDir?: string;
}

/** Claude Code's JSONL transcripts: a cold scan of every file, then the live tail. */
export class JsonlSource implements Source {
  readonly kind: SourceKind;
  readonly #o: JsonlSourceOptions;
  readonly #label: (path: string) => string;
  #roots: RootsResult = { roots: [], missing: [] };
  #tail: TranscriptTail | null = null;

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
    // From the scan cache where it holds: the tail then follows each file from where this stopped.
    const backfill = this.#o.cacheDir === undefined ? null : await this.#backfill(sink, this.#o.cacheDir, roots());
    const tail = new TranscriptTail(
      roots,
      {
        line: (d, initial) => {
          if (d.kind === "usage") {
            sink.usage(d.event, initial);
            for (const e of d.extras) sink.usage(e, initial);
            if (d.signal) sink.signal(d.signal, initial);
            if (d.limit) sink.limit(d.limit, initial);
          } else if (d.kind === "signal") sink.signal(d.signal, initial);
          else sink.limit(d.limit, initial);
        },
        badLine: (b) => sink.rejected(`${this.#label(b.path)}:${b.line}`, b.error),
        problem: (p) => log(`cannot read ${this.#label(p.path)}: ${p.error}`),
        recovered: (path) => log(`reads again: ${this.#label(path)}`),
      },
      {
        ...(this.#o.rescanMs === undefined ? {} : { rescanMs: this.#o.rescanMs }),
        ...(this.#o.checkMs === undefined ? {} : { checkMs: this.#o.checkMs }),
        ...(backfill ? { resume: backfill } : {}),
      },
    );
    this.#tail = tail;
    await tail.start();
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
          limit: (n) => sink.limit(n, true),
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
