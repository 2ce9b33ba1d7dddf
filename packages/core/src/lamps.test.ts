import { describe, expect, it } from "vitest";
import type { LampInput, SessionTurnState } from "./lamps.js";
import { computeLamps, isOpenTurn, LAMP_THRESHOLDS } from "./lamps.js";

const NOW = Date.parse("2024-06-01T12:00:00Z");
const MIN = 60_000;

function input(over: Partial<LampInput> = {}): LampInput {
  return {
    now: NOW,
    sourceOk: true,
    rateTokensPerMin: 0,
    redlineTokensPerMin: 100_000,
    pct5h: 0,
    pct7d: 0,
    warnPct: 0.8,
    cacheHitRate: 0.9,
    cacheInputTokens: 0,
    lastTokenAt: null,
    sessions: [],
    stallMs: 3 * MIN,
    ...over,
  };
}

const session = (kind: SessionTurnState["kind"], agoMs: number, tokensAgoMs: number | null = null): SessionTurnState => ({
  kind,
  at: NOW - agoMs,
  lastTokenAt: tokensAgoMs === null ? null : NOW - tokensAgoMs,
});

describe("HOT", () => {
  it("lights strictly above the redline", () => {
    expect(computeLamps(input({ rateTokensPerMin: 100_001 })).hot).toBe(true);
    expect(computeLamps(input({ rateTokensPerMin: 100_000 })).hot).toBe(false);
    expect(computeLamps(input({ rateTokensPerMin: 0 })).hot).toBe(false);
  });
});

describe("WARN", () => {
  it("lights when either tank reaches the warn share", () => {
    expect(computeLamps(input({ pct5h: 0.8 })).warn).toBe(true);
    expect(computeLamps(input({ pct7d: 0.95 })).warn).toBe(true);
    expect(computeLamps(input({ pct5h: 0.7999, pct7d: 0.5 })).warn).toBe(false);
  });

  it("lights when the cache hit rate collapses with enough input in the window", () => {
    const min = LAMP_THRESHOLDS.cacheCollapseMinTokens;
    expect(computeLamps(input({ cacheHitRate: 0.49, cacheInputTokens: min })).warn).toBe(true);
    expect(computeLamps(input({ cacheHitRate: 0.5, cacheInputTokens: min })).warn).toBe(false);
    expect(computeLamps(input({ cacheHitRate: 0.1, cacheInputTokens: min - 1 })).warn).toBe(false);
  });

  it("takes threshold overrides", () => {
    expect(computeLamps(input({ cacheHitRate: 0.6, cacheInputTokens: 10, thresholds: { cacheCollapseHitRate: 0.7, cacheCollapseMinTokens: 10 } })).warn).toBe(
      true,
    );
  });
});

describe("STALL", () => {
  it("lights when a prompt has waited the stall time without tokens", () => {
    expect(computeLamps(input({ sessions: [session("prompt", 3 * MIN)] })).stall).toBe(true);
    expect(computeLamps(input({ sessions: [session("prompt", 3 * MIN - 1)] })).stall).toBe(false);
  });

  it("lights for a tool result waiting on Claude too", () => {
    expect(computeLamps(input({ sessions: [session("tool_result", 4 * MIN)] })).stall).toBe(true);
  });

  it("measures quiet from the session's newest tokens when they are newer than the signal", () => {
    expect(computeLamps(input({ sessions: [session("prompt", 10 * MIN, 2 * MIN)] })).stall).toBe(false);
    expect(computeLamps(input({ sessions: [session("prompt", 10 * MIN, 3 * MIN)] })).stall).toBe(true);
  });

  it("stops counting an open turn once it is abandoned (30 min)", () => {
    expect(LAMP_THRESHOLDS.abandonMs).toBe(30 * MIN);
    expect(computeLamps(input({ sessions: [session("prompt", 30 * MIN - 1)] })).stall).toBe(true);
    expect(computeLamps(input({ sessions: [session("prompt", 30 * MIN)] })).stall).toBe(false);
  });

  it("does not light while a tool runs, after an interrupt, or after text/thinking", () => {
    for (const kind of ["tool_use", "interrupt", "text", "thinking"] as const) {
      expect(computeLamps(input({ sessions: [session(kind, 10 * MIN)] })).stall).toBe(false);
    }
  });

  it("lights when the source is unhealthy, whatever else holds", () => {
    expect(computeLamps(input({ sourceOk: false })).stall).toBe(true);
  });

  it("lights when any one of several sessions stalls", () => {
    const sessions = [session("text", MIN), session("prompt", 5 * MIN), session("tool_use", 1000)];
    expect(computeLamps(input({ sessions, lastTokenAt: NOW - 1000 })).stall).toBe(true);
  });
});

describe("IDLE", () => {
  it("lights with a healthy source, no open turn, no running tool and no tokens for 60 s", () => {
    expect(computeLamps(input()).idle).toBe(true);
    expect(computeLamps(input({ lastTokenAt: NOW - 60_000, sessions: [session("text", MIN)] })).idle).toBe(true);
  });

  it("stays dark while tokens arrived within 60 s", () => {
    expect(computeLamps(input({ lastTokenAt: NOW - 59_999 })).idle).toBe(false);
  });

  it("stays dark during an open turn, a running tool or a thinking block", () => {
    expect(computeLamps(input({ sessions: [session("prompt", 1000)] })).idle).toBe(false);
    expect(computeLamps(input({ sessions: [session("tool_use", 20 * MIN)] })).idle).toBe(false);
    expect(computeLamps(input({ sessions: [session("thinking", 2 * MIN)] })).idle).toBe(false);
  });

  it("lights again once a turn or tool is abandoned", () => {
    expect(computeLamps(input({ sessions: [session("tool_use", 30 * MIN)] })).idle).toBe(true);
    expect(computeLamps(input({ sessions: [session("prompt", 45 * MIN)] })).idle).toBe(true);
  });

  it("stays dark when the source is unhealthy", () => {
    expect(computeLamps(input({ sourceOk: false })).idle).toBe(false);
  });
});

describe("lamp combinations", () => {
  const cases: Array<[string, Partial<LampInput>, { hot: boolean; warn: boolean; stall: boolean; idle: boolean }]> = [
    ["quiet", {}, { hot: false, warn: false, stall: false, idle: true }],
    [
      "streaming hard near the 5 h limit",
      { rateTokensPerMin: 200_000, pct5h: 0.9, lastTokenAt: NOW - 1000, sessions: [session("text", 1000)] },
      { hot: true, warn: true, stall: false, idle: false },
    ],
    ["stalled prompt", { sessions: [session("prompt", 5 * MIN)] }, { hot: false, warn: false, stall: true, idle: false }],
    ["source down with a full tank", { sourceOk: false, pct7d: 1 }, { hot: false, warn: true, stall: true, idle: false }],
    ["waiting, not yet stalled", { sessions: [session("tool_result", MIN)] }, { hot: false, warn: false, stall: false, idle: false }],
  ];
  it.each(cases)("%s", (_name, over, expected) => {
    expect(computeLamps(input(over))).toEqual(expected);
  });

  it("never lights STALL and IDLE together", () => {
    for (const sourceOk of [true, false]) {
      for (const kind of ["prompt", "tool_result", "interrupt", "tool_use", "thinking", "text"] as const) {
        for (const ago of [0, 2 * MIN, 5 * MIN, 40 * MIN]) {
          const l = computeLamps(input({ sourceOk, sessions: [session(kind, ago)] }));
          expect(l.stall && l.idle).toBe(false);
        }
      }
    }
  });

  it("knows which signals open a turn", () => {
    expect(["prompt", "tool_result"].every((k) => isOpenTurn(k as "prompt"))).toBe(true);
    expect(isOpenTurn("tool_use")).toBe(false);
  });
});
