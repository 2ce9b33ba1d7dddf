import type { GaugeConfig } from "@claude-gauge/core";
import type { Source, SourceHealth, SourceSink } from "../source.js";
import { JsonlSource } from "../jsonl/jsonl-source.js";
import { DemoWriter, type DemoOptions } from "./demo-writer.js";

/**
 * `serve --demo`: a generated working week written as transcripts (DemoWriter) and read back by
 * the ordinary transcript source, so the demo exercises the same pipeline as real use. The
 * service must take `clock` as its clock: the demo's time runs faster than the wall clock.
 */
export class DemoSource implements Source {
  readonly kind = "demo" as const;
  readonly #writer: DemoWriter;
  readonly #jsonl: JsonlSource;

  constructor(opts: DemoOptions & { rescanMs?: number } = {}) {
    this.#writer = new DemoWriter(opts);
    const root = this.#writer.root;
    this.#jsonl = new JsonlSource({
      kind: "demo",
      showProjects: true,
      resolveRoots: () => ({ roots: [root], missing: [] }),
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.rescanMs === undefined ? {} : { rescanMs: opts.rescanMs }),
    });
  }

  /** demo seconds per real second */
  get speed(): number {
    return this.#writer.speed;
  }

  /** The demo's time, ms since epoch. */
  readonly clock = (): number => this.#writer.clock();

  /** Writes the past week before the scan; returns `base` with the demo's ceilings where unset. */
  prepare(base: GaugeConfig): GaugeConfig {
    return this.#writer.prepare(base);
  }

  async start(sink: SourceSink): Promise<void> {
    await this.#jsonl.start(sink);
    this.#writer.start();
  }

  stop(): void {
    this.#jsonl.stop();
    this.#writer.stop();
  }

  health(): SourceHealth {
    return this.#jsonl.health();
  }
}
