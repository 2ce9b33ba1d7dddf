import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitTokenTypes } from "./token-type-fit.js";
import type { TypedReading } from "./token-type-fit.js";

function readings(
  seed: number,
  ceiling: number,
  counted: (c: { input: number; output: number; cacheCreation: number; cacheRead: number }) => number,
): TypedReading[] {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: 12 }, (_, i) => {
    const input = 20_000 + rand() * 80_000;
    const output = 50_000 + rand() * 200_000;
    const cacheCreation = 100_000 + rand() * 400_000;
    const cacheRead = rand() * 20_000_000; // swings with the cache hit rate
    const counts = { input, output, cacheCreation, cacheRead, cacheCreation5m: cacheCreation, cacheCreation1h: 0 };
    return { at: 1_000 + i, window: "5h" as const, usedPct: Math.min(1, counted(counts) / ceiling), resetsAt: 1e9, counts };
  });
}

describe("fitTokenTypes", () => {
  it("finds the types a percentage was computed from, and its ceiling", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 2_000_000, max: 6_000_000 }), (seed, ceiling) => {
        const [best] = fitTokenTypes(
          readings(seed, ceiling, (c) => c.input + c.output),
          "5h",
        );
        expect(best?.types).toEqual(["input", "output"]);
        expect(Math.abs((best?.ceilingTokens ?? 0) / ceiling - 1)).toBeLessThan(0.02);
      }),
      { numRuns: 50 },
    );
  });

  it("keeps all four types first when they explain it", () => {
    const [best] = fitTokenTypes(
      readings(7, 80_000_000, (c) => c.input + c.output + c.cacheCreation + c.cacheRead),
      "5h",
    );
    expect(best?.types).toEqual(["input", "output", "cache_creation", "cache_read"]);
  });

  it("ranks nothing before it has enough readings", () => {
    const few = readings(3, 4_000_000, (c) => c.input + c.output).slice(0, 2);
    expect(fitTokenTypes(few, "5h").every((f) => f.used < 3)).toBe(true);
  });
});
