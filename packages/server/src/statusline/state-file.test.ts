import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseStatuslineSample, type StatuslineSample } from "./sample.js";
import { appendStateSample, dayFile, pruneStateFiles, readStateSamples, STATE_KEEP_DAYS, stateDir } from "./state-file.js";

const NOW = Date.parse("2026-11-26T12:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), "cg-state-")), "claude-gauge");
});
afterEach(() => rmSync(join(dir, ".."), { recursive: true, force: true }));

const sample = (i: number, at = NOW + i): StatuslineSample => ({
  at,
  sessionId: "s",
  rateLimits: { fiveHour: { usedPct: (i % 1000) / 1000, resetsAt: at + HOUR }, sevenDay: null },
});
const parse = (v: unknown) => parseStatuslineSample(v, NOW + 30 * DAY);
const lines = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean);

describe("state file", () => {
  it("lives under XDG_STATE_HOME (absolute only), else ~/.local/state, one file per UTC day", () => {
    expect(stateDir({ XDG_STATE_HOME: "/x/state", HOME: "/h" })).toBe("/x/state/claude-gauge");
    expect(stateDir({ XDG_STATE_HOME: "relative", HOME: "/h" })).toBe("/h/.local/state/claude-gauge");
    expect(stateDir({ HOME: "/h" })).toBe("/h/.local/state/claude-gauge");
    expect(dayFile("/d", NOW)).toBe("/d/official-2026-11-26.jsonl");
  });

  it("skips a reading equal to the last one of its day", () => {
    expect(appendStateSample(dir, sample(1))).toBe("appended");
    expect(appendStateSample(dir, { ...sample(1), at: NOW + 99 })).toBe("unchanged");
    expect(appendStateSample(dir, sample(2))).toBe("appended");
    expect(readStateSamples(dir, parse).map((s) => s.at)).toEqual([NOW + 1, NOW + 2]);
  });

  it("never rewrites a file: a long day only grows, and nothing already written is lost", () => {
    for (let i = 0; i < 600; i++) appendStateSample(dir, sample(i));
    expect(lines(dayFile(dir, NOW))).toHaveLength(600);
    expect(readStateSamples(dir, parse)).toHaveLength(600);
  });

  it("starts a fresh line after a torn one, and the reader skips the torn one", () => {
    appendStateSample(dir, sample(1));
    writeFileSync(dayFile(dir, NOW), `${readFileSync(dayFile(dir, NOW), "utf8")}{"at":12`);
    expect(appendStateSample(dir, sample(2))).toBe("appended");
    expect(lines(dayFile(dir, NOW))).toHaveLength(3);
    expect(readStateSamples(dir, parse)).toEqual([sample(1), sample(2)]);
  });

  it("reads back only readings the daemon's parser accepts, oldest first, across days", () => {
    appendStateSample(dir, sample(5, NOW + DAY));
    appendStateSample(dir, sample(1));
    const junk = [
      "[]",
      "7",
      '{"at":"x","rateLimits":{}}',
      '{"at":1,"rateLimits":{"fiveHour":{"usedPct":2,"resetsAt":1}}}',
      '{"at":1}',
      `{"at":${NOW},"rateLimits":{"fiveHour":{"usedPct":0.5,"resetsAt":1e300}}}`,
    ];
    writeFileSync(dayFile(dir, NOW), `${readFileSync(dayFile(dir, NOW), "utf8")}${junk.join("\n")}\n`);
    expect(readStateSamples(dir, parse)).toEqual([sample(1), sample(5, NOW + DAY)]);
    expect(readStateSamples(join(dir, "missing"), parse)).toEqual([]);
  });

  it("reads the single file of earlier releases, and the first write of a day deletes days past the keep", () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "official.jsonl"), `${JSON.stringify(sample(3, NOW - 2 * DAY))}\n`);
    appendStateSample(dir, sample(1, NOW - (STATE_KEEP_DAYS + 2) * DAY));
    expect(readStateSamples(dir, parse).map((s) => s.at)).toEqual([NOW - (STATE_KEEP_DAYS + 2) * DAY, NOW - 2 * DAY]);
    appendStateSample(dir, sample(2));
    expect(readdirSync(dir).sort()).toEqual(["official-2026-11-26.jsonl", "official.jsonl"]);
    utimesSync(join(dir, "official.jsonl"), (NOW - 9 * DAY) / 1000, (NOW - 9 * DAY) / 1000);
    pruneStateFiles(dir, NOW);
    expect(readdirSync(dir)).toEqual(["official-2026-11-26.jsonl"]);
  });
});
