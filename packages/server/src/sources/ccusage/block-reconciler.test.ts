import { describe, expect, it } from "vitest";
import { BlockReconciler } from "./block-reconciler.js";
import type { CcusageBlock } from "./ccusage-blocks.js";

const H = 3_600_000;
const block = (startMs: number, input: number, output = 0, costUsd = 0, models = ["claude-sonnet-4-5"]): CcusageBlock => ({
  startMs,
  endMs: startMs + 5 * H,
  models,
  tokens: { input, output, cacheRead: 0, cacheCreation: 0 },
  costUsd,
});
const sum = (g: { tokens: { input: number; output: number } }[]) => g.reduce((a, x) => a + x.tokens.input + x.tokens.output, 0);

describe("BlockReconciler", () => {
  it("the first run places each block's usage at its start", () => {
    const r = new BlockReconciler();
    const g = r.run([block(0, 100, 50, 1), block(10 * H, 7, 0, 0.1, ["a", "claude-opus-4-5"])], 11 * H, true);
    expect(g).toEqual([
      { t: 0, model: "claude-sonnet-4-5", tokens: { input: 100, output: 50, cacheRead: 0, cacheCreation: 0 }, costUsd: 1 },
      { t: 10 * H, model: "claude-opus-4-5", tokens: { input: 7, output: 0, cacheRead: 0, cacheCreation: 0 }, costUsd: 0.1 },
    ]);
  });

  it("what the tail delivered live is not delivered again by the next run, in a known block or a new one", () => {
    const r = new BlockReconciler();
    r.run([block(0, 100)], H, true);
    r.live(2 * H, { input: 30, output: 0, cacheRead: 0, cacheCreation: 0 }, 0);
    // a line in a block ccusage has not reported yet
    r.live(6 * H, { input: 5, output: 9, cacheRead: 0, cacheCreation: 0 }, 0);
    expect(r.run([block(0, 130), block(6 * H, 5, 9)], 6 * H + 1000, false)).toEqual([]);
  });

  it("adds what the tail missed, at now inside its block; never takes back what ccusage has not caught up with yet", () => {
    const r = new BlockReconciler();
    r.run([block(0, 100)], H, true);
    r.live(2 * H, { input: 30, output: 0, cacheRead: 0, cacheCreation: 0 }, 0);
    // ccusage read the files before the tail's line: nothing to add, nothing taken back
    expect(r.run([block(0, 100)], 2 * H, false)).toEqual([]);
    // later ccusage shows 10 more than both
    const g = r.run([block(0, 140)], 3 * H, false);
    expect(g.map((x) => [x.t, x.tokens.input])).toEqual([[3 * H, 10]]);
    // a run long after the block ended puts late growth at the block's last millisecond
    expect(r.run([block(0, 141)], 9 * H, false).map((x) => x.t)).toEqual([5 * H - 1]);
    expect(sum(r.run([block(0, 141)], 9 * H, false))).toBe(0);
  });
});
