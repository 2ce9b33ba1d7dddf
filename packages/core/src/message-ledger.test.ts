import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { usageEvent } from "../../../test/helpers/usage-event.js";
import { type LedgerMode, MessageLedger } from "./message-ledger.js";
import { arbitraryUsageEvent } from "./usage-event.test-helper.js";
import { totalTokens, type TokenCounts, type UsageEvent } from "./usage-event.js";

// A linear toy price keeps the arithmetic visible: 1 USD per token of any kind.
const price = (_m: string, c: TokenCounts) => totalTokens(c);

function ev(over: Partial<UsageEvent>): UsageEvent {
  return usageEvent({ timestamp: 1_000, messageId: "m1", requestId: "r1", model: "claude-sonnet-4-5", input: 10, output: 1, cacheRead: 100, ...over });
}

describe("MessageLedger", () => {
  it("counts a multi-line message once, at its largest usage, emitting only the growth", () => {
    const l = new MessageLedger(price);
    const d1 = l.add(ev({ output: 1, thinking: true }));
    const d2 = l.add(ev({ output: 40, timestamp: 2_000, thinking: true }));
    const d3 = l.add(ev({ output: 55, timestamp: 3_000 }));
    expect(d1?.counts).toMatchObject({ input: 10, output: 1, cacheRead: 100 });
    expect(d2?.counts).toMatchObject({ input: 0, output: 39, cacheRead: 0 });
    expect(d2?.thinkingOutput).toBe(39);
    expect(d3?.counts.output).toBe(15);
    expect(d3?.thinkingOutput).toBe(0);
    expect(l.size).toBe(1);
    const [kept] = [...l.entries()];
    expect(kept?.event.output).toBe(55);
    expect(kept?.thinkingOutput).toBe(40);
    expect(kept?.cost).toBe(165);
  });

  it("ignores a repeated line from a resumed session", () => {
    const l = new MessageLedger(price);
    l.add(ev({ output: 55 }));
    expect(l.add(ev({ output: 55, sessionId: "resumed" }))).toBeNull();
    expect(l.add(ev({ output: 30, sessionId: "resumed" }))).toBeNull();
    expect([...l.entries()][0]?.event.sessionId).toBe("s");
  });

  it("on equal totals prefers the line that reports speed", () => {
    const l = new MessageLedger(price);
    l.add(ev({}));
    const d = l.add(ev({ speed: "fast" }));
    expect(d?.counts.output).toBe(0);
    expect([...l.entries()][0]?.event.speed).toBe("fast");
  });

  it("keys by message id alone without a request id, and counts id-less lines each", () => {
    const l = new MessageLedger(price);
    l.add(ev({ requestId: null }));
    expect(l.add(ev({ requestId: null }))).toBeNull();
    l.add(ev({ messageId: null }));
    l.add(ev({ messageId: null }));
    expect(l.size).toBe(3);
  });

  it("sum of deltas equals sum of kept lines for any line order", () => {
    const line = fc.record({ msg: fc.integer({ min: 0, max: 5 }), output: fc.integer({ min: 0, max: 1000 }), input: fc.integer({ min: 0, max: 50 }) });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
        const l = new MessageLedger(price);
        let sum = 0;
        let cost = 0;
        for (const x of lines) {
          const d = l.add(ev({ messageId: `m${x.msg}`, output: x.output, input: x.input }));
          if (d) {
            sum += totalTokens(d.counts);
            cost += d.costUsd;
          }
        }
        const kept = [...l.entries()];
        expect(sum).toBe(kept.reduce((n, k) => n + totalTokens(k.event), 0));
        expect(cost).toBe(kept.reduce((n, k) => n + k.cost, 0));
      }),
    );
  });

  describe("state and resume", () => {
    // few timestamps, so that sidechain replays (matched by time in session mode) meet
    const line = fc.tuple(arbitraryUsageEvent, fc.constantFrom(1_000, 2_000, 3_000)).map(([e, timestamp]) => ({ ...e, timestamp }));

    it("a ledger resumed from another's state goes on as that one does: the same deltas, kept rows and state", () => {
      fc.assert(
        fc.property(fc.array(line, { maxLength: 50 }), fc.nat(), fc.constantFrom<LedgerMode>("session", "daily"), (lines, at, mode) => {
          const cut = lines.length === 0 ? 0 : at % (lines.length + 1);
          const whole = new MessageLedger(price, mode);
          const before = new MessageLedger(price, mode);
          for (const e of lines.slice(0, cut)) {
            whole.add(e);
            before.add(e);
          }
          const resumed = MessageLedger.resume(price, before.state());
          for (const e of lines.slice(cut)) expect(resumed.add(e)).toEqual(whole.add(e));
          expect(resumed.state()).toEqual(whole.state());
          expect([...resumed.entries()]).toEqual([...whole.entries()]);
          expect(resumed.hasRequest("req_a")).toBe(whole.hasRequest("req_a"));
        }),
        { numRuns: 300 },
      );
    });

    it("refuses a state whose parts do not hold together, naming the part", () => {
      const l = new MessageLedger(price);
      l.add(ev({}));
      l.add(ev({ messageId: "m2", requestId: null }));
      const s = () => l.state();
      expect(() => MessageLedger.resume(price, { ...s(), createdIn: new Int32Array(0) })).toThrow(/value columns/);
      expect(() => MessageLedger.resume(price, { ...s(), createdIn: Int32Array.of(0, 99) })).toThrow(/createdIn/);
      expect(() => MessageLedger.resume(price, { ...s(), keys: [["k", 7]] })).toThrow(/keys/);
      expect(() => MessageLedger.resume(price, { ...s(), links: [[0, [["s", 0]]]] })).toThrow(/links/);
      expect(() => MessageLedger.resume(price, { ...s(), createdRequests: [[1, "r1"]] })).toThrow(/two rows/);
      expect(() => MessageLedger.resume(price, { ...s(), version: -1 })).toThrow(/version/);
      expect(MessageLedger.resume(price, s()).size).toBe(2);
    });
  });
});
