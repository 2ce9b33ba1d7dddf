import {
  computeStats,
  costOf,
  MessageLedger,
  sortEntries,
  thresholdLevel,
  WindowEngine,
  type GaugeConfig,
  type LimitNotice,
  type SourceKind,
  type StatsWindow,
  type TurnSignal,
  type UsageDelta,
  type UsageEvent,
  type UsageSnapshot,
} from "@claude-gauge/core";
import { engineFromLedger, entryDelta } from "./cold-engine.js";
import { CrossSourceLedger } from "./cross-source-ledger.js";
import { OfficialStore } from "./official-store.js";
import { parseStatuslineSample, type StatuslineSample } from "../statusline/sample.js";
import type { GaugeMetrics } from "./metrics.js";
import { SnapshotFeed } from "../http/snapshot-feed.js";
import { projectLabeler } from "../sources/project-label.js";
import type { Source, SourceProblem, SourceSink } from "../sources/source.js";

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

const HISTORY_STEP_MS = 5 * 60_000;

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
  #version = 0;
  #statsCache = new Map<string, { version: number; minute: number; value: unknown }>();
  readonly #official = new OfficialStore();
  /** the snapshot behind feed.current */
  #snapshot: UsageSnapshot;

  constructor(opts: ServiceOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
    this.#engine = new WindowEngine(opts.config);
    this.#snapshot = this.#compute();
    this.feed = new SnapshotFeed(this.#snapshot);
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Backfill every source, then follow. Resolves when the first full snapshot is published. */
  async start(): Promise<void> {
    const log = this.#o.log ?? (() => {});
    const counted = (delta: UsageDelta | null, event: UsageEvent, initial: boolean): void => {
      if (delta === null) return;
      this.#o.metrics.countDelta(delta.model, delta.counts, delta.costUsd);
      if (initial) return;
      const now = this.#clock();
      this.#o.metrics.ingested(event.timestamp, now);
      this.#engine.addDelta(delta, now);
      this.#changed();
    };
    const sink: SourceSink = {
      usage: (event, initial) => counted(this.#ledger.add(event), event, initial),
      // One ledger for every source: a request both an OTLP event and a transcript report is counted once.
      request: (event, initial) => counted(this.#ledger.addRequest(event), event, initial),
      signal: (signal, initial) => {
        if (initial) this.#initialSignals.push(signal);
        else {
          this.#engine.addSignal(signal, this.#clock());
          this.#changed();
        }
      },
      limit: (notice, initial) => {
        if (initial) this.#initialLimits.push(notice);
        else {
          this.#engine.addLimit(notice, this.#clock());
          this.#changed();
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
    // The backfill fed only the ledger; the windows get each message once, in time order.
    this.#engine = engineFromLedger(this.#o.config, this.#ledger, this.#initialSignals, this.#initialLimits, this.#clock());
    this.#initialSignals = [];
    this.#initialLimits = [];
    for (const sample of this.#o.officialHistory?.() ?? []) this.#official.add(sample, this.#engine);
    this.#refit();
    this.#ready = true;
    this.#version++;
    this.#publish();
    this.#ticker = setInterval(() => this.#publish(), this.#o.tickMs ?? 1000);
    this.#ticker.unref?.();
  }

  stop(): void {
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

  #changed(): void {
    this.#version++;
    this.#schedule();
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
    this.feed.publish(s);
  }

  /** /stats: aggregates plus the 50/80/95 % state of both windows against the ceilings in use. */
  stats(window: StatsWindow): unknown {
    const now = this.#clock();
    const minute = Math.floor(now / 60_000);
    const hit = this.#statsCache.get(window);
    if (hit && hit.version === this.#version && hit.minute === minute) return hit.value;
    const stats = computeStats(this.#ledger.entries(), window, now, {
      timeZone: this.#o.timeZone ?? "UTC",
      projectLabel: projectLabeler(this.#o.showProjects ?? false),
    });
    const snap = this.#snapshot;
    const cal = this.#engine.calibration(now);
    const c = this.#o.config;
    const value = {
      ...stats,
      ceilings: {
        window5hTokens: c.ceiling5hTokens ?? this.#engine.fitted.ceiling5hTokens ?? cal.ceiling5hTokens,
        window7dTokens: c.ceiling7dTokens ?? this.#engine.fitted.ceiling7dTokens ?? cal.ceiling7dTokens,
        tachRedlineTokensPerMin: c.tachRedlineTokensPerMin ?? cal.tachRedlineTokensPerMin,
        basis: c.ceiling5hTokens === null || c.ceiling7dTokens === null ? "suggested" : "configured",
        fittedToOfficial: this.officialFits(),
      },
      thresholds: {
        window5h: { pct: snap.window_5h_pct, level: thresholdLevel(snap.window_5h_pct) },
        window7d: { pct: snap.window_7d_pct, level: thresholdLevel(snap.window_7d_pct) },
      },
    };
    this.#statsCache.set(window, { version: this.#version, minute, value });
    return value;
  }

  /**
   * /history: the gauge values every 5 min over the last `hours`, rebuilt by replaying the kept
   * messages through a fresh engine (so it survives restarts and does not depend on uptime).
   */
  history(hours: number): unknown {
    const now = this.#clock();
    const end = Math.floor(now / HISTORY_STEP_MS) * HISTORY_STEP_MS;
    const start = end - hours * 3_600_000;
    const entries = sortEntries(this.#ledger.entries());
    const engine = new WindowEngine(this.#o.config);
    const points: {
      t: string;
      rate_1m: number;
      window_5h_tokens: number;
      window_5h_pct: number;
      window_7d_tokens: number;
      window_7d_pct: number;
      cost_5h_usd: number;
      cost_7d_usd: number;
    }[] = [];
    let i = 0;
    for (let t = start + HISTORY_STEP_MS; t <= end; t += HISTORY_STEP_MS) {
      for (; i < entries.length && (entries[i]?.event.timestamp ?? Infinity) <= t; i++) engine.addDelta(entryDelta(entries[i]!), t);
      const s = engine.snapshot(t, { kind: this.#kind(), ok: true });
      points.push({
        t: new Date(t).toISOString(),
        rate_1m: s.rate_1m,
        window_5h_tokens: s.window_5h_tokens,
        window_5h_pct: s.window_5h_pct,
        window_7d_tokens: s.window_7d_tokens,
        window_7d_pct: s.window_7d_pct,
        cost_5h_usd: s.cost_5h_usd,
        cost_7d_usd: s.cost_7d_usd,
      });
    }
    return { stepMinutes: 5, hours, points };
  }
}
