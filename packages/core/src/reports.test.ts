import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { costOf } from "./cost.js";
import { decodeLine } from "./decode-line.js";
import { MessageLedger } from "./message-ledger.js";
import { blocksReport, dailyReport, sessionReport, sortEntries, type PricedEntry } from "./reports.js";
import type { LimitNotice } from "./usage-event.js";
import { arbitraryUsageEvent } from "./usage-event.test-helper.js";

/** A usage line with raw count literals (the text ccusage reads), one message per id. */
function line(id: string, ts: string, usage: string, over = ""): string {
  return `{"timestamp":"${ts}","sessionId":"s1","requestId":"r-${id}"${over},"message":{"id":"m-${id}","model":"claude-sonnet-4-5-20250929","usage":${usage}}}`;
}

function entries(lines: string[]): { entries: PricedEntry[]; limits: LimitNotice[] } {
  const ledger = new MessageLedger(costOf);
  const limits: LimitNotice[] = [];
  for (const l of lines) {
    const d = decodeLine(l, { project: "p", sessionId: "s1" });
    if (d.kind !== "usage") throw new Error(JSON.stringify(d));
    ledger.add(d.event);
    if (d.limit) limits.push(d.limit);
  }
  return { entries: [...ledger.entries()], limits };
}

describe("reports at the edges of ccusage's numbers", () => {
  it("totals 2^53 + 1 exactly, as ccusage's u64 sums do (doubles gave …012 for …014)", () => {
    const { entries: es } = entries([line("a", "2026-01-10T10:00:00Z", '{"input_tokens":9007199254740993,"output_tokens":21}')]);
    const exact = Number(9007199254741014n);
    expect(dailyReport(es).daily[0]?.totalTokens).toBe(exact);
    expect(dailyReport(es).totals.totalTokens).toBe(exact);
    expect(sessionReport(es).sessions[0]?.totalTokens).toBe(exact);
    expect(blocksReport(sortEntries(es), Date.UTC(2026, 0, 11)).blocks[0]?.totalTokens).toBe(exact);
  });

  it("sums two 2^53 + 1 counts exactly into a row and its model breakdown", () => {
    const { entries: es } = entries([
      line("a", "2026-01-10T10:00:00Z", '{"input_tokens":1,"output_tokens":9007199254740993}'),
      line("b", "2026-01-10T10:00:01Z", '{"input_tokens":1,"output_tokens":9007199254740993}'),
    ]);
    const row = dailyReport(es).daily[0]!;
    expect(row.outputTokens).toBe(Number(18014398509481986n));
    expect(row.modelBreakdowns[0]?.outputTokens).toBe(Number(18014398509481986n));
    expect(row.totalTokens).toBe(Number(18014398509481988n));
  });

  it("prints instants of years −1 and 10000 as ccusage does, and never throws on them", () => {
    const { entries: es, limits } = entries([
      line("early", "0000-01-01T00:00:00.000+23:59", '{"input_tokens":1,"output_tokens":1}'),
      line("late", "9999-12-31T23:59:59Z", '{"input_tokens":1,"output_tokens":1}'),
      line(
        "limit",
        "9999-12-31T23:59:59Z",
        '{"input_tokens":0,"output_tokens":0}',
        ',"isApiErrorMessage":true,"cwd":"Claude AI usage limit reached|9007199254740"',
      ),
    ]);
    const s = sessionReport(es).sessions[0]!;
    expect([s.firstActivity, s.lastActivity]).toEqual(["-001-12-31T00:01:00.000Z", "9999-12-31T23:59:59.000Z"]);
    const blocks = blocksReport(sortEntries(es), Date.UTC(2026, 0, 1), {}, limits).blocks;
    expect(blocks.map((b) => [b.id, b.endTime])).toEqual([
      ["-001-12-31T00:00:00.000Z", "-001-12-31T05:00:00.000Z"],
      ["gap--001-12-31T05:01:00.000Z", "9999-12-31T23:59:59.000Z"],
      ["9999-12-31T23:00:00.000Z", "10000-01-01T04:00:00.000Z"],
    ]);
    expect(blocks[2]?.usageLimitResetTime).toBe("287396-10-12T08:59:00.000Z");
    expect(dailyReport(es, { timeZone: "Asia/Tokyo" }).daily.map((d) => d.date)).toEqual(["-001-12-31", "9999-12-31"]);
  });
});

describe("reports read from a ledger's columns", () => {
  it("equal the reports of its entries, in both ledger modes, wide counts and zones included", () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryUsageEvent, { maxLength: 40 }),
        fc.constantFrom("session" as const, "daily" as const),
        fc.constantFrom("UTC", "Asia/Tokyo"),
        (events, mode, timeZone) => {
          const ledger = new MessageLedger(costOf, mode);
          for (const e of events) ledger.add(e);
          const es = [...ledger.entries()];
          expect(dailyReport(ledger, { timeZone })).toEqual(dailyReport(es, { timeZone }));
          expect(sessionReport(ledger, { timeZone })).toEqual(sessionReport(es, { timeZone }));
        },
      ),
      { numRuns: 200, seed: 20261202 },
    );
  });
});
