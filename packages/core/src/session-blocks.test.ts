import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BlockEntry, SessionBlock } from "./session-blocks.js";
import { BLOCK_DURATION_MS, BlockTracker, floorToUtcHour, identifySessionBlocks } from "./session-blocks.js";
import { ZERO_COUNTS } from "./usage-event.js";

const H = 3_600_000;
const T0 = Date.parse("2024-01-01T10:00:00.000Z");

function entry(ms: number, model = "claude-sonnet-4-20250514", input = 10, output = 5, costUsd = 0.01): BlockEntry {
  return { timestamp: ms, model, counts: { ...ZERO_COUNTS, input, output }, costUsd };
}

const later = T0 + 1000 * H;

describe("identifySessionBlocks", () => {
  it("returns no blocks for no entries", () => {
    expect(identifySessionBlocks([], later)).toEqual([]);
  });

  it("floors the block start to the UTC hour and ends it 5 h later", () => {
    const [b] = identifySessionBlocks([entry(T0 + 55 * 60_000 + 30_000)], later);
    expect(b?.id).toBe("2024-01-01T10:00:00.000Z");
    expect(b?.startMs).toBe(T0);
    expect(b?.endMs).toBe(T0 + 5 * H);
    expect(b?.firstEntryMs).toBe(T0 + 55 * 60_000 + 30_000);
  });

  it("keeps an entry exactly 5 h after the block start in the block (ccusage uses >)", () => {
    const blocks = identifySessionBlocks([entry(T0 + 30 * 60_000), entry(T0 + 4 * H), entry(T0 + 5 * H)], later);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.entryCount).toBe(3);
    expect(blocks[0]?.lastEntryMs).toBe(T0 + 5 * H);
  });

  it("starts a new block 1 ms past 5 h after the block start, without a gap", () => {
    const blocks = identifySessionBlocks([entry(T0 + 30 * 60_000), entry(T0 + 5 * H + 1)], later);
    expect(blocks.map((b) => [b.id, b.isGap, b.entryCount])).toEqual([
      ["2024-01-01T10:00:00.000Z", false, 1],
      ["2024-01-01T15:00:00.000Z", false, 1],
    ]);
  });

  it("treats a silence of exactly 5 h as no gap", () => {
    const blocks = identifySessionBlocks([entry(T0), entry(T0 + 5 * H)], later);
    expect(blocks).toHaveLength(1);
  });

  it("adds a gap block from last entry + 5 h to the next entry when the silence exceeds 5 h", () => {
    const blocks = identifySessionBlocks([entry(T0), entry(T0 + 2 * H), entry(T0 + 8 * H)], later);
    expect(blocks.map((b) => [b.id, b.isGap])).toEqual([
      ["2024-01-01T10:00:00.000Z", false],
      ["gap-2024-01-01T17:00:00.000Z", true],
      ["2024-01-01T18:00:00.000Z", false],
    ]);
    const gap = blocks[1];
    expect(gap?.startMs).toBe(T0 + 7 * H);
    expect(gap?.endMs).toBe(T0 + 8 * H);
    expect(gap?.lastEntryMs).toBeNull();
    expect(gap?.entryCount).toBe(0);
    expect(gap?.costUsd).toBe(0);
  });

  it("orders a gap that starts after the next block's floored start behind that block (as the binary prints)", () => {
    // last entry 10:20, next 15:20:00.001 → block 15:00, gap from 15:20
    const blocks = identifySessionBlocks([entry(T0 + 20 * 60_000), entry(T0 + 5 * H + 20 * 60_000 + 1)], later);
    expect(blocks.map((b) => b.id)).toEqual(["2024-01-01T10:00:00.000Z", "2024-01-01T15:00:00.000Z", "gap-2024-01-01T15:20:00.000Z"]);
  });

  it("keeps a gap tied with the next block's start before it", () => {
    const blocks = identifySessionBlocks([entry(T0), entry(T0 + 5 * H + 1)], later);
    expect(blocks.map((b) => b.id)).toEqual(["2024-01-01T10:00:00.000Z", "gap-2024-01-01T15:00:00.000Z", "2024-01-01T15:00:00.000Z"]);
  });

  it("sums tokens per type and cost, lists models once without <synthetic>, and sorts its input", () => {
    const e1 = entry(T0 + 2 * H, "claude-opus-4-20250514", 100, 50, 0.5);
    const e2 = entry(T0, "claude-sonnet-4-20250514", 10, 5, 0.25);
    const e3: BlockEntry = { ...entry(T0 + H, "<synthetic>", 0, 0, 0) };
    const e4: BlockEntry = {
      timestamp: T0 + 3 * H,
      model: "claude-opus-4-20250514",
      counts: { input: 1, output: 2, cacheCreation: 30, cacheRead: 400, cacheCreation5m: 10, cacheCreation1h: 20 },
      costUsd: 0.125,
    };
    const [b] = identifySessionBlocks([e1, e2, e3, e4], later);
    expect(b?.counts).toEqual({ input: 111, output: 57, cacheCreation: 30, cacheRead: 400, cacheCreation5m: 10, cacheCreation1h: 20 });
    expect(b?.costUsd).toBe(0.875);
    expect(b?.models).toEqual(["claude-sonnet-4-20250514", "claude-opus-4-20250514"]);
    expect(b?.entryCount).toBe(4);
    expect(b?.firstEntryMs).toBe(T0);
    expect(b?.lastEntryMs).toBe(T0 + 3 * H);
  });

  it("is active only while now − last entry < 5 h and now < end", () => {
    const entries = [entry(T0 + 30 * 60_000), entry(T0 + 60 * 60_000)];
    const active = (now: number) => identifySessionBlocks(entries, now)[0]?.isActive;
    expect(active(T0 + 2 * H)).toBe(true);
    expect(active(T0 + 5 * H - 1)).toBe(true);
    expect(active(T0 + 5 * H)).toBe(false); // now == end
    // last entry at 10:00 of a block starting 10:00 → inactive at exactly 15:00 by both rules
    const early = identifySessionBlocks([entry(T0)], T0 + 5 * H - 1)[0];
    expect(early?.isActive).toBe(true);
  });

  it("never marks a gap block or a block closed by a later entry active", () => {
    const blocks = identifySessionBlocks([entry(T0), entry(T0 + 8 * H)], T0 + 8 * H + 1);
    expect(blocks.map((b) => b.isActive)).toEqual([false, false, true]);
  });
});

describe("floorToUtcHour", () => {
  it("floors to the hour and keeps exact hours", () => {
    expect(floorToUtcHour(T0 + H - 1)).toBe(T0);
    expect(floorToUtcHour(T0)).toBe(T0);
  });
});

describe("BlockTracker", () => {
  it("returns the closed block and its gap when a late entry opens a new block", () => {
    const t = new BlockTracker();
    expect(t.add(entry(T0))).toEqual([]);
    const closed = t.add(entry(T0 + 6 * H));
    expect(closed.map((b) => b.id)).toEqual(["2024-01-01T10:00:00.000Z", "gap-2024-01-01T15:00:00.000Z"]);
    expect(t.current(T0 + 6 * H)?.id).toBe("2024-01-01T16:00:00.000Z");
    expect(t.current(T0 + 6 * H)?.isActive).toBe(true);
  });

  it("returns null before any entry", () => {
    expect(new BlockTracker().current(T0)).toBeNull();
  });

  it("adds a straggler inside the open block and drops one from a closed block", () => {
    const t = new BlockTracker();
    t.add(entry(T0 + 10 * 60_000));
    t.add(entry(T0 + 6 * H + 5 * 60_000)); // opens block 16:00
    t.add(entry(T0 + 6 * H + 10 * 60_000));
    t.add(entry(T0 + 6 * H + 60_000)); // late, still inside block 16:00
    t.add(entry(T0 + 3 * H)); // belongs to the closed 10:00 block
    const b = t.current(T0 + 7 * H);
    expect(b?.entryCount).toBe(3);
    expect(b?.firstEntryMs).toBe(T0 + 6 * H + 60_000);
    expect(b?.lastEntryMs).toBe(T0 + 6 * H + 10 * 60_000);
    expect(t.droppedLate).toBe(1);
  });

  const arbEntry = fc.record({
    // mostly minutes apart, sometimes hours, so every split rule fires
    stepMs: fc.oneof(fc.integer({ min: 0, max: 20 * 60_000 }), fc.integer({ min: 4 * H, max: 6 * H }), fc.constantFrom(5 * H, 5 * H + 1, 0)),
    model: fc.constantFrom("claude-opus-4-20250514", "claude-sonnet-4-20250514", "<synthetic>", "claude-haiku-3-5"),
    input: fc.nat(10_000),
    output: fc.nat(10_000),
    cacheRead: fc.nat(100_000),
    costUsd: fc.double({ min: 0, max: 5, noNaN: true }),
  });

  it("agrees with identifySessionBlocks for entries fed in time order (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * H }),
        fc.array(arbEntry, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 0, max: 12 * H }),
        (offset, steps, nowAfter) => {
          let t = T0 + offset;
          const entries: BlockEntry[] = steps.map((s) => {
            t += s.stepMs;
            return {
              timestamp: t,
              model: s.model,
              counts: { ...ZERO_COUNTS, input: s.input, output: s.output, cacheRead: s.cacheRead },
              costUsd: s.costUsd,
            };
          });
          const now = t + nowAfter;
          const tracker = new BlockTracker();
          const emitted: SessionBlock[] = [];
          for (const e of entries) emitted.push(...tracker.add(e));
          const open = tracker.current(now);
          if (open !== null) emitted.push(open);
          const sorted = [...emitted].sort((a, b) => a.startMs - b.startMs);
          expect(sorted).toEqual(identifySessionBlocks(entries, now));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("is insensitive to input order in the batch function (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 48 * H }), { minLength: 1, maxLength: 40 }), (offsets) => {
        const entries = offsets.map((o) => entry(T0 + o, "m", 1, 1, 0));
        const reversed = [...entries].reverse();
        const strip = (bs: SessionBlock[]) => bs.map((b) => [b.id, b.entryCount, b.counts.input]);
        expect(strip(identifySessionBlocks(reversed, later))).toEqual(strip(identifySessionBlocks(entries, later)));
      }),
    );
  });

  it("has a 5 h default duration", () => {
    expect(new BlockTracker().durationMs).toBe(BLOCK_DURATION_MS);
    expect(BLOCK_DURATION_MS).toBe(5 * H);
  });
});
