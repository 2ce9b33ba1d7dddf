import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { MAX_USD, type TokenCounts, type UsageSnapshot } from "@claude-gauge/core";
import { CLAUDE_CODE_TOKEN_TYPES, type ExportedTotals } from "./exported-totals.js";

/** tokens: 2^64, just above the largest count (u64) a transcript line can hold */
const MAX_TOKENS_PER_TYPE = 2 ** 64;

/** the `type` label of claude_gauge_tokens_total by count, in the order of ModelSums.tokens */
const TYPES: readonly [keyof TokenCounts, string][] = [
  ["input", "input"],
  ["output", "output"],
  ["cacheCreation", "cache_creation"],
  ["cacheRead", "cache_read"],
];

/**
 * One model's sums: found with one lookup per delta (a cold start adds one delta per message,
 * and a key string per type and series made most of its garbage).
 */
interface ModelSums {
  /** positive growth per TYPES entry; a type that never grew is not exported */
  tokens: number[];
  /** positive growth, USD; not exported while 0 */
  costUsd: number;
  /** the exported totals' series of this model: CLAUDE_CODE_TOKEN_TYPES in order, then cost */
  exported: ((amount: number) => void)[] | null;
}

/**
 * The daemon's own counts under the names Claude Code's telemetry gets in Prometheus, so one
 * Prometheus can scrape many daemons, the PromQL source can read them and Claude Code dashboards
 * work unchanged.
 */
export interface UsageExport {
  /** the `machine` label: the host name unless --machine says otherwise */
  machine: string;
  /** the totals behind the counters, monotonic across restarts */
  totals: ExportedTotals;
}

/**
 * Prometheus view of the daemon. Labels are model, token type and (on the claude_code_* counters)
 * machine only: never project names, session ids or anything from message text.
 */
export class GaugeMetrics {
  readonly registry: Registry;
  readonly #usage: UsageExport | null;
  /**
   * The counters' totals, kept here and handed to prom-client at scrape time: a cold start adds
   * tens of thousands of deltas, and prom-client's labelled inc costs a label hash each time.
   */
  readonly #sums = new Map<string, ModelSums>();
  readonly #gauges: Map<string, Gauge>;
  readonly #ingestLag: Gauge;
  readonly badLines: Counter;
  /** read at scrape time; the transport sets it once it exists */
  wsClientCount: () => number = () => 0;
  /** read at scrape time: what the sources follow (files, bytes); the service sets it */
  sourceStats: () => { files: number; bytes: number; problems: number } = () => ({ files: 0, bytes: 0, problems: 0 });

  /**
   * `usage`: also export the counts as `claude_code_*` counters; null for a daemon whose counts
   * came from Prometheus (exported again, they would feed Prometheus its own data a second time).
   */
  constructor(registry = new Registry(), opts: { defaultMetrics?: boolean; usage?: UsageExport | null } = {}) {
    this.registry = registry;
    this.#usage = opts.usage ?? null;
    // The event-loop lag monitor samples every 10 ms by default, which alone keeps an idle daemon at
    // ~0.5 % CPU; once a second is plenty for a gauge.
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "claude_gauge_process_", eventLoopMonitoringPrecision: 1000 });
    const r = [registry];
    const sums = this.#sums;
    new Counter({
      name: "claude_gauge_tokens_total",
      help: "Tokens counted (each message once, at its largest usage)",
      labelNames: ["model", "type"],
      registers: r,
      collect() {
        this.reset();
        for (const [model, m] of sums) {
          for (let t = 0; t < TYPES.length; t++) if (m.tokens[t]! > 0) this.inc({ model, type: TYPES[t]![1] }, m.tokens[t]!);
        }
      },
    });
    new Counter({
      name: "claude_gauge_cost_usd_total",
      help: "API-equivalent cost of counted tokens, USD",
      labelNames: ["model"],
      registers: r,
      collect() {
        this.reset();
        for (const [model, m] of sums) if (m.costUsd > 0) this.inc({ model }, m.costUsd);
      },
    });
    const g = (name: string, help: string) => new Gauge({ name, help, registers: r });
    this.#gauges = new Map<string, Gauge>([
      ["rate_1m", g("claude_gauge_rate_tokens_per_minute", "Tokens per minute over the last 60 s")],
      ["window_5h_tokens", g("claude_gauge_window_5h_tokens", "Tokens in the current 5 h window")],
      ["window_5h_pct", g("claude_gauge_window_5h_ratio", "Share of the 5 h ceiling used (0..1)")],
      ["window_7d_tokens", g("claude_gauge_window_7d_tokens", "Tokens in the current 7 d window")],
      ["window_7d_pct", g("claude_gauge_window_7d_ratio", "Share of the 7 d ceiling used (0..1)")],
      ["cost_5h_usd", g("claude_gauge_window_5h_cost_usd", "API-equivalent cost of the 5 h window, USD")],
      ["cost_7d_usd", g("claude_gauge_window_7d_cost_usd", "API-equivalent cost of the 7 d window, USD")],
      ["cache_hit_rate", g("claude_gauge_cache_hit_ratio", "Cache hit rate over 5 min (0..1)")],
      ["thinking_ratio", g("claude_gauge_thinking_ratio", "Share of output spent thinking over 5 min (0..1)")],
      ["hot", g("claude_gauge_lamp_hot", "HOT lamp (1 = lit)")],
      ["warn", g("claude_gauge_lamp_warn", "WARN lamp (1 = lit)")],
      ["stall", g("claude_gauge_lamp_stall", "STALL lamp (1 = lit)")],
      ["idle", g("claude_gauge_lamp_idle", "IDLE lamp (1 = lit)")],
      ["source_ok", g("claude_gauge_source_up", "1 when the usage source is healthy")],
    ]);
    this.#ingestLag = g("claude_gauge_ingest_lag_seconds", "Wall time between a usage line's own timestamp and its ingestion (newest line)");
    if (this.#usage) this.#usageCounters(this.#usage, r);
    this.badLines = new Counter({ name: "claude_gauge_bad_lines_total", help: "Transcript lines that could not be used", registers: r });
    const metrics = this;
    new Gauge({
      name: "claude_gauge_files_followed",
      help: "Transcript files being followed",
      registers: r,
      collect() {
        this.set(metrics.sourceStats().files);
      },
    });
    new Gauge({
      name: "claude_gauge_source_problems",
      help: "Unreadable files, folders or endpoints now (falls back to 0 when they recover)",
      registers: r,
      collect() {
        this.set(metrics.sourceStats().problems);
      },
    });
    new Gauge({
      name: "claude_gauge_bytes_read",
      help: "Transcript bytes read so far",
      registers: r,
      collect() {
        this.set(metrics.sourceStats().bytes);
      },
    });
    new Gauge({
      name: "claude_gauge_ws_clients",
      help: "Connected WebSocket clients",
      registers: r,
      collect() {
        this.set(metrics.wsClientCount());
      },
    });
  }

  /**
   * Adds one ledger delta. prom-client throws on a non-finite increment (and the throw would stop
   * the read of the transcript that produced it), and a counter that reached Infinity or NaN
   * would stay there: only finite growth is counted, a message at most 2^64 tokens per type (the
   * largest count a transcript can hold) and MAX_USD (as in the windows), so no sum can overflow.
   */
  countDelta(model: string, counts: TokenCounts, costUsd: number): void {
    let m = this.#sums.get(model);
    if (m === undefined) {
      const totals = this.#usage?.totals;
      m = {
        tokens: TYPES.map(() => 0),
        costUsd: 0,
        exported: totals
          ? [...CLAUDE_CODE_TOKEN_TYPES.map((type) => totals.adder({ metric: "tokens", model, type })), totals.adder({ metric: "cost", model })]
          : null,
      };
      this.#sums.set(model, m);
    }
    for (let t = 0; t < TYPES.length; t++) {
      const v = counts[TYPES[t]![0]];
      if (v > 0 && Number.isFinite(v)) m.tokens[t] = m.tokens[t]! + Math.min(v, MAX_TOKENS_PER_TYPE);
    }
    if (costUsd > 0 && Number.isFinite(costUsd)) m.costUsd += Math.min(costUsd, MAX_USD);
    const exported = m.exported;
    if (exported === null) return;
    // the same bounds; negative growth (a replaced line) is kept: the totals never show a drop
    const clamp = (v: number, max: number) => Math.max(-max, Math.min(v, max));
    for (let t = 0; t < CLAUDE_CODE_TOKEN_TYPES.length; t++) exported[t]!(clamp(counts[CLAUDE_CODE_TOKEN_TYPES[t]!], MAX_TOKENS_PER_TYPE));
    exported[CLAUDE_CODE_TOKEN_TYPES.length]!(clamp(costUsd, MAX_USD));
  }

  #usageCounters({ machine, totals }: UsageExport, r: Registry[]): void {
    // Set from the totals at scrape time (reset, then inc to the total): they never go down.
    new Counter({
      name: "claude_code_token_usage_tokens_total",
      help: "Tokens counted from this machine's transcripts (each message once, at its largest usage)",
      labelNames: ["type", "model", "machine"],
      registers: r,
      collect() {
        this.reset();
        for (const { key, total } of totals.values()) if (key.metric === "tokens") this.inc({ type: key.type, model: key.model, machine }, total);
      },
    });
    new Counter({
      name: "claude_code_cost_usage_USD_total",
      help: "API-equivalent cost of the tokens counted from this machine's transcripts, USD",
      labelNames: ["model", "machine"],
      registers: r,
      collect() {
        this.reset();
        for (const { key, total } of totals.values()) if (key.metric === "cost") this.inc({ model: key.model, machine }, total);
      },
    });
  }

  ingested(lineTimestamp: number, now: number): void {
    const lag = (now - lineTimestamp) / 1000;
    this.#ingestLag.set(Number.isFinite(lag) ? Math.max(0, lag) : 0);
  }

  snapshot(s: UsageSnapshot): void {
    for (const [field, gauge] of this.#gauges) {
      const v = s[field as keyof UsageSnapshot];
      gauge.set(typeof v === "boolean" ? (v ? 1 : 0) : typeof v === "number" && Number.isFinite(v) ? v : 0);
    }
  }
}
