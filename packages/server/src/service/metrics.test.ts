import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { MAX_USD, ZERO_COUNTS } from "@claude-gauge/core";
import { ExportedTotals, exportedTotalsFile } from "./exported-totals.js";
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

const totals = () => new ExportedTotals(exportedTotalsFile(mkdtempSync(join(tmpdir(), "cg-metrics-"))));

describe("GaugeMetrics: the claude_code_* counters", () => {
  it("exports tokens by Claude Code's type names and cost by model, labelled with the machine only", async () => {
    const m = new GaugeMetrics(undefined, { defaultMetrics: false, usage: { machine: "laptop-3", totals: totals() } });
    m.countDelta("claude-opus-4-5", { ...ZERO_COUNTS, input: 10, output: 20, cacheRead: 30, cacheCreation: 40 }, 1.25);
    m.countDelta("claude-opus-4-5", { ...ZERO_COUNTS, output: 5 }, 0.25);
    const text = await m.registry.metrics();
    expect(text).toContain("# TYPE claude_code_token_usage_tokens_total counter");
    expect(text).toContain("# TYPE claude_code_cost_usage_USD_total counter");
    const lines = text.split("\n").filter((l) => l.startsWith("claude_code_"));
    expect(lines.sort()).toEqual(
      [
        'claude_code_cost_usage_USD_total{model="claude-opus-4-5",machine="laptop-3"} 1.5',
        'claude_code_token_usage_tokens_total{type="cacheCreation",model="claude-opus-4-5",machine="laptop-3"} 40',
        'claude_code_token_usage_tokens_total{type="cacheRead",model="claude-opus-4-5",machine="laptop-3"} 30',
        'claude_code_token_usage_tokens_total{type="input",model="claude-opus-4-5",machine="laptop-3"} 10',
        'claude_code_token_usage_tokens_total{type="output",model="claude-opus-4-5",machine="laptop-3"} 25',
      ].sort(),
    );
  });

  it("values a hostile transcript can produce never throw, never show a non-finite sample, and saturate", async () => {
    const m = new GaugeMetrics(new Registry(), { defaultMetrics: false, usage: { machine: "m", totals: totals() } });
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e308, -5]) {
      expect(() => m.countDelta("claude-x", { ...ZERO_COUNTS, input: v, output: v }, v)).not.toThrow();
    }
    const text = (await m.registry.metrics()).split("\n").filter((l) => l.startsWith("claude_code_"));
    expect(text.filter((l) => /\s(NaN|Nan|\+Inf|-Inf)$/.test(l))).toEqual([]);
    expect(text).toContain('claude_code_token_usage_tokens_total{type="input",model="claude-x",machine="m"} 18446744073709552000');
    expect(text).toContain(`claude_code_cost_usage_USD_total{model="claude-x",machine="m"} ${MAX_USD - 5}`); // the -5 is a replaced line's negative growth
  });

  it("a daemon whose counts came from Prometheus exports none", async () => {
    const m = new GaugeMetrics(undefined, { defaultMetrics: false, usage: null });
    m.countDelta("claude-opus-4-5", { ...ZERO_COUNTS, input: 10 }, 1);
    expect(await m.registry.metrics()).not.toContain("claude_code_");
  });
});
