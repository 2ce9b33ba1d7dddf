import { describe, expect, it } from "vitest";
import { progressLine } from "./progress-line.js";

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => out.push(s) } };
}

describe("progressLine", () => {
  it("rewrites one line on a terminal and clears it when done", () => {
    const { out, stream } = sink(true);
    const p = progressLine(stream, false);
    p.update?.("scanning 3 files, 200 MB…");
    p.update?.("scanning 3 files, 200 MB…");
    p.done();
    expect(out).toHaveLength(3);
    for (const s of out) expect(s.startsWith("\r\x1b[2K")).toBe(true);
    expect(out.join("")).not.toContain("\n");
    expect(out[2]).toBe("\r\x1b[2K");
  });

  it("is off when piped or quiet, and done() then writes nothing", () => {
    for (const [tty, quiet] of [
      [false, false],
      [true, true],
    ] as const) {
      const { out, stream } = sink(tty);
      const p = progressLine(stream, quiet);
      expect(p.update).toBeUndefined();
      p.done();
      expect(out).toEqual([]);
    }
  });
});
