import { describe, expect, it } from "vitest";
import type { PricedEntry } from "@claude-gauge/core";
import { usageEvent } from "../../../../test/helpers/usage-event.js";
import { typedReadings } from "./typed-readings.js";

const H = 3_600_000;
const T = Date.parse("2026-11-26T12:00:00Z");

function entry(t: number, input: number, cacheRead: number): PricedEntry {
  return { event: usageEvent({ timestamp: t, input, output: 1, cacheRead }), cost: 0 };
}

describe("typedReadings", () => {
  it("sums each type over the official window [reset − span, reading time], ends included", () => {
    const sorted = [entry(T - 6 * H, 1000, 0), entry(T - 3 * H, 10, 500), entry(T - H, 20, 700), entry(T + 1, 99, 99)];
    const [r5, r7] = typedReadings(sorted, [
      { at: T, sessionId: null, rateLimits: { fiveHour: { usedPct: 0.2, resetsAt: T + 2 * H }, sevenDay: { usedPct: 0.1, resetsAt: T + 24 * H } } },
    ]);
    expect(r5).toMatchObject({ window: "5h", usedPct: 0.2, counts: { input: 30, output: 2, cacheRead: 1200 } });
    expect(r7).toMatchObject({ window: "7d", counts: { input: 1030, output: 3, cacheRead: 1200 } });
  });
});
