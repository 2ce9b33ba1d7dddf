import { costOf, MessageLedger, type SourceKind, type UsageEvent } from "@claude-gauge/core";
import { JsonlSource, type JsonlSourceOptions } from "../jsonl/jsonl-source.js";
import type { Source, SourceHealth, SourceProblem, SourceSink } from "../source.js";
import { BlockReconciler } from "./block-reconciler.js";
import { parseCcusageBlocks, parseCcusageDaily } from "./ccusage-blocks.js";
import { runCcusage, type CcusageCommand } from "./ccusage-runner.js";
import { growthEvent } from "../growth-event.js";

export interface CcusageSourceOptions extends Pick<JsonlSourceOptions, "resolveRoots" | "rescanMs" | "showProjects"> {
  command: CcusageCommand;
  /** how often ccusage runs, ms */
  intervalMs?: number;
  /** one run's time limit, ms */
  timeoutMs?: number;
  log?: (msg: string) => void;
}

const BLOCKS_ARGS = ["claude", "blocks", "--json", "--offline"];
/** UTC days: the blocks are UTC too */
const DAILY_ARGS = ["claude", "daily", "--json", "--offline", "--timezone", "UTC"];

/**
 * The plan's Architecture B: ccusage on a cadence for the windows — `claude blocks` (5 h blocks:
 * times, tokens by type, cost) and `claude daily` (per model, to share each block's growth among
 * models) — and the transcript tail for the tach. The tail's own history goes into a private ledger
 * only, so that a later line of a known message yields just its growth; that live growth is handed
 * on at once (the tach moves with each line) and booked against its block, and each ccusage run adds
 * what the tail did not deliver (BlockReconciler).
 *
 * A failing, slow or missing ccusage is a health state: the run is killed at its time limit, retried
 * with backoff, and the source is healthy again after the next good run.
 */
export class CcusageSource implements Source {
  readonly kind: SourceKind = "ccusage";
  readonly #o: CcusageSourceOptions;
  readonly #tail: JsonlSource;
  readonly #ledger = new MessageLedger(costOf);
  readonly #reconciler = new BlockReconciler();
  #sink: SourceSink | null = null;
  #problem: SourceProblem | null = null;
  #runs = 0;
  #failures = 0;
  #blocks = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(opts: CcusageSourceOptions) {
    this.#o = opts;
    this.#tail = new JsonlSource({
      ...(opts.resolveRoots ? { resolveRoots: opts.resolveRoots } : {}),
      ...(opts.rescanMs === undefined ? {} : { rescanMs: opts.rescanMs }),
      ...(opts.showProjects === undefined ? {} : { showProjects: opts.showProjects }),
      ...(opts.log ? { log: opts.log } : {}),
    });
  }

  async start(sink: SourceSink): Promise<void> {
    this.#sink = sink;
    await this.#tail.start({
      usage: (event, initial) => this.#tailUsage(event, initial),
      // the history is ccusage's to report: the tail's ledger only learns what it already holds
      usageRows: (rows) => {
        for (let i = 0; i < rows.length; i++) this.#ledger.addFrom(rows, i);
      },
      // the transcript tail never reports request-only events (those come from OTLP)
      request: (event, initial) => sink.request(event, initial),
      signal: (s, initial) => sink.signal(s, initial),
      limit: (n, initial) => sink.limit(n, initial),
      rejected: (where, error) => sink.rejected(where, error),
    });
    await this.#run(true);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#tail.stop();
  }

  health(): SourceHealth {
    const tail = this.#tail.health();
    const problems = [...(this.#problem ? [this.#problem] : []), ...tail.problems];
    return {
      kind: this.kind,
      ok: this.#runs > 0 && problems.length === 0,
      problems,
      detail: { ...tail.detail, ccusage: this.#o.command.label, ccusage_runs: this.#runs, blocks: this.#blocks },
    };
  }

  #tailUsage(event: UsageEvent, initial: boolean): void {
    const delta = this.#ledger.add(event);
    // The history is ccusage's to report; only what the tail sees live is handed on by it.
    if (delta === null || initial) return;
    const { input, output, cacheRead, cacheCreation, cacheCreation5m, cacheCreation1h } = delta.counts;
    this.#reconciler.live(delta.timestamp, { input, output, cacheRead, cacheCreation }, delta.costUsd);
    this.#sink?.usage(
      {
        ...event,
        messageId: null,
        requestId: null,
        input,
        output,
        cacheRead,
        cacheCreation,
        cacheCreation5m,
        cacheCreation1h,
        loggedCostUsd: delta.costUsd,
        thinking: delta.thinkingOutput > 0,
        progress: false,
      },
      false,
    );
  }

  async #run(initial: boolean): Promise<void> {
    const log = this.#o.log ?? (() => {});
    let where = `${this.#o.command.label} ${BLOCKS_ARGS.join(" ")}`;
    try {
      const timeout = this.#o.timeoutMs ?? 30_000;
      const blocks = parseCcusageBlocks(await runCcusage(this.#o.command, BLOCKS_ARGS, timeout));
      if ("error" in blocks) throw new Error(blocks.error);
      where = `${this.#o.command.label} ${DAILY_ARGS.join(" ")}`;
      const days = parseCcusageDaily(await runCcusage(this.#o.command, DAILY_ARGS, timeout));
      if ("error" in days) throw new Error(days.error);
      this.#blocks = blocks.length;
      const growth = this.#reconciler.run(blocks, days, Date.now(), initial);
      for (const g of growth) this.#sink?.usage(growthEvent(g.t, "ccusage", g.model, g.tokens, g.costUsd), initial);
      if (this.#problem) log(`runs again: ${this.#o.command.label}`);
      this.#problem = null;
      this.#failures = 0;
      this.#runs++;
    } catch (e) {
      const error = (e as Error).message;
      if (this.#problem?.error !== error) log(`${where}: ${error}`);
      this.#problem = { where, error };
      this.#failures++;
    }
    if (this.#stopped) return;
    const interval = this.#o.intervalMs ?? 60_000;
    const wait = this.#failures === 0 ? interval : Math.min(interval, 1000 * 2 ** (this.#failures - 1));
    this.#timer = setTimeout(() => void this.#run(false), wait);
    this.#timer.unref?.();
  }
}
