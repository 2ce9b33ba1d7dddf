import { WindowEngine, type GaugeConfig, type KeptMessages, type UsageDelta } from "@claude-gauge/core";
import type { LimitNotice, TurnSignal, UsageEvent } from "@claude-gauge/core";

/** A kept message as one delta at its kept line (what a cold start or a replay feeds the windows). */
export function entryDelta({ event, cost, thinkingOutput = 0 }: { event: UsageEvent; cost: number; thinkingOutput?: number }): UsageDelta {
  return {
    timestamp: event.timestamp,
    model: event.model,
    sessionId: event.sessionId,
    project: event.project,
    counts: {
      input: event.input,
      output: event.output,
      cacheCreation: event.cacheCreation,
      cacheRead: event.cacheRead,
      cacheCreation5m: event.cacheCreation5m,
      cacheCreation1h: event.cacheCreation1h,
    },
    thinkingOutput,
    costUsd: cost,
  };
}

/**
 * Counted messages one can feed the windows by row: a ledger's kept lines, or the service's one
 * ledger for every source (kept lines and requests known from an OTLP event only).
 */
export interface KeptRows {
  readonly size: number;
  /** grows whenever a row is added or changes (what is computed from the rows can key on it) */
  readonly version: number;
  /** ms since epoch of row `i` */
  timestamp(i: number): number;
  /** row `i` as the delta that feeds the windows */
  delta(i: number): UsageDelta;
}

/** Row `i` of the kept messages as its delta. */
export function rowDelta(kept: KeptMessages, i: number): UsageDelta {
  const c = kept.columns;
  return {
    timestamp: c.timestamp[i]!,
    model: c.strings[c.model[i]!]!,
    sessionId: c.strings[c.sessionId[i]!]!,
    project: c.strings[c.project[i]!]!,
    counts: {
      input: c.input[i]!,
      output: c.output[i]!,
      cacheCreation: c.cacheCreation[i]!,
      cacheRead: c.cacheRead[i]!,
      cacheCreation5m: c.cacheCreation5m[i]!,
      cacheCreation1h: c.cacheCreation1h[i]!,
    },
    thinkingOutput: kept.thinkingOutput(i),
    costUsd: kept.cost(i),
  };
}

/** The kept lines of a ledger as rows. */
export function ledgerRows(kept: KeptMessages & { readonly version?: number }): KeptRows {
  return {
    get size() {
      return kept.size;
    },
    get version() {
      return kept.version ?? 0;
    },
    timestamp: (i) => kept.columns.timestamp[i]!,
    delta: (i) => rowDelta(kept, i),
  };
}

/** The rows in time order (stable: equal times keep their order). */
export function timeOrder(rows: KeptRows): Uint32Array<ArrayBuffer> {
  const ts = new Float64Array(rows.size);
  for (let i = 0; i < ts.length; i++) ts[i] = rows.timestamp(i);
  const order = new Uint32Array(rows.size);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => ts[a]! - ts[b]! || a - b);
}

/**
 * Feeds freshly read messages into a new engine as of `now` (ms since epoch): one delta per
 * message at its kept line, in time order (the scan visits files in path order, the windows want
 * time order); lines dated after `now` wait for their time. Deltas are made one at a time from
 * the rows, so a long history is never all objects at once.
 */
export function engineFromLedger(
  config: GaugeConfig,
  kept: KeptMessages | KeptRows,
  signals: readonly TurnSignal[],
  limits: readonly LimitNotice[],
  now: number,
): WindowEngine {
  const rows = "delta" in kept ? kept : ledgerRows(kept);
  const engine = new WindowEngine(config);
  for (const row of timeOrder(rows)) engine.addDelta(rows.delta(row), now);
  addTurns(engine, signals, limits, now);
  return engine;
}

/** A start's turn signals (in time order) and limit notices, after its messages. */
export function addTurns(engine: WindowEngine, signals: readonly TurnSignal[], limits: readonly LimitNotice[], now: number): void {
  for (const s of [...signals].sort((a, b) => a.timestamp - b.timestamp)) engine.addSignal(s, now);
  for (const n of limits) engine.addLimit(n, now);
}
