import { ZERO_COUNTS, type UsageEvent } from "@claude-gauge/core";

/** A usage event with plain defaults (no ids, no tokens, one model, session and project), `over` on top. */
export function usageEvent(over: Partial<UsageEvent> = {}): UsageEvent {
  return {
    timestamp: 0,
    messageId: null,
    requestId: null,
    model: "m",
    sessionId: "s",
    fileSession: "s",
    project: "p",
    isSidechain: false,
    progress: false,
    loggedCostUsd: null,
    speed: null,
    thinking: false,
    ...ZERO_COUNTS,
    ...over,
  };
}
