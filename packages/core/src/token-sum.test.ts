import { describe, expect, it } from "vitest";
import { TokenSum } from "./token-sum.js";
import { U64_MAX } from "./usage-literals.js";

const counts = (input: number, output = 0, cacheCreation = 0, cacheRead = 0) => ({ input, output, cacheCreation, cacheRead });

describe("TokenSum", () => {
  it("adds plain doubles while every sum stays within 2^53", () => {
    const s = new TokenSum();
    s.add(counts(10, 20, 30, 40));
    s.add(counts(1, 2, 3, 4));
    expect([s.input, s.output, s.cacheCreation, s.cacheRead, s.total]).toEqual([11, 22, 33, 44, 110]);
  });

  it("sums exactly past 2^53, as ccusage's u64 does (the double sum would round)", () => {
    const s = new TokenSum();
    s.add({ ...counts(9007199254740992, 21), wide: { input: 9007199254740993n, output: 21n, cacheCreation: 0n, cacheRead: 0n } });
    expect(s.total).toBe(Number(9007199254741014n));
    expect(9007199254740992 + 21).not.toBe(Number(9007199254741014n)); // what a double sum gives
    const t = new TokenSum();
    t.add(counts(Number.MAX_SAFE_INTEGER));
    t.add(counts(2));
    expect(t.input).toBe(Number(BigInt(Number.MAX_SAFE_INTEGER) + 2n));
  });

  it("saturates at 2^64 − 1", () => {
    const s = new TokenSum();
    const max = { ...counts(Number(U64_MAX)), wide: { input: U64_MAX, output: 0n, cacheCreation: 0n, cacheRead: 0n } };
    s.add(max);
    s.add(max);
    s.add(counts(5, 7));
    expect(s.input).toBe(Number(U64_MAX));
    expect(s.total).toBe(Number(U64_MAX));
    const totals = new TokenSum();
    totals.addSum(s);
    totals.addSum(s);
    expect([totals.input, totals.output]).toEqual([Number(U64_MAX), 14]);
  });
});
