// Property tests of what stands behind the decoder: hostile lines through the ledger into the
// window engine (every snapshot keeps the published schema, at any `now`) and into the reports
// (they never throw and print only finite token counts), plus an engine fed deltas no decoder
// would yield (NaN, Infinity, negative, huge).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, type GaugeConfig } from "./config.js";
import { UsageSnapshotSchema } from "./contract.js";
import { costOf } from "./cost.js";
import { decodeLine } from "./decode-line.js";
import { hostileLine } from "./hostile-lines.test-helper.js";
import { MessageLedger } from "./message-ledger.js";
import { blocksReport, dailyReport, sessionReport, sortEntries } from "./reports.js";
import type { LimitNotice, TurnSignal, UsageDelta } from "./usage-event.js";
import { engineFromHistory, WindowEngine } from "./window-engine.js";

const ZONES = ["UTC", "America/New_York", "Asia/Tokyo", "Pacific/Chatham", "Asia/Kolkata"] as const;
/** Instants the callers' clocks may show, from far past to far future (ms since epoch). */
const anyNow = fc.oneof(
  fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
  fc.constantFrom(0, -62_167_219_200_000, Date.UTC(9999, 11, 31, 23, 59, 59), 8.64e15, Number.MAX_SAFE_INTEGER),
);
const configs = fc.record({
  mode5h: fc.constantFrom("block" as const, "rolling" as const),
  mode7d: fc.constantFrom("weekly" as const, "rolling" as const),
});
/** Any number at all, the kind a bug upstream could hand the engine. */
const anyNumber = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e308, 2 ** 64, -1));

function config(c: { mode5h: "block" | "rolling"; mode7d: "weekly" | "rolling" }): GaugeConfig {
  return { ...DEFAULT_CONFIG, ...c };
}

/** Every number in a report is finite, or null where a cost overflowed (as ccusage prints it). */
function expectPrintable(report: unknown): void {
  const text = JSON.stringify(report);
  JSON.parse(text, (key: string, v: unknown) => {
    if (typeof v === "number") expect(Number.isFinite(v)).toBe(true);
    if (v === null && /tokens|Tokens/.test(key)) throw new Error(`${key} is null`);
    return v;
  });
}

describe("hostile lines through the ledger, the engine and the reports", () => {
  it("every snapshot keeps the schema and no report throws", () => {
    fc.assert(
      fc.property(
        fc.array(hostileLine, { minLength: 1, maxLength: 25 }),
        fc.array(anyNow, { minLength: 1, maxLength: 4 }),
        configs,
        fc.constantFrom(...ZONES),
        (lines, nows, c, timeZone) => {
          const session = new MessageLedger(costOf);
          const daily = new MessageLedger(costOf, "daily");
          const engine = new WindowEngine(config(c));
          const signals: TurnSignal[] = [];
          const limits: LimitNotice[] = [];
          const sorted = [...nows].sort((a, b) => a - b);
          lines.forEach((line, i) => {
            const now = sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / lines.length))]!;
            const d = decodeLine(line, { signals: true, project: "p", sessionId: "s" });
            if (d.kind !== "usage") return;
            for (const e of [d.event, ...d.extras]) {
              daily.add(e);
              const delta = session.add(e);
              if (delta) engine.addDelta(delta, now);
            }
            if (d.signal) {
              signals.push(d.signal);
              engine.addSignal(d.signal, now);
            }
            if (d.limit) {
              limits.push(d.limit);
              engine.addLimit(d.limit, now);
            }
          });
          for (const now of sorted) {
            UsageSnapshotSchema.parse(engine.snapshot(now, { kind: "jsonl", ok: true }));
            UsageSnapshotSchema.parse(engine.snapshot(now, { kind: "jsonl", ok: true }, { window5h: { pct: 0.5, resetAt: now + 1e15 } }));
          }
          const last = sorted.at(-1)!;
          const deltas: UsageDelta[] = [...session.entries()].map(({ event, cost, thinkingOutput }) => ({
            timestamp: event.timestamp,
            model: event.model,
            sessionId: event.sessionId,
            project: event.project,
            counts: event,
            thinkingOutput,
            costUsd: cost,
          }));
          UsageSnapshotSchema.parse(engineFromHistory(config(c), deltas, signals, limits, last).snapshot(last, { kind: "jsonl", ok: true }));
          expectPrintable(dailyReport(daily.entries(), { timeZone }));
          expectPrintable(sessionReport(session.entries(), { timeZone }));
          expectPrintable(blocksReport(sortEntries(session.entries()), last, { timeZone }, limits));
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it("an engine fed any numbers at all still keeps the schema", () => {
    const delta = fc.record({
      timestamp: anyNumber,
      model: fc.constantFrom("claude-opus-4-6", "claude-haiku-4-5-20251001", "<synthetic>", ""),
      sessionId: fc.constantFrom("a", "b"),
      project: fc.constant("p"),
      counts: fc.record({
        input: anyNumber,
        output: anyNumber,
        cacheCreation: anyNumber,
        cacheRead: anyNumber,
        cacheCreation5m: anyNumber,
        cacheCreation1h: anyNumber,
      }),
      thinkingOutput: anyNumber,
      costUsd: anyNumber,
    });
    const official = fc.option(fc.record({ pct: anyNumber, resetAt: anyNumber }), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.tuple(delta, anyNow), { maxLength: 20 }), anyNow, configs, official, official, (feed, now, c, o5, o7) => {
        const engine = new WindowEngine(config(c));
        for (const [d, at] of feed) {
          engine.addDelta(d, at);
          engine.addSignal({ timestamp: d.timestamp, sessionId: d.sessionId, kind: "prompt" }, at);
          engine.addLimit({ timestamp: d.timestamp, resetAt: d.costUsd }, at);
        }
        const snap = engine.snapshot(now, { kind: "jsonl", ok: true }, { window5h: o5, window7d: o7 });
        expect(UsageSnapshotSchema.parse(snap)).toEqual(snap);
      }),
      { numRuns: 500 },
    );
  }, 60_000);
});
