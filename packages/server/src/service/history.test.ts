import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { costOf, DEFAULT_CONFIG, MessageLedger, sortEntries, WindowEngine, type GaugeConfig, type UsageEvent } from "@claude-gauge/core";
import { usageEvent } from "../../../../test/helpers/usage-event.js";
import { entryDelta, ledgerRows } from "./cold-engine.js";
import { HISTORY_STEP_MS, HistoryBook } from "./history.js";

/** What /history answered before: a fresh WindowEngine fed every kept message, a snapshot per step. */
function replayed(ledger: MessageLedger, config: GaugeConfig, now: number, hours: number) {
  const end = Math.floor(now / HISTORY_STEP_MS) * HISTORY_STEP_MS;
  const start = end - hours * 3_600_000;
  const entries = sortEntries(ledger.entries());
  const engine = new WindowEngine(config);
  const points = [];
  let i = 0;
  for (let t = start + HISTORY_STEP_MS; t <= end; t += HISTORY_STEP_MS) {
    for (; i < entries.length && entries[i]!.event.timestamp <= t; i++) engine.addDelta(entryDelta(entries[i]!), t);
    const s = engine.snapshot(t, { kind: "jsonl", ok: true });
    points.push({
      t: new Date(t).toISOString(),
      rate_1m: s.rate_1m,
      window_5h_tokens: s.window_5h_tokens,
      window_5h_pct: s.window_5h_pct,
      window_7d_tokens: s.window_7d_tokens,
      window_7d_pct: s.window_7d_pct,
      cost_5h_usd: s.cost_5h_usd,
      cost_7d_usd: s.cost_7d_usd,
    });
  }
  return { stepMinutes: 5, hours, points };
}

const START = Date.parse("2026-11-01T00:00:00Z");
const MODELS = ["claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001", "<synthetic>"];

/** Working sessions over three weeks: bursts of messages, silences of minutes to days. */
const history = fc.array(
  fc.record({
    gapMin: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 10, max: 400 }), fc.integer({ min: 600, max: 3000 })),
    msgs: fc.integer({ min: 1, max: 25 }),
    model: fc.constantFrom(...MODELS),
    input: fc.integer({ min: 0, max: 5_000 }),
    output: fc.integer({ min: 0, max: 20_000 }),
    cacheRead: fc.integer({ min: 0, max: 400_000 }),
  }),
  { minLength: 5, maxLength: 60 },
);

interface Session {
  gapMin: number;
  msgs: number;
  model: string;
  input: number;
  output: number;
  cacheRead: number;
}

function ledgerOf(sessions: readonly Session[]) {
  const ledger = new MessageLedger(costOf);
  const events: UsageEvent[] = [];
  let t = START;
  let id = 0;
  for (const s of sessions) {
    t += s.gapMin * 60_000;
    for (let m = 0; m < s.msgs; m++) {
      t += 7_000 + ((m * 13_337) % 50_000);
      events.push(
        usageEvent({
          timestamp: t,
          messageId: `m${id}`,
          requestId: `r${id++}`,
          model: s.model,
          thinking: m % 3 === 0,
          input: s.input,
          output: s.output + m,
          cacheCreation: 100,
          cacheRead: s.cacheRead,
          cacheCreation5m: 100,
        }),
      );
    }
  }
  for (const e of events) ledger.add(e);
  return { ledger, events, end: t };
}

const CONFIGS: [string, GaugeConfig][] = [
  ["defaults (block, rolling 7 d, suggested ceilings)", DEFAULT_CONFIG],
  [
    "rolling 5 h, weekly 7 d, configured ceilings",
    { ...DEFAULT_CONFIG, mode5h: "rolling", mode7d: "weekly", ceiling5hTokens: 5_000_000, ceiling7dTokens: 90_000_000 },
  ],
  ["input and output only", { ...DEFAULT_CONFIG, count: ["input", "output"] }],
];

describe("HistoryBook", () => {
  it.each(CONFIGS)(
    "gives what replaying every message through a WindowEngine gives (%s)",
    (_name, config) => {
      fc.assert(
        fc.property(history, fc.integer({ min: 1, max: 168 }), fc.integer({ min: -48, max: 24 }), (sessions, hours, shiftH) => {
          const { ledger, end } = ledgerOf(sessions);
          const now = end + shiftH * 3_600_000;
          expect(new HistoryBook(config).points(ledgerRows(ledger), now, hours)).toEqual(replayed(ledger, config, now, hours));
        }),
        { numRuns: 30 },
      );
    },
    120_000,
  );

  it("prefetched in slices between other work, then kept up to date", async () => {
    const { ledger, events, end } = ledgerOf(
      [...Array(30)].map((_, i) => ({ gapMin: i % 4 === 0 ? 700 : 20, msgs: 12, model: MODELS[i % 3]!, input: 40, output: 900, cacheRead: 50_000 })),
    );
    const book = new HistoryBook(DEFAULT_CONFIG);
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    await book.prefetch(
      () => ledgerRows(ledger),
      () => end,
      168,
    );
    clearInterval(counting);
    // other callbacks ran while it worked: it gave the loop back between slices
    expect(turns).toBeGreaterThan(0);
    expect(book.points(ledgerRows(ledger), end, 168)).toEqual(replayed(ledger, DEFAULT_CONFIG, end, 168));
    const d = ledger.add({ ...events.at(-1)!, messageId: "late", requestId: "late", timestamp: end + 60_000 });
    if (d) book.changed(d.timestamp);
    expect(book.points(ledgerRows(ledger), end + HISTORY_STEP_MS, 168)).toEqual(replayed(ledger, DEFAULT_CONFIG, end + HISTORY_STEP_MS, 168));
  }, 60_000);

  it("keeps answering right as messages arrive, are replaced, and the clock moves, reusing its points", () => {
    fc.assert(
      fc.property(history, history, (first, later) => {
        const { ledger, events, end } = ledgerOf(first);
        const book = new HistoryBook(DEFAULT_CONFIG);
        expect(book.points(ledgerRows(ledger), end, 168)).toEqual(replayed(ledger, DEFAULT_CONFIG, end, 168));
        // new messages after the last point, as a live tail adds them
        let t = end;
        for (const [i, s] of later.slice(0, 5).entries()) {
          t += 3 * HISTORY_STEP_MS;
          const d = ledger.add({ ...events[0]!, messageId: `n${i}`, requestId: `nr${i}`, timestamp: t, model: s.model, output: s.output });
          if (d) book.changed(Math.min(d.timestamp, d.replacedAt ?? d.timestamp));
          expect(book.points(ledgerRows(ledger), t, 24)).toEqual(replayed(ledger, DEFAULT_CONFIG, t, 24));
        }
        // a later, larger line of an old message: its kept line moves, points after the old one change
        const old = events[Math.floor(events.length / 2)]!;
        const d = ledger.add({ ...old, output: old.output + 50_000, timestamp: old.timestamp + 1_000 });
        if (d) book.changed(Math.min(d.timestamp, d.replacedAt ?? d.timestamp));
        expect(book.points(ledgerRows(ledger), t, 168)).toEqual(replayed(ledger, DEFAULT_CONFIG, t, 168));
        expect(book.points(ledgerRows(ledger), t + 3_600_000, 3)).toEqual(replayed(ledger, DEFAULT_CONFIG, t + 3_600_000, 3));
      }),
      { numRuns: 10 },
    );
  }, 120_000);
});
