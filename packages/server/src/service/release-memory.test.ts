import { getHeapSpaceStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { collectGarbage, releaseBackfillMemory } from "./release-memory.js";

/** An object nothing references once this returns, and a weak reference to it. */
function garbage(): WeakRef<object> {
  return new WeakRef({ payload: new Array(1000).fill("x") });
}

describe("collectGarbage", () => {
  it("collects what nothing references any more, now (not at some later allocation)", async () => {
    const ref = garbage();
    await new Promise((r) => setImmediate(r));
    // nothing has collected it yet (and deref() keeps it to the end of this job: wait another)
    expect(ref.deref()).toBeDefined();
    await new Promise((r) => setImmediate(r));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });

  it("moves the survivors onto as few pages as they fill", () => {
    const old = () => getHeapSpaceStatistics().find((s) => s.space_name === "old_space")!;
    // old pages one tenth full: 200k small objects made old by two collections, then 9 in 10 dropped
    let all: object[] = Array.from({ length: 200_000 }, (_, i) => ({ i, a: [i, i + 1, i + 2] }));
    collectGarbage();
    collectGarbage();
    const before = old();
    all = all.filter((_, i) => i % 10 === 0);
    collectGarbage();
    const after = old();
    expect(all.length).toBe(20_000);
    // what the pages hold beyond the live objects: without compaction, ~9/10 of the sparse pages
    expect(after.space_size - after.space_used_size).toBeLessThan((before.space_used_size - after.space_used_size) / 4);
  });
});

describe("releaseBackfillMemory", () => {
  const youngBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_size;
  /** what a backfill does to the young generation: a stream of small objects, some kept */
  function burst(): object[] {
    const kept: object[] = [];
    let batch: object[] = [];
    for (let i = 0; i < 3_000_000; i++) {
      batch.push({ i, s: `k${i}` });
      if (batch.length === 50_000) {
        kept.push(batch);
        batch = [];
      }
    }
    return kept;
  }

  it("returns the young generation a burst grew once the process has been quiet, and keeps it from growing again", async () => {
    let kept = burst();
    expect(kept.length).toBe(60);
    // the burst's survivors made V8 grow it past its starting 1 MiB per semi-space
    expect(youngBytes()).toBeGreaterThan(4 * 2 ** 20);
    kept = [];
    await releaseBackfillMemory(6_000, 3);
    expect(youngBytes()).toBeLessThanOrEqual(2 * 2 ** 20);
    kept = burst();
    expect(kept.length).toBe(60);
    expect(youngBytes()).toBeLessThanOrEqual(2 * 2 ** 20);
  }, 40_000);
});
