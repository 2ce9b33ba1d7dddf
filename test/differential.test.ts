import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { generateCorpus } from "./corpus/corpus-lib.js";
import { runCcusage, type CcusageReport } from "./oracle/ccusage.js";
import { CLI } from "./helpers/server-process.js";
import { differences } from "./helpers/json-diff.js";

const run = promisify(execFile);

async function ours(configDir: string, report: CcusageReport, zone: string): Promise<unknown> {
  const { stdout } = await run(process.execPath, [CLI, "report", report, "--json", "--quiet", "--timezone", zone], {
    env: { ...process.env, CLAUDE_CONFIG_DIR: configDir },
    maxBuffer: 1 << 30,
  });
  return JSON.parse(stdout) as unknown;
}

// Corpora end long before now, so no block is active (ccusage's active blocks depend on its clock).
const CORPORA = [
  { seed: 7, sizeMb: 12, days: 30 },
  { seed: 2026, sizeMb: 6, days: 10 },
  { seed: 99, sizeMb: 4, days: 5 },
];

describe.each(CORPORA)("report equals ccusage 20.0.24 --offline on corpus seed $seed ($sizeMb MB)", (c) => {
  let dir = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `cg-diff-${c.seed}-`));
    await generateCorpus({ outDir: dir, seed: c.seed, sizeMb: c.sizeMb, days: c.days });
  });

  it.each([
    ["daily", "UTC"],
    ["daily", "America/Los_Angeles"],
    ["daily", "Asia/Kolkata"],
    ["session", "UTC"],
    ["blocks", "UTC"],
    ["blocks", "Europe/Berlin"],
  ] as const)("%s --timezone %s", async (report, zone) => {
    const [oracle, mine] = await Promise.all([runCcusage(dir, report, ["--timezone", zone]), ours(dir, report, zone)]);
    expect(differences(oracle, mine)).toEqual([]);
    // a vacuous pass (two empty reports) would prove nothing
    expect(JSON.stringify(oracle).length).toBeGreaterThan(1000);
  });

  it("daily --since/--until filter like ccusage's", async () => {
    const all = (await runCcusage(dir, "daily")) as { daily: { date: string }[] };
    const mid = all.daily[Math.floor(all.daily.length / 2)]?.date.replaceAll("-", "") ?? "";
    const last = all.daily.at(-1)?.date.replaceAll("-", "") ?? "";
    const args = ["--since", mid, "--until", last];
    const oracle = await runCcusage(dir, "daily", args);
    const { stdout } = await run(process.execPath, [CLI, "report", "daily", "--json", "-q", "--timezone", "UTC", ...args], {
      env: { ...process.env, CLAUDE_CONFIG_DIR: dir },
      maxBuffer: 1 << 30,
    });
    expect(differences(oracle, JSON.parse(stdout))).toEqual([]);
  });
});
