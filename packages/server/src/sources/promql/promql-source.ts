import type { Source, SourceHealth, SourceProblem, SourceSink } from "../source.js";
import { CounterDeltas } from "./counter-deltas.js";
import { PrometheusApi, type SeriesSamples } from "./prometheus-api.js";
import { COST_METRIC_NAMES, seriesSelector, TOKEN_METRIC_NAMES } from "./selector.js";
import { growthEvent } from "../growth-event.js";

export interface PromqlSourceOptions {
  /** the PromQL server's base URL, e.g. http://127.0.0.1:9090 (a path prefix and user:password are kept) */
  url: string;
  /** label matchers narrowing every query (parseSelector's output; "" for none) */
  matchers: string;
  /** how often the newest samples are read, ms (also the live step) */
  pollMs?: number;
  /** one request's time limit, ms */
  timeoutMs?: number;
  /** how far back the backfill reads, ms: the 7 d window plus slack */
  historyMs?: number;
  log?: (msg: string) => void;
}

const MINUTE_MS = 60_000;
const DEFAULT_HISTORY_MS = 7 * 86_400_000 + 3_600_000;
/** steps per query_range request: below the 11,000 points Prometheus allows per series */
const MAX_STEPS = 1440;
/** a gap longer than this (ms) is read back in minute steps, not live steps */
const COARSE_GAP_MS = 30 * MINUTE_MS;
/**
 * Each read goes this far back over steps already read, ms: servers show samples late
 * (VictoriaMetrics hides the newest 30 s by default; remote write and OTLP pushes arrive after the
 * fact). CounterDeltas skips steps it has done, so only what appeared since counts.
 */
const REREAD_MS = 2 * MINUTE_MS;
/** before the history: how far back the baseline looks for a series' last value, ms */
const BASELINE_LOOKBACK = "1h";
/** longest wait between retries while the server is unreachable, ms */
const MAX_BACKOFF_MS = 30_000;

const ALL_NAMES = [...TOKEN_METRIC_NAMES, ...COST_METRIC_NAMES];

/**
 * Claude Code's usage as a PromQL server holds it (Prometheus, VictoriaMetrics, …): summed over
 * every machine and session the selector matches.
 *
 * It reads the stored counter values at fixed steps (`query_range` of the plain series: minute
 * steps for the backfill, `pollMs` steps live) and differences them per series (CounterDeltas),
 * then hands each step's growth per model to the service as one synthetic usage event — no message
 * id, so the ledger keeps each as an entry of its own. The service and the window engine stay as
 * they are (5 h, 7 d, tach, cache hit rate, last model, lamps), and know no PromQL; the price is
 * that time inside a window is as fine as the step (a minute in the backfill, `pollMs` live).
 *
 * While the server cannot be read the source's health is bad (so /usage says source_ok: false and
 * STALL); it retries with backoff and, once it answers, reads the gap and recovers by itself.
 */
export class PromqlSource implements Source {
  readonly kind = "promql" as const;
  readonly #api: PrometheusApi;
  readonly #o: PromqlSourceOptions;
  readonly #pollMs: number;
  readonly #liveStepMs: number;
  readonly #deltas = new CounterDeltas();
  #sink: SourceSink | null = null;
  /** ms since epoch of the last step read; null until the backfill has run */
  #cursor: number | null = null;
  #historyFrom: number | null = null;
  #problem: SourceProblem | null = null;
  #failures = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  #lastSuccess: number | null = null;

  constructor(opts: PromqlSourceOptions) {
    this.#o = opts;
    this.#api = new PrometheusApi(opts.url, opts.timeoutMs ?? 10_000);
    this.#pollMs = opts.pollMs ?? 5_000;
    // Whole seconds, at least one: scrapes are seldom faster, so a finer step only adds points.
    this.#liveStepMs = Math.max(1000, Math.round(this.#pollMs / 1000) * 1000);
  }

  async start(sink: SourceSink): Promise<void> {
    this.#sink = sink;
    await this.#run(true);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  health(): SourceHealth {
    return {
      kind: this.kind,
      ok: this.#cursor !== null && this.#problem === null,
      problems: this.#problem ? [this.#problem] : [],
      detail: {
        prometheus: this.#api.where,
        series: this.#deltas.seriesCount,
        history_from: this.#historyFrom === null ? null : new Date(this.#historyFrom).toISOString(),
        last_read: this.#lastSuccess === null ? null : new Date(this.#lastSuccess).toISOString(),
        ...(this.#deltas.ignored > 0 ? { ignored_series: this.#deltas.ignored } : {}),
        ...(this.#api.dropped > 0 ? { dropped_samples: this.#api.dropped } : {}),
      },
    };
  }

  /** One read (the backfill until it has succeeded, then the newest steps); schedules the next. */
  async #run(initial: boolean): Promise<void> {
    const log = this.#o.log ?? (() => {});
    try {
      const cursor = this.#cursor ?? (await this.#baseline());
      await this.#follow(cursor, Date.now(), initial);
      if (this.#problem) log(`reads again: ${this.#api.where}`);
      this.#problem = null;
      this.#failures = 0;
      this.#lastSuccess = Date.now();
    } catch (e) {
      const error = (e as Error).message;
      if (this.#problem?.error !== error) log(`cannot read ${error}`);
      this.#problem = { where: this.#api.where, error };
      this.#failures++;
    }
    if (this.#stopped) return;
    const wait = this.#failures === 0 ? this.#pollMs : Math.min(MAX_BACKOFF_MS, Math.max(this.#pollMs * 8, 1000), this.#pollMs * 2 ** this.#failures);
    this.#timer = setTimeout(() => void this.#run(false), wait);
    this.#timer.unref?.();
  }

  /**
   * Each series' value just before the history starts (no growth), then the cursor at its start:
   * the first reads cover the last week in minute steps. Returns the cursor.
   */
  async #baseline(): Promise<number> {
    const from = Math.floor((Date.now() - (this.#o.historyMs ?? DEFAULT_HISTORY_MS)) / MINUTE_MS) * MINUTE_MS;
    const all: SeriesSamples[] = [];
    // Functions drop the metric name: ask per name, and put it back.
    for (const name of ALL_NAMES) {
      const got = await this.#api.query(`last_over_time(${seriesSelector([name], this.#o.matchers)}[${BASELINE_LOOKBACK}])`, from);
      all.push(...got.map((s) => ({ ...s, labels: { ...s.labels, __name__: name } })));
    }
    // Only once every name answered: a retry after a partial failure starts clean.
    this.#deltas.baseline(all);
    this.#historyFrom = from;
    this.#cursor = from;
    return from;
  }

  /** The steps after `cursor` up to `now`: live steps, or minute steps over a long gap (and the backfill). */
  async #follow(cursor: number, now: number, initial: boolean): Promise<void> {
    const end = Math.floor(now / this.#liveStepMs) * this.#liveStepMs;
    if (end <= cursor) return;
    const step = end - cursor > COARSE_GAP_MS ? MINUTE_MS : this.#liveStepMs;
    const from = Math.max(this.#historyFrom ?? cursor, cursor - Math.ceil(REREAD_MS / step) * step);
    await this.#read(from, cursor + Math.floor((end - cursor) / step) * step, step, initial);
  }

  /** Steps in (from, to], in requests of at most MAX_STEPS; the cursor moves after each. */
  async #read(from: number, to: number, step: number, initial: boolean): Promise<void> {
    const selector = seriesSelector(ALL_NAMES, this.#o.matchers);
    for (let start = from + step; start <= to; start += MAX_STEPS * step) {
      const end = Math.min(to, start + (MAX_STEPS - 1) * step);
      const series = await this.#api.queryRange(selector, start, end, step);
      for (const g of this.#deltas.observe(series)) this.#sink?.usage(growthEvent(g.t, "promql", g.model, g.tokens, g.costUsd), initial);
      this.#cursor = end;
    }
  }
}
