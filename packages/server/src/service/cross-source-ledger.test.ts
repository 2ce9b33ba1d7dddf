import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addCounts,
  MessageLedger,
  totalTokens,
  UsageColumns,
  ZERO_COUNTS,
  type LedgerDelta,
  type TokenCounts,
  type UsageDelta,
  type UsageEvent,
} from "@claude-gauge/core";
import { usageEvent } from "../../../../test/helpers/usage-event.js";
import { CrossSourceLedger, scratchDelta } from "./cross-source-ledger.js";

// 1 USD per token keeps the arithmetic visible.
const price = (_m: string, c: TokenCounts) => totalTokens(c);

/** a transcript line of message `m` in request `r` */
function line(over: Partial<UsageEvent>): UsageEvent {
  return usageEvent({ timestamp: 1_000, messageId: "msg_1", requestId: "req_1", model: "claude-sonnet-4-5", input: 10, output: 50, cacheRead: 100, ...over });
}

/** the same request as an OTLP api_request event: its request id, no message id, no project */
const request = (over: Partial<UsageEvent> & { requestId?: string } = {}): UsageEvent & { requestId: string } => ({
  ...line({ messageId: null, project: "", timestamp: 1_000.5, ...over }),
  requestId: over.requestId ?? "req_1",
});

function sum(deltas: (UsageDelta | null)[]): TokenCounts & { cost: number } {
  const c = { ...ZERO_COUNTS, cost: 0 };
  for (const d of deltas) {
    if (d === null) continue;
    addCounts(c, d.counts);
    c.cost += d.costUsd;
  }
  return c;
}

describe("CrossSourceLedger: a request seen by its id only (OTLP) and in the transcripts", () => {
  it("transcript first: the request event adds nothing", () => {
    const l = new CrossSourceLedger(new MessageLedger(price), price);
    l.add(line({}));
    expect(l.addRequest(request())).toBeNull();
    expect([...l.entries()].length).toBe(1);
  });

  it("a transcript line that takes over an earlier request says where the request's row sat (what /history must redo)", () => {
    const l = new CrossSourceLedger(new MessageLedger(price), price);
    l.addRequest(request({ timestamp: 1_000 }));
    expect(l.add(line({ timestamp: 5_000 }))?.replacedAt).toBe(1_000);
  });

  it("a backfill's rows (addFromInto) take over an earlier request as add() does", () => {
    const byEvent = new CrossSourceLedger(new MessageLedger(price), price);
    const byRow = new CrossSourceLedger(new MessageLedger(price), price);
    byEvent.addRequest(request({ output: 60, timestamp: 1_000 }));
    byRow.addRequest(request({ output: 60, timestamp: 1_000 }));
    const rows = new UsageColumns(0);
    const out = scratchDelta();
    const deltas: LedgerDelta[] = [];
    for (const e of [
      line({ output: 5, thinking: true, timestamp: 5_000 }),
      line({ output: 50, timestamp: 6_000 }),
      line({ output: 50, sessionId: "resumed" }),
    ]) {
      const want = byEvent.add(e);
      rows.push(e);
      expect(byRow.addFromInto(rows, rows.length - 1, out)).toBe(want !== null);
      if (want !== null) expect({ ...out, counts: { ...out.counts } }).toEqual(want);
      if (want !== null) deltas.push({ ...out, counts: { ...out.counts } });
    }
    // the first row took the request over (its delta takes the event's counts away, where the event sat)
    expect(deltas[0]).toMatchObject({ replacedAt: 1_000, counts: { output: -55 } });
    expect(deltas).toHaveLength(2);
    expect(byRow.addRequest(request({ output: 60 }))).toBeNull();
    expect([...byRow.entries()]).toEqual([...byEvent.entries()]);
  });

  it("keeps no hold on the columns it took rows from (a backfill's are views of the whole cache file)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const l = new CrossSourceLedger(new MessageLedger(price), price);
    const out = scratchDelta();
    const held = (() => {
      const rows = new UsageColumns(0);
      rows.push(line({}));
      l.addFromInto(rows, 0, out);
      return new WeakRef(rows);
    })();
    // a WeakRef's target stays alive until the job that made it ends
    await new Promise((r) => setTimeout(r, 0));
    gc();
    expect(held.deref()).toBeUndefined();
    expect([...l.entries()]).toHaveLength(1);
  });

  it("request first: counted; the transcript's lines then replace its counts with their own (they are exact)", () => {
    const l = new CrossSourceLedger(new MessageLedger(price), price);
    const deltas = [l.addRequest(request({ output: 60 }))];
    expect(deltas[0]?.counts).toMatchObject({ input: 10, output: 60, cacheRead: 100 });
    // Claude Code writes the message block by block: the first line carries part of the output
    deltas.push(l.add(line({ output: 5, thinking: true })));
    expect(deltas[1]?.counts).toMatchObject({ input: 0, output: -55, cacheRead: 0 });
    deltas.push(l.add(line({ output: 50, timestamp: 2_000 })));
    expect(sum(deltas)).toMatchObject({ input: 10, output: 50, cacheRead: 100, cost: 160 });
    expect([...l.entries()].length).toBe(1);
    const [kept] = [...l.entries()];
    expect(kept?.event).toMatchObject({ messageId: "msg_1", project: "p", output: 50, timestamp: 2_000 });
    expect(kept?.cost).toBe(160);
    // and it stays the transcript's: the event again, or a resumed copy, add nothing
    expect(l.addRequest(request({ output: 60 }))).toBeNull();
    expect(l.add(line({ output: 50, sessionId: "resumed" }))).toBeNull();
  });

  it("the same request event twice counts once; other requests are apart", () => {
    const l = new CrossSourceLedger(new MessageLedger(price), price);
    expect(l.addRequest(request())).not.toBeNull();
    expect(l.addRequest(request())).toBeNull();
    expect(l.addRequest(request({ requestId: "req_2" }))).not.toBeNull();
    expect(l.add(line({ messageId: "msg_3", requestId: "req_3" }))).not.toBeNull();
    expect([...l.entries()].length).toBe(3);
  });

  it("an advisor entry of the same request is another model's work: counted beside it", () => {
    const l = new CrossSourceLedger(new MessageLedger(price), price);
    l.addRequest(request());
    l.add(line({}));
    expect(l.add(line({ messageId: "msg_1:advisor:0", model: "claude-opus-4-5", output: 7 }))?.counts.output).toBe(7);
    expect([...l.entries()].length).toBe(2);
  });

  it("whatever the order, the totals are the transcript's for requests it has and the events' for the rest", () => {
    const arb = fc.array(fc.record({ r: fc.integer({ min: 0, max: 5 }), transcript: fc.boolean(), output: fc.integer({ min: 1, max: 9 }) }), { maxLength: 40 });
    fc.assert(
      fc.property(arb, (steps) => {
        const l = new CrossSourceLedger(new MessageLedger(price), price);
        const deltas: (UsageDelta | null)[] = [];
        const finalLine = new Map<number, number>();
        const eventOnly = new Map<number, number>();
        for (const s of steps) {
          if (s.transcript) {
            deltas.push(l.add(line({ messageId: `msg_${s.r}`, requestId: `req_${s.r}`, output: s.output })));
            finalLine.set(s.r, Math.max(finalLine.get(s.r) ?? 0, s.output));
          } else {
            deltas.push(l.addRequest(request({ requestId: `req_${s.r}`, output: 10 + s.r })));
            if (!eventOnly.has(s.r)) eventOnly.set(s.r, 10 + s.r);
          }
        }
        let want = 0;
        for (const r of new Set([...finalLine.keys(), ...eventOnly.keys()])) want += 110 + (finalLine.get(r) ?? eventOnly.get(r)!);
        const got = sum(deltas);
        expect(totalTokens(got)).toBe(want);
        expect(got.cost).toBe(want);
        expect([...l.entries()].reduce((n, e) => n + totalTokens(e.event), 0)).toBe(want);
      }),
    );
  });
});

describe("CrossSourceLedger: a saved transcript ledger taken back", () => {
  const saved = () => {
    const l = new MessageLedger(price);
    l.add(line({}));
    l.add(line({ messageId: "msg_2", requestId: "req_2", output: 70 }));
    return l;
  };

  it("only before anything was counted and in the same mode; then it goes on as the saved ledger, requests included", () => {
    const state = saved().state();
    const counted = new CrossSourceLedger(new MessageLedger(price), price);
    counted.addRequest(request({ requestId: "req_9" }));
    expect(counted.resumeTranscripts(state)).toBe(false);
    expect(new CrossSourceLedger(new MessageLedger(price, "daily"), price).resumeTranscripts(state)).toBe(false);

    const l = new CrossSourceLedger(new MessageLedger(price), price);
    const before = l.transcriptVersion;
    expect(l.resumeTranscripts(state)).toBe(true);
    expect(l.transcriptVersion).toBe(state.version);
    expect(l.transcriptVersion).not.toBe(before);
    expect([...l.entries()]).toEqual([...saved().entries()]);
    // a request the resumed transcripts hold adds nothing; the next line of a message only its growth
    expect(l.addRequest(request({ requestId: "req_2" }))).toBeNull();
    expect(l.add(line({ messageId: "msg_2", requestId: "req_2", output: 75 }))?.counts.output).toBe(5);
    expect(l.transcriptState()).toEqual(
      (() => {
        const w = saved();
        w.add(line({ messageId: "msg_2", requestId: "req_2", output: 75 }));
        return w.state();
      })(),
    );
  });
});
