import {
  costOf,
  MessageLedger,
  WindowEngine,
  type GaugeConfig,
  type LimitNotice,
  type SourceKind,
  type StatsWindow,
  type TurnSignal,
  type UsageSnapshot,
} from "@claude-gauge/core";
import { engineFromLedger } from "./cold-engine.js";
import { HistoryBook } from "./history.js";
import { StatsBook } from "./stats.js";
import { OfficialStore, parseStatuslineSample } from "./official-store.js";
import type { StatuslineSample } from "../statusline/sample.js";
import { TranscriptTail } from "../sources/jsonl/tail.js";
import type { GaugeMetrics } from "../http/metrics.js";
import { SnapshotFeed } from "../http/snapshot-feed.js";
import type { BadLine } from "../sources/jsonl/load.js";
import type { WalkProblem } from "../sources/jsonl/files.js";

export interface ServiceOptions {
  roots: readonly string[];
  config: GaugeConfig;
  metrics: GaugeMetrics;
  /** ms since epoch; injectable so tests can run many services against one clock */
  clock?: () => number;
  /** show project folder names in /stats (otherwise a short hash) */
  showProjects?: boolean;
  /** IANA zone for /stats days */
  timeZone?: string;
  /** recompute the snapshot this often even without input (lamps and windows age), ms */
  tickMs?: number;
  /** readings the statusline saved while the daemon was down (its state file), replayed at start */
  officialHistory?: () => StatuslineSample[];
  rescanMs?: number;
  log?: (msg: string) => void;
  source?: SourceKind;
}

/**
 * The live daemon's state: the tail feeds the ledger, the ledger's growth feeds the windows, and
 * every change publishes a new snapshot frame. Nothing here keeps message text.
 */
export class GaugeService {
  readonly feed: SnapshotFeed;
  readonly #o: ServiceOptions;
  readonly #clock: () => number;
  readonly #ledger = new MessageLedger(costOf);
  #engine: WindowEngine;
  #tail: TranscriptTail | null = null;
  #ticker: ReturnType<typeof setInterval> | null = null;
  #scheduled = false;
  #ready = false;
  #initialSignals: TurnSignal[] = [];
  #initialLimits: LimitNotice[] = [];
  readonly #stats = new StatsBook();
  readonly #history: HistoryBook;
  readonly #problems = new Map<string, string>();
  readonly #official = new OfficialStore();
  /** the snapshot behind feed.current */
  #snapshot: UsageSnapshot;
  lastBadLine: BadLine | null = null;

  constructor(opts: ServiceOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
    this.#engine = new WindowEngine(opts.config);
    this.#history = new HistoryBook(opts.config);
    this.#snapshot = this.#compute();
    this.feed = new SnapshotFeed(this.#snapshot);
  }

  get ready(): boolean {
    return this.#ready;
  }

  get tailStats() {
    return this.#tail?.stats ?? null;
  }

  /** Cold scan, then follow. Resolves when the first full snapshot is published. */
  async start(): Promise<void> {
    const tail = new TranscriptTail(
      this.#o.roots,
      {
        line: (d, initial) => {
          if (d.kind === "usage") {
            const deltas = [d.event, ...d.extras].map((e) => this.#ledger.add(e)).filter((x) => x !== null);
            for (const delta of deltas) {
              this.#o.metrics.countDelta(delta.model, delta.counts, delta.costUsd);
              this.#history.changed(Math.min(delta.timestamp, delta.replacedAt ?? delta.timestamp));
            }
            if (initial) {
              if (d.limit) this.#initialLimits.push(d.limit);
              return;
            }
            this.#o.metrics.ingested(d.event.timestamp, this.#clock());
            for (const delta of deltas) this.#engine.addDelta(delta);
            if (d.signal) this.#engine.addSignal(d.signal);
            if (d.limit) this.#engine.addLimit(d.limit);
          } else if (d.kind === "signal") {
            if (initial) this.#initialSignals.push(d.signal);
            else this.#engine.addSignal(d.signal);
          } else if (d.kind === "limit") {
            if (initial) this.#initialLimits.push(d.limit);
            else this.#engine.addLimit(d.limit);
          }
          if (!initial) this.#schedule();
        },
        badLine: (b) => {
          this.lastBadLine = b;
          this.#o.metrics.badLines.inc();
          this.#o.log?.(`bad line ${b.path}:${b.line}: ${b.error}`);
        },
        problem: (p: WalkProblem) => {
          this.#problems.set(p.path, p.error);
          this.#o.metrics.sourceProblems.inc();
          this.#o.log?.(`cannot read ${p.path}: ${p.error}`);
        },
      },
      this.#o.rescanMs === undefined ? {} : { rescanMs: this.#o.rescanMs },
    );
    this.#tail = tail;
    await tail.start();
    // The cold scan fed only the ledger; the windows get each message once, in time order.
    this.#engine = engineFromLedger(this.#o.config, this.#ledger, this.#initialSignals, this.#initialLimits);
    this.#initialSignals = [];
    this.#initialLimits = [];
    for (const sample of this.#o.officialHistory?.() ?? []) this.#official.add(sample, this.#engine);
    this.#refit();
    this.#ready = true;
    this.#publish();
    void this.#history.prefetch(this.#ledger, this.#clock);
    this.#ticker = setInterval(() => this.#publish(), this.#o.tickMs ?? 1000);
    this.#ticker.unref?.();
  }

  stop(): void {
    this.#history.stop();
    this.#tail?.close();
    if (this.#ticker) clearInterval(this.#ticker);
  }

  /** Problems seen since start that have not recovered (path → error). */
  get problems(): ReadonlyMap<string, string> {
    return this.#problems;
  }

  #sourceOk(): boolean {
    // A missing root is a fresh install, not a failure; unreadable paths make numbers incomplete.
    return this.#ready && this.#problems.size === 0;
  }

  #compute(): UsageSnapshot {
    const now = this.#clock();
    return this.#engine.snapshot(now, { kind: this.#o.source ?? "jsonl", ok: this.#sourceOk() }, this.#official.fuel(this.#engine, now));
  }

  #refit(): void {
    this.#engine.fitted = {
      ceiling5hTokens: this.#official.fit("5h").ceilingTokens,
      ceiling7dTokens: this.#official.fit("7d").ceilingTokens,
    };
  }

  /**
   * POST /statusline: one reading of Claude's own rate limits. Returns an error naming the bad
   * field, or null when taken (the snapshot is republished at once).
   */
  acceptStatusline(body: unknown): string | null {
    const sample = parseStatuslineSample(body);
    if (typeof sample === "string") return sample;
    if (this.#official.add(sample, this.#engine) > 0) {
      this.#refit();
      this.#publish();
    }
    return null;
  }

  /** The ceilings fitted to official readings, with their evidence (for /stats and calibrate). */
  officialFits() {
    return { window5h: this.#official.fit("5h"), window7d: this.#official.fit("7d") };
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Lines of one read arrive together: publish once after the batch, before the next I/O turn.
    setImmediate(() => {
      this.#scheduled = false;
      this.#publish();
    });
  }

  #publish(): void {
    const s = this.#compute();
    this.#snapshot = s;
    this.#o.metrics.snapshot(s);
    const tail = this.#tail?.stats;
    if (tail) {
      this.#o.metrics.filesFollowed.set(tail.files);
      this.#o.metrics.bytesRead.set(tail.bytes);
    }
    this.feed.publish(s);
  }

  /** /stats: aggregates plus the 50/80/95 % state of both windows against the ceilings in use. */
  stats(window: StatsWindow): unknown {
    return this.#stats.get(window, this.#clock(), {
      ledger: this.#ledger,
      engine: this.#engine,
      official: this.#official,
      snapshot: this.#snapshot,
      config: this.#o.config,
      timeZone: this.#o.timeZone ?? "UTC",
      showProjects: this.#o.showProjects === true,
    });
  }

  /** /history: the gauge values every 5 min over the last `hours` (see HistoryBook). */
  history(hours: number): unknown {
    return this.#history.points(this.#ledger, this.#clock(), hours);
  }
}
