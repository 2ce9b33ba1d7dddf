import { engineFromHistory, type GaugeConfig, type KeptMessages, type UsageDelta, type WindowEngine } from "@claude-gauge/core";
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
 * Feeds a freshly scanned ledger into a new engine: one delta per message at its kept line, in
 * time order (the scan visits files in path order, the windows want time order).
 */
export function engineFromLedger(
  config: GaugeConfig,
  ledger: KeptMessages,
  signals: readonly TurnSignal[],
  limits: readonly LimitNotice[],
): WindowEngine {
  return engineFromHistory(config, [...ledger.entries()].map(entryDelta), signals, limits);
}
