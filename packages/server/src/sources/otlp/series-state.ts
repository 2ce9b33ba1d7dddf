import type { UsagePoint } from "./usage-metrics.js";

interface SeriesState {
  startMs: number | null;
  timeMs: number;
  /** the last cumulative value (tokens or USD); 0 for delta series */
  value: number;
  /** ms since epoch, daemon clock: when the series last reported */
  seenAt: number;
}

/** a series silent this long is forgotten (ms): Claude Code resends every live series each interval */
export const SERIES_IDLE_MS = 60 * 60_000;
/** most series held at once; beyond it the longest-silent are forgotten */
export const MAX_SERIES = 100_000;

/**
 * Turns sum data points into what each adds, per series, whatever the temporality — read from
 * each point's `aggregationTemporality`, never guessed (a delta exporter with nothing new sends
 * nothing at all, which looks the same as a cumulative one that stopped).
 *
 * - delta: the point's value; a point no later than the series' last one is a resent batch: 0.
 * - cumulative: the growth since the series' last point. A value that drops, or a later start
 *   time, is a reset (the process restarted): the new value counts whole, never a negative.
 * - the first point of a cumulative series counts whole only when the series started after we
 *   began listening (`knownSince`); an older one is a baseline: what it holds was spent before
 *   the daemon listened (or counted before a restart) and is not counted again as a burst now.
 */
export class SeriesCounter {
  readonly #series = new Map<string, SeriesState>();
  /** ms since epoch: every series that started at or after this has been seen from its start */
  #knownSince: number;

  constructor(knownSince: number) {
    this.#knownSince = knownSince;
  }

  get size(): number {
    return this.#series.size;
  }

  /** What the point adds (tokens or USD, ≥ 0). `now` is the daemon's clock (ms). */
  increment(p: UsagePoint, now: number): number {
    const s = this.#series.get(p.series);
    if (s !== undefined && p.timeMs <= s.timeMs) return 0;
    let add: number;
    if (p.temporality === "delta") add = p.value;
    else if (s === undefined) add = p.startMs !== null && p.startMs >= this.#knownSince ? p.value : 0;
    else {
      const restarted = p.value < s.value || (p.startMs !== null && s.startMs !== null && p.startMs > s.startMs);
      add = restarted ? p.value : p.value - s.value;
    }
    // Map order is the order of last report: delete and set keeps the longest-silent first.
    this.#series.delete(p.series);
    this.#series.set(p.series, { startMs: p.startMs, timeMs: p.timeMs, value: p.temporality === "cumulative" ? p.value : 0, seenAt: now });
    if (this.#series.size > MAX_SERIES) this.#forgetOldest(now);
    return add;
  }

  /** Forgets series silent for SERIES_IDLE_MS (call now and then). */
  prune(now: number): void {
    for (const [key, s] of this.#series) {
      if (now - s.seenAt < SERIES_IDLE_MS) break;
      this.#series.delete(key);
      // A forgotten series that comes back must not count its history again.
      this.#knownSince = Math.max(this.#knownSince, now);
    }
  }

  #forgetOldest(now: number): void {
    const oldest = this.#series.keys().next();
    if (oldest.done === true) return;
    this.#series.delete(oldest.value);
    this.#knownSince = Math.max(this.#knownSince, now);
  }
}
