import { describe, expect, it } from "vitest";
import { CALIBRATION_FALLBACK, CalibrationHistory, percentile, suggestCalibration } from "./calibration.js";
import type { UsageDelta } from "./usage-event.js";
import { ZERO_COUNTS } from "./usage-event.js";

const H = 3_600_000;
const MIN = 60_000;
const MON = Date.parse("2024-01-01T00:00:00Z"); // a Monday

function delta(t: number, input: number, output = 0, cacheRead = 0): UsageDelta {
  return {
    timestamp: t,
    model: "claude-sonnet-4-20250514",
    sessionId: "s",
    project: "p",
    counts: { ...ZERO_COUNTS, input, output, cacheRead },
    thinkingOutput: 0,
    costUsd: 0,
  };
}

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe("percentile (nearest rank)", () => {
  const xs = range(100, (i) => i + 1); // 1..100
  it("picks the value at rank ceil(p·n)", () => {
    expect(percentile(xs, 0.9)).toBe(90);
    expect(percentile(xs, 0.95)).toBe(95);
    expect(percentile(xs, 0.5)).toBe(50);
    expect(percentile([10, 20, 30], 0.9)).toBe(30);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 0.9)).toBe(100);
  });

  it("handles the edges", () => {
    expect(percentile([], 0.9)).toBeNull();
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile(xs, 1)).toBe(100);
  });
});

describe("suggestCalibration", () => {
  it("uses P90 of blocks, P90 of weeks and P95 of active minutes given enough samples", () => {
    const s = suggestCalibration({
      blockTotals: range(20, (i) => (i + 1) * 1_000_000).reverse(),
      weekTotals: [50e6, 70e6, 90e6, 110e6],
      minuteRates: range(100, (i) => (i + 1) * 1000),
    });
    expect(s.ceiling5hTokens).toBe(18_000_000);
    expect(s.ceiling7dTokens).toBe(110_000_000);
    expect(s.tachRedlineTokensPerMin).toBe(95_000);
    expect(s.evidence.blocks5h).toEqual({ samples: 20, minSamples: 10, p50: 10e6, p90: 18e6, p95: 19e6, max: 20e6, basis: "history" });
    expect(s.evidence.weeks7d.basis).toBe("history");
    expect(s.evidence.activeMinutes.samples).toBe(100);
  });

  it("falls back for a fresh install and derives the week and the redline from the 5 h fallback", () => {
    const s = suggestCalibration({ blockTotals: [], weekTotals: [], minuteRates: [] });
    expect(s.ceiling5hTokens).toBe(CALIBRATION_FALLBACK.ceiling5hTokens);
    expect(s.ceiling7dTokens).toBe(CALIBRATION_FALLBACK.ceiling5hTokens * CALIBRATION_FALLBACK.weekPer5h);
    expect(s.tachRedlineTokensPerMin).toBe(Math.round(CALIBRATION_FALLBACK.ceiling5hTokens / 60));
    expect(s.evidence.blocks5h).toEqual({ samples: 0, minSamples: 10, p50: null, p90: null, p95: null, max: null, basis: "fallback" });
  });

  it("with too few samples takes the larger of the fallback and the largest sample", () => {
    const light = suggestCalibration({ blockTotals: [1e6, 2e6], weekTotals: [], minuteRates: [] });
    expect(light.ceiling5hTokens).toBe(20_000_000);
    const heavy = suggestCalibration({ blockTotals: [1e6, 45e6], weekTotals: [300e6], minuteRates: [5e6] });
    expect(heavy.ceiling5hTokens).toBe(45_000_000);
    expect(heavy.ceiling7dTokens).toBe(450_000_000); // 10 × 45M beats the single 300M week
    expect(heavy.tachRedlineTokensPerMin).toBe(5_000_000);
    expect(heavy.evidence.blocks5h.basis).toBe("fallback");
  });
});

describe("CalibrationHistory", () => {
  it("collects completed block totals, and the open block once it is over", () => {
    const h = new CalibrationHistory();
    h.add(delta(MON + 10 * H, 100));
    h.add(delta(MON + 11 * H, 50));
    h.add(delta(MON + 20 * H, 7)); // closes block 10:00 (150), opens 20:00
    expect(h.samples(MON + 21 * H).blockTotals).toEqual([150]);
    expect(h.samples(MON + 25 * H).blockTotals).toEqual([150, 7]); // 20:00 block ended at 01:00
  });

  it("records tokens per active minute and leaves out the minute still running", () => {
    const h = new CalibrationHistory();
    h.add(delta(MON + 10 * MIN + 1000, 10));
    h.add(delta(MON + 10 * MIN + 59_000, 5));
    h.add(delta(MON + 12 * MIN, 7));
    h.add(delta(MON + 13 * MIN, 0)); // no tokens, no active minute
    expect(h.samples(MON + 12 * MIN + 30_000).minuteRates).toEqual([15]);
    expect(h.samples(MON + 13 * MIN).minuteRates).toEqual([15, 7]);
  });

  it("counts only the configured token types", () => {
    const h = new CalibrationHistory({ count: ["output"] });
    h.add(delta(MON + 10 * MIN, 1000, 3, 5000));
    expect(h.samples(MON + H).minuteRates).toEqual([3]);
  });

  it("totals completed anchored weeks and leaves out the oldest (partial) one", () => {
    const h = new CalibrationHistory();
    h.add(delta(MON + 3 * 24 * H, 1)); // Thu of week 1 (partial)
    h.add(delta(MON + 7 * 24 * H, 10)); // Mon 00:00 of week 2
    h.add(delta(MON + 13 * 24 * H, 20)); // Sun of week 2
    h.add(delta(MON + 15 * 24 * H, 40)); // week 3, still running
    expect(h.samples(MON + 15 * 24 * H + H).weekTotals).toEqual([30]);
    expect(h.samples(MON + 21 * 24 * H).weekTotals).toEqual([30, 40]);
  });

  it("anchors weeks in the configured zone", () => {
    const h = new CalibrationHistory({ weekAnchor: { weekday: 1, hour: 0, minute: 0 }, weekTimeZone: "America/New_York" });
    h.add(delta(MON - 24 * H, 1)); // oldest week
    h.add(delta(MON + 2 * H, 10)); // Sun 21:00 EST: still the week that began Mon 2023-12-25
    h.add(delta(MON + 6 * H, 100)); // Mon 01:00 EST: next week
    expect(h.samples(MON + 30 * 24 * H).weekTotals).toEqual([100]);
  });

  it("keeps memory bounded per series", () => {
    const h = new CalibrationHistory({ maxBlocks: 3, maxActiveMinutes: 5, maxWeeks: 2 });
    for (let i = 0; i < 40; i += 1) h.add(delta(MON + i * 6 * H, i + 1));
    const s = h.samples(MON + 1000 * H);
    expect(s.blockTotals).toEqual([37, 38, 39, 40]); // 3 kept + the open block, over by now
    expect(s.minuteRates).toEqual([36, 37, 38, 39, 40]);
    expect(s.weekTotals.length).toBeLessThanOrEqual(2);
  });

  it("feeds a suggestion end to end", () => {
    const h = new CalibrationHistory();
    for (let i = 0; i < 12; i += 1) h.add(delta(MON + i * 6 * H, (i + 1) * 1_000_000));
    const s = suggestCalibration(h.samples(MON + 100 * H));
    expect(s.evidence.blocks5h.samples).toBe(12);
    expect(s.ceiling5hTokens).toBe(11_000_000);
  });
});
