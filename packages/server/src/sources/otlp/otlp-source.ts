import type { UsageEvent } from "@claude-gauge/core";
import type { Source, SourceHealth, SourceProblem, SourceSink } from "../source.js";
import { apiRequestsOf } from "./api-request-events.js";
import type { Signal } from "./otlp-protobuf.js";
import type { Obj } from "./otlp-values.js";
import { SeriesCounter } from "./series-state.js";
import { usagePointsOf } from "./usage-metrics.js";
import { growthEvent } from "../growth-event.js";

export interface OtlpSourceOptions {
  /** ms since epoch; the service's clock */
  clock?: () => number;
  log?: (msg: string) => void;
}

/** What an accepted export answers: how many records were dropped, and the first reason. */
export interface ExportOutcome {
  rejected: number;
  error: string | null;
}

/** a refused export (a body that does not decode) shows in health this long unless one succeeds (ms) */
export const REFUSAL_SHOWN_MS = 10 * 60_000;
/** request ids are remembered this long (ms of event time) to recognise a resent batch: past the 7 d window */
const SEEN_KEEP_MS = 8 * 24 * 3_600_000;
/** housekeeping (forgetting old ids and silent series) at most this often (ms) */
const PRUNE_EVERY_MS = 10 * 60_000;

interface SignalStats {
  exports: number;
  /** records (log records, data points) taken */
  accepted: number;
  rejected: number;
  refusedExports: number;
  /** ms since epoch (daemon clock) of the last accepted export */
  lastAt: number | null;
  /** the last refused export, while no accepted one followed it */
  refusal: { at: number; error: string } | null;
}

const ROUTE: Record<Signal, string> = { logs: "POST /v1/logs", metrics: "POST /v1/metrics" };

/**
 * Claude Code's OpenTelemetry export, received over OTLP/HTTP (the routes are `otlpRoutes`).
 *
 * Counted: `claude_code.api_request` log events (one per API request, exact counts), and, for a
 * session that sends no such events, its `claude_code.token.usage` and `claude_code.cost.usage`
 * metrics. Logs and metrics of one session are never both counted: per `session.id`, once an
 * api_request event has arrived, that session's metrics are ignored; an event no later than the
 * last metric point already counted for its session was counted by that point and is skipped.
 * Resent records are recognised by `request_id` (metrics by their series and time).
 *
 * Nothing is stored: after a restart the windows refill as exports arrive.
 */
export class OtlpSource implements Source {
  readonly kind = "otlp" as const;
  readonly #clock: () => number;
  readonly #log: (msg: string) => void;
  #sink: SourceSink | null = null;
  #series = new SeriesCounter(0);
  /** request key → event time (ms): what was taken already */
  readonly #seen = new Map<string, number>();
  /** sessions whose api_request events are counted (their metrics are not) */
  readonly #eventSessions = new Set<string>();
  /** session → ms of the latest metric point taken for it ("" = points without session.id) */
  readonly #metricsUntil = new Map<string, number>();
  readonly #stats: Record<Signal, SignalStats> = { logs: emptyStats(), metrics: emptyStats() };
  #prunedAt = 0;

  constructor(opts: OtlpSourceOptions = {}) {
    this.#clock = opts.clock ?? Date.now;
    this.#log = opts.log ?? (() => {});
  }

  start(sink: SourceSink): Promise<void> {
    this.#sink = sink;
    // Cumulative series that began before this moment hold usage we cannot place: a baseline.
    this.#series = new SeriesCounter(this.#clock());
    this.#prunedAt = this.#clock();
    return Promise.resolve();
  }

  stop(): void {
    this.#sink = null;
  }

  /** Whether exports are taken now (after start, before stop). */
  get listening(): boolean {
    return this.#sink !== null;
  }

  /** An ExportLogsServiceRequest, decoded. An error string means the whole export is refused (400). */
  acceptLogs(body: Obj): ExportOutcome | string {
    const sink = this.#sink;
    if (sink === null) return "otlp source: not started";
    const now = this.#clock();
    const r = apiRequestsOf(body, now);
    if (typeof r === "string") return this.refused("logs", r);
    for (const { event, origin, key } of r.requests) {
      if (this.#seen.has(key)) continue;
      this.#seen.set(key, event.timestamp);
      this.#eventSessions.add(origin);
      const covered = Math.max(this.#metricsUntil.get(origin) ?? -Infinity, this.#metricsUntil.get("") ?? -Infinity);
      if (event.timestamp <= covered) continue;
      // with a request id the ledger matches it with the transcript's line of the same request
      if (hasRequestId(event)) sink.request(event, false);
      else sink.usage(event, false);
    }
    return this.#taken("logs", now, r.records, r.rejected);
  }

  /** An ExportMetricsServiceRequest, decoded. An error string means the whole export is refused (400). */
  acceptMetrics(body: Obj): ExportOutcome | string {
    const sink = this.#sink;
    if (sink === null) return "otlp source: not started";
    const now = this.#clock();
    const r = usagePointsOf(body, now);
    if (typeof r === "string") return this.refused("metrics", r);
    // The points of one session, model and time become one usage event (all four token types and
    // the cost together), so a metrics-only session adds one ledger entry per export, not eight.
    const events = new Map<string, UsageEvent>();
    for (const p of r.points) {
      const add = this.#series.increment(p, now);
      if (this.#eventSessions.has(p.origin) || (p.origin === "" && this.#eventSessions.size > 0)) continue;
      // a sender a little ahead of us (within the skew) is dated now, as its events are
      const at = Math.min(p.timeMs, now);
      this.#metricsUntil.set(p.origin, Math.max(this.#metricsUntil.get(p.origin) ?? -Infinity, at));
      if (add <= 0) continue;
      const k = JSON.stringify([p.origin, p.model, at]);
      let e = events.get(k);
      if (e === undefined) {
        e = growthEvent(at, p.origin, p.model, { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }, 0);
        events.set(k, e);
      }
      if (p.measure === "costUsd") e.loggedCostUsd = (e.loggedCostUsd ?? 0) + add;
      else {
        e[p.measure] += add;
        if (p.measure === "cacheCreation") e.cacheCreation5m += add;
      }
    }
    for (const e of events.values()) sink.usage(e, false);
    return this.#taken("metrics", now, r.records, r.rejected);
  }

  /** An export refused whole (its body did not decode): shown in health until one succeeds. */
  refused(signal: Signal, error: string): string {
    const s = this.#stats[signal];
    if (s.refusal === null) this.#log(`refused an export on ${ROUTE[signal]}: ${error}`);
    s.refusedExports++;
    s.refusal = { at: this.#clock(), error };
    return error;
  }

  #taken(signal: Signal, now: number, records: number, rejected: { count: number; first: string | null }): ExportOutcome {
    const s = this.#stats[signal];
    s.exports++;
    s.accepted += records - rejected.count;
    s.rejected += rejected.count;
    s.lastAt = now;
    s.refusal = null;
    if (rejected.count > 0) this.#sink?.rejected(ROUTE[signal], `${rejected.count} record(s) dropped, the first: ${rejected.first ?? ""}`);
    if (now - this.#prunedAt >= PRUNE_EVERY_MS) this.#prune(now);
    return { rejected: rejected.count, error: rejected.first };
  }

  #prune(now: number): void {
    this.#prunedAt = now;
    this.#series.prune(now);
    for (const [key, t] of this.#seen) if (t < now - SEEN_KEEP_MS) this.#seen.delete(key);
  }

  health(): SourceHealth {
    const now = this.#clock();
    const problems: SourceProblem[] = [];
    for (const signal of ["logs", "metrics"] as const) {
      const refusal = this.#stats[signal].refusal;
      if (refusal !== null && now - refusal.at < REFUSAL_SHOWN_MS)
        problems.push({ where: ROUTE[signal], error: `the last export was refused: ${refusal.error}` });
    }
    const last = Math.max(this.#stats.logs.lastAt ?? -Infinity, this.#stats.metrics.lastAt ?? -Infinity);
    const stats = (s: SignalStats) => ({ exports: s.exports, accepted: s.accepted, rejected: s.rejected, refused_exports: s.refusedExports });
    return {
      kind: this.kind,
      // Silence is not a fault: Claude Code may simply be closed.
      ok: this.#sink !== null && problems.length === 0,
      problems,
      detail: {
        endpoints: Object.values(ROUTE),
        last_export_at: Number.isFinite(last) ? new Date(last).toISOString() : null,
        logs: stats(this.#stats.logs),
        metrics: { ...stats(this.#stats.metrics), series: this.#series.size },
      },
    };
  }
}

function hasRequestId(e: UsageEvent): e is UsageEvent & { requestId: string } {
  return e.requestId !== null;
}

function emptyStats(): SignalStats {
  return { exports: 0, accepted: 0, rejected: 0, refusedExports: 0, lastAt: null, refusal: null };
}
