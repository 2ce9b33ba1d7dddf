import type { UsageEvent } from "@claude-gauge/core";

/** Token counts a counter-based source saw grow (Claude Code's four token types). */
export interface GrownTokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
}

/**
 * Usage seen outside the transcripts (OTLP events and metrics, PromQL series, ccusage blocks) as a
 * usage event: no message id (nor a request id, unless the caller has one), so the ledger keeps
 * each as its own entry. Telemetry does not split cache writes by TTL, so they are priced as
 * 5-minute writes when no cost came with them; a cost from counters is the sender's own
 * per-request figures summed (pricing a sum would apply the >200k tier to it).
 */
export function growthEvent(at: number, session: string, model: string, tokens: GrownTokens, costUsd: number | null): UsageEvent {
  return {
    timestamp: at,
    messageId: null,
    requestId: null,
    model,
    sessionId: session,
    fileSession: session,
    project: "",
    input: tokens.input,
    output: tokens.output,
    cacheRead: tokens.cacheRead,
    cacheCreation: tokens.cacheCreation,
    cacheCreation5m: tokens.cacheCreation,
    cacheCreation1h: 0,
    isSidechain: false,
    progress: false,
    loggedCostUsd: costUsd,
    speed: null,
    thinking: false,
  };
}
