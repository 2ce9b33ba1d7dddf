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
    const g = r.run([block(0, 100, 50, 1), block(10 * H, 7, 0, 0.1, ["a", "claude-opus-4-5"])], [], 11 * H, true);
    expect(g).toEqual([
      { t: 0, model: "claude-sonnet-4-5", tokens: { input: 100, output: 50, cacheRead: 0, cacheCreation: 0 }, costUsd: 1 },
      { t: 10 * H, model: "claude-opus-4-5", tokens: { input: 7, output: 0, cacheRead: 0, cacheCreation: 0 }, costUsd: 0.1 },
    ]);
  });

  it("what the tail delivered live is not delivered again by the next run, in a known block or a new one", () => {
    const r = new BlockReconciler();
    r.run([block(0, 100)], [], H, true);
    r.live(2 * H, { input: 30, output: 0, cacheRead: 0, cacheCreation: 0 }, 0);
    // a line in a block ccusage has not reported yet
    r.live(6 * H, { input: 5, output: 9, cacheRead: 0, cacheCreation: 0 }, 0);
    expect(r.run([block(0, 130), block(6 * H, 5, 9)], [], 6 * H + 1000, false)).toEqual([]);
  });

  it("adds what the tail missed, at now inside its block; never takes back what ccusage has not caught up with yet", () => {
    const r = new BlockReconciler();
    r.run([block(0, 100)], [], H, true);
    r.live(2 * H, { input: 30, output: 0, cacheRead: 0, cacheCreation: 0 }, 0);
    // ccusage read the files before the tail's line: nothing to add, nothing taken back
    expect(r.run([block(0, 100)], [], 2 * H, false)).toEqual([]);
    // later ccusage shows 10 more than both
    const g = r.run([block(0, 140)], [], 3 * H, false);
    expect(g.map((x) => [x.t, x.tokens.input])).toEqual([[3 * H, 10]]);
    // a run long after the block ended puts late growth at the block's last millisecond
    expect(r.run([block(0, 141)], [], 9 * H, false).map((x) => x.t)).toEqual([5 * H - 1]);
    expect(sum(r.run([block(0, 141)], [], 9 * H, false))).toBe(0);
  });
});

describe("BlockReconciler apportioning by model", () => {
  it("shares a block's growth among the models of its day, exactly when the day holds only that block; its last model last", () => {
    const r = new BlockReconciler();
    const day = {
      startMs: 0,
      models: [
        { model: "claude-opus-4-5", tokens: { input: 3, output: 1001, cacheRead: 0, cacheCreation: 7 }, costUsd: 0.3 },
        { model: "claude-sonnet-4-5", tokens: { input: 97, output: 2, cacheRead: 5000, cacheCreation: 0 }, costUsd: 0.2 },
      ],
    };
    const b = {
      ...block(H, 100, 1003, 0.5, ["claude-sonnet-4-5", "claude-opus-4-5"]),
      tokens: { input: 100, output: 1003, cacheRead: 5000, cacheCreation: 7 },
    };
    const g = r.run([b], [day], 2 * H, true);
    expect(g.map((x) => [x.model, x.tokens])).toEqual([
      ["claude-sonnet-4-5", { input: 97, output: 2, cacheRead: 5000, cacheCreation: 0 }],
      ["claude-opus-4-5", { input: 3, output: 1001, cacheRead: 0, cacheCreation: 7 }],
    ]);
    expect(g.map((x) => x.costUsd)).toEqual([0.2, 0.3].map((c) => expect.closeTo(c, 12)));
  });

  it("two blocks in a day: each block's tokens still add up exactly (apportioned by the day's mix)", () => {
    const r = new BlockReconciler();
    const day = {
      startMs: 0,
      models: [
        { model: "a", tokens: { input: 10, output: 0, cacheRead: 0, cacheCreation: 0 }, costUsd: 0 },
        { model: "b", tokens: { input: 23, output: 0, cacheRead: 0, cacheCreation: 0 }, costUsd: 0 },
      ],
    };
    const g = r.run([block(0, 17, 0, 0, ["a"]), block(10 * H, 16, 0, 0, ["b"])], [day], 11 * H, true);
    expect(g.filter((x) => x.t === 0).reduce((n, x) => n + x.tokens.input, 0)).toBe(17);
    expect(g.filter((x) => x.t === 10 * H).reduce((n, x) => n + x.tokens.input, 0)).toBe(16);
  });
});
