import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GaugeConfig } from "./config.js";
import { DEFAULT_CONFIG } from "./config.js";
import { CONTRACT_MAX_BYTES, MAX_USD, UsageSnapshotSchema } from "./contract.js";
import type { TokenCounts, UsageDelta } from "./usage-event.js";
import { ZERO_COUNTS } from "./usage-event.js";
import type { SourceStatus } from "./window-engine.js";
import { engineFromHistory, MAX_PENDING_DELTAS, SIGNAL_SKEW_MS, WindowEngine } from "./window-engine.js";

const S = 1000;
const MIN = 60_000;
const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.parse("2024-01-01T10:00:00.000Z"); // Monday
/** The intake clock of tests that are not about future-dated lines: every delta here is past. */
const AFTER_ALL = Date.UTC(2100, 0, 1);
const OK: SourceStatus = { kind: "jsonl", ok: true };

/** Ceilings fixed so percentages are easy to read. */
function config(over: Partial<GaugeConfig> = {}): GaugeConfig {
  return { ...DEFAULT_CONFIG, ceiling5hTokens: 1000, ceiling7dTokens: 10_000, tachRedlineTokensPerMin: 100, ...over };
}

function delta(t: number, counts: Partial<TokenCounts> = { input: 10 }, over: Partial<UsageDelta> = {}): UsageDelta {
  return {
    timestamp: t,
    model: "claude-sonnet-4-20250514",
    sessionId: "s1",
    project: "p",
    counts: { ...ZERO_COUNTS, ...counts },
    thinkingOutput: 0,
    costUsd: 0.5,
    ...over,
  };
}

describe("snapshot contract", () => {
  /** A busy but ordinary hour: every field non-trivial. */
  function typical(kind: SourceStatus["kind"]): ReturnType<WindowEngine["snapshot"]> {
    const e = new WindowEngine(DEFAULT_CONFIG);
    e.addDelta(delta(T0 - 6 * DAY, { input: 1000, cacheRead: 140_000_000 }, { costUsd: 61.2345 }), AFTER_ALL);
    e.addDelta(delta(T0, { input: 2000, output: 9000, cacheRead: 420_000, cacheCreation: 31_000 }, { thinkingOutput: 3100, costUsd: 0.4567 }), AFTER_ALL);
    e.addDelta(delta(T0 + 10 * MIN, { input: 500, cacheRead: 11_900_000 }, { costUsd: 3.9871, model: "claude-opus-4-5" }), AFTER_ALL);
    e.addDelta(delta(T0 + 10 * MIN + 30 * S, { input: 500, output: 2500, cacheRead: 380_000 }, { costUsd: 0.2 }), AFTER_ALL);
    e.addSignal({ timestamp: T0 + 10 * MIN, sessionId: "s1", kind: "tool_use" }, AFTER_ALL);
    return e.snapshot(T0 + 10 * MIN + 31 * S + 250, { kind, ok: true });
  }

  it("is schema-valid and within the contract's byte limit for ordinary use", () => {
    const snap = typical("jsonl");
    expect(UsageSnapshotSchema.parse(snap)).toEqual(snap);
    expect(snap.window_5h_tokens).toBeGreaterThan(10_000_000);
    expect(snap.window_7d_tokens).toBeGreaterThan(100_000_000);
    expect(Buffer.byteLength(JSON.stringify(snap))).toBeLessThanOrEqual(CONTRACT_MAX_BYTES);
  });

  it("writes updated_at in whole seconds (down) and reset times in whole minutes (up)", () => {
    const e = new WindowEngine(config({ mode5h: "rolling" }));
    e.addDelta(delta(T0 + 400, { input: 1 }), AFTER_ALL);
    const snap = e.snapshot(T0 + 1999, OK);
    expect(snap.updated_at).toBe("2024-01-01T10:00:01Z");
    expect(snap.window_5h_reset_at).toBe("2024-01-01T15:01Z");
  });

  it("fits the contract's byte limit at heavy use", () => {
    const e = new WindowEngine(DEFAULT_CONFIG);
    const heavy = { input: 12_345, output: 1_234_567, cacheCreation: 98_765_432, cacheRead: 3_456_789_012 };
    e.addDelta(delta(T0, heavy, { costUsd: 4321.987, thinkingOutput: 456_789, model: "claude-sonnet-4-5" }), AFTER_ALL);
    const snap = e.snapshot(T0 + 30 * S, { kind: "ccusage", ok: false });
    expect(UsageSnapshotSchema.safeParse(snap).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(snap))).toBeLessThanOrEqual(CONTRACT_MAX_BYTES);
  });

  it("is schema-valid for an engine that has seen nothing", () => {
    const snap = new WindowEngine(DEFAULT_CONFIG).snapshot(T0, OK);
    expect(UsageSnapshotSchema.parse(snap)).toEqual(snap);
    expect(snap).toMatchObject({
      rate_1m: 0,
      window_5h_tokens: 0,
      window_5h_reset_at: null,
      window_7d_reset_at: null,
      fuel_5h_pos: 1000,
      fuel_7d_pos: 1000,
      tach_pos: 0,
      idle: true,
      stall: false,
      last_model: null,
      updated_at: "2024-01-01T10:00:00Z",
    });
  });

  it("stays schema-valid over random histories (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: -30 * S, max: 2 * H }),
            input: fc.nat(1_000_000),
            output: fc.nat(100_000),
            cacheRead: fc.nat(5_000_000),
            thinking: fc.nat(100_000),
            cost: fc.double({ min: -1e-12, max: 50, noNaN: true }),
          }),
          { maxLength: 40 },
        ),
        fc.constantFrom<GaugeConfig["mode5h"]>("block", "rolling"),
        fc.constantFrom<GaugeConfig["mode7d"]>("rolling", "weekly"),
        fc.integer({ min: 0, max: 6 * H }),
        (steps, mode5h, mode7d, after) => {
          const e = new WindowEngine({ ...DEFAULT_CONFIG, mode5h, mode7d });
          let t = T0;
          for (const s of steps) {
            t += s.dt;
            e.addDelta(
              delta(t, { input: s.input, output: s.output, cacheRead: s.cacheRead }, { thinkingOutput: Math.min(s.thinking, s.output), costUsd: s.cost }),
              AFTER_ALL,
            );
          }
          const snap = e.snapshot(t + after, OK);
          expect(UsageSnapshotSchema.safeParse(snap).success).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("tach (60 s)", () => {
  it("counts a delta until exactly 60 s after it", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(T0, { input: 30, output: 20 }), AFTER_ALL);
    expect(e.snapshot(T0, OK).rate_1m).toBe(50);
    expect(e.snapshot(T0 + 59_999, OK).rate_1m).toBe(50);
    expect(e.snapshot(T0 + 60_000, OK).rate_1m).toBe(0);
  });

  it("drives the needle and HOT from the redline", () => {
    const e = new WindowEngine(config({ tachRedlineTokensPerMin: 100 }));
    e.addDelta(delta(T0, { input: 100 }), AFTER_ALL);
    expect(e.snapshot(T0 + S, OK)).toMatchObject({ tach_pos: 800, hot: false });
    e.addDelta(delta(T0 + 2 * S, { input: 1 }), AFTER_ALL);
    expect(e.snapshot(T0 + 3 * S, OK)).toMatchObject({ rate_1m: 101, tach_pos: 808, hot: true });
  });
});

describe("5 h window, block mode", () => {
  it("counts the current ccusage block and resets at its end", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(T0 + 20 * MIN, { input: 100 }), AFTER_ALL);
    e.addDelta(delta(T0 + 4 * H, { output: 150 }), AFTER_ALL);
    const snap = e.snapshot(T0 + 4 * H + MIN, OK);
    expect(snap).toMatchObject({ window_5h_tokens: 250, window_5h_pct: 0.25, fuel_5h_pos: 750, cost_5h_usd: 1 });
    expect(snap.window_5h_reset_at).toBe("2024-01-01T15:00Z");
  });

  it("closes the window at the block end", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(T0 + 20 * MIN, { input: 100 }), AFTER_ALL);
    expect(e.snapshot(T0 + 5 * H - 1, OK).window_5h_tokens).toBe(100);
    const after = e.snapshot(T0 + 5 * H, OK);
    expect(after).toMatchObject({ window_5h_tokens: 0, window_5h_reset_at: null, fuel_5h_pos: 1000, cost_5h_usd: 0 });
  });

  it("starts a new block 1 ms past 5 h after the block start", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(T0 + 20 * MIN, { input: 100 }), AFTER_ALL);
    e.addDelta(delta(T0 + 5 * H, { input: 1 }), AFTER_ALL); // exactly 5 h after start: same block
    expect(e.snapshot(T0 + 5 * H, OK).window_5h_tokens).toBe(0); // but the block is over
    e.addDelta(delta(T0 + 5 * H + 1, { input: 7 }), AFTER_ALL);
    const snap = e.snapshot(T0 + 5 * H + 2, OK);
    expect(snap.window_5h_tokens).toBe(7);
    expect(snap.window_5h_reset_at).toBe("2024-01-01T20:00Z");
  });

  it("takes Claude's reset time and lights limit_hit for a notice inside the block", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(T0 + 20 * MIN), AFTER_ALL);
    e.addLimit({ timestamp: T0 + H, resetAt: T0 + 4 * H }, AFTER_ALL);
    expect(e.snapshot(T0 + 2 * H, OK)).toMatchObject({ limit_hit: true, window_5h_reset_at: "2024-01-01T14:00Z" });
    // once the announced reset has passed the limit no longer holds
    expect(e.snapshot(T0 + 4 * H, OK)).toMatchObject({ limit_hit: false, window_5h_reset_at: "2024-01-01T15:00Z" });
  });

  it("ignores a notice from before the current block", () => {
    const e = new WindowEngine(config());
    e.addLimit({ timestamp: T0 - 30 * MIN, resetAt: T0 + 4 * H }, AFTER_ALL);
    e.addDelta(delta(T0 + 20 * MIN), AFTER_ALL);
    expect(e.snapshot(T0 + H, OK)).toMatchObject({ limit_hit: false, window_5h_reset_at: "2024-01-01T15:00Z" });
  });

  it("adds a slightly late delta to the open block", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(T0 + 20 * MIN, { input: 100 }), AFTER_ALL);
    e.addDelta(delta(T0 + 30 * MIN, { input: 10 }), AFTER_ALL);
    e.addDelta(delta(T0 + 25 * MIN, { input: 1 }), AFTER_ALL);
    expect(e.snapshot(T0 + H, OK).window_5h_tokens).toBe(111);
  });
});

describe("5 h window, rolling mode", () => {
  it("drops tokens exactly 5 h after they arrived and resets when the oldest expire", () => {
    const e = new WindowEngine(config({ mode5h: "rolling" }));
    e.addDelta(delta(T0 + 7 * MIN, { input: 100 }), AFTER_ALL);
    e.addDelta(delta(T0 + 2 * H, { input: 50 }), AFTER_ALL);
    const snap = e.snapshot(T0 + 3 * H, OK);
    expect(snap.window_5h_tokens).toBe(150);
    expect(snap.window_5h_reset_at).toBe("2024-01-01T15:07Z");
    expect(e.snapshot(T0 + 5 * H + 7 * MIN - 1, OK).window_5h_tokens).toBe(150);
    const later = e.snapshot(T0 + 5 * H + 7 * MIN, OK);
    expect(later.window_5h_tokens).toBe(50);
    expect(later.window_5h_reset_at).toBe("2024-01-01T17:00Z");
    expect(e.snapshot(T0 + 7 * H, OK)).toMatchObject({ window_5h_tokens: 0, window_5h_reset_at: null });
  });

  it("lights limit_hit for a notice within the last 5 h while its reset is ahead", () => {
    const e = new WindowEngine(config({ mode5h: "rolling" }));
    e.addDelta(delta(T0), AFTER_ALL);
    e.addLimit({ timestamp: T0 + H, resetAt: T0 + 3 * H }, AFTER_ALL);
    expect(e.snapshot(T0 + 2 * H, OK)).toMatchObject({ limit_hit: true, window_5h_reset_at: "2024-01-01T13:00Z" });
    expect(e.snapshot(T0 + 3 * H, OK).limit_hit).toBe(false);
  });

  it("gives the same snapshot whatever the arrival order of recent deltas (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 10 * MIN }), input: fc.nat(10_000) }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 1000 }),
        (items, seed) => {
          const deltas = items.map((x) => delta(T0 + x.at, { input: x.input }, { costUsd: 0.25 }));
          const shuffled = [...deltas].sort((a, b) => ((a.timestamp * 7919 + seed) % 101) - ((b.timestamp * 7919 + seed) % 101));
          const now = T0 + 10 * MIN;
          const sorted = engineFromHistory(config({ mode5h: "rolling" }), deltas, [], [], AFTER_ALL).snapshot(now, OK);
          const live = new WindowEngine(config({ mode5h: "rolling" }));
          for (const d of shuffled) live.addDelta(d, AFTER_ALL);
          expect(live.snapshot(now, OK)).toEqual(sorted);
        },
      ),
    );
  });
});

describe("7 d window", () => {
  it("rolling: tokens leave at the end of their minute + 7 d", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(T0 + 10 * S, { input: 100 }), AFTER_ALL);
    e.addDelta(delta(T0 + DAY, { input: 1 }), AFTER_ALL);
    const snap = e.snapshot(T0 + 2 * DAY, OK);
    expect(snap).toMatchObject({ window_7d_tokens: 101, window_7d_pct: 0.01, cost_7d_usd: 1 });
    expect(snap.window_7d_reset_at).toBe("2024-01-08T10:01Z");
    expect(e.snapshot(T0 + 7 * DAY + MIN - 1, OK).window_7d_tokens).toBe(101);
    const later = e.snapshot(T0 + 7 * DAY + MIN, OK);
    expect(later.window_7d_tokens).toBe(1);
    expect(later.window_7d_reset_at).toBe("2024-01-09T10:01Z");
  });

  it("weekly: counts from the anchor in its zone and resets at the next one", () => {
    const e = new WindowEngine(config({ mode7d: "weekly", weekTimeZone: "Europe/Berlin" }));
    // Monday 2024-01-01 00:00 CET = 2023-12-31 23:00 UTC
    e.addDelta(delta(Date.parse("2023-12-31T22:59:59Z"), { input: 1000 }), AFTER_ALL);
    e.addDelta(delta(Date.parse("2023-12-31T23:00:00Z"), { input: 7 }), AFTER_ALL);
    e.addDelta(delta(T0, { input: 3 }), AFTER_ALL);
    const snap = e.snapshot(T0 + MIN, OK);
    expect(snap.window_7d_tokens).toBe(10);
    expect(snap.window_7d_reset_at).toBe("2024-01-07T23:00Z");
  });

  it("weekly across a DST change in New York", () => {
    const e = new WindowEngine(config({ mode7d: "weekly", weekTimeZone: "America/New_York", weekAnchor: { weekday: 0, hour: 2, minute: 30 } }));
    e.addDelta(delta(Date.parse("2024-03-10T07:29:00Z"), { input: 5 }), AFTER_ALL); // before the shifted anchor (03:30 EDT)
    e.addDelta(delta(Date.parse("2024-03-10T07:30:00Z"), { input: 6 }), AFTER_ALL);
    const snap = e.snapshot(Date.parse("2024-03-12T00:00:00Z"), OK);
    expect(snap.window_7d_tokens).toBe(6);
    expect(snap.window_7d_reset_at).toBe("2024-03-17T06:30Z");
  });
});

describe("5 min ratios", () => {
  it("cache hit rate = cacheRead / (input + cacheRead + cacheCreation) over the last 5 min", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(T0, { input: 1000 }), AFTER_ALL); // falls out at exactly +5 min
    e.addDelta(delta(T0 + MIN, { input: 10, cacheRead: 60, cacheCreation: 30 }), AFTER_ALL);
    expect(e.snapshot(T0 + 5 * MIN - 1, OK).cache_hit_rate).toBe(0.05); // 60 / 1100
    expect(e.snapshot(T0 + 5 * MIN, OK).cache_hit_rate).toBe(0.6);
  });

  it("thinking ratio = Σ thinking output / Σ output over the last 5 min", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(T0, { output: 100 }, { thinkingOutput: 80 }), AFTER_ALL);
    e.addDelta(delta(T0 + MIN, { output: 300 }, { thinkingOutput: 20 }), AFTER_ALL);
    expect(e.snapshot(T0 + 2 * MIN, OK).thinking_ratio).toBe(0.25);
    expect(e.snapshot(T0 + 5 * MIN, OK).thinking_ratio).toBe(0.07); // 20 / 300
    expect(e.snapshot(T0 + 7 * MIN, OK).thinking_ratio).toBe(0);
  });

  it("a collapsed cache lights WARN", () => {
    const e = new WindowEngine(config({ ceiling5hTokens: 1e9, ceiling7dTokens: 1e9 }));
    e.addDelta(delta(T0, { input: 60_000, cacheRead: 10_000 }), AFTER_ALL);
    expect(e.snapshot(T0 + MIN, OK).warn).toBe(true);
  });
});

describe("counting, ceilings, model", () => {
  it("honours CLAUDE_GAUGE_COUNT in every window", () => {
    const e = new WindowEngine(config({ count: ["output"] }));
    e.addDelta(delta(T0, { input: 1000, output: 7, cacheRead: 5000 }), AFTER_ALL);
    expect(e.snapshot(T0 + S, OK)).toMatchObject({ rate_1m: 7, window_5h_tokens: 7, window_7d_tokens: 7 });
  });

  it("falls back to the calibration suggestion for unset ceilings", () => {
    const e = new WindowEngine(DEFAULT_CONFIG);
    e.addDelta(delta(T0, { input: 2_000_000 }), AFTER_ALL);
    const snap = e.snapshot(T0 + S, OK);
    const c = e.calibration(T0 + S);
    expect(c.evidence.blocks5h.basis).toBe("fallback");
    expect(snap.window_5h_pct).toBe(Math.round((2_000_000 / c.ceiling5hTokens) * 1e3) / 1e3);
    expect(snap.window_5h_pct).toBe(0.1);
    expect(snap.fuel_5h_pos).toBe(900);
  });

  it("warns when a tank passes the warn share", () => {
    const e = new WindowEngine(config({ warnPct: 0.5 }));
    e.addDelta(delta(T0, { input: 499 }), AFTER_ALL);
    expect(e.snapshot(T0 + S, OK).warn).toBe(false);
    e.addDelta(delta(T0 + S, { input: 1 }), AFTER_ALL);
    expect(e.snapshot(T0 + 2 * S, OK).warn).toBe(true);
  });

  it("reports the family of the newest delta with a known model", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(T0, {}, { model: "claude-opus-4-5-20251101" }), AFTER_ALL);
    e.addDelta(delta(T0 + S, {}, { model: "<synthetic>" }), AFTER_ALL);
    expect(e.snapshot(T0 + 2 * S, OK).last_model).toBe("opus");
    e.addDelta(delta(T0 + 3 * S, {}, { model: "claude-haiku-4-5" }), AFTER_ALL);
    e.addDelta(delta(T0 + 2 * S, {}, { model: "claude-sonnet-4-5" }), AFTER_ALL); // late, older
    expect(e.snapshot(T0 + 4 * S, OK).last_model).toBe("haiku");
  });
});

describe("lamps from signals", () => {
  it("STALL after the stall time on an open turn, IDLE once the turn is answered and quiet", () => {
    const e = new WindowEngine(config());
    e.addSignal({ timestamp: T0, sessionId: "s1", kind: "prompt" }, AFTER_ALL);
    expect(e.snapshot(T0 + 3 * MIN - 1, OK)).toMatchObject({ stall: false, idle: false });
    expect(e.snapshot(T0 + 3 * MIN, OK)).toMatchObject({ stall: true, idle: false });
    e.addDelta(delta(T0 + 3 * MIN + S), AFTER_ALL);
    e.addSignal({ timestamp: T0 + 3 * MIN + S, sessionId: "s1", kind: "text" }, AFTER_ALL);
    expect(e.snapshot(T0 + 3 * MIN + 2 * S, OK)).toMatchObject({ stall: false, idle: false });
    expect(e.snapshot(T0 + 4 * MIN + S, OK)).toMatchObject({ stall: false, idle: true });
  });

  it("keeps the newest signal per session when signals arrive out of order", () => {
    const e = new WindowEngine(config());
    e.addSignal({ timestamp: T0 + S, sessionId: "s1", kind: "tool_use" }, AFTER_ALL);
    e.addSignal({ timestamp: T0, sessionId: "s1", kind: "prompt" }, AFTER_ALL);
    expect(e.snapshot(T0 + 10 * MIN, OK)).toMatchObject({ stall: false, idle: false });
  });

  it("lights STALL and not IDLE when the source fails", () => {
    const e = new WindowEngine(config());
    expect(e.snapshot(T0, { kind: "otlp", ok: false })).toMatchObject({ stall: true, idle: false, source: "otlp", source_ok: false });
  });
});

describe("memory", () => {
  it("holds per-delta records only for the short windows while history streams through", () => {
    const e = new WindowEngine(config());
    for (let t = T0; t < T0 + 10 * DAY; t += 10 * S) {
      e.addDelta(delta(t, { input: 1 }, { sessionId: `s${Math.floor((t - T0) / H)}` }), AFTER_ALL);
      if ((t - T0) % H === 0) e.addLimit({ timestamp: t, resetAt: t + H }, AFTER_ALL);
    }
    const end = T0 + 10 * DAY;
    const snap = e.snapshot(end, OK);
    expect(e.retained.records).toBeLessThanOrEqual(5 * 6 + 1); // 5 min of deltas every 10 s
    expect(e.retained.sessions).toBeLessThanOrEqual(2);
    expect(e.retained.limits).toBeLessThanOrEqual(6);
    expect(snap.window_7d_tokens).toBe(7 * 24 * 360);
  });

  it("rolling mode keeps 5 h of records", () => {
    const e = new WindowEngine(config({ mode5h: "rolling" }));
    for (let t = T0; t < T0 + DAY; t += MIN) e.addDelta(delta(t, { input: 1 }), AFTER_ALL);
    expect(e.retained.records).toBe(300);
    expect(e.snapshot(T0 + DAY, OK).window_5h_tokens).toBe(299);
  });
});

describe("engineFromHistory", () => {
  it("sorts what it is given before feeding", () => {
    const deltas = [delta(T0 + 2 * H, { input: 5 }), delta(T0 + 20 * MIN, { input: 100 })];
    const snap = engineFromHistory(config(), deltas, [{ timestamp: T0, sessionId: "s1", kind: "text" }], [], AFTER_ALL).snapshot(T0 + 2 * H + S, OK);
    expect(snap.window_5h_tokens).toBe(105);
    expect(snap.window_5h_reset_at).toBe("2024-01-01T15:00Z");
  });
});

describe("official fuel", () => {
  it("takes Claude's percentage and reset time for a window when given, and says so", () => {
    const e = new WindowEngine(config({ ceiling5hTokens: 1_000_000, ceiling7dTokens: 10_000_000 }));
    e.addDelta(delta(T0, { input: 100_000 }), AFTER_ALL);
    const estimated = e.snapshot(T0 + MIN, OK);
    expect(estimated).toMatchObject({ fuel_source: "estimated", window_5h_pct: 0.1, fuel_5h_pos: 900 });
    const resetAt = T0 + 3 * H;
    const official = e.snapshot(T0 + MIN, OK, { window5h: { pct: 0.42, resetAt } });
    expect(official).toMatchObject({
      fuel_source: "official",
      window_5h_pct: 0.42,
      fuel_5h_pos: 580,
      window_5h_reset_at: new Date(resetAt).toISOString().slice(0, 16) + "Z",
      window_7d_pct: 0.01, // the 7 d window stays estimated
      window_5h_tokens: 100_000, // tokens are always the local count
    });
  });

  it("counts tokens over any span of the last week at minute resolution", () => {
    const e = new WindowEngine(config({}));
    e.addDelta(delta(T0, { input: 10 }), AFTER_ALL);
    e.addDelta(delta(T0 + 2 * H, { input: 20 }), AFTER_ALL);
    expect(e.countedTokensBetween(T0 - H, T0 + H)).toBe(10);
    expect(e.countedTokensBetween(T0 - H, T0 + 3 * H)).toBe(30);
  });
});

describe("lines dated in the future", () => {
  const YEAR_9999 = Date.UTC(9999, 11, 31, 23, 59, 59);

  it("keep the high-water mark at the real time: the next real delta still reaches the tach and the 5 h window", () => {
    for (const future of [T0 + 10 * MIN, T0 + DAY, YEAR_9999]) {
      const e = new WindowEngine(config({ ceiling5hTokens: 1e6, tachRedlineTokensPerMin: 1e6 }));
      e.addDelta(delta(future, { input: 7 }), T0);
      e.addDelta(delta(T0, { input: 5000 }), T0);
      const snap = e.snapshot(T0 + S, OK);
      expect(snap.rate_1m).toBe(5000);
      expect(snap.window_5h_tokens).toBe(5000);
      expect(snap.window_5h_reset_at).toBe("2024-01-01T15:00Z");
      expect(e.retained.pending).toBe(1);
    }
  });

  it("join the windows when their time comes", () => {
    const e = new WindowEngine(config({ tachRedlineTokensPerMin: 1e6 }));
    e.addDelta(delta(T0 + 2 * MIN, { input: 300 }), T0);
    expect(e.snapshot(T0 + MIN, OK).rate_1m).toBe(0);
    expect(e.snapshot(T0 + 2 * MIN, OK).rate_1m).toBe(300);
    expect(e.retained.pending).toBe(0);
  });

  it("never put a year-10000 reset into the snapshot, and it stays inside the schema", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(YEAR_9999, { input: 1 }), T0);
    const snap = e.snapshot(T0, OK);
    expect(UsageSnapshotSchema.parse(snap)).toEqual(snap);
    expect(snap.window_5h_reset_at).toBeNull();
    // even once "now" is that late, the block's end (year 10000) is no printable reset
    const late = e.snapshot(YEAR_9999 + S, OK);
    expect(UsageSnapshotSchema.parse(late)).toEqual(late);
    expect(late.window_5h_reset_at).toBeNull();
  });

  it("wait in a bounded queue: the latest are dropped past MAX_PENDING_DELTAS", () => {
    const e = new WindowEngine(config());
    for (let i = 0; i < MAX_PENDING_DELTAS + 50; i++) e.addDelta(delta(T0 + H + i * S, { input: 1 }), T0);
    expect(e.retained.pending).toBe(MAX_PENDING_DELTAS);
    expect(e.snapshot(T0 + 2 * H, OK).window_5h_tokens).toBe(MAX_PENDING_DELTAS);
  });

  it("drop turn signals and limit notices stamped well after now", () => {
    const e = new WindowEngine(config());
    e.addSignal({ timestamp: YEAR_9999, sessionId: "far", kind: "prompt" }, T0);
    e.addLimit({ timestamp: YEAR_9999, resetAt: YEAR_9999 + H }, T0);
    e.addSignal({ timestamp: T0 + SIGNAL_SKEW_MS, sessionId: "skewed", kind: "prompt" }, T0);
    expect(e.retained).toMatchObject({ sessions: 1, limits: 0 });
  });

  it("an official reset of 1e15 ms (year 33658) reads as unknown, not as a broken datetime", () => {
    const e = new WindowEngine(config());
    const snap = e.snapshot(T0, OK, { window5h: { pct: 0.5, resetAt: 1e15 }, window7d: { pct: 0.5, resetAt: 9e15 } });
    expect(UsageSnapshotSchema.parse(snap)).toEqual(snap);
    expect([snap.window_5h_reset_at, snap.window_7d_reset_at]).toEqual([null, null]);
  });
});

describe("bounded intake", () => {
  it("takes any clock and drops times no transcript line can carry (fuzz-found RangeErrors)", () => {
    for (const mode7d of ["weekly", "rolling"] as const) {
      const e = new WindowEngine(config({ mode7d }));
      e.addDelta(delta(-8.64e15 - 1, { input: 5 }), T0);
      e.addDelta(delta(Number.NaN, { input: 5 }), T0);
      e.addSignal({ timestamp: -1e300, sessionId: "x", kind: "prompt" }, T0);
      for (const now of [8.64e15, -8.64e15, Number.NaN, Number.POSITIVE_INFINITY]) {
        const snap = e.snapshot(now, OK);
        expect(UsageSnapshotSchema.parse(snap)).toEqual(snap);
      }
      expect(e.retained).toMatchObject({ pending: 0, sessions: 0 });
    }
  });

  it("keeps costs finite: a logged costUSD of 1e308 on two messages shows the largest cost, not Infinity or 0", () => {
    const e = new WindowEngine(config());
    e.addDelta(delta(T0, { input: 1 }, { costUsd: 1e308 }), T0);
    e.addDelta(delta(T0 + S, { input: 1 }, { costUsd: 1e308 }), T0 + S);
    e.addDelta(delta(T0 + 2 * S, { input: 1 }, { costUsd: Number.POSITIVE_INFINITY }), T0 + 2 * S);
    const snap = e.snapshot(T0 + MIN, OK);
    expect([snap.cost_5h_usd, snap.cost_7d_usd]).toEqual([MAX_USD, MAX_USD]);
    expect(UsageSnapshotSchema.parse(snap)).toEqual(snap);
  });

  it("drops a delta whose counts are not finite instead of poisoning the sums", () => {
    const e = new WindowEngine(config({ tachRedlineTokensPerMin: 1e6 }));
    e.addDelta(delta(T0, { input: Number.NaN }), T0);
    e.addDelta(delta(T0, { output: Number.POSITIVE_INFINITY }), T0);
    e.addDelta(delta(T0, { input: 40 }), T0);
    const snap = e.snapshot(T0 + S, OK);
    expect([snap.rate_1m, snap.window_5h_tokens]).toEqual([40, 40]);
  });
});
