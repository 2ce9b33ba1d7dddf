import { describe, expect, it } from "vitest";
import { computeStats, thresholdLevel, type PricedRows } from "./stats.js";
import { UsageColumns } from "./usage-columns.js";
import type { UsageEvent } from "./usage-event.js";

const NOW = Date.parse("2026-11-26T12:00:00Z");
const H = 3_600_000;

interface PricedEntry {
  event: UsageEvent;
  cost: number;
}

/** Priced rows as a ledger holds them. */
function rows(entries: readonly PricedEntry[]): PricedRows {
  const columns = new UsageColumns();
  for (const e of entries) columns.push(e.event);
  return { columns, cost: (i) => entries[i]!.cost };
}

function entry(hoursAgo: number, model: string, project: string, tokens: number, cost: number): PricedEntry {
  const event: UsageEvent = {
    timestamp: NOW - hoursAgo * H,
    messageId: null,
    requestId: null,
    model,
    sessionId: "s",
    fileSession: "s",
    project,
    progress: false,
    loggedCostUsd: null,
    isSidechain: false,
    speed: null,
    thinking: false,
    input: tokens,
    output: 1,
    cacheCreation: 0,
    cacheRead: 0,
    cacheCreation5m: 0,
    cacheCreation1h: 0,
  };
  return { event, cost };
}

const entries = rows([
  entry(1, "claude-opus-4-5", "-a", 100, 1),
  entry(2, "claude-sonnet-4-5", "-b", 10, 0.5),
  entry(30, "claude-opus-4-5", "-a", 1000, 2),
  entry(24 * 10, "claude-haiku-4-5", "-c", 5, 0.1),
  entry(3, "<synthetic>", "-a", 0, 0),
]);

describe("computeStats", () => {
  it("sums the last 24 h for day, grouped by model (synthetic left out), project and day", () => {
    const s = computeStats(entries, "day", NOW);
    expect(s.totals).toMatchObject({ input: 110, output: 3, total: 113, costUsd: 1.5, messages: 3 });
    expect(s.byModel.map((m) => [m.model, m.total])).toEqual([
      ["claude-opus-4-5", 101],
      ["claude-sonnet-4-5", 11],
    ]);
    expect(s.byProject.map((p) => p.project)).toEqual(["-a", "-b"]);
    expect(s.byDay.map((d) => d.date)).toEqual(["2026-11-26"]);
  });

  it("widens to 7 days for week and everything for all, with days in order", () => {
    expect(computeStats(entries, "week", NOW).totals.messages).toBe(4);
    const all = computeStats(entries, "all", NOW, { projectLabel: (p) => `#${p.length}` });
    expect(all.totals.total).toBe(113 + 1001 + 6);
    expect(all.byDay.map((d) => d.date)).toEqual(["2026-11-16", "2026-11-25", "2026-11-26"]);
    expect(all.byProject.every((p) => p.project === "#2")).toBe(true);
  });

  it("puts days in the requested zone", () => {
    const s = computeStats(rows([entry(11.5, "claude-opus-4-5", "-a", 1, 0)]), "day", NOW, { timeZone: "America/Los_Angeles" });
    expect(s.byDay.map((d) => d.date)).toEqual(["2026-11-25"]);
  });
});

describe("thresholdLevel", () => {
  it("changes colour exactly at 50, 80 and 95 %", () => {
    expect([0.4999, 0.5, 0.7999, 0.8, 0.9499, 0.95, 1].map(thresholdLevel)).toEqual(["ok", "50", "50", "80", "80", "95", "95"]);
  });
});
