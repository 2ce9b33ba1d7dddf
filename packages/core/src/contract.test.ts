import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONTRACT_MAX_BYTES,
  encodeCount,
  encodeResetTime,
  encodeShare,
  encodeTime,
  encodeUsd,
  FUEL_SOURCES,
  MAX_RATE,
  MAX_TOKENS_5H,
  MAX_TOKENS_7D,
  MAX_USD,
  SOURCES,
  UsageSnapshotSchema,
  usageJsonSchema,
  type UsageSnapshot,
} from "./contract.js";

const longest = <T extends string>(xs: readonly T[]): T => xs.reduce((a, b) => (b.length > a.length ? b : a));

describe("the /usage contract", () => {
  it("fits CONTRACT_MAX_BYTES even with every value at its widest", () => {
    const worst: UsageSnapshot = {
      v: 1,
      rate_1m: MAX_RATE,
      window_5h_tokens: MAX_TOKENS_5H,
      window_5h_pct: 0.99,
      window_5h_reset_at: "2026-11-26T14:05Z",
      window_7d_tokens: MAX_TOKENS_7D,
      window_7d_pct: 0.99,
      window_7d_reset_at: "2026-11-26T14:05Z",
      cost_5h_usd: 99.99,
      cost_7d_usd: 99.99,
      thinking_ratio: 0.99,
      cache_hit_rate: 0.99,
      last_model: "sonnet",
      hot: false,
      warn: false,
      stall: false,
      idle: false,
      limit_hit: false,
      tach_pos: 1000,
      fuel_5h_pos: 1000,
      fuel_7d_pos: 1000,
      fuel_source: longest(FUEL_SOURCES),
      source: longest(SOURCES),
      source_ok: false,
      updated_at: "2026-11-26T14:05:07Z",
    };
    expect(UsageSnapshotSchema.parse(worst)).toEqual(worst);
    const bytes = Buffer.byteLength(JSON.stringify(worst));
    expect(bytes).toBeLessThanOrEqual(CONTRACT_MAX_BYTES);
  });

  it("encodes USD in at most five characters", () => {
    const samples = [0, 0.004, 0.005, 1.234, 99.994, 99.996, 123.45, 999.94, 999.96, 4321.987, 12_345.6, 1e9];
    const out = samples.map(encodeUsd);
    expect(out).toEqual([0, 0, 0.01, 1.23, 99.99, 100, 123.5, 999.9, 1000, 4322, 12_346, MAX_USD]);
    for (const v of out) expect(String(v).length).toBeLessThanOrEqual(5);
  });

  it("encodes shares at 1 % and clamps out-of-range input", () => {
    expect([-1, 0.004, 0.125, 0.996, 3, Number.NaN].map(encodeShare)).toEqual([0, 0, 0.13, 1, 1, 0]);
  });

  it("rounds reset times up to the minute and updated_at down to the second", () => {
    const t = Date.parse("2026-11-26T14:05:07.900Z");
    expect(encodeTime(t)).toBe("2026-11-26T14:05:07Z");
    expect(encodeResetTime(t)).toBe("2026-11-26T14:06Z");
    expect(encodeResetTime(Date.parse("2026-11-26T19:00:00Z"))).toBe("2026-11-26T19:00Z");
    expect(encodeResetTime(null)).toBeNull();
  });

  it("prints no reset it cannot print: beyond years 0000..9999 a reset is null, never +010000", () => {
    expect(encodeResetTime(Date.UTC(9999, 11, 31, 23, 59))).toBe("9999-12-31T23:59Z");
    expect(encodeResetTime(Date.UTC(9999, 11, 31, 23, 59, 30))).toBeNull(); // rounds up into year 10000
    expect(encodeResetTime(Date.parse("9999-12-31T23:59:59Z") + 4 * 3_600_000)).toBeNull(); // a block ending in 10000
    expect(encodeResetTime(1e15)).toBeNull(); // an official reading's resetsAt of 1e15 ms
    expect(encodeResetTime(9e15)).toBeNull(); // beyond what Date holds (it threw a RangeError)
    expect(encodeResetTime(-62_167_219_200_000)).toBe("0000-01-01T00:00Z");
    expect(encodeResetTime(-62_167_219_200_001 - 60_000)).toBeNull();
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map(encodeResetTime)).toEqual([null, null, null]);
  });

  it("clamps updated_at into years 0000..9999 (NaN reads as the epoch)", () => {
    expect(encodeTime(1e300)).toBe("9999-12-31T23:59:59Z");
    expect(encodeTime(Number.POSITIVE_INFINITY)).toBe("9999-12-31T23:59:59Z");
    expect(encodeTime(-1e300)).toBe("0000-01-01T00:00:00Z");
    expect(encodeTime(Number.NaN)).toBe("1970-01-01T00:00:00Z");
  });

  it("never emits a value the schema rejects, whatever number the encoders get", () => {
    const shape = UsageSnapshotSchema.shape;
    const any = fc.oneof(
      fc.double(),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e15, 8.64e15, 9e15, Number.MAX_VALUE, -Number.MAX_VALUE),
      fc.integer({ min: -62_167_300_000_000, max: 253_402_400_000_000 }),
    );
    fc.assert(
      fc.property(any, (x) => {
        shape.window_5h_reset_at.parse(encodeResetTime(x));
        shape.updated_at.parse(encodeTime(x));
        shape.window_5h_pct.parse(encodeShare(x));
        shape.rate_1m.parse(encodeCount(x, MAX_RATE));
        shape.window_7d_tokens.parse(encodeCount(x, MAX_TOKENS_7D));
        shape.cost_5h_usd.parse(encodeUsd(x));
      }),
      { numRuns: 2000 },
    );
  });

  it("reads an infinite amount as the largest one, NaN as none", () => {
    expect([
      encodeUsd(Number.POSITIVE_INFINITY),
      encodeUsd(Number.NaN),
      encodeCount(Number.POSITIVE_INFINITY, MAX_RATE),
      encodeShare(Number.POSITIVE_INFINITY),
    ]).toEqual([MAX_USD, 0, MAX_RATE, 1]);
  });

  it("rejects wrong types, extra fields and out-of-range values with the field named", () => {
    const ok = UsageSnapshotSchema.parse({
      v: 1,
      rate_1m: 0,
      window_5h_tokens: 0,
      window_5h_pct: 0,
      window_5h_reset_at: null,
      window_7d_tokens: 0,
      window_7d_pct: 0,
      window_7d_reset_at: null,
      cost_5h_usd: 0,
      cost_7d_usd: 0,
      thinking_ratio: 0,
      cache_hit_rate: 0,
      last_model: null,
      hot: false,
      warn: false,
      stall: false,
      idle: true,
      limit_hit: false,
      tach_pos: 0,
      fuel_5h_pos: 1000,
      fuel_7d_pos: 1000,
      fuel_source: "estimated",
      source: "jsonl",
      source_ok: true,
      updated_at: "2026-11-26T14:05:07Z",
    });
    const bad = (patch: Record<string, unknown>) => {
      const r = UsageSnapshotSchema.safeParse({ ...ok, ...patch });
      return r.success ? null : r.error.issues.map((i) => i.path.join(".") || i.code).join(",");
    };
    expect(bad({ v: 2 })).toBe("v");
    expect(bad({ window_5h_pct: 1.5 })).toBe("window_5h_pct");
    expect(bad({ tach_pos: 12.5 })).toBe("tach_pos");
    expect(bad({ hot: "yes" })).toBe("hot");
    expect(bad({ extra: 1 })).toBe("unrecognized_keys");
    expect(bad({ window_5h_reset_at: "2026-11-26T14:05:00Z" })).toBe("window_5h_reset_at");
  });

  it("derives a JSON Schema that lists every field as required", () => {
    const s = usageJsonSchema() as { required: string[]; properties: Record<string, unknown> };
    expect(s.required).toHaveLength(25);
    expect(Object.keys(s.properties)).toEqual(s.required);
  });
});
