import {
  costOf,
  MessageLedger,
  WindowEngine,
  type GaugeConfig,
  type LimitNotice,
  type SourceKind,
  type StatsWindow,
  type TurnSignal,
  type LedgerDelta,
  type TokenCounts,
  type UsageEvent,
  ZERO_COUNTS,
  type UsageSnapshot,
  type WindowsState,
} from "@claude-gauge/core";
import { addTurns, engineFromLedger } from "./cold-engine.js";
import { HistoryBook } from "./history.js";
import { StatsBook } from "./stats.js";
import { CrossSourceLedger, scratchDelta } from "./cross-source-ledger.js";
import { OfficialStore } from "./official-store.js";
import { parseStatuslineSample, type StatuslineSample } from "../statusline/sample.js";
import type { GaugeMetrics } from "./metrics.js";
import { SnapshotFeed } from "../http/snapshot-feed.js";
import { projectLabeler } from "../sources/project-label.js";
import type { Source, SourceProblem, SourceSink } from "../sources/source.js";

/** Deltas a start keeps for resumed windows; more are fed by a replay of the whole ledger instead. */
const MAX_CATCH_UP = 100_000;

export interface ServiceOptions {
  /** where usage comes from; the first one names the snapshot's `source` */
  sources: readonly Source[];
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
  log?: (msg: string) => void;
}

/** GET /healthz: whether the daemon is up, and each source's state now. */
export interface ServiceHealth {
  ok: boolean;
  source_ok: boolean;
  sources: ({ kind: SourceKind; ok: boolean; problems: SourceProblem[] } & Record<string, unknown>)[];
}

/**
 * The live daemon's state: the sources feed the ledger, the ledger's growth feeds the windows, and
 * every change publishes a new snapshot frame. Nothing here keeps message text.
 */
export class GaugeService {
  readonly feed: SnapshotFeed;
  readonly #o: ServiceOptions;
  readonly #clock: () => number;
  readonly #ledger = new CrossSourceLedger(new MessageLedger(costOf), costOf);
  #engine: WindowEngine;
  #ticker: ReturnType<typeof setInterval> | null = null;
  #scheduled = false;
  #ready = false;
  #initialSignals: TurnSignal[] = [];
  #initialLimits: LimitNotice[] = [];
  /** windows taken back from a saved state, until the start is over (see #windowsAtStart) */
  #resumed: { engine: WindowEngine; catchUp: LedgerDelta[] } | null = null;
  /** why the resumed windows cannot go on from what the start read after them (then fed the history) */
  #resumedUnfit: string | null = null;
  readonly #stats = new StatsBook();
  readonly #history: HistoryBook;
  readonly #official = new OfficialStore();
  /** the snapshot behind feed.current */
  #snapshot: UsageSnapshot;

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

  /**
   * What the deltas of a resumed ledger's lines would have told the metrics and /history: the sum
   * of its kept messages, one count per model instead of one per message (a restart on a 1 GiB
   * history: 67k messages, ~0.18 s → ~8 ms profiled).
   */
  #countResumed(): void {
    const byModel = new Map<number, { counts: TokenCounts; costUsd: number }>();
    let first = Number.POSITIVE_INFINITY;
    for (const set of this.#ledger.priced().sets) {
      const c = set.columns;
      byModel.clear();
      for (let i = 0; i < c.length; i++) {
        let m = byModel.get(c.model[i]!);
        if (m === undefined) {
          m = { counts: { ...ZERO_COUNTS }, costUsd: 0 };
          byModel.set(c.model[i]!, m);
        }
        const n = m.counts;
        n.input += c.input[i]!;
        n.output += c.output[i]!;
        n.cacheCreation += c.cacheCreation[i]!;
        n.cacheRead += c.cacheRead[i]!;
        n.cacheCreation5m += c.cacheCreation5m[i]!;
        n.cacheCreation1h += c.cacheCreation1h[i]!;
        m.costUsd += set.cost(i);
        first = Math.min(first, c.timestamp[i]!);
      }
      for (const [model, m] of byModel) this.#o.metrics.countDelta(c.strings[model]!, m.counts, m.costUsd);
    }
    if (first !== Number.POSITIVE_INFINITY) this.#history.changed(first);
  }

  /** Backfill every source, then follow. Resolves when the first full snapshot is published. */
  async start(): Promise<void> {
    const log = this.#o.log ?? (() => {});
    /** what every delta changes, a backfill's included */
    const tally = (delta: LedgerDelta): void => {
      // /history points at and after the change (and after where a replaced line sat) are stale
      this.#history.changed(Math.min(delta.timestamp, delta.replacedAt ?? delta.timestamp));
      this.#o.metrics.countDelta(delta.model, delta.counts, delta.costUsd);
    };
    const counted = (delta: LedgerDelta | null, event: UsageEvent, initial: boolean): void => {
      if (delta === null) return;
      tally(delta);
      if (initial) {
        this.#catchUp(delta);
        return;
      }
      const now = this.#clock();
      this.#o.metrics.ingested(event.timestamp, now);
      this.#engine.addDelta(delta, now);
      this.#schedule();
    };
    const sink: SourceSink = {
      usage: (event, initial) => counted(this.#ledger.add(event), event, initial),
      usageRows: (rows) => {
        if (this.#resumed !== null) this.#resumedUnfit ??= "a backfill after them";
        // counted(…, initial) for each row, with one delta object for all
        const d = scratchDelta();
        for (let i = 0; i < rows.length; i++) if (this.#ledger.addFromInto(rows, i, d)) tally(d);
      },
      ledger: {
        version: () => this.#ledger.transcriptVersion,
        state: () => this.#ledger.transcriptState(),
        // only windows fed exactly the transcripts' messages: a request known from its event alone
        // is not in the saved ledger, and a restart would count its transcript line again
        windows: () => (this.#ready && this.#ledger.eventOnlyRequests === 0 ? this.#engine.state() : null),
        resume: (state, windows) => {
          if (!this.#ledger.resumeTranscripts(state)) return false;
          this.#countResumed();
          if (windows !== null) this.#resumeWindows(windows);
          return true;
        },
      },
      // One ledger for every source: a request both an OTLP event and a transcript report is counted once.
      request: (event, initial) => counted(this.#ledger.addRequest(event), event, initial),
      signal: (signal, initial) => {
        if (initial) this.#initialSignals.push(signal);
        else {
          this.#engine.addSignal(signal, this.#clock());
          this.#schedule();
        }
      },
      limit: (notice, initial) => {
        if (initial) this.#initialLimits.push(notice);
        else {
          this.#engine.addLimit(notice, this.#clock());
          this.#schedule();
        }
      },
      rejected: (where, error) => {
        this.#o.metrics.badLines.inc();
        log(`skipped ${where}: ${error}`);
      },
    };
    await Promise.all(
      this.#o.sources.map((s) =>
        // A source that cannot start is a state (its health says why), not a reason to stop the others.
        s.start(sink).catch((e: unknown) => log(`source ${s.kind} failed to start: ${(e as Error).message}`)),
      ),
    );
    this.#engine = this.#windowsAtStart();
    this.#initialSignals = [];
    this.#initialLimits = [];
    for (const sample of this.#o.officialHistory?.() ?? []) this.#official.add(sample, this.#engine);
    this.#refit();
    this.#ready = true;
    this.#publish();
    void this.#history.prefetch(() => this.#ledger.rows(), this.#clock);
    this.#ticker = setInterval(() => this.#publish(), this.#o.tickMs ?? 1000);
    this.#ticker.unref?.();
  }

  /** Windows from a saved state (WindowEngine.resume); a state that does not fit is a note, and the start feeds them the history. */
  #resumeWindows(state: WindowsState): void {
    try {
      this.#resumed = { engine: WindowEngine.resume(this.#o.config, state), catchUp: [] };
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.#resumedUnfit = e.message;
    }
  }

  /** A delta the start read: the resumed windows take it after the start, in time order, if they can. */
  #catchUp(delta: LedgerDelta): void {
    const r = this.#resumed;
    if (r === null || this.#resumedUnfit !== null) return;
    // older than what the windows saw (a file of old lines appeared): only a replay in time order puts it where it belongs
    if (delta.timestamp < r.engine.newestTime) this.#resumedUnfit = "lines older than the saved windows";
    else if (r.catchUp.length >= MAX_CATCH_UP) this.#resumedUnfit = "more new lines than a replay takes longer for";
    else r.catchUp.push(delta);
  }

  /**
   * The windows once every source has started: those of the saved state with what was read since
   * (in time order), or, without them, every message fed once in time order (the backfill fed only
   * the ledger).
   */
  #windowsAtStart(): WindowEngine {
    const now = this.#clock();
    const resumed = this.#resumed;
    this.#resumed = null;
    if (resumed !== null && this.#resumedUnfit === null) {
      const engine = resumed.engine;
      // stable: equal times keep the order they were read in
      for (const d of resumed.catchUp.sort((a, b) => a.timestamp - b.timestamp)) engine.addDelta(d, now);
      addTurns(engine, this.#initialSignals, this.#initialLimits, now);
      (this.#o.log ?? (() => {}))(`the windows went on from the saved state (${resumed.catchUp.length} changes read since)`);
      return engine;
    }
    if (this.#resumedUnfit !== null) (this.#o.log ?? (() => {}))(`the saved windows are not taken back (${this.#resumedUnfit}); feeding them the history`);
    this.#resumedUnfit = null;
    return engineFromLedger(this.#o.config, this.#ledger.rows(), this.#initialSignals, this.#initialLimits, now);
  }

  stop(): void {
    this.#history.stop();
    for (const s of this.#o.sources) s.stop();
    if (this.#ticker) clearInterval(this.#ticker);
  }

  /** Each source's state now (problems clear when their cause goes away). */
  health(): ServiceHealth {
    const sources = this.#o.sources.map((s) => s.health());
    return {
      ok: this.#ready,
      source_ok: this.#ready && sources.every((h) => h.ok),
      sources: sources.map((h) => ({ kind: h.kind, ok: h.ok, ...h.detail, problems: h.problems })),
    };
  }

  /** What the sources follow, summed (for /metrics and the start-up line). */
  sourceStats(): { files: number; bytes: number; problems: number } {
    const out = { files: 0, bytes: 0, problems: 0 };
    for (const s of this.#o.sources) {
      const h = s.health();
      const num = (k: string): number => (typeof h.detail[k] === "number" ? (h.detail[k] as number) : 0);
      out.files += num("files");
      out.bytes += num("bytes");
      out.problems += h.problems.length;
    }
    return out;
  }

  #sourceOk(): boolean {
    return this.#ready && this.#o.sources.every((s) => s.health().ok);
  }

  #compute(): UsageSnapshot {
    const now = this.#clock();
    return this.#engine.snapshot(now, { kind: this.#kind(), ok: this.#sourceOk() }, this.#official.fuel(this.#engine, now));
  }

  #kind(): SourceKind {
    return this.#o.sources[0]?.kind ?? "jsonl";
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
    const sample = parseStatuslineSample(body, this.#clock());
    if (typeof sample === "string") return sample;
    if (this.#official.add(sample, this.#engine) > 0) {
      this.#refit();
      this.#publish();
    }
    return null;
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
    this.feed.publish(s);
  }

  /** /stats: aggregates plus the 50/80/95 % state of both windows against the ceilings in use (see StatsBook). */
  stats(window: StatsWindow): unknown {
    return this.#stats.get(window, this.#clock(), {
      rows: this.#ledger.priced(),
      engine: this.#engine,
      official: this.#official,
      snapshot: this.#snapshot,
      config: this.#o.config,
      timeZone: this.#o.timeZone ?? "UTC",
      projectLabel: projectLabeler(this.#o.showProjects ?? false),
    });
  }

  /** /history: the gauge values every 5 min over the last `hours` (see HistoryBook). */
  history(hours: number): unknown {
    return this.#history.points(this.#ledger.rows(), this.#clock(), hours);
  }
}
