import { WindowEngine, type GaugeConfig, type MessageLedger, type UsageDelta } from "@claude-gauge/core";
import type { LimitNotice, TurnSignal } from "@claude-gauge/core";

/**
 * Feeds a freshly scanned ledger into a new engine: one delta per message at its kept line, in
 * time order (the scan visits files in path order, the windows want time order).
 */
export function engineFromLedger(
  config: GaugeConfig,
  ledger: MessageLedger,
  signals: readonly TurnSignal[],
  limits: readonly LimitNotice[],
): WindowEngine {
  const deltas: UsageDelta[] = [];
  for (const { event, cost, thinkingOutput } of ledger.entries()) {
    deltas.push({
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
    });
  }
  deltas.sort((a, b) => a.timestamp - b.timestamp);
  const engine = new WindowEngine(config);
  for (const d of deltas) engine.addDelta(d);
  for (const s of [...signals].sort((a, b) => a.timestamp - b.timestamp)) engine.addSignal(s);
  for (const n of limits) engine.addLimit(n);
  return engine;
}
