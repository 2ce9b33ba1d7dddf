import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, type GaugeConfig } from "./config.js";
import { UsageSnapshotSchema } from "./contract.js";
import type { TurnSignalKind, UsageDelta } from "./usage-event.js";
import { TURN_SIGNAL_KINDS } from "./usage-event.js";
import { WindowEngine } from "./window-engine.js";
import type { WindowsState } from "./windows-state.js";

const START = Date.UTC(2025, 0, 6, 9, 30);
const HOUR = 3_600_000;

/** One thing done to an engine: take a delta, a signal or a notice, or answer a snapshot, at `now` = `at`. */
type Step =
  | { kind: "delta"; at: number; lag: number; model: string; session: number; input: number; output: number; cacheRead: number; thinking: number; cost: number }
  | { kind: "signal"; at: number; lag: number; session: number; signal: TurnSignalKind }
  | { kind: "limit"; at: number; lag: number; resetIn: number }
  | { kind: "snapshot"; at: number };

const MODELS = ["claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5", "<synthetic>"];

/**
 * Steps spread over three weeks with time mostly moving on: `at` grows by up to 7 h a step, a
 * line's own time lags `now` by up to 6 h, or is ahead of it (it waits for its time).
 */
const steps = fc
  .array(
    fc.oneof(
      {
        arbitrary: fc.record({
          kind: fc.constant("delta" as const),
          step: fc.integer({ min: 0, max: 7 * 60 }),
          lag: fc.oneof(fc.constant(0), fc.integer({ min: -90, max: 360 })),
          model: fc.constantFrom(...MODELS),
          session: fc.integer({ min: 0, max: 3 }),
          input: fc.integer({ min: 0, max: 5_000 }),
          output: fc.integer({ min: 0, max: 20_000 }),
          cacheRead: fc.integer({ min: 0, max: 2_000_000 }),
          thinking: fc.integer({ min: 0, max: 5_000 }),
          cost: fc.double({ min: 0, max: 5, noNaN: true }),
        }),
        weight: 6,
      },
      {
        arbitrary: fc.record({
          kind: fc.constant("signal" as const),
          step: fc.integer({ min: 0, max: 30 }),
          lag: fc.integer({ min: -1, max: 60 }),
          session: fc.integer({ min: 0, max: 3 }),
          signal: fc.constantFrom(...TURN_SIGNAL_KINDS),
        }),
        weight: 2,
      },
      {
        arbitrary: fc.record({
          kind: fc.constant("limit" as const),
          step: fc.integer({ min: 0, max: 30 }),
          lag: fc.integer({ min: 0, max: 400 }),
          resetIn: fc.integer({ min: 1, max: 300 }),
        }),
        weight: 1,
      },
      { arbitrary: fc.record({ kind: fc.constant("snapshot" as const), step: fc.integer({ min: 0, max: 120 }) }), weight: 2 },
    ),
    { minLength: 1, maxLength: 120 },
  )
  .map((raw) => {
    let at = START;
    return raw.map(({ step, ...s }): Step => {
      at += step * 60_000;
      return { ...s, at } as Step;
    });
  });

const configs = fc.record({
  mode5h: fc.constantFrom("block" as const, "rolling" as const),
  mode7d: fc.constantFrom("weekly" as const, "rolling" as const),
  weekTimeZone: fc.constantFrom("UTC", "America/New_York", "Pacific/Chatham"),
});

/** What the engine says after a step (only snapshots answer; the rest say nothing). */
function apply(engine: WindowEngine, s: Step): unknown {
  switch (s.kind) {
    case "delta": {
      const d: UsageDelta = {
        timestamp: s.at - s.lag * 60_000,
        model: s.model,
        sessionId: `s${s.session}`,
        project: "p",
        counts: { input: s.input, output: s.output, cacheCreation: 0, cacheRead: s.cacheRead, cacheCreation5m: 0, cacheCreation1h: 0 },
        thinkingOutput: Math.min(s.thinking, s.output),
        costUsd: s.cost,
      };
      engine.addDelta(d, s.at);
      return null;
    }
    case "signal":
      engine.addSignal({ timestamp: s.at - s.lag * 60_000, sessionId: `s${s.session}`, kind: s.signal }, s.at);
      return null;
    case "limit": {
      const timestamp = s.at - s.lag * 60_000;
      engine.addLimit({ timestamp, resetAt: timestamp + s.resetIn * 60_000 }, s.at);
      return null;
    }
    case "snapshot":
      return { snapshot: engine.snapshot(s.at, { kind: "jsonl", ok: true }), calibration: engine.calibration(s.at), retained: engine.retained };
  }
}

/** The state as a file holds it: through JSON and back. */
const throughJson = (engine: WindowEngine): WindowsState => JSON.parse(JSON.stringify(engine.state())) as WindowsState;

describe("WindowEngine.state and resume", () => {
  it("an engine taken back from another's state goes on exactly as that one (any settings, cut anywhere)", () => {
    fc.assert(
      fc.property(steps, configs, fc.nat(), (all, c, cutAt) => {
        const config: GaugeConfig = { ...DEFAULT_CONFIG, ...c };
        const cut = cutAt % (all.length + 1);
        const original = new WindowEngine(config);
        for (const s of all.slice(0, cut)) apply(original, s);
        const resumed = WindowEngine.resume(config, throughJson(original));
        expect(resumed.state()).toEqual(original.state());
        for (const s of all.slice(cut)) expect(apply(resumed, s)).toEqual(apply(original, s));
        const end = (all.at(-1)?.at ?? START) + 2 * HOUR;
        expect(resumed.snapshot(end, { kind: "jsonl", ok: true })).toEqual(original.snapshot(end, { kind: "jsonl", ok: true }));
        expect(resumed.state()).toEqual(original.state());
      }),
      { numRuns: 300 },
    );
  });

  it("a suggestion kept across minutes is the one computed afresh (nothing added, no minute, block or week completed)", () => {
    fc.assert(
      fc.property(steps, fc.constantFrom(1, 4), configs, fc.integer({ min: 0, max: 52 }), (raw, stretch, c, offset) => {
        // stretched four times, the steps span weeks rather than days
        const all = raw.map((s) => ({ ...s, at: START + (s.at - START) * stretch }));
        const config: GaugeConfig = { ...DEFAULT_CONFIG, ...c };
        const engine = new WindowEngine(config);
        const fresh = (now: number) => WindowEngine.resume(config, { ...throughJson(engine), suggestion: null }).calibration(now);
        // asked after each step; within the minute it was computed in, a suggestion may leave out
        // what came since (once a minute at most, by design), so it is compared in a later minute
        let asked = Number.NaN;
        const ask = (now: number) => {
          if (Math.floor(now / 60_000) !== Math.floor(asked / 60_000)) expect(engine.calibration(now)).toEqual(fresh(now));
          else engine.calibration(now);
          asked = now;
        };
        for (const s of all) {
          apply(engine, s);
          ask(s.at);
        }
        // then quiet: asked every minute for 6 h (the open block ends), then every 53 minutes for eight days (weeks reset)
        const last = all.at(-1)!.at;
        for (let now = last + offset * 1_000; now < last + 6 * HOUR; now += 60_000) ask(now);
        for (let now = last + 6 * HOUR + offset * 60_000; now < last + 8 * 86_400_000; now += 53 * 60_000) ask(now);
      }),
      { numRuns: 40 },
    );
  });

  it("refuses a state taken with other settings, naming why", () => {
    const engine = new WindowEngine(DEFAULT_CONFIG);
    const state = engine.state();
    expect(() => WindowEngine.resume({ ...DEFAULT_CONFIG, mode5h: "rolling" }, state)).toThrow(/windows state: taken with other settings/);
    expect(() => WindowEngine.resume({ ...DEFAULT_CONFIG, count: ["input", "output"] }, state)).toThrow(/other settings/);
    expect(() => WindowEngine.resume({ ...DEFAULT_CONFIG, weekTimeZone: "Asia/Tokyo" }, state)).toThrow(/other settings/);
    // what only the snapshot reads may change between runs
    expect(() => WindowEngine.resume({ ...DEFAULT_CONFIG, mode7d: "weekly", warnPct: 0.5, ceiling5hTokens: 1e6 }, state)).not.toThrow();
  });

  it("a damaged state is refused with a RangeError, or gives an engine whose snapshots keep the schema", () => {
    // every value of a busy engine's state, one at a time, replaced by something it never holds:
    // three weeks of a delta every 20 min in two sessions, signals, a limit notice, a line from the future
    const engine = new WindowEngine(DEFAULT_CONFIG);
    const now = START + 21 * 86_400_000;
    for (let t = START; t < now; t += 20 * 60_000) {
      const session = (t / 60_000) % 2 === 0 ? "a" : "b";
      const counts = { input: 10, output: 200, cacheCreation: 30, cacheRead: 4_000, cacheCreation5m: 30, cacheCreation1h: 0 };
      engine.addDelta({ timestamp: t, model: "claude-opus-4-1", sessionId: session, project: "p", counts, thinkingOutput: 50, costUsd: 0.01 }, t);
      engine.addSignal({ timestamp: t, sessionId: session, kind: "tool_use" }, t);
    }
    engine.addLimit({ timestamp: now - HOUR, resetAt: now + HOUR }, now);
    const counts = { input: 1, output: 2, cacheCreation: 0, cacheRead: 0, cacheCreation5m: 0, cacheCreation1h: 0 };
    engine.addDelta({ timestamp: now - 60_000, model: "claude-sonnet-4-5", sessionId: "b", project: "p", counts, thinkingOutput: 0, costUsd: 0 }, now);
    const future = { input: 1, output: 2, cacheCreation: 0, cacheRead: 0, cacheCreation5m: 0, cacheCreation1h: 0 };
    engine.addDelta({ timestamp: now + HOUR, model: "claude-haiku-4-5", sessionId: "a", project: "p", counts: future, thinkingOutput: 0, costUsd: 0 }, now);
    engine.snapshot(now, { kind: "jsonl", ok: true });
    const base = throughJson(engine);
    for (const part of [
      base.records,
      base.week,
      base.sessions,
      base.limits,
      base.pending,
      base.history.minutes,
      base.history.weeks,
      base.history.blockTotals,
    ]) {
      expect(part.length).toBeGreaterThan(0);
    }
    expect(base.suggestion).not.toBeNull();
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]): void => {
      paths.push(path);
      // long arrays: their ends stand for the rest
      if (Array.isArray(v)) {
        for (const [i, x] of v.entries()) if (i < 9 || i >= v.length - 9) walk(x, [...path, i]);
      } else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    walk(base, []);
    expect(paths.length).toBeGreaterThan(150);
    const hostile: unknown[] = [null, -1, 0.5, 1e308, -1e308, "x", "prompt", [], {}, [1, 2], true];
    let refused = 0;
    for (const path of paths) {
      for (const bad of hostile) {
        const state = structuredClone(base) as unknown as Record<string | number, unknown>;
        if (path.length === 0) continue;
        let at: Record<string | number, unknown> = state;
        for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
        at[path.at(-1)!] = bad;
        let taken: WindowEngine;
        try {
          taken = WindowEngine.resume(DEFAULT_CONFIG, state as unknown as WindowsState);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
          expect((e as Error).message).toMatch(/^windows state: [a-z]/);
          refused++;
          continue;
        }
        for (const at of [now, now + 30 * 86_400_000]) UsageSnapshotSchema.parse(taken.snapshot(at, { kind: "jsonl", ok: true }));
      }
    }
    expect(refused).toBeGreaterThan(paths.length);
  });

  it("refuses what is not a state at all", () => {
    for (const v of [null, 1, "state", [], {}]) expect(() => WindowEngine.resume(DEFAULT_CONFIG, v as unknown as WindowsState)).toThrow(RangeError);
  });
});

describe("WindowEngine.addLimit", () => {
  it("takes the same notice once (a restart hands back the notices it kept)", () => {
    const engine = new WindowEngine(DEFAULT_CONFIG);
    const notice = { timestamp: START, resetAt: START + HOUR };
    engine.addLimit(notice, START);
    engine.addLimit({ ...notice }, START);
    expect(engine.retained.limits).toBe(1);
    engine.addLimit({ ...notice, resetAt: START + 2 * HOUR }, START);
    expect(engine.retained.limits).toBe(2);
  });
});
