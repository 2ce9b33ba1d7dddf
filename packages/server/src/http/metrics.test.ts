import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ZERO_COUNTS } from "@claude-gauge/core";
import { ExportedTotals, exportedTotalsFile } from "../service/exported-totals.js";
import { GaugeMetrics } from "./metrics.js";

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

  it("a daemon whose counts came from Prometheus exports none", async () => {
    const m = new GaugeMetrics(undefined, { defaultMetrics: false, usage: null });
    m.countDelta("claude-opus-4-5", { ...ZERO_COUNTS, input: 10 }, 1);
    expect(await m.registry.metrics()).not.toContain("claude_code_");
  });
});
