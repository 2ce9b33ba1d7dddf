import {
  appendFileSync,
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { costOf, MessageLedger, type DecodedLine } from "@claude-gauge/core";
import { TranscriptTail } from "./tail.js";
import type { BadLine } from "./load.js";
import { loadTranscripts } from "./load.js";
import { findTranscriptRoots } from "./roots.js";

function usageLine(id: string | null, output: number, ts = "2026-11-20T10:00:00.000Z"): string {
  return JSON.stringify({
    type: "assistant",
    timestamp: ts,
    sessionId: "s1",
    ...(id === null ? {} : { requestId: `r-${id}` }),
    message: {
      ...(id === null ? {} : { id }),
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: "x" }],
      usage: { input_tokens: 1, output_tokens: output },
    },
  });
}

async function until(cond: () => boolean, ms = 5000, what = "the tail"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const asRoot = process.getuid?.() === 0;

/** every folder listing the tail makes (to prove an event does not re-list the tree) */
const listed = vi.hoisted(() => [] as string[]);
/** every path a read of a file starts with (its stat) */
const statted = vi.hoisted(() => [] as string[]);
vi.mock("node:fs/promises", async (importOriginal) => {
  const fsp = await importOriginal<typeof import("node:fs/promises")>();
  const readdir = ((path: string, opts: never) => {
    listed.push(String(path));
    return fsp.readdir(path, opts);
  }) as typeof fsp.readdir;
  const stat = ((path: string, opts: never) => {
    statted.push(String(path));
    return fsp.stat(path, opts);
  }) as typeof fsp.stat;
  return { ...fsp, readdir, stat, default: { ...fsp, readdir, stat } };
});

/**
 * While set, a folder watch never reports (as when the OS drops its events): the tail's watch is
 * a real one, on an empty folder of its own. Only the safety rescan can then see a change.
 */
const deaf = vi.hoisted(() => ({ on: false, dir: "" }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const watch = ((path: string, ...rest: never[]) => fs.watch(deaf.on ? deaf.dir : path, ...rest)) as typeof fs.watch;
  return { ...fs, watch, default: { ...fs, watch } };
});

let tail: TranscriptTail | null = null;
afterEach(() => tail?.close());

function follow(roots: () => readonly string[], checkMs = 60_000) {
  const seen: { d: DecodedLine; initial: boolean }[] = [];
  const bad: BadLine[] = [];
  const log: string[] = [];
  tail = new TranscriptTail(
    roots,
    {
      line: (d, initial) => seen.push({ d, initial }),
      badLine: (b) => bad.push(b),
      problem: (p) => log.push(`problem ${p.path}: ${p.error}`),
      recovered: (path) => log.push(`recovered ${path}`),
    },
    { rescanMs: 60_000, checkMs },
  );
  const outputs = () => seen.flatMap(({ d }) => (d.kind === "usage" ? [d.event.output] : []));
  /** the windows' view: every usage line through a ledger (one count per message) */
  const ledgerOutput = () => {
    const l = new MessageLedger(costOf);
    for (const { d } of seen) if (d.kind === "usage") l.add(d.event);
    return [...l.entries()].reduce((n, e) => n + e.event.output, 0);
  };
  return { seen, bad, log, outputs, ledgerOutput, tail: tail };
}

function setup(checkMs?: number) {
  const root = join(mkdtempSync(join(tmpdir(), "cg-tail-")), "projects");
  const proj = join(root, "-home-u-p");
  mkdirSync(proj, { recursive: true });
  return { root, proj, ...follow(() => [root], checkMs) };
}

/** Total output tokens a one-shot report (the cold scan) counts for the same tree. */
async function coldOutput(root: string): Promise<number> {
  const r = await loadTranscripts([root], { now: Date.now() });
  return [...r.ledger.entries()].reduce((n, e) => n + e.event.output, 0);
}

describe("TranscriptTail", () => {
  it("scans existing lines, then follows appends, holding a half-written line until its newline", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    writeFileSync(f, `${usageLine("a", 5)}\n`);
    await t.tail.start();
    expect(t.seen.filter((s) => s.d.kind === "usage").map((s) => s.initial)).toEqual([true]);
    const line = usageLine("b", 7);
    appendFileSync(f, line.slice(0, 30));
    await t.tail.rescan(); // every file read up to now
    expect(t.outputs()).toEqual([5]);
    appendFileSync(f, `${line.slice(30)}\n`);
    await until(() => t.outputs().length === 2);
    expect(t.outputs()).toEqual([5, 7]);
    expect(t.seen.filter((s) => s.d.kind === "usage")[1]?.initial).toBe(false);
  });

  it("a file cut mid-line is not read again by the safety rescan until it changes", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    const line = usageLine("b", 7);
    writeFileSync(f, `${usageLine("a", 5)}\n${line.slice(0, 30)}`);
    await t.tail.start();
    expect(t.outputs()).toEqual([5]);
    statted.length = 0;
    await t.tail.rescan();
    await t.tail.rescan();
    expect(statted.filter((p) => p === f)).toEqual([]);
    // it changes: read again, the line now whole
    appendFileSync(f, `${line.slice(30)}\n`);
    await until(() => t.outputs().length === 2);
    expect(t.outputs()).toEqual([5, 7]);
  });

  it("finds a new subagent folder and file", async () => {
    const t = setup();
    await t.tail.start();
    const sub = join(t.proj, "s1", "subagents");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "agent-1.jsonl"), `${usageLine("c", 9)}\n`);
    await until(() => t.outputs().includes(9));
  });

  it("re-reads a truncated file from the top and reports garbage with file:line", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    writeFileSync(f, `${usageLine("a", 5)}\n${usageLine("b", 6)}\n`);
    await t.tail.start();
    truncateSync(f, 0);
    appendFileSync(f, `{"usage":{ broken\n${usageLine("z", 11)}\n`);
    await until(() => t.outputs().includes(11));
    expect(t.bad).toEqual([{ path: f, line: 1, error: expect.stringContaining("malformed JSON") }]);
  });

  it("notices a file rewritten in place to a larger size between two reads", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    writeFileSync(f, `${usageLine("a", 5)}\n`);
    await t.tail.start();
    t.tail.close(); // no watch events: the rewrite is only seen by the next rescan
    writeFileSync(f, `${usageLine("x", 21)}\n${usageLine("y", 22)}\n`);
    await t.tail.rescan();
    expect(t.outputs()).toEqual([5, 21, 22]);
    expect(t.bad).toEqual([]);
  });

  it("a rescan passes over unchanged files in slices and still reads the one that grew behind them", async () => {
    const t = setup();
    const files = Array.from({ length: 300 }, (_, i) => join(t.proj, `s${i}.jsonl`));
    for (const [i, f] of files.entries()) writeFileSync(f, `${usageLine(`m${i}`, 1)}\n`);
    await t.tail.start();
    t.tail.close(); // no watch events: only the rescan sees the append
    appendFileSync(files[290]!, `${usageLine("late", 7)}\n`);
    await t.tail.rescan();
    expect(t.outputs().filter((n) => n === 1)).toHaveLength(300);
    expect(t.outputs().at(-1)).toBe(7);
  });

  it("a rescan looks at files quiet for an hour in turns: each one within ten rescans, a slice each time", async () => {
    const t = setup();
    const files = Array.from({ length: 20 }, (_, i) => join(t.proj, `s${i}.jsonl`));
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    for (const [i, f] of files.entries()) {
      writeFileSync(f, `${usageLine(`m${i}`, 1)}\n`);
      utimesSync(f, hourAgo, hourAgo);
    }
    await t.tail.start();
    t.tail.close(); // no watch events: only rescans see the appends
    for (const [i, f] of files.entries()) appendFileSync(f, `${usageLine(`late${i}`, 100 + i)}\n`);
    const late = () => t.outputs().filter((n) => n >= 100).length;
    await t.tail.rescan();
    expect(late()).toBe(2);
    for (let i = 1; i < 10; i++) await t.tail.rescan();
    expect(late()).toBe(20);
  });

  it("notices a rewrite in place that keeps the size (only the mtime moves)", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    const first = usageLine("a", 5);
    writeFileSync(f, `${first}\n${usageLine("b", 6)}\n`);
    utimesSync(f, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000)); // written an hour ago
    await t.tail.start();
    expect(t.outputs()).toEqual([5, 6]);
    // the first line's count changes; the 64 bytes before the read offset stay as they were
    const fd = openSync(f, "r+");
    writeSync(fd, usageLine("a", 7), 0);
    closeSync(fd);
    await until(() => t.outputs().includes(7), 5000, "the rewritten line");
    expect(t.ledgerOutput()).toBe(13);
    expect(await coldOutput(t.root)).toBe(13);
  });

  it("keeps following other files when one is deleted", async () => {
    const t = setup();
    const a = join(t.proj, "a.jsonl");
    const b = join(t.proj, "b.jsonl");
    writeFileSync(a, `${usageLine("a", 1)}\n`);
    writeFileSync(b, `${usageLine("b", 2)}\n`);
    await t.tail.start();
    rmSync(a);
    appendFileSync(b, `${usageLine("c", 3)}\n`);
    await until(() => t.outputs().includes(3));
    await t.tail.rescan();
    expect(t.tail.stats.files).toBe(1);
  });
});

describe("a last line without a newline", () => {
  it("counts at the cold scan when it is a whole JSON object, as the report does", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    writeFileSync(f, `${usageLine("a", 5)}\n${usageLine("b", 6)}`);
    await t.tail.start();
    expect(t.outputs()).toEqual([5, 6]);
    expect(await coldOutput(t.root)).toBe(11);
  });

  it("counts live once, and its later newline or trailing blanks change nothing (id-less lines too)", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    writeFileSync(f, "");
    await t.tail.start();
    // an id-less line: the ledger cannot dedupe it, so the tail must not emit it twice
    appendFileSync(f, usageLine(null, 8));
    await until(() => t.outputs().length === 1, 5000, "the unterminated line");
    appendFileSync(f, " \r");
    appendFileSync(f, "\n");
    appendFileSync(f, `${usageLine(null, 9)}\n`); // the marker: read after the newline above
    await until(() => t.outputs().length === 2, 5000, "the marker");
    expect(t.outputs()).toEqual([8, 9]);
    expect(t.ledgerOutput()).toBe(17);
    expect(await coldOutput(t.root)).toBe(17);
  });

  it("holds a half-written line, and counts it once when the rest arrives without a newline", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    const line = usageLine("h", 4);
    writeFileSync(f, line.slice(0, line.length - 1)); // all but the closing brace
    await t.tail.start();
    await t.tail.rescan();
    expect(t.outputs()).toEqual([]);
    expect(t.bad).toEqual([]);
    appendFileSync(f, "}");
    await until(() => t.outputs().length === 1);
    appendFileSync(f, `\n${usageLine("m", 1)}\n`);
    await until(() => t.outputs().includes(1), 5000, "the marker");
    expect(t.outputs()).toEqual([4, 1]);
  });

  it("reads a counted line again when bytes other than blanks are appended to it", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    writeFileSync(f, usageLine("a", 5));
    await t.tail.start();
    expect(t.outputs()).toEqual([5]);
    appendFileSync(f, "garbage\n");
    await until(() => t.bad.length === 1, 5000, "the bad line");
    expect(t.bad[0]).toMatchObject({ path: f, line: 1 });
    expect(t.outputs()).toEqual([5]); // counted once: the earlier count stands (the message is not retracted)
  });
});

describe("roots that appear, vanish and come back", () => {
  it("follows a config dir and its projects/ folder that appear after the start", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "cg-roots-")), "claude");
    const t = follow(() => findTranscriptRoots({ CLAUDE_CONFIG_DIR: config }).roots, 20);
    await t.tail.start();
    expect(t.tail.roots).toEqual([]);
    mkdirSync(config);
    await t.tail.check();
    const proj = join(config, "projects", "-home-u-p");
    mkdirSync(proj, { recursive: true });
    writeFileSync(join(proj, "s1.jsonl"), `${usageLine("a", 5)}\n`);
    await until(() => t.outputs().includes(5), 5000, "the first transcript");
    expect(t.seen[0]?.initial).toBe(false); // written after the start: live usage
    expect(t.tail.roots).toEqual([join(config, "projects")]);

    rmSync(join(config, "projects"), { recursive: true });
    await until(() => t.tail.roots.length === 0, 5000, "the root to go");
    expect(t.tail.stats.files).toBe(0);
    mkdirSync(proj, { recursive: true });
    writeFileSync(join(proj, "s2.jsonl"), `${usageLine("b", 6)}\n`);
    await until(() => t.outputs().includes(6), 5000, "the root to come back");
    expect(t.tail.problems.size).toBe(0);
  });

  it("notices a root deleted and made again between two checks", async () => {
    const t = setup();
    await t.tail.start();
    rmSync(t.root, { recursive: true });
    mkdirSync(t.proj, { recursive: true });
    await t.tail.check();
    writeFileSync(join(t.proj, "s1.jsonl"), `${usageLine("a", 5)}\n`);
    await until(() => t.outputs().includes(5), 5000, "a file in the new folder");
  });
});

describe("problems are states that clear", () => {
  it("a dangling link is wrong until its target appears", async () => {
    const t = setup();
    const target = join(t.root, "..", "elsewhere.jsonl");
    symlinkSync(target, join(t.proj, "linked.jsonl"));
    await t.tail.start();
    expect([...t.tail.problems.keys()]).toEqual([join(t.proj, "linked.jsonl")]);
    writeFileSync(target, `${usageLine("l", 3)}\n`);
    await t.tail.check(); // no event in the link's folder: the slow check retries it
    expect(t.tail.problems.size).toBe(0);
    await until(() => t.outputs().includes(3));
    expect(t.log).toEqual([`problem ${join(t.proj, "linked.jsonl")}: ENOENT: no such file or directory`, `recovered ${join(t.proj, "linked.jsonl")}`]);
  });

  it("a dangling link is wrong until it is removed", async () => {
    const t = setup();
    const link = join(t.proj, "linked.jsonl");
    symlinkSync(join(t.root, "nowhere"), link);
    await t.tail.start();
    expect(t.tail.problems.size).toBe(1);
    rmSync(link);
    await until(() => t.tail.problems.size === 0, 5000, "the problem to clear");
  });

  it("a FIFO named like a transcript is wrong (never opened) until a file takes its place", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    execFileSync("mkfifo", [f]);
    await t.tail.start();
    expect([...t.tail.problems.values()]).toEqual(["not a regular file"]);
    rmSync(f);
    writeFileSync(f, `${usageLine("f", 2)}\n`);
    await until(() => t.outputs().includes(2), 5000, "the file");
    expect(t.tail.problems.size).toBe(0);
  });

  it("a followed file replaced by a folder is walked as a folder", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    writeFileSync(f, `${usageLine("a", 5)}\n`);
    await t.tail.start();
    rmSync(f);
    mkdirSync(f);
    writeFileSync(join(f, "inner.jsonl"), `${usageLine("i", 6)}\n`);
    await until(() => t.outputs().includes(6), 5000, "the file inside");
    await t.tail.rescan();
    expect(t.tail.stats.files).toBe(1);
    expect(t.tail.problems.size).toBe(0);
  });

  it("a folder deleted while the tail walks it is gone, not wrong", async () => {
    const root = join(mkdtempSync(join(tmpdir(), "cg-tail-")), "projects");
    for (let i = 0; i < 300; i++) {
      mkdirSync(join(root, `-p${i}`, `s${i}`, "subagents"), { recursive: true });
      writeFileSync(join(root, `-p${i}`, `s${i}.jsonl`), `${usageLine(`a${i}`, 1)}\n`);
      writeFileSync(join(root, `-p${i}`, `s${i}`, "subagents", "agent-1.jsonl"), `${usageLine(`b${i}`, 1)}\n`);
    }
    const t = follow(() => [root]);
    const started = t.tail.start();
    for (let i = 0; i < 300; i++) rmSync(join(root, `-p${i}`), { recursive: true });
    await started;
    expect(t.tail.problems.size).toBe(0);
    await t.tail.rescan();
    expect(t.tail.problems.size).toBe(0);
    expect(t.tail.stats.files).toBe(0);
  });

  it.skipIf(asRoot)("an unreadable file and folder are wrong until their permissions are fixed (not as root: root reads anyway)", async () => {
    const t = setup(20);
    const f = join(t.proj, "s1.jsonl");
    const other = join(t.root, "-home-u-q");
    mkdirSync(other);
    writeFileSync(join(other, "s2.jsonl"), `${usageLine("q", 4)}\n`);
    writeFileSync(f, `${usageLine("a", 5)}\n`);
    chmodSync(f, 0);
    chmodSync(other, 0);
    await t.tail.start();
    expect([...t.tail.problems.keys()].sort()).toEqual([other, f].sort());
    chmodSync(f, 0o644);
    chmodSync(other, 0o755);
    await until(() => t.tail.problems.size === 0, 5000, "the problems to clear");
    await until(() => t.outputs().includes(4) && t.outputs().includes(5));
  });
});

describe("the watcher stays O(changes)", () => {
  it("a new file or folder is picked up without listing the other folders again", async () => {
    const t = setup();
    for (let i = 0; i < 50; i++) {
      mkdirSync(join(t.root, `-p${i}`));
      writeFileSync(join(t.root, `-p${i}`, "s.jsonl"), `${usageLine(`a${i}`, 1)}\n`);
    }
    await t.tail.start();
    expect(t.tail.watchedDirs).toBe(52);
    expect(listed.length).toBeGreaterThanOrEqual(52);
    listed.length = 0;
    writeFileSync(join(t.proj, "new.jsonl"), `${usageLine("n", 7)}\n`);
    await until(() => t.outputs().includes(7));
    expect(listed).toEqual([]);
    mkdirSync(join(t.proj, "s1", "subagents"), { recursive: true });
    writeFileSync(join(t.proj, "s1", "subagents", "agent-1.jsonl"), `${usageLine("g", 8)}\n`);
    await until(() => t.outputs().includes(8));
    expect(listed).toEqual([join(t.proj, "s1"), join(t.proj, "s1", "subagents")]);
    listed.length = 0;
    renameSync(join(t.root, "-p0"), join(t.root, "-p0-moved"));
    await until(() => listed.length === 1 && t.tail.stats.files === 52, 3000, "the moved folder");
    expect(listed).toEqual([join(t.root, "-p0-moved")]);
    expect(t.tail.watchedDirs).toBe(54);
  });

  it("the safety rescan lists only folders changed since their listing, and finds what no event told of", async () => {
    const t = setup();
    for (let i = 0; i < 20; i++) {
      mkdirSync(join(t.root, `-p${i}`, "s", "subagents"), { recursive: true });
      writeFileSync(join(t.root, `-p${i}`, "s.jsonl"), `${usageLine(`a${i}`, 1)}\n`);
    }
    // older than a clock tick of the file system when listed (see SETTLED_MS)
    await new Promise((r) => setTimeout(r, 2_100));
    deaf.dir = mkdtempSync(join(tmpdir(), "cg-deaf-"));
    deaf.on = true;
    try {
      await t.tail.start();
      expect(t.outputs()).toHaveLength(20);
      listed.length = 0;
      await t.tail.rescan();
      expect(listed).toEqual([]);
      // no event comes for these: only the rescan sees them
      writeFileSync(join(t.root, "-p3", "new.jsonl"), `${usageLine("n", 7)}\n`);
      writeFileSync(join(t.root, "-p5", "s", "subagents", "agent-1.jsonl"), `${usageLine("g", 8)}\n`);
      rmSync(join(t.root, "-p9", "s.jsonl"));
      await t.tail.rescan();
      expect(t.outputs().slice(20)).toEqual([7, 8]);
      expect(t.tail.stats.files).toBe(21);
      expect(listed.sort()).toEqual([join(t.root, "-p3"), join(t.root, "-p5", "s", "subagents"), join(t.root, "-p9")]);
    } finally {
      deaf.on = false;
    }
  });
  it("the safety rescan looks at folders quiet for an hour in turns: a new file in each is found within ten rescans", async () => {
    const t = setup();
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    const folders = Array.from({ length: 10 }, (_, i) => join(t.root, `-q${i}`));
    for (const [i, dir] of folders.entries()) {
      mkdirSync(dir);
      writeFileSync(join(dir, "s.jsonl"), `${usageLine(`a${i}`, 1)}\n`);
      utimesSync(join(dir, "s.jsonl"), twoHoursAgo, twoHoursAgo);
      utimesSync(dir, twoHoursAgo, twoHoursAgo);
    }
    rmSync(t.proj, { recursive: true });
    deaf.dir = mkdtempSync(join(tmpdir(), "cg-deaf-"));
    deaf.on = true;
    try {
      await t.tail.start();
      expect(t.outputs()).toHaveLength(10);
      // no event comes for these: only the rescan sees them
      for (const [i, dir] of folders.entries()) writeFileSync(join(dir, "new.jsonl"), `${usageLine(`n${i}`, 100 + i)}\n`);
      await t.tail.rescan();
      expect(t.outputs().slice(10)).toHaveLength(1);
      for (let i = 1; i < 10; i++) await t.tail.rescan();
      expect(t.outputs().slice(10).sort()).toEqual(folders.map((_, i) => 100 + i));
      expect(t.tail.stats.files).toBe(20);
    } finally {
      deaf.on = false;
    }
  });
});
