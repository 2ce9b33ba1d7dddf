import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { MAX_USD, ZERO_COUNTS } from "@claude-gauge/core";
import { GaugeMetrics } from "./metrics.js";

describe("GaugeMetrics with values a hostile transcript can produce", () => {
  it("never throws and never shows a non-finite sample", async () => {
    const m = new GaugeMetrics(new Registry(), { defaultMetrics: false });
    const weird = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e308, -5];
    for (const v of weird) {
      // before: prom-client threw "Value is not a valid number: Infinity" from inside the tail's line callback
      expect(() => m.countDelta("claude-x", { ...ZERO_COUNTS, input: v, output: v }, v)).not.toThrow();
      m.ingested(v, Date.now());
    }
    m.countDelta("claude-x", { ...ZERO_COUNTS, input: 10 }, 0.5);
    const text = await m.registry.metrics();
    expect(text).not.toMatch(/\b(NaN|Nan|\+Inf|-Inf)\b/);
    expect(text).toMatch(/claude_gauge_tokens_total\{model="claude-x",type="input"\} 18446744073709552000\n/);
    expect(text).toMatch(new RegExp(`claude_gauge_cost_usd_total\\{model="claude-x"\\} ${MAX_USD + 0.5}\\b`));
  });
});
