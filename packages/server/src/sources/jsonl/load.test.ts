import { describe, expect, it } from "vitest";
import { signalFiles } from "./load.js";

const HOUR = 3_600_000;

describe("signalFiles", () => {
  const now = 100 * HOUR;

  it("takes the files written in the last hour, in the order given", () => {
    const files = [
      { name: "a", mtimeMs: now - 2 * HOUR },
      { name: "b", mtimeMs: now - 10_000 },
      { name: "c", mtimeMs: now - HOUR },
      { name: "d", mtimeMs: now - HOUR - 1 },
    ];
    expect(signalFiles(files, now).map((f) => f.name)).toEqual(["b", "c"]);
  });

  it("reads at most the 32 newest when a whole tree was written in the last hour", () => {
    // a restored tree: 2,000 files, all fresh; the newest are spread through the list
    const files = Array.from({ length: 2000 }, (_, i) => ({ i, mtimeMs: now - ((i * 7919) % 2000) * 1000 }));
    const picked = signalFiles(files, now);
    expect(picked).toHaveLength(32);
    const newest = [...files].sort((a, b) => b.mtimeMs - a.mtimeMs).slice(0, 32);
    expect(new Set(picked)).toEqual(new Set(newest));
    expect(picked.map((f) => f.i)).toEqual([...picked.map((f) => f.i)].sort((a, b) => a - b));
  });
});
