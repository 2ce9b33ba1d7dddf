import { describe, expect, it } from "vitest";
import { costOf, decodeLine, DEFAULT_CONFIG, MessageLedger, WindowEngine, type UsageSnapshot } from "@claude-gauge/core";
import { demoCeilings, demoDay, demoPastDays, type DemoDay } from "./demo-script.js";

const START = Date.parse("2026-11-26T14:00:00Z");
const STEP_MS = 5000;

/** Replays a day through the same core pipeline the server uses, sampling the snapshot every 5 s. */
function replay(day: DemoDay, past: DemoDay[] = []): { t: number; s: UsageSnapshot }[] {
  const c = demoCeilings(day, past);
  const engine = new WindowEngine({
    ...DEFAULT_CONFIG,
    ceiling5hTokens: c.ceiling5hTokens,
    ceiling7dTokens: c.ceiling7dTokens,
    tachRedlineTokensPerMin: c.tachRedlineTokensPerMin,
  });
  const ledger = new MessageLedger(costOf);
  const lines = [...past.flatMap((d) => d.lines), ...day.lines].sort((a, b) => a.t - b.t);
  const out: { t: number; s: UsageSnapshot }[] = [];
  let i = 0;
  for (let t = day.startMs - STEP_MS; t <= day.endMs; t += STEP_MS) {
    for (; i < lines.length && lines[i]!.t <= t; i++) {
      const l = lines[i]!;
      const [project, file] = l.file.split("/");
      const d = decodeLine(l.json, { signals: true, project: project!, sessionId: file!.replace(".jsonl", "") });
      if (d.kind === "error") throw new Error(`${l.file}: ${d.error}`);
      if (d.kind === "usage") {
        const delta = ledger.add(d.event);
        if (delta) engine.addDelta(delta, t);
        if (d.signal) engine.addSignal(d.signal, t);
      } else if (d.kind === "signal") {
        engine.addSignal(d.signal, t);
      }
    }
    out.push({ t, s: engine.snapshot(t, { kind: "demo", ok: true }) });
  }
  return out;
}

/** Consecutive runs of a value, e.g. the order in which models took over. */
function runs<T>(xs: readonly T[]): T[] {
  return xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
}

describe("demoDay", () => {
  const day = demoDay(START, 7);
  const frames = replay(day);
  const live = frames.filter((f) => f.t >= START);

  it("is deterministic per seed and ordered in time", () => {
    expect(demoDay(START, 7)).toEqual(day);
    expect(demoDay(START, 8).lines).not.toEqual(day.lines);
    for (let i = 1; i < day.lines.length; i++) expect(day.lines[i]!.t).toBeGreaterThanOrEqual(day.lines[i - 1]!.t);
    expect(day.lines.some((l) => l.file.includes("/subagents/agent-"))).toBe(true);
  });

  it("moves the tach within seconds of the start", () => {
    const at10s = live.find((f) => f.t >= START + 10_000)!;
    expect(at10s.s.tach_pos).toBeGreaterThan(20);
    expect(at10s.s.fuel_5h_pos).toBeLessThan(frames[0]!.s.fuel_5h_pos);
  });

  it("tells its story: Sonnet, idle, Opus with Haiku agents running HOT, idle, Sonnet into WARN", () => {
    expect(runs(live.map((f) => f.s.last_model))).toEqual(["sonnet", "opus", "haiku", "opus", "sonnet"]);
    // HOT only while the agents run, for at least half a minute
    const hot = live.filter((f) => f.s.hot);
    expect(hot.length * STEP_MS).toBeGreaterThanOrEqual(30_000);
    expect(runs(live.map((f) => f.s.hot))).toEqual([false, true, false]);
    // IDLE lights in both gaps and at the end
    expect(runs(live.map((f) => f.s.idle)).filter(Boolean)).toHaveLength(3);
    // the 5 h tank only drains; WARN comes from the tank passing 80 %, late in the day, and stays
    const pct = live.map((f) => f.s.window_5h_pct);
    for (let i = 1; i < pct.length; i++) expect(pct[i]!).toBeGreaterThanOrEqual(pct[i - 1]!);
    expect(pct[0]!).toBeGreaterThan(0.3);
    expect(pct[0]!).toBeLessThan(0.6);
    expect(pct.at(-1)!).toBeCloseTo(0.86, 2);
    for (const f of live) expect(f.s.warn).toBe(f.s.window_5h_pct >= 0.8);
    const firstWarn = live.findIndex((f) => f.s.warn);
    expect(firstWarn / live.length).toBeGreaterThan(0.6);
    // nobody is left waiting on Claude
    expect(live.some((f) => f.s.stall)).toBe(false);
  });

  it("ends its warm-up before the session and fits the day in a fresh 5 h block", () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      for (const intensity of [0.5, 1, 1.3]) {
        const d = demoDay(START, seed, { intensity });
        const warm = d.lines.filter((l) => l.t < START);
        expect(warm.length).toBeGreaterThan(0);
        expect(warm.at(-1)!.t).toBeLessThan(START - 60_000);
        expect(d.lines[0]!.t).toBeGreaterThanOrEqual(START - 2 * 3_600_000);
        expect(d.endMs - START).toBeLessThan(20 * 60_000);
      }
    }
  });
});

describe("demoPastDays and demoCeilings", () => {
  it("gives six earlier days of varying size and a week about 60 % used", () => {
    const today = demoDay(START, 7);
    const past = demoPastDays(START, 7);
    expect(past).toHaveLength(6);
    for (const d of past) expect(d.endMs).toBeLessThan(START - 12 * 3_600_000);
    const sizes = past.map((d) => d.blockTokens);
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeGreaterThan(1.3);
    const frames = replay(today, past);
    const first = frames.find((f) => f.t >= START)!;
    expect(first.s.window_7d_pct).toBeGreaterThan(0.45);
    expect(first.s.window_7d_pct).toBeLessThan(0.65);
  });
});
