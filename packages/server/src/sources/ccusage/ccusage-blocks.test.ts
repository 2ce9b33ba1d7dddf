import { describe, expect, it } from "vitest";
import { parseCcusageBlocks, parseCcusageDaily } from "./ccusage-blocks.js";

const good = {
  blocks: [
    {
      id: "x",
      startTime: "2026-12-01T02:00:00.000Z",
      endTime: "2026-12-01T07:00:00.000Z",
      isActive: true,
      isGap: false,
      models: ["m"],
      tokenCounts: { inputTokens: 1, outputTokens: 2, cacheCreationInputTokens: 3, cacheReadInputTokens: 4 },
      costUSD: 0.5,
      totalTokens: 10,
    },
    {
      id: "g",
      startTime: "2026-12-01T07:00:00.000Z",
      endTime: "2026-12-01T09:00:00.000Z",
      isGap: true,
      models: [],
      tokenCounts: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
      costUSD: 0,
    },
  ],
};

describe("parseCcusageBlocks", () => {
  it("reads blocks, leaves gaps out", () => {
    expect(parseCcusageBlocks(JSON.stringify(good))).toEqual([
      {
        startMs: Date.parse("2026-12-01T02:00:00.000Z"),
        endMs: Date.parse("2026-12-01T07:00:00.000Z"),
        models: ["m"],
        tokens: { input: 1, output: 2, cacheCreation: 3, cacheRead: 4 },
        costUsd: 0.5,
      },
    ]);
  });

  it("hostile output is an error naming the field, never the value", () => {
    const bad = structuredClone(good) as { blocks: Record<string, unknown>[] };
    bad.blocks[0]!["startTime"] = "/home/secret-project";
    expect(parseCcusageBlocks(JSON.stringify(bad))).toEqual({ error: "unexpected output at blocks.0.startTime" });
    const neg = structuredClone(good) as { blocks: { tokenCounts: Record<string, number> }[] };
    neg.blocks[0]!.tokenCounts["inputTokens"] = -1;
    expect(parseCcusageBlocks(JSON.stringify(neg))).toEqual({ error: "unexpected output at blocks.0.tokenCounts.inputTokens" });
    expect(parseCcusageBlocks("Error: secret")).toEqual({ error: "output is not JSON" });
    expect(parseCcusageBlocks("[]")).toEqual({ error: "unexpected output at (root)" });
  });
});

describe("parseCcusageDaily", () => {
  it("reads each UTC day's models; hostile output names the field", () => {
    const day = {
      date: "2026-12-01",
      modelBreakdowns: [{ modelName: "m", inputTokens: 1, outputTokens: 2, cacheCreationTokens: 3, cacheReadTokens: 4, cost: 0.5 }],
    };
    expect(parseCcusageDaily(JSON.stringify({ daily: [day], totals: {} }))).toEqual([
      { startMs: Date.parse("2026-12-01T00:00:00Z"), models: [{ model: "m", tokens: { input: 1, output: 2, cacheCreation: 3, cacheRead: 4 }, costUsd: 0.5 }] },
    ]);
    expect(parseCcusageDaily(JSON.stringify({ daily: [{ ...day, date: "secret" }] }))).toEqual({ error: "unexpected output at daily.0.date" });
    expect(parseCcusageDaily(JSON.stringify({ daily: [{ ...day, date: "2026-13-45" }] }))).toEqual({ error: "unexpected output at daily.0.date" });
  });
});
