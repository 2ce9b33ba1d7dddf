import { execFile } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCorpus } from "./corpus/corpus-lib.js";
import { runCcusage, type CcusageReport } from "./oracle/ccusage.js";
import { CLI } from "./helpers/server-process.js";
import { differences } from "./helpers/json-diff.js";

const run = promisify(execFile);

/** How our report reads the tree: no cache at all, or the scan cache in a folder of its own. */
type CacheUse = { off: true } | { dir: string };

async function ours(configDir: string, report: CcusageReport, zone: string, cache: CacheUse, extra: string[] = []): Promise<unknown> {
  const args = ["report", report, "--json", "--quiet", "--timezone", zone, ...extra, ...("off" in cache ? ["--no-cache"] : [])];
  const { stdout } = await run(process.execPath, [CLI, ...args], {
    // with --no-cache, a cache folder that must stay unmade
    env: {
      ...process.env,
      CLAUDE_CONFIG_DIR: configDir,
      XDG_CACHE_HOME: "off" in cache ? join(configDir, "must-not-exist") : cache.dir,
      ...(TWO_THREADS.has(configDir) ? { CLAUDE_GAUGE_SCAN_THREADS: "2" } : {}),
    },
    maxBuffer: 1 << 30,
  });
  return JSON.parse(stdout) as unknown;
}

/** corpora scanned on two threads (CLAUDE_GAUGE_SCAN_THREADS=2; the others are below the threshold: one) */
const TWO_THREADS = new Set<string>();

// Corpora end long before now, so no block is active (ccusage's active blocks depend on its clock).
const CORPORA = [
  // scanned on two threads: the second thread's units are compared too
  { seed: 11, sizeMb: 40, days: 30, twoThreads: true },
  { seed: 7, sizeMb: 12, days: 30 },
  { seed: 2026, sizeMb: 6, days: 10 },
  { seed: 99, sizeMb: 4, days: 5 },
];

const COMPARISONS = [
  ["daily", "UTC"],
  ["daily", "America/Los_Angeles"],
  ["daily", "Asia/Kolkata"],
  ["session", "UTC"],
  ["blocks", "UTC"],
  ["blocks", "Europe/Berlin"],
] as const;

const temps: string[] = [];
function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

async function expectSame(dir: string, report: CcusageReport, zone: string, cache: CacheUse): Promise<void> {
  const [oracle, mine] = await Promise.all([runCcusage(dir, report, ["--timezone", zone]), ours(dir, report, zone, cache)]);
  expect(differences(oracle, mine)).toEqual([]);
  // a vacuous pass (two empty reports) would prove nothing
  expect(JSON.stringify(oracle).length).toBeGreaterThan(1000);
}

describe.each(CORPORA)("report equals ccusage 20.0.24 --offline on corpus seed $seed ($sizeMb MB)", (c) => {
  let dir = "";
  let cacheDir = "";
  beforeAll(async () => {
    dir = temp(`cg-diff-${c.seed}-`);
    cacheDir = temp(`cg-diff-cache-${c.seed}-`);
    await generateCorpus({ outDir: dir, seed: c.seed, sizeMb: c.sizeMb, days: c.days });
    if ("twoThreads" in c) TWO_THREADS.add(dir);
  });

  it.each(COMPARISONS)("%s --timezone %s, without the scan cache", async (report, zone) => {
    await expectSame(dir, report, zone, { off: true });
    expect(readdirSync(dir)).not.toContain("must-not-exist");
  });

  // In order on one cache: the first daily reads every file (cold) and saves its ledger, the next
  // dailies reuse it (warm); the first session-mode report reuses the files but counts again, the
  // rest reuse its ledger.
  it.each(COMPARISONS)("%s --timezone %s, with the scan cache (cold, then warm)", async (report, zone) => {
    await expectSame(dir, report, zone, { dir: cacheDir });
    expect(readdirSync(join(cacheDir, "claude-gauge")).filter((n) => n.endsWith(".bin"))).toHaveLength(1);
  });

  it("daily --since/--until filter like ccusage's", async () => {
    const all = (await runCcusage(dir, "daily")) as { daily: { date: string }[] };
    const mid = all.daily[Math.floor(all.daily.length / 2)]?.date.replaceAll("-", "") ?? "";
    const last = all.daily.at(-1)?.date.replaceAll("-", "") ?? "";
    const args = ["--since", mid, "--until", last];
    const oracle = await runCcusage(dir, "daily", args);
    for (const cache of [{ off: true } as const, { dir: cacheDir }]) expect(differences(oracle, await ours(dir, "daily", "UTC", cache, args))).toEqual([]);
  });
});

/** The transcripts of a tree, biggest first. */
function transcripts(dir: string): string[] {
  const root = join(dir, "projects");
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((n) => n.endsWith(".jsonl"))
    .map((n) => join(root, n))
    .sort((a, b) => statSync(b).size - statSync(a).size || (a < b ? -1 : 1));
}

/** Usage lines of a file (its assistant lines that carry a message id and a request id). */
function usageLines(path: string): string[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.includes('"usage":{') && l.includes('"requestId"') && l.includes('"type":"assistant"'));
}

/**
 * Each change a cache must notice, made to a tree that a warm cache already knows; after each,
 * every report must still equal ccusage's on the changed tree.
 */
const CHANGES: [string, (dir: string) => void][] = [
  [
    "lines appended to the biggest file: repeats, and a later, larger line of its first message",
    (dir) => {
      const [big] = transcripts(dir);
      const lines = usageLines(big!);
      const grown = lines[0]!.replace(/"output_tokens":(\d+)/, (_m, n: string) => `"output_tokens":${Number(n) + 1000}`);
      appendFileSync(big!, `${lines.slice(-3).join("\n")}\n${grown}\n`);
    },
  ],
  [
    "new messages appended to the biggest file (the saved ledger is updated with them, not folded again)",
    (dir) => {
      const [big] = transcripts(dir);
      const fresh = usageLines(big!)
        .slice(-6)
        .map((l) => l.replace(/"id":"msg_([^"]+)"/, '"id":"msg_new$1"').replace(/"requestId":"req_([^"]+)"/, '"requestId":"req_new$1"'));
      expect(fresh.every((l) => l.includes('"id":"msg_new') && l.includes('"requestId":"req_new'))).toBe(true);
      appendFileSync(big!, `${fresh.join("\n")}\n`);
    },
  ],
  [
    "a new session's file whose messages no other file holds (folded on its own into the saved ledger, in its place)",
    (dir) => {
      const f = transcripts(dir)[1]!;
      const fresh = usageLines(f)
        .slice(0, 20)
        .map((l) => l.replace(/"id":"msg_([^"]+)"/, '"id":"msg_session$1"').replace(/"requestId":"req_([^"]+)"/, '"requestId":"req_session$1"'));
      expect(fresh.every((l) => l.includes('"id":"msg_session') && l.includes('"requestId":"req_session'))).toBe(true);
      writeFileSync(join(dirname(f), "0-new-session.jsonl"), `${fresh.join("\n")}\n`);
    },
  ],
  [
    "a file truncated to half its lines",
    (dir) => {
      const f = transcripts(dir)[1]!;
      const text = readFileSync(f, "utf8");
      const cut = text.lastIndexOf("\n", Math.floor(text.length / 2)) + 1;
      truncateSync(f, cut);
    },
  ],
  [
    "a file rewritten in place at the same size",
    (dir) => {
      const f = transcripts(dir)[2]!;
      const text = readFileSync(f, "utf8");
      const swapped = text.replace(/"output_tokens":(\d)(\d)/, '"output_tokens":$2$1');
      expect(swapped.length).toBe(text.length);
      writeFileSync(f, swapped);
    },
  ],
  [
    "a file renamed into another project",
    (dir) => {
      const f = transcripts(dir)[3]!;
      const target = join(dir, "projects", "-home-dev-renamed", "moved-session.jsonl");
      mkdirSync(dirname(target), { recursive: true });
      renameSync(f, target);
    },
  ],
  ["a file deleted", (dir) => rmSync(transcripts(dir)[4]!)],
  [
    "a new subagent log with larger copies of sidechain lines (they replace the kept ones) and of main lines (they do not)",
    (dir) => {
      const all = transcripts(dir);
      const sidechain = all.flatMap((f) => usageLines(f).filter((l) => l.includes('"isSidechain":true'))).slice(0, 10);
      const main = usageLines(all[0]!)
        .slice(0, 10)
        .map((l) => l.replace('"isSidechain":false', '"isSidechain":true'));
      expect(sidechain.length).toBeGreaterThan(0);
      const larger = [...sidechain, ...main].map((l) => l.replace(/"output_tokens":(\d+)/, (_m, n: string) => `"output_tokens":${Number(n) + 5000}`));
      const sub = join(dirname(all[0]!), "aa-new-session", "subagents", "agent-new.jsonl");
      mkdirSync(dirname(sub), { recursive: true });
      writeFileSync(sub, `${larger.join("\n")}\n`);
    },
  ],
  [
    "a new file whose main-conversation copy replaces a sidechain line that was kept",
    (dir) => {
      const sidechain = transcripts(dir).find((f) => usageLines(f).some((l) => l.includes('"isSidechain":true')));
      const line = sidechain && usageLines(sidechain).find((l) => l.includes('"isSidechain":true'));
      expect(line).toBeDefined();
      const main = line!.replace('"isSidechain":true', '"isSidechain":false').replace(/"output_tokens":(\d+)/, '"output_tokens":1');
      const f = join(dir, "projects", "-home-dev-zz-late", "late.jsonl");
      mkdirSync(dirname(f), { recursive: true });
      writeFileSync(f, `${main}\n`);
    },
  ],
];

describe("with a warm scan cache, after each change, every report still equals ccusage's", () => {
  let base = "";
  beforeAll(async () => {
    base = temp("cg-diff-changes-");
    await generateCorpus({ outDir: base, seed: 2026, sizeMb: 6, days: 10 });
  });

  it.each(CHANGES)("%s", async (_name, change) => {
    const dir = temp("cg-diff-change-");
    cpSync(base, dir, { recursive: true });
    const cacheDir = temp("cg-diff-change-cache-");
    for (const [report, zone] of COMPARISONS) await ours(dir, report, zone, { dir: cacheDir }); // warm for every mode
    change(dir);
    for (const [report, zone] of COMPARISONS) await expectSame(dir, report, zone, { dir: cacheDir });
    for (const [report, zone] of COMPARISONS) await expectSame(dir, report, zone, { dir: cacheDir }); // and warm again
  });
});
