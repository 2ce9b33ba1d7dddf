import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitCeiling, officialFuel, parseStatuslineInput, type OfficialSample } from "./official-fuel.js";

const T0 = Date.parse("2026-11-26T12:00:00Z");
const HOUR = 3_600_000;

/** Small seeded PRNG so the noise is uniform, not fast-check's edge-biased doubles. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Samples of a window whose true ceiling is `ceiling`, with ±noise on the local count and some ×3 / ÷3 outliers. */
function synthetic(ceiling: number, n: number, noise: number, outliers: number, seed: number): OfficialSample[] {
  const rnd = mulberry32(seed);
  const out: OfficialSample[] = [];
  for (let i = 0; i < n; i++) {
    const usedPct = 0.02 + rnd() * 0.95;
    let localTokens = Math.round(ceiling * usedPct * (1 + (rnd() * 2 - 1) * noise));
    // the outliers sit among the newest samples, where the fit looks
    if (i >= n - outliers) localTokens = i % 2 === 0 ? localTokens * 3 : Math.round(localTokens / 3);
    out.push({ at: T0 + i * 60_000, window: "5h", usedPct, resetsAt: T0 + 5 * HOUR, localTokens });
  }
  return out;
}

describe("parseStatuslineInput", () => {
  const full = {
    session_id: "abc-123",
    transcript_path: "/home/u/.claude/projects/p/abc-123.jsonl",
    cwd: "/home/u/p",
    model: { id: "claude-opus-4-1", display_name: "Opus 4.1" },
    version: "2.1.80",
    cost: { total_cost_usd: 1.23 },
    rate_limits: {
      five_hour: { used_percentage: 23.5, resets_at: 1738425600 },
      seven_day: { used_percentage: 41.2, resets_at: 1738857600 },
    },
  };

  it("reads both windows, converting percent to 0..1 and seconds to ms", () => {
    const r = parseStatuslineInput(full);
    expect(r.sessionId).toBe("abc-123");
    expect(r.model).toBe("Opus 4.1");
    expect(r.rateLimits?.fiveHour?.usedPct).toBeCloseTo(0.235, 12);
    expect(r.rateLimits?.fiveHour?.resetsAt).toBe(1738425600_000);
    expect(r.rateLimits?.sevenDay?.usedPct).toBeCloseTo(0.412, 12);
    expect(r.rateLimits?.sevenDay?.resetsAt).toBe(1738857600_000);
  });

  it("clamps percentages outside 0..100", () => {
    const r = parseStatuslineInput({
      rate_limits: { five_hour: { used_percentage: 140, resets_at: 1 }, seven_day: { used_percentage: -3, resets_at: 1 } },
    });
    expect(r.rateLimits?.fiveHour?.usedPct).toBe(1);
    expect(r.rateLimits?.sevenDay?.usedPct).toBe(0);
  });

  it("keeps reset times already in ms", () => {
    const r = parseStatuslineInput({ rate_limits: { five_hour: { used_percentage: 5, resets_at: 1738425600_000 } } });
    expect(r.rateLimits?.fiveHour?.resetsAt).toBe(1738425600_000);
    expect(r.rateLimits?.sevenDay).toBeNull();
  });

  it("accepts an ISO reset time and refuses one past 2100 (a 1e300 reset once stopped the daemon)", () => {
    const iso = parseStatuslineInput({ rate_limits: { five_hour: { used_percentage: 5, resets_at: "2026-11-26T19:00:00Z" } } });
    expect(iso.rateLimits?.fiveHour?.resetsAt).toBe(Date.parse("2026-11-26T19:00:00Z"));
    for (const resets_at of [1e300, 1e15, 9e15, "+275760-09-13T00:00:00.000Z", "soon"]) {
      expect(parseStatuslineInput({ rate_limits: { five_hour: { used_percentage: 5, resets_at } } }).rateLimits).toBeNull();
    }
  });

  it("falls back to the model id and accepts a bare model string", () => {
    expect(parseStatuslineInput({ model: { id: "claude-haiku-4" } }).model).toBe("claude-haiku-4");
    expect(parseStatuslineInput({ model: "sonnet" }).model).toBe("sonnet");
    expect(parseStatuslineInput({ model: { display_name: 7 } }).model).toBeNull();
  });

  it("turns malformed parts into null and never throws", () => {
    const shapes: unknown[] = [
      null,
      undefined,
      42,
      "text",
      [],
      [full],
      {},
      { rate_limits: null },
      { rate_limits: [] },
      { rate_limits: "full" },
      { rate_limits: { five_hour: null, seven_day: 3 } },
      { rate_limits: { five_hour: { used_percentage: "23.5", resets_at: 1738425600 } } },
      { rate_limits: { five_hour: { used_percentage: 23.5 } } },
      { rate_limits: { five_hour: { used_percentage: Number.NaN, resets_at: 1738425600 } } },
      { rate_limits: { five_hour: { used_percentage: 23.5, resets_at: -1 } } },
      { session_id: 5, model: [] },
      { session_id: "" },
    ];
    for (const s of shapes) {
      const r = parseStatuslineInput(s);
      expect(r.rateLimits).toBeNull();
      expect(r.sessionId).toBeNull();
      expect(r.model).toBeNull();
    }
  });

  it("keeps the good window when the other is malformed", () => {
    const r = parseStatuslineInput({ rate_limits: { five_hour: { used_percentage: "x" }, seven_day: { used_percentage: 50, resets_at: 100 } } });
    expect(r.rateLimits).toEqual({ fiveHour: null, sevenDay: { usedPct: 0.5, resetsAt: 100_000 } });
  });

  it("survives arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = parseStatuslineInput(v);
        for (const l of [r.rateLimits?.fiveHour, r.rateLimits?.sevenDay]) {
          if (l) {
            expect(l.usedPct).toBeGreaterThanOrEqual(0);
            expect(l.usedPct).toBeLessThanOrEqual(1);
            expect(Number.isFinite(l.resetsAt)).toBe(true);
          }
        }
      }),
    );
  });
});

describe("fitCeiling", () => {
  it("recovers a 12.3M ceiling from noisy samples with outliers", () => {
    const fit = fitCeiling(synthetic(12_300_000, 30, 0.03, 3, 7));
    expect(fit.samples).toBe(20);
    expect(fit.used).toBe(17);
    expect(Math.abs(fit.ceilingTokens! / 12_300_000 - 1)).toBeLessThan(0.02);
    expect(fit.spread).toBeGreaterThan(0);
    expect(fit.spread).toBeLessThan(0.05);
  });

  it("recovers random ceilings within 2 % (±3 % noise, up to 4 outliers ×3 among the newest 20)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100_000, max: 2_000_000_000 }),
        fc.integer({ min: 16, max: 60 }),
        fc.double({ min: 0, max: 0.03, noNaN: true }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer(),
        (ceiling, n, noise, outliers, seed) => {
          const fit = fitCeiling(synthetic(ceiling, n, noise, outliers, seed));
          expect(fit.ceilingTokens).not.toBeNull();
          expect(Math.abs(fit.ceilingTokens! / ceiling - 1)).toBeLessThan(0.02);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("ignores small percentages, zero local counts and other windows", () => {
    const base = { at: T0, resetsAt: T0 + 5 * HOUR };
    const samples: OfficialSample[] = [
      { ...base, window: "5h", usedPct: 0.01, localTokens: 5_000_000 },
      { ...base, window: "5h", usedPct: 0.3, localTokens: 0 },
      { ...base, window: "7d", usedPct: 0.5, localTokens: 50_000_000 },
      { ...base, window: "5h", usedPct: 0.5, localTokens: 5_000_000 },
    ];
    expect(fitCeiling(samples, { window: "5h" })).toEqual({ ceilingTokens: 10_000_000, samples: 1, used: 1, spread: 0 });
    expect(fitCeiling(samples, { window: "7d" }).ceilingTokens).toBe(100_000_000);
    expect(fitCeiling(samples, { window: "5h", minUsedPct: 0.005 }).samples).toBe(2);
  });

  it("uses only the most recent samples", () => {
    const old = Array.from(
      { length: 10 },
      (_, i): OfficialSample => ({
        at: T0 + i,
        window: "5h",
        usedPct: 0.5,
        resetsAt: T0 + HOUR,
        localTokens: 1_000_000,
      }),
    );
    const fresh = old.map((s) => ({ ...s, at: s.at + 1000, localTokens: 4_000_000 }));
    // given out of order on purpose
    const fit = fitCeiling([...fresh, ...old], { maxSamples: 10 });
    expect(fit.ceilingTokens).toBe(8_000_000);
  });

  it("reports no ceiling without qualified samples", () => {
    expect(fitCeiling([])).toEqual({ ceilingTokens: null, samples: 0, used: 0, spread: 0 });
  });
});

describe("officialFuel", () => {
  const last: OfficialSample = { at: T0, window: "5h", usedPct: 0.2, resetsAt: T0 + 2 * HOUR, localTokens: 1_000_000 };

  it("advances by local tokens over the fitted ceiling", () => {
    const f = officialFuel(last, 2_000_000, 10_000_000, T0 + 60_000);
    expect(f).toEqual({ pct: expect.closeTo(0.3, 12) as number, source: "official", resetAt: T0 + 2 * HOUR });
  });

  it("holds the official value without a ceiling", () => {
    expect(officialFuel(last, 9_000_000, null, T0 + 1)?.pct).toBe(0.2);
    expect(officialFuel(last, 9_000_000, 0, T0 + 1)?.pct).toBe(0.2);
    expect(officialFuel(last, Number.NaN, 10_000_000, T0 + 1)?.pct).toBe(0.2);
  });

  it("never goes below the official value when the local count drops", () => {
    expect(officialFuel(last, 0, 10_000_000, T0 + 1)?.pct).toBe(0.2);
  });

  it("clamps to 1", () => {
    expect(officialFuel(last, 100_000_000, 10_000_000, T0 + 1)?.pct).toBe(1);
  });

  it("is null without a sample or once its window has reset", () => {
    expect(officialFuel(null, 1, 1, T0)).toBeNull();
    expect(officialFuel(last, 1, 1, last.resetsAt)).toBeNull();
    expect(officialFuel(last, 1, 1, last.resetsAt + 1)).toBeNull();
    expect(officialFuel(last, 1, 1, last.resetsAt - 1)).not.toBeNull();
  });
});
