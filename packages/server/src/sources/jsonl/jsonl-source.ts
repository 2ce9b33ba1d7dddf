import { dirname } from "node:path";
import type { SourceKind } from "@claude-gauge/core";
import { pathLabeler, projectLabeler } from "../project-label.js";
import type { Source, SourceHealth, SourceSink } from "../source.js";
import { findTranscriptRoots, type RootsResult } from "./roots.js";
import { TranscriptTail } from "./tail.js";

export interface JsonlSourceOptions {
  /** where the transcripts are; Claude Code's own folders (CLAUDE_CONFIG_DIR, ~/.claude…) by default */
  resolveRoots?: () => RootsResult;
  /** slow safety rescan, ms (the tail's default when unset) */
  rescanMs?: number;
  /** show project folder names in health and logs (otherwise a short hash) */
  showProjects?: boolean;
  log?: (msg: string) => void;
  /** the demo follows its own generated transcripts with this same source */
  kind?: SourceKind;
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
    this.#roots = (this.#o.resolveRoots ?? findTranscriptRoots)();
    if (this.#roots.roots.length === 0) log(`no transcripts yet (looked in ${this.#roots.missing.join(", ")})`);
    const tail = new TranscriptTail(
      this.#roots.roots,
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
      this.#o.rescanMs === undefined ? {} : { rescanMs: this.#o.rescanMs },
    );
    this.#tail = tail;
    await tail.start();
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
        roots: this.#roots.roots,
        looked_in: [...this.#roots.roots.map((r) => dirname(r)), ...this.#roots.missing],
        files: this.#tail?.stats.files ?? 0,
        bytes: this.#tail?.stats.bytes ?? 0,
      },
    };
  }
}
