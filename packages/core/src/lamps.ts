import type { TurnSignalKind } from "./usage-event.js";

/** Lamp thresholds that are not user settings (see docs/lamps.md). */
export interface LampThresholds {
  /** a turn or tool older than this is abandoned (crashed session, closed terminal), ms */
  abandonMs: number;
  /** tokens newer than this mean work is in flight, ms */
  idleQuietMs: number;
  /** cache hit rate (0..1) below which the cache counts as collapsed */
  cacheCollapseHitRate: number;
  /** least input-side tokens (input + cache read + cache write) in the 5 min window before the cache can collapse, tokens */
  cacheCollapseMinTokens: number;
}

export const LAMP_THRESHOLDS: Readonly<LampThresholds> = Object.freeze({
  abandonMs: 30 * 60_000,
  idleQuietMs: 60_000,
  cacheCollapseHitRate: 0.5,
  cacheCollapseMinTokens: 50_000,
});

/** What the lamps need to know about one session. */
export interface SessionTurnState {
  /** kind of the session's newest signal */
  kind: TurnSignalKind;
  /** ms since epoch of that signal */
  at: number;
  /** ms since epoch of the session's newest tokens; null when none were seen */
  lastTokenAt: number | null;
}

export interface LampInput {
  /** ms since epoch */
  now: number;
  sourceOk: boolean;
  /** tokens/min over the last 60 s */
  rateTokensPerMin: number;
  /** tokens/min */
  redlineTokensPerMin: number;
  /** used share of the 5 h and 7 d tanks, 0..1 */
  pct5h: number;
  pct7d: number;
  /** share (0..1] at which a tank warns */
  warnPct: number;
  /** cache read share over the last 5 min, 0..1 */
  cacheHitRate: number;
  /** input + cache read + cache write over the last 5 min, tokens */
  cacheInputTokens: number;
  /** ms since epoch of the newest tokens of any session; null when none */
  lastTokenAt: number | null;
  sessions: Iterable<SessionTurnState>;
  /** quiet time on an open turn before STALL, ms */
  stallMs: number;
  thresholds?: Partial<LampThresholds>;
}

export interface Lamps {
  hot: boolean;
  warn: boolean;
  stall: boolean;
  idle: boolean;
}

/** Waiting for Claude: the user (prompt) or a tool (tool_result) handed the turn over. */
export function isOpenTurn(kind: TurnSignalKind): boolean {
  return kind === "prompt" || kind === "tool_result";
}

/**
 * A thinking block is never the last block of a turn, so a session whose newest signal is one is
 * still answering even when no line has been written for a while.
 */
function isBusy(kind: TurnSignalKind): boolean {
  return kind === "tool_use" || kind === "thinking";
}

/** The one place the lamp rules live; the firmware and the web cluster mirror it. */
export function computeLamps(input: LampInput): Lamps {
  const th = { ...LAMP_THRESHOLDS, ...input.thresholds };
  const { now } = input;

  let stalled = false;
  let inFlight = input.lastTokenAt !== null && now - input.lastTokenAt < th.idleQuietMs;
  for (const s of input.sessions) {
    if (now - s.at >= th.abandonMs) continue;
    if (isOpenTurn(s.kind)) {
      inFlight = true;
      const quietSince = Math.max(s.at, s.lastTokenAt ?? Number.NEGATIVE_INFINITY);
      if (now - quietSince >= input.stallMs) stalled = true;
    } else if (isBusy(s.kind)) {
      inFlight = true;
    }
  }

  const tankLow = input.pct5h >= input.warnPct || input.pct7d >= input.warnPct;
  const cacheCollapsed = input.cacheInputTokens >= th.cacheCollapseMinTokens && input.cacheHitRate < th.cacheCollapseHitRate;

  return {
    hot: input.rateTokensPerMin > input.redlineTokensPerMin,
    warn: tankLow || cacheCollapsed,
    stall: !input.sourceOk || stalled,
    idle: input.sourceOk && !inFlight,
  };
}
