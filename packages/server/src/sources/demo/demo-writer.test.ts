import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_CONFIG } from "@claude-gauge/core";
import { DemoWriter } from "./demo-writer.js";

function lineCount(root: string): number {
  let n = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else n += readFileSync(join(dir, e.name), "utf8").split("\n").filter(Boolean).length;
    }
  };
  walk(root);
  return n;
}

const sources: DemoWriter[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const s of sources.splice(0)) s.stop();
});

describe("DemoWriter", () => {
  it("writes a week of transcripts before start and fills only the ceilings the user left unset", () => {
    const d = new DemoWriter({ now: () => 1_800_000_000_000 });
    sources.push(d);
    const config = d.prepare({ ...DEFAULT_CONFIG, ceiling7dTokens: 123 });
    expect(config.ceiling5hTokens).toBeGreaterThan(1_000_000);
    expect(config.ceiling7dTokens).toBe(123);
    expect(config.tachRedlineTokensPerMin).toBeGreaterThan(100_000);
    expect(readdirSync(d.root).length).toBeGreaterThanOrEqual(2);
    expect(lineCount(d.root)).toBeGreaterThan(1000);
  });

  it("runs its clock `speed` times faster and appends the session as the clock passes its lines", () => {
    vi.useFakeTimers();
    let real = 1_800_000_000_000;
    const d = new DemoWriter({ now: () => real, speed: 10 });
    sources.push(d);
    d.prepare(DEFAULT_CONFIG);
    const before = lineCount(d.root);
    expect(d.clock()).toBe(real);
    d.start();
    real += 3000;
    expect(d.clock()).toBe(1_800_000_000_000 + 30_000);
    vi.advanceTimersByTime(3000);
    const after30s = lineCount(d.root);
    expect(after30s).toBeGreaterThan(before);
    // the whole day, then the night is skipped: the clock jumps about a day ahead
    for (let i = 0; i < 120; i++) {
      real += 1000;
      vi.advanceTimersByTime(1000);
    }
    expect(d.clock() - real).toBeGreaterThan(20 * 3_600_000);
    expect(lineCount(d.root)).toBeGreaterThan(after30s);
  });

  it("removes its tree on stop", () => {
    const d = new DemoWriter();
    d.prepare(DEFAULT_CONFIG);
    d.stop();
    expect(existsSync(dirname(d.root))).toBe(false);
  });

  it("refuses a speed that is not a positive number", () => {
    expect(() => new DemoWriter({ speed: 0 })).toThrow(RangeError);
    expect(() => new DemoWriter({ speed: Number.NaN })).toThrow(RangeError);
  });
});
