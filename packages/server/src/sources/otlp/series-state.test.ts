import { describe, expect, it } from "vitest";
import { MAX_SERIES, SERIES_IDLE_MS, SeriesCounter } from "./series-state.js";
import type { UsagePoint } from "./usage-metrics.js";

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

function pt(p: Partial<UsagePoint> & Pick<UsagePoint, "value" | "timeMs">): UsagePoint {
  return { measure: "input", model: "m", origin: "s", series: "a", temporality: "cumulative", startMs: T0 + 1000, ...p };
}

describe("SeriesCounter", () => {
  it("delta: each point adds its value; a resent point adds nothing", () => {
    const c = new SeriesCounter(T0);
    const d = (value: number, timeMs: number) => pt({ temporality: "delta", value, timeMs, startMs: timeMs - 60_000 });
    expect(c.increment(d(100, T0 + 60_000), T0)).toBe(100);
    expect(c.increment(d(40, T0 + 120_000), T0)).toBe(40);
    expect(c.increment(d(40, T0 + 120_000), T0)).toBe(0);
    expect(c.increment(d(100, T0 + 60_000), T0)).toBe(0);
    expect(c.increment(d(5, T0 + 180_000), T0)).toBe(5);
  });

  it("cumulative: adds the growth; a series that began after we listened counts from its start", () => {
    const c = new SeriesCounter(T0);
    expect(c.increment(pt({ value: 100, timeMs: T0 + 60_000 }), T0)).toBe(100);
    expect(c.increment(pt({ value: 100, timeMs: T0 + 120_000 }), T0)).toBe(0);
    expect(c.increment(pt({ value: 150, timeMs: T0 + 180_000 }), T0)).toBe(50);
    // resent
    expect(c.increment(pt({ value: 150, timeMs: T0 + 180_000 }), T0)).toBe(0);
  });

  it("cumulative: a series already running when we began listening is a baseline, not a burst", () => {
    const c = new SeriesCounter(T0);
    expect(c.increment(pt({ value: 5_000_000, timeMs: T0 + 60_000, startMs: T0 - 3_600_000 }), T0)).toBe(0);
    expect(c.increment(pt({ value: 5_000_300, timeMs: T0 + 120_000, startMs: T0 - 3_600_000 }), T0)).toBe(300);
    // without a start time nobody can say what it holds: a baseline too
    expect(c.increment(pt({ series: "b", value: 70, timeMs: T0 + 60_000, startMs: null }), T0)).toBe(0);
  });

  it("cumulative: a drop or a later start is a reset; the new value counts, never a negative", () => {
    const c = new SeriesCounter(T0);
    c.increment(pt({ value: 900, timeMs: T0 + 60_000 }), T0);
    expect(c.increment(pt({ value: 30, timeMs: T0 + 120_000, startMs: T0 + 100_000 }), T0)).toBe(30);
    expect(c.increment(pt({ value: 50, timeMs: T0 + 180_000, startMs: T0 + 100_000 }), T0)).toBe(20);
    // a restart whose first value already exceeds the old one is still a restart (later start)
    expect(c.increment(pt({ value: 500, timeMs: T0 + 240_000, startMs: T0 + 200_000 }), T0)).toBe(500);
    // a drop without a start time change
    expect(c.increment(pt({ value: 7, timeMs: T0 + 300_000, startMs: T0 + 200_000 }), T0)).toBe(7);
  });

  it("keeps series apart, and temporality changes are separate series (the key says so)", () => {
    const c = new SeriesCounter(T0);
    expect(c.increment(pt({ series: "x", value: 10, timeMs: T0 + 60_000 }), T0)).toBe(10);
    expect(c.increment(pt({ series: "y", value: 4, timeMs: T0 + 60_000 }), T0)).toBe(4);
    expect(c.increment(pt({ series: "x", value: 12, timeMs: T0 + 120_000 }), T0)).toBe(2);
    expect(c.size).toBe(2);
  });

  it("forgets silent series, and one that comes back is a baseline (its history is not counted twice)", () => {
    const c = new SeriesCounter(T0);
    c.increment(pt({ series: "x", value: 10, timeMs: T0 + 60_000 }), T0 + 60_000);
    c.increment(pt({ series: "y", value: 10, timeMs: T0 + 60_000 + SERIES_IDLE_MS }), T0 + 60_000 + SERIES_IDLE_MS);
    c.prune(T0 + 60_000 + SERIES_IDLE_MS);
    expect(c.size).toBe(1);
    expect(c.increment(pt({ series: "x", value: 25, timeMs: T0 + 2 * SERIES_IDLE_MS }), T0 + 2 * SERIES_IDLE_MS)).toBe(0);
    expect(c.increment(pt({ series: "x", value: 26, timeMs: T0 + 2 * SERIES_IDLE_MS + 1 }), T0 + 2 * SERIES_IDLE_MS)).toBe(1);
  });

  it("holds at most MAX_SERIES", () => {
    const c = new SeriesCounter(T0);
    for (let i = 0; i <= MAX_SERIES; i++) c.increment(pt({ series: `s${i}`, value: 1, timeMs: T0 + 60_000 }), T0 + 60_000);
    expect(c.size).toBe(MAX_SERIES);
    // the evicted first series comes back as a baseline
    expect(c.increment(pt({ series: "s0", value: 3, timeMs: T0 + 120_000 }), T0 + 120_000)).toBe(0);
  });
});
