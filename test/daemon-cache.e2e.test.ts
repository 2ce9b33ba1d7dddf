import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCorpus } from "./corpus/corpus-lib.js";
import { startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

// The daemon's cold start reads through the scan cache: a restart reads only what changed, and
// must count exactly what a start without the cache counts — lines appended while it was down,
// and a last line it saw half-written, once each.

let dir = "";
let cacheHome = "";
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-daemon-cache-"));
  cacheHome = mkdtempSync(join(tmpdir(), "cg-daemon-cache-home-"));
  await generateCorpus({ outDir: dir, seed: 17, sizeMb: 6, days: 5 });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(cacheHome, { recursive: true, force: true });
});

interface Totals {
  total: number;
  messages: number;
  costUsd: number;
}

async function allTotals(s: RunningServer): Promise<Totals> {
  const r = await fetch(`${s.url}/stats?window=all`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { totals: Totals }).totals;
}

/**
 * Same tokens and messages; costs equal but for the order of a float sum (a line without newline
 * reaches the ledger after the cached lines when it comes through the tail, in path order without
 * the cache).
 */
function expectSame(a: Totals, b: Totals): void {
  expect({ total: a.total, messages: a.messages }).toEqual({ total: b.total, messages: b.messages });
  expect(Math.abs(a.costUsd - b.costUsd)).toBeLessThanOrEqual(1e-9 * Math.max(1, b.costUsd));
}

async function daemon(args: string[] = []): Promise<RunningServer> {
  return startServer(dir, ["--timezone", "UTC", ...args], { XDG_CACHE_HOME: cacheHome });
}

/** Totals of a daemon that reads every file at start. */
async function uncached(): Promise<Totals> {
  const s = await daemon(["--no-cache"]);
  try {
    return await allTotals(s);
  } finally {
    await s.stop();
  }
}

/** Removes the daemon's saved state: the next start goes through the scan cache. */
function dropState(home = cacheHome): void {
  const folder = join(home, "claude-gauge");
  for (const n of readdirSync(folder)) if (n.endsWith(".state")) rmSync(join(folder, n));
}

function sessionFile(): string {
  const project = join(dir, "projects", readdirSync(join(dir, "projects"))[0]!);
  return join(project, readdirSync(project).find((n) => n.endsWith(".jsonl"))!);
}

describe("daemon start through the scan cache", () => {
  it("a restart reads only what changed and counts what a start without the cache counts", async () => {
    const first = await daemon();
    const before = await allTotals(first);
    await first.stop();
    expect(before.messages).toBeGreaterThan(100);
    expectSame(before, await uncached());

    // written while the daemon was down: whole lines, and a last line cut in the middle
    const file = sessionFile();
    const t = new Date("2026-02-20T10:00:00.000Z");
    appendFileSync(file, `${assistantLine({ id: "down-1", ts: t, input: 10, output: 500, cacheRead: 2000 })}\n`);
    const half = assistantLine({ id: "down-2", ts: t, input: 20, output: 700, cacheRead: 3000 });
    appendFileSync(file, half.slice(0, 60));

    dropState();
    const second = await daemon();
    try {
      expect(second.logs()).toMatch(/backfill: \d+ files, \d+ from the scan cache, 1 read from where it stopped, 0 read whole/);
      // the half line is not a message yet, for either start
      expectSame(await allTotals(second), await uncached());
      // its rest arrives while the restarted daemon follows: counted once
      appendFileSync(file, `${half.slice(60)}\n`);
      const after = await waitFor(
        async () => {
          const now = await allTotals(second);
          return now.messages === before.messages + 2 ? now : undefined;
        },
        10_000,
        "the completed line",
      );
      expect(after.total).toBe(before.total + 10 + 500 + 2000 + 20 + 700 + 3000);
    } finally {
      await second.stop();
    }
    const third = await daemon();
    try {
      expectSame(await allTotals(third), await uncached());
    } finally {
      await third.stop();
    }
  });
});

/** The daemon's token counters, by model and type (the sums every delta told the metrics). */
async function tokenCounters(s: RunningServer): Promise<string[]> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith("claude_gauge_tokens_total{"))
    .sort();
}

describe("a restart through the daemon's saved state", () => {
  it("goes on from the state saved at stop: what changed while it was down is read, and it counts what a start without the cache counts", async () => {
    const home = mkdtempSync(join(tmpdir(), "cg-daemon-state-home-"));
    const start = (args: string[] = []) => startServer(dir, ["--timezone", "UTC", ...args], { XDG_CACHE_HOME: home });
    try {
      // stopped the moment it serves: the signal is already its own to handle, and the state is saved
      await (await start()).stop();
      const stateFile = readdirSync(join(home, "claude-gauge")).find((n) => n.endsWith(".state"));
      expect(stateFile).toBeDefined();
      expect(statSync(join(home, "claude-gauge", stateFile!)).mode & 0o777).toBe(0o600);

      // while it is down: whole lines and a half one appended, a new session
      const file = sessionFile();
      const t = new Date("2026-02-22T10:00:00.000Z");
      appendFileSync(file, `${assistantLine({ id: "state-1", ts: t, input: 11, output: 501, cacheRead: 2001 })}\n`);
      const half = assistantLine({ id: "state-2", ts: t, input: 21, output: 701, cacheRead: 3001 });
      appendFileSync(file, half.slice(0, 70));
      const fresh = join(dirname(file), "state-new-session.jsonl");
      writeFileSync(fresh, `${assistantLine({ id: "state-3", ts: t, input: 1, output: 2, cacheRead: 3 })}\n`);

      const plain = await start(["--no-cache"]);
      let expected: Totals;
      let counters: string[];
      try {
        expected = await allTotals(plain);
        counters = await tokenCounters(plain);
      } finally {
        await plain.stop();
      }
      const second = await start();
      try {
        expect(second.logs()).toMatch(/resumed the state saved \S+: \d+ messages, \d+ files/);
        expect(second.logs()).not.toMatch(/backfill:/);
        expectSame(await allTotals(second), expected);
        // the metrics count the resumed messages as the lines' deltas would have
        expect(await tokenCounters(second)).toEqual(counters);
        // the rest of the half line, while it follows: counted once
        appendFileSync(file, `${half.slice(70)}\n`);
        await waitFor(async () => ((await allTotals(second)).messages === expected.messages + 1 ? true : undefined), 10_000, "the completed line");
        expect((await allTotals(second)).total).toBe(expected.total + 21 + 701 + 3001);
        // killed outright: no state is saved, the one it resumed stays
        second.proc.kill("SIGKILL");
        await second.stop();
      } finally {
        await second.stop();
      }

      // the older state is still whole: the lines written since it are read as new
      appendFileSync(fresh, `${assistantLine({ id: "state-4", ts: t, input: 4, output: 5, cacheRead: 6 })}\n`);
      const third = await start();
      let before: Totals;
      try {
        expect(third.logs()).toMatch(/resumed the state saved/);
        before = await allTotals(third);
        expectSame(before, await uncached());
      } finally {
        await third.stop();
      }

      // rewritten in place while it is down (same inode, other lines, larger): read again from the
      // top against the mark the state keeps; what was counted stays counted, as in a live daemon
      const size = statSync(fresh).size;
      const lines: string[] = [];
      for (let n = 0; lines.join("\n").length <= size; n++) lines.push(assistantLine({ id: `state-rewritten-${n}`, ts: t, input: 1, output: 1, cacheRead: 1 }));
      writeFileSync(fresh, `${lines.join("\n")}\n`);
      const rewritten = await start();
      try {
        expect(rewritten.logs()).toMatch(/resumed the state saved/);
        const now = await allTotals(rewritten);
        expect({ total: now.total, messages: now.messages }).toEqual({ total: before.total + 3 * lines.length, messages: before.messages + lines.length });
      } finally {
        await rewritten.stop();
      }

      // a damaged state is dropped with a note; the start goes through the scan cache
      const path = join(home, "claude-gauge", stateFile!);
      const bytes = readFileSync(path);
      bytes[bytes.length - 3]! ^= 0x01;
      writeFileSync(path, bytes);
      const fourth = await start();
      try {
        expect(fourth.logs()).toMatch(/the saved state does not hold up \(checksum\); starting through the scan cache/);
        expect(fourth.logs()).toMatch(/backfill: \d+ files/);
        expectSame(await allTotals(fourth), await uncached());
        rmSync(fresh);
      } finally {
        await fourth.stop();
      }
      // and saved again at its stop (a file deleted since: saved again at the next stop)
      expect(readdirSync(join(home, "claude-gauge"))).toContain(stateFile);
      const fifth = await start();
      try {
        expect(fifth.logs()).toMatch(/resumed the state saved/);
      } finally {
        await fifth.stop();
      }
      // a start that found nothing new does not write it again; one that did, does
      const written = statSync(path).mtimeMs;
      await (await start()).stop();
      expect(statSync(path).mtimeMs).toBe(written);
      appendFileSync(file, `${assistantLine({ id: "state-5", ts: t, input: 1, output: 1, cacheRead: 1 })}\n`);
      await (await start()).stop();
      expect(statSync(path).mtimeMs).toBeGreaterThan(written);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});

/** What of /usage does not move within minutes: the windows' sums, shares and resets, the newest model. */
async function windows(s: RunningServer): Promise<Record<string, unknown>> {
  const r = await fetch(`${s.url}/usage`);
  expect(r.status).toBe(200);
  const u = (await r.json()) as Record<string, unknown>;
  const keys = [
    "window_5h_tokens",
    "window_5h_pct",
    "window_5h_reset_at",
    "window_7d_tokens",
    "window_7d_pct",
    "window_7d_reset_at",
    "cost_5h_usd",
    "cost_7d_usd",
    "last_model",
  ];
  return Object.fromEntries(keys.map((k) => [k, u[k]]));
}

describe("the windows of a restart through the saved state", () => {
  it("go on from the state and show what a start that reads everything shows; fed the history again when what was read since is older, or the settings changed", async () => {
    const recent = mkdtempSync(join(tmpdir(), "cg-daemon-windows-"));
    const home = mkdtempSync(join(tmpdir(), "cg-daemon-windows-home-"));
    // a history up to an hour ago: the saved windows hold its last 5 h and week
    await generateCorpus({ outDir: recent, seed: 23, sizeMb: 2, days: 3, end: new Date(Date.now() - 3_600_000).toISOString() });
    const start = (args: string[] = [], env: Record<string, string> = {}) =>
      startServer(recent, ["--timezone", "UTC", ...args], { XDG_CACHE_HOME: home, ...env });
    const expectSameWindows = async (s: RunningServer, env: Record<string, string> = {}) => {
      const plain = await start(["--no-cache"], env);
      try {
        const expected = await windows(plain);
        expect(expected["window_7d_tokens"]).toBeGreaterThan(0);
        expect(await windows(s)).toEqual(expected);
      } finally {
        await plain.stop();
      }
    };
    try {
      await (await start()).stop();
      // while it is down: a message in a session it knows and a new session, written now
      const project = join(recent, "projects", readdirSync(join(recent, "projects"))[0]!);
      const file = join(project, readdirSync(project).find((n) => n.endsWith(".jsonl"))!);
      appendFileSync(file, `${assistantLine({ id: "windows-1", ts: new Date(), input: 7, output: 300, cacheRead: 9000 })}\n`);
      writeFileSync(
        join(project, "windows-new.jsonl"),
        `${assistantLine({ id: "windows-2", ts: new Date(), input: 5, output: 40, cacheRead: 100, model: "claude-opus-4-1" })}\n`,
      );
      const second = await start();
      try {
        expect(second.logs()).toMatch(/the windows went on from the saved state \(2 changes read since\)/);
        await expectSameWindows(second);
      } finally {
        await second.stop();
      }
      // a line dated before what the saved windows saw: only a replay in time order puts it in its block
      appendFileSync(file, `${assistantLine({ id: "windows-3", ts: new Date(Date.now() - 2 * 3_600_000), input: 3, output: 30, cacheRead: 300 })}\n`);
      const third = await start();
      try {
        expect(third.logs()).toMatch(/the saved windows are not taken back \(lines older than the saved windows\); feeding them the history/);
        expect(third.logs()).not.toMatch(/the windows went on/);
        await expectSameWindows(third);
      } finally {
        await third.stop();
      }
      // windows saved for the block mode, a start in rolling mode
      const rolling = { CLAUDE_GAUGE_5H_MODE: "rolling" };
      const fourth = await start([], rolling);
      try {
        expect(fourth.logs()).toMatch(/the saved windows are not taken back \(windows state: taken with other settings\); feeding them the history/);
        await expectSameWindows(fourth, rolling);
      } finally {
        await fourth.stop();
      }
    } finally {
      rmSync(recent, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("a file the restart took over from the cache unchanged", () => {
  it("is read again from the top when it is rewritten in place to a larger size (checked against the cache's mark)", async () => {
    // a start that resumes a saved state leaves the scan cache as it was: this one writes it
    dropState();
    await (await daemon()).stop();
    const projects = join(dir, "projects");
    const project = join(projects, readdirSync(projects).at(-1)!);
    const file = join(
      project,
      readdirSync(project)
        .filter((n) => n.endsWith(".jsonl"))
        .at(-1)!,
    );
    dropState();
    const s = await daemon();
    try {
      expect(s.logs()).toMatch(/backfill: (\d+) files, \1 from the scan cache/);
      const before = await allTotals(s);
      // the same file (same inode), other lines, longer than it was: none of them after its old end only
      const size = statSync(file).size;
      const lines: string[] = [];
      for (let n = 0; lines.join("\n").length <= size; n++) {
        lines.push(assistantLine({ id: `rewritten-${n}`, ts: new Date("2026-02-21T10:00:00.000Z"), input: 1, output: 2, cacheRead: 3 }));
      }
      writeFileSync(file, `${lines.join("\n")}\n`);
      const after = await waitFor(
        async () => {
          const now = await allTotals(s);
          return now.messages === before.messages + lines.length ? now : undefined;
        },
        10_000,
        "every line of the rewritten file",
      );
      expect(after.total).toBe(before.total + 6 * lines.length);
    } finally {
      await s.stop();
    }
  });
});

/** Flips a byte inside the first block of the first file the scan cache holds; that file's path. */
function damageFirstBlock(): string {
  const folder = join(cacheHome, "claude-gauge");
  const path = join(folder, readdirSync(folder).find((n) => n.startsWith("scan-") && n.endsWith(".bin"))!);
  const bytes = readFileSync(path);
  const indexAt = bytes.readDoubleLE(16);
  const index = JSON.parse(bytes.subarray(indexAt, indexAt + bytes.readDoubleLE(24)).toString("utf8")) as {
    files: { path: string; parts: { events: { at: number } }[] }[];
  };
  const file = index.files.find((f) => f.parts.length > 0)!;
  bytes[file.parts[0]!.events.at + 8]! ^= 0x40;
  writeFileSync(path, bytes);
  return file.path;
}

describe("a cached entry that does not hold when the restart reaches it", () => {
  it("leaves its file to the tail, which counts it once; the cache is written without it, so the next start reads it", async () => {
    dropState();
    await (await daemon()).stop();
    const damaged = damageFirstBlock();
    dropState();
    const s = await daemon();
    try {
      expect(s.logs()).toMatch(/backfill: .+ is read whole by the tail \(its scan cache entry does not hold \(a block's checksum\)\)/);
      // the daemon's log names files as its other lines do: project folders not unless asked
      expect(s.logs()).not.toContain(damaged);
      expectSame(await allTotals(s), await uncached());
    } finally {
      await s.stop();
    }
    dropState();
    const next = await daemon();
    try {
      expect(next.logs()).toMatch(/backfill: (\d+) files, \d+ from the scan cache, 0 read from where it stopped, 1 read whole/);
      expect(next.logs()).not.toMatch(/read whole by the tail/);
      expectSame(await allTotals(next), await uncached());
    } finally {
      await next.stop();
    }
  });
});

describe("the backfill's scan threads", () => {
  it("two when asked for (CLAUDE_GAUGE_SCAN_THREADS=2), from the built bundle; one below the threshold otherwise; the log says which", async () => {
    const big = mkdtempSync(join(tmpdir(), "cg-two-threads-"));
    try {
      // under PARALLEL_MIN_BYTES, and under FIRST_SCAN_MIN_BYTES (the daemon scans it itself)
      await generateCorpus({ outDir: big, seed: 23, sizeMb: 32, days: 5 });
      const backfill = async (env: Record<string, string>, cache: string) => {
        // a cache folder of its own: every file is read
        const s = await startServer(big, ["--timezone", "UTC"], { XDG_CACHE_HOME: join(big, cache), ...env });
        try {
          return await waitFor(() => /backfill: .*/.exec(s.logs())?.[0], 30_000, "the backfill's log line");
        } finally {
          await s.stop();
        }
      };
      expect(await backfill({ CLAUDE_GAUGE_SCAN_THREADS: "2" }, "cache-two")).toMatch(/; two scan threads \(the second scanned \d+ pieces\)$/);
      expect(await backfill({}, "cache-auto")).toMatch(/; one scan thread$/);
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("a first start on a long history", () => {
  it("scans in a process of its own, then counts from the cache it wrote what a start without the cache counts", async () => {
    const big = mkdtempSync(join(tmpdir(), "cg-first-scan-"));
    try {
      // past the 64 MiB from which the first scan runs elsewhere (FIRST_SCAN_MIN_BYTES)
      await generateCorpus({ outDir: big, seed: 29, sizeMb: 72, days: 5 });
      const start = (args: string[]) => startServer(big, ["--timezone", "UTC", ...args], { XDG_CACHE_HOME: join(big, "cache") });
      const first = await start([]);
      let counted: Totals;
      try {
        expect(first.logs()).toMatch(
          /backfill: scanned by a process of its own, then (\d+) files, \1 from the scan cache, 0 read from where it stopped, 0 read whole/,
        );
        counted = await allTotals(first);
        // the log, the first scan's process's lines included, names no project folder unless asked
        for (const project of readdirSync(join(big, "projects"))) expect(first.logs()).not.toContain(project);
      } finally {
        await first.stop();
      }
      const plain = await start(["--no-cache"]);
      try {
        expectSame(counted, await allTotals(plain));
      } finally {
        await plain.stop();
      }
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  }, 180_000);
});
