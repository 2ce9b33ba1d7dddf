import { createHash } from "node:crypto";
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
  type UsageSnapshot,
} from "@claude-gauge/core";
import { engineFromLedger, entryDelta } from "./cold-engine.js";
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

const HISTORY_STEP_MS = 5 * 60_000;

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
  #version = 0;
  #statsCache = new Map<string, { version: number; minute: number; value: unknown }>();
  readonly #problems = new Map<string, string>();
  readonly #official = new OfficialStore();
  /** the snapshot behind feed.current */
  #snapshot: UsageSnapshot;
  lastBadLine: BadLine | null = null;

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
            for (const delta of deltas) this.#o.metrics.countDelta(delta.model, delta.counts, delta.costUsd);
            if (initial) {
              if (d.limit) this.#initialLimits.push(d.limit);
              return;
            }
            const now = this.#clock();
            this.#o.metrics.ingested(d.event.timestamp, now);
            for (const delta of deltas) this.#engine.addDelta(delta, now);
            if (d.signal) this.#engine.addSignal(d.signal, now);
            if (d.limit) this.#engine.addLimit(d.limit, now);
          } else if (d.kind === "signal") {
            if (initial) this.#initialSignals.push(d.signal);
            else this.#engine.addSignal(d.signal, this.#clock());
          } else if (d.kind === "limit") {
            if (initial) this.#initialLimits.push(d.limit);
            else this.#engine.addLimit(d.limit, this.#clock());
          }
          if (!initial) {
            this.#version++;
            this.#schedule();
          }
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

  #projectLabel(): (p: string) => string {
    if (this.#o.showProjects) return (p) => p;
    return (p) => `project-${createHash("sha256").update(p).digest("hex").slice(0, 8)}`;
  }

  /** /stats: aggregates plus the 50/80/95 % state of both windows against the ceilings in use. */
  stats(window: StatsWindow): unknown {
    const now = this.#clock();
    const minute = Math.floor(now / 60_000);
    const hit = this.#statsCache.get(window);
    if (hit && hit.version === this.#version && hit.minute === minute) return hit.value;
    const stats = computeStats(this.#ledger.entries(), window, now, {
      timeZone: this.#o.timeZone ?? "UTC",
      projectLabel: this.#projectLabel(),
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
      const s = engine.snapshot(t, { kind: this.#o.source ?? "jsonl", ok: true });
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
