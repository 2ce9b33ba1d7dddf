import { describe, expect, it } from "vitest";
import { CounterDeltas, type StepGrowth } from "./counter-deltas.js";
import type { SeriesSamples } from "./prometheus-api.js";

const TOK = "claude_code_token_usage_tokens_total";
const series = (labels: Record<string, string>, samples: [number, number][]): SeriesSamples => ({
  labels: { __name__: TOK, type: "input", model: "claude-sonnet-4-5", ...labels },
  samples,
});
const inputOf = (g: StepGrowth[]) => g.reduce((a, x) => a + x.tokens.input, 0);

describe("CounterDeltas", () => {
  it("counts a series that appears inside the history from zero (its first sample is growth, unlike increase())", () => {
    const d = new CounterDeltas();
    d.baseline([]);
    const g = d.observe([
      series({ session_id: "a" }, [
        [60_000, 500],
        [120_000, 800],
      ]),
    ]);
    expect(g.map((x) => [x.t, x.tokens.input])).toEqual([
      [60_000, 500],
      [120_000, 300],
    ]);
  });

  it("a series alive before the history starts grows from its baseline only", () => {
    const d = new CounterDeltas();
    d.baseline([series({ session_id: "a" }, [[0, 10_000]])]);
    expect(
      inputOf(
        d.observe([
          series({ session_id: "a" }, [
            [60_000, 10_000],
            [120_000, 10_250],
          ]),
        ]),
      ),
    ).toBe(250);
  });

  it("parallel sessions whose counters restart: per series, no phantom growth (differencing the sum would count each restart as a reset)", () => {
    // Two processes; process b restarts (resume: same labels, counter from 0) twice.
    const a = series({ session_id: "a" }, [
      [60_000, 1_000_000],
      [120_000, 1_000_100],
      [180_000, 1_000_200],
      [240_000, 1_000_300],
    ]);
    const b = series({ session_id: "b" }, [
      [60_000, 500_000],
      [120_000, 10],
      [180_000, 20],
      [240_000, 5],
    ]);
    const d = new CounterDeltas();
    d.baseline([]);
    // truth: a grew 1,000,300 from zero; b: 500,000, then restarts at 10 (+10), +10, restarts at 5 (+5)
    expect(inputOf(d.observe([a, b]))).toBe(1_000_300 + 500_000 + 10 + 10 + 5);
    // the naive way (sum first, then a counter difference with resets) — what increase(sum(...)) does:
    const sums = [60_000, 120_000, 180_000, 240_000].map((t) => [a, b].reduce((s, x) => s + (x.samples.find(([u]) => u === t)?.[1] ?? 0), 0));
    let naive = sums[0]!;
    for (let i = 1; i < sums.length; i++) naive += sums[i]! >= sums[i - 1]! ? sums[i]! - sums[i - 1]! : sums[i]!;
    expect(naive - (1_000_300 + 500_000 + 25)).toBeGreaterThan(900_000); // phantom millions: the whole sum again
  });

  it("a series that goes stale and comes back continues from its last value; lower means a reset", () => {
    const d = new CounterDeltas();
    d.baseline([]);
    expect(inputOf(d.observe([series({}, [[60_000, 100]])]))).toBe(100);
    expect(inputOf(d.observe([series({}, [[900_000, 130]])]))).toBe(30);
    expect(inputOf(d.observe([series({}, [[960_000, 20]])]))).toBe(20);
  });

  it("claude-gauge daemons (label machine): a new machine's first sample is its history, not growth; its new models are growth", () => {
    const d = new CounterDeltas();
    d.baseline([]);
    const first = d.observe([
      series({ machine: "m1" }, [
        [60_000, 9_000_000],
        [120_000, 9_000_400],
      ]),
      series({ machine: "m1", type: "output" }, [[60_000, 5_000_000]]),
      series({ machine: "m1", model: "claude-haiku-4-5" }, [[60_000, 1_000_000]]),
    ]);
    expect(inputOf(first)).toBe(400);
    expect(first.reduce((a, g) => a + g.tokens.output, 0)).toBe(0);
    const opus = d.observe([series({ machine: "m1", model: "claude-opus-4-5" }, [[180_000, 700]])]);
    expect(opus.map((g) => [g.model, g.tokens.input])).toEqual([["claude-opus-4-5", 700]]);
  });

  it("groups by step and model; cost is null until a cost series of the model is seen, then 0 where it did not grow", () => {
    const d = new CounterDeltas();
    d.baseline([]);
    const g = d.observe([
      series({ type: "output" }, [[60_000, 40]]),
      series({ type: "cacheRead" }, [[60_000, 900]]),
      { labels: { __name__: "claude_code_token_usage_total", type: "input", model: "claude-haiku-4-5" }, samples: [[60_000, 7]] },
    ]);
    expect(g).toEqual([
      { t: 60_000, model: "claude-sonnet-4-5", tokens: { input: 0, output: 40, cacheRead: 900, cacheCreation: 0 }, costUsd: null },
      { t: 60_000, model: "claude-haiku-4-5", tokens: { input: 7, output: 0, cacheRead: 0, cacheCreation: 0 }, costUsd: null },
    ]);
    const h = d.observe([
      { labels: { __name__: "claude_code_cost_usage_USD_total", model: "claude-sonnet-4-5" }, samples: [[120_000, 0.5]] },
      series({ type: "output" }, [[180_000, 50]]),
    ]);
    expect(h.map((x) => [x.t, x.costUsd])).toEqual([
      [120_000, 0.5],
      [180_000, 0],
    ]);
  });

  it("ignores series of other names or unknown token types, and negative values", () => {
    const d = new CounterDeltas();
    d.baseline([]);
    const g = d.observe([
      { labels: { __name__: "claude_code_session_count_total" }, samples: [[60_000, 3]] },
      series({ type: "reasoning" }, [[60_000, 3]]),
      series({ session_id: "x" }, [[60_000, -5]]),
    ]);
    expect(g).toEqual([]);
    expect(d.ignored).toBe(2);
    d.observe([series({ type: "reasoning" }, [[120_000, 4]])]);
    expect(d.ignored).toBe(2);
  });
});

describe("CounterDeltas re-reads", () => {
  it("overlapping reads count each step once, and samples a server showed late still count", () => {
    const d = new CounterDeltas();
    d.baseline([]);
    expect(
      inputOf(
        d.observe([
          series({}, [
            [1000, 10],
            [2000, 15],
          ]),
        ]),
      ),
    ).toBe(15);
    // the same steps again, plus a newer one
    expect(
      inputOf(
        d.observe([
          series({}, [
            [1000, 10],
            [2000, 15],
            [3000, 18],
          ]),
        ]),
      ),
    ).toBe(3);
    // another series that was hidden at steps already read (latency offset), visible now
    const late = d.observe([
      series({ session_id: "late" }, [
        [2000, 7],
        [3000, 9],
      ]),
      series({}, [
        [2000, 15],
        [3000, 18],
      ]),
    ]);
    expect(late.map((g) => [g.t, g.tokens.input])).toEqual([
      [2000, 7],
      [3000, 2],
    ]);
  });
});
