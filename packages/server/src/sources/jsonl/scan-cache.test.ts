import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { costOf, type CostFn, type LedgerMode } from "@claude-gauge/core";
import { loadTranscripts, type LoadResult } from "./load.js";
import { partColumns, partRows, ScanCache } from "./scan-cache.js";
import { listTranscriptFiles } from "./files.js";

interface Line {
  id: string;
  req?: string | null;
  ts?: string;
  output?: number;
  input?: number;
  sidechain?: boolean;
  session?: string;
  model?: string;
}

function line(l: Line): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: l.sidechain ?? false,
    type: "assistant",
    sessionId: l.session ?? "s1",
    version: "2.1.9",
    message: {
      model: l.model ?? "claude-sonnet-4-5-20250929",
      id: `msg_${l.id}`,
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: `reply ${l.id}` }],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: l.input ?? 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: l.output ?? 50 },
    },
    ...(l.req === null ? {} : { requestId: l.req ?? `req_${l.id}` }),
    timestamp: l.ts ?? "2026-01-10T10:00:00.000Z",
  });
}

const LIMIT = JSON.stringify({
  type: "assistant",
  isApiErrorMessage: true,
  timestamp: "2026-01-10T11:00:00.000Z",
  message: {
    id: "msg_limit",
    model: "<synthetic>",
    content: [{ type: "text", text: "Claude AI usage limit reached|1768046400" }],
    usage: { input_tokens: 0, output_tokens: 0 },
  },
});
/** a usage line cut short: a bad line */
const BROKEN = '{"type":"assistant","message":{"usage":{"input_tokens":';
const USER = JSON.stringify({ type: "user", message: { role: "user", content: "hello" }, timestamp: "2026-01-10T10:00:00.000Z" });

let dir = "";
let cacheDir = "";
let projects = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-cache-"));
  cacheDir = join(dir, "cache");
  projects = join(dir, "projects");
  mkdirSync(join(projects, "-home-u-app", "s1", "subagents"), { recursive: true });
  mkdirSync(join(projects, "-home-u-lib"), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = (rel: string) => join(projects, rel);
const write = (rel: string, lines: string[], end = "\n") => writeFileSync(file(rel), lines.join("\n") + (lines.length > 0 ? end : ""));

/** A tree with multi-line messages, a resumed copy, a limit notice, a bad line and a user line. */
function seed(): void {
  write("-home-u-app/s1.jsonl", [
    line({ id: "a", output: 5 }),
    line({ id: "a", output: 40, ts: "2026-01-10T10:00:01.000Z" }),
    USER,
    line({ id: "b", ts: "2026-01-10T10:05:00.000Z" }),
    BROKEN,
    LIMIT,
    line({ id: "c", req: null, ts: "2026-01-10T10:06:00.000Z" }),
  ]);
  write("-home-u-app/s1/subagents/agent-1.jsonl", [line({ id: "d", sidechain: true, ts: "2026-01-10T10:07:00.000Z", model: "claude-haiku-4-5-20251001" })]);
  write("-home-u-lib/s2.jsonl", [line({ id: "a", output: 40, session: "s2" }), line({ id: "e", session: "s2", ts: "2026-01-11T09:00:00.000Z" })]);
}

interface Seen {
  entries: unknown[];
  limits: unknown[];
  badLines: unknown[];
  badLineCount: number;
}

function seen(r: LoadResult): Seen {
  return { entries: [...r.ledger.entries()], limits: r.limits, badLines: r.badLines, badLineCount: r.badLineCount };
}

async function load(
  mode: LedgerMode,
  cache: boolean,
  extra: { fingerprint?: string; cost?: { fn: CostFn; key?: string }; notes?: string[]; idsUnread?: boolean } = {},
) {
  return loadTranscripts([projects], {
    now: Date.parse("2026-02-01T00:00:00Z"),
    mode,
    ...(extra.idsUnread ? { idsUnread: true } : {}),
    ...(extra.cost ? { cost: extra.cost } : {}),
    ...(extra.notes ? { progress: (m: string) => extra.notes!.push(m) } : {}),
    ...(cache ? { cache: { dir: cacheDir, ...(extra.fingerprint ? { fingerprint: extra.fingerprint } : {}) } } : {}),
  });
}

/** Loads with the cache and without it, in both modes, and expects the same; returns the cached load's counts. */
async function same(extra: Parameters<typeof load>[2] = {}) {
  const out: Record<LedgerMode, LoadResult["scan"]> = {} as never;
  for (const mode of ["daily", "session"] as const) {
    const cached = await load(mode, true, extra);
    expect(seen(cached)).toEqual(seen(await load(mode, false, extra)));
    out[mode] = cached.scan;
  }
  return out;
}

const cacheFiles = () => readdirSync(cacheDir).filter((n) => n.endsWith(".bin"));

describe("scan cache: every change gives what a scan without the cache gives", () => {
  it("cold, then warm: the second load reads no file and reuses the saved ledger", async () => {
    seed();
    const cold = await same();
    expect(cold.daily).toMatchObject({ files: 3, read: 3, cached: 0 });
    const warm = await same();
    expect(warm.daily).toMatchObject({ files: 3, cached: 3, read: 0, appended: 0, savedLedger: true });
    expect(warm.session).toMatchObject({ cached: 3, savedLedger: true });
    const seenOnce = seen(await load("daily", false));
    expect(seenOnce.entries.length).toBeGreaterThan(3); // not vacuous
    expect(seenOnce.badLineCount).toBe(1);
    expect(seenOnce.limits).toHaveLength(1);
  });

  it("a caller that reads no ids gets the saved ledger without them, and the ids stay saved for the next update", async () => {
    seed();
    await same();
    const noIds = (e: unknown) => ({ ...(e as { event: object }), event: { ...(e as { event: object }).event, messageId: null, requestId: null } });
    const lean = async (mode: LedgerMode) => {
      const r = await load(mode, true, { idsUnread: true });
      const whole = seen(await load(mode, false));
      const got = seen(r);
      // rows read back come without ids; rows folded in this run may keep theirs
      expect(got.entries.some((e) => (e as { event: { messageId: unknown } }).event.messageId === null)).toBe(true);
      expect({ ...got, entries: got.entries.map(noIds) }).toEqual({ ...whole, entries: whole.entries.map(noIds) });
      return r.scan;
    };
    for (const mode of ["daily", "session"] as const) expect(await lean(mode)).toMatchObject({ savedLedger: true });
    // a later line of a message counted before, and a new one: the update folds them with the saved ids
    appendFileSync(
      file("-home-u-app/s1.jsonl"),
      `${line({ id: "b", output: 95, ts: "2026-01-10T10:05:03.000Z" })}\n${line({ id: "g", ts: "2026-01-12T11:00:00.000Z" })}\n`,
    );
    expect(await lean("daily")).toMatchObject({ appended: 1, updatedLedger: true });
    expect(await lean("session")).toMatchObject({ savedLedger: true });
    // and the ids saved are whole
    expect((await same()).daily).toMatchObject({ savedLedger: true });
  });

  it("an append is read from where the last scan stopped, bad line numbers included", async () => {
    seed();
    await same();
    appendFileSync(
      file("-home-u-app/s1.jsonl"),
      `${line({ id: "f", ts: "2026-01-12T10:00:00.000Z" })}\n${BROKEN}\n${line({ id: "b", output: 90, ts: "2026-01-10T10:05:02.000Z" })}\n`,
    );
    const r = await same();
    expect(r.daily).toMatchObject({ appended: 1, cached: 2, read: 0 });
    const withCache = await load("daily", true);
    expect(withCache.badLines.map((b) => b.line)).toEqual([5, 9]);
  });

  it("after an append the saved ledger is updated with the new lines' messages, and the next run on unchanged files reuses it", async () => {
    seed();
    expect((await load("daily", true)).scan.savedLedger).toBe(false);
    expect((await load("daily", true)).scan.savedLedger).toBe(true);
    // a new message, and a later line of one already counted in this file
    appendFileSync(
      file("-home-u-app/s1.jsonl"),
      `${line({ id: "g", ts: "2026-01-12T11:00:00.000Z" })}\n${line({ id: "b", output: 70, ts: "2026-01-10T10:05:03.000Z" })}\n`,
    );
    const grown = await load("daily", true);
    expect(grown.scan).toMatchObject({ appended: 1, savedLedger: false, updatedLedger: true });
    expect(seen(grown)).toEqual(seen(await load("daily", false)));
    const again = await load("daily", true);
    expect(again.scan).toMatchObject({ appended: 0, read: 0, savedLedger: true });
    expect(seen(again)).toEqual(seen(grown));
  });

  it("an appended line of a message another file holds folds every line again (and saves a ledger the next append can update)", async () => {
    seed();
    await load("session", true);
    // msg_a is in s1.jsonl and s2.jsonl: a larger copy appended to s2 changes s1's row
    appendFileSync(file("-home-u-lib/s2.jsonl"), `${line({ id: "a", output: 400, session: "s2" })}\n`);
    const grown = await load("session", true);
    expect(grown.scan).toMatchObject({ appended: 1, updatedLedger: false });
    expect(seen(grown)).toEqual(seen(await load("session", false)));
    appendFileSync(file("-home-u-lib/s2.jsonl"), `${line({ id: "q", session: "s2", ts: "2026-01-11T09:30:00.000Z" })}\n`);
    const next = await load("session", true);
    expect(next.scan).toMatchObject({ appended: 1, updatedLedger: true });
    expect(seen(next)).toEqual(seen(await load("session", false)));
  });

  it("a last line without its newline is counted, then read again once the rest of it is appended", async () => {
    seed();
    const half = line({ id: "g", output: 7, ts: "2026-01-13T10:00:00.000Z" });
    appendFileSync(file("-home-u-lib/s2.jsonl"), half);
    await same();
    appendFileSync(file("-home-u-lib/s2.jsonl"), `\n${line({ id: "g", output: 70, ts: "2026-01-13T10:00:01.000Z" })}\n`);
    expect((await same()).daily).toMatchObject({ appended: 1 });
    // and a line cut in the middle, completed later
    const whole = line({ id: "h", ts: "2026-01-14T10:00:00.000Z" });
    appendFileSync(file("-home-u-lib/s2.jsonl"), whole.slice(0, 40));
    await same();
    appendFileSync(file("-home-u-lib/s2.jsonl"), `${whole.slice(40)}\n`);
    expect((await same()).daily).toMatchObject({ appended: 1 });
  });

  it("a truncated file is read whole", async () => {
    seed();
    await same();
    truncateSync(file("-home-u-app/s1.jsonl"), line({ id: "a", output: 5 }).length + 1);
    expect((await same()).daily).toMatchObject({ read: 1, cached: 2 });
  });

  it("a rewrite at the same size is read whole, even with its old mtime put back", async () => {
    seed();
    await same();
    const p = file("-home-u-lib/s2.jsonl");
    const before = statSync(p);
    const text = readFileSync(p, "utf8").replace('"output_tokens":50', '"output_tokens":59');
    expect(text.length).toBe(before.size);
    writeFileSync(p, text);
    utimesSync(p, before.atime, before.mtime);
    expect((await same()).daily).toMatchObject({ read: 1 });
  });

  it("a file rewritten in place and grown (its old bytes changed) is read whole, not as an append", async () => {
    seed();
    await same();
    const p = file("-home-u-lib/s2.jsonl");
    writeFileSync(p, `${readFileSync(p, "utf8").replace('"output_tokens":40', '"output_tokens":41')}${line({ id: "z", session: "s2" })}\n`);
    expect((await same()).daily).toMatchObject({ read: 1, appended: 0 });
  });

  it("a renamed file and a deleted file", async () => {
    seed();
    await same();
    renameSync(file("-home-u-lib/s2.jsonl"), file("-home-u-lib/s3.jsonl"));
    expect((await same()).daily).toMatchObject({ files: 3, read: 1, cached: 2 });
    rmSync(file("-home-u-app/s1/subagents/agent-1.jsonl"));
    expect((await same()).daily).toMatchObject({ files: 2, cached: 2, read: 0, savedLedger: false });
  });

  it("a new file that changes which line of a message is kept (a main copy of a sidechain message)", async () => {
    seed();
    await same();
    // d was kept from its sidechain copy; the main conversation's copy wins wherever it sorts
    write("-home-u-app/s0.jsonl", [line({ id: "d", ts: "2026-01-10T10:07:00.000Z", output: 3, model: "claude-haiku-4-5-20251001" })]);
    expect((await same()).daily).toMatchObject({ read: 1, cached: 3, updatedLedger: false });
    const d = [...(await load("session", true)).ledger.entries()].find((e) => e.event.messageId === "msg_d");
    expect(d?.event.isSidechain).toBe(false);
  });

  it("a new session's file whose messages no other file holds is folded on its own into the saved ledger, in its place", async () => {
    seed();
    await load("daily", true);
    write("-home-u-app/s0.jsonl", [
      line({ id: "n1", session: "s0", output: 7 }),
      line({ id: "n1", session: "s0", output: 70 }),
      line({ id: "n2", session: "s0" }),
    ]);
    mkdirSync(file("-home-u-zzz"));
    write("-home-u-zzz/s9.jsonl", [line({ id: "n3", session: "s9", ts: "2026-01-13T10:00:00.000Z" })]);
    const r = await load("daily", true);
    expect(r.scan).toMatchObject({ read: 2, cached: 3, updatedLedger: true });
    expect(seen(r)).toEqual(seen(await load("daily", false)));
    // the next run on the same files reads the updated ledger as saved
    expect((await load("daily", true)).scan).toMatchObject({ read: 0, savedLedger: true });
  });

  it("a file gone whose messages no other file holds takes its rows out of the saved ledger; one sharing a message folds every line again", async () => {
    seed();
    await load("daily", true);
    rmSync(file("-home-u-app/s1/subagents/agent-1.jsonl"));
    const r = await load("daily", true);
    expect(r.scan).toMatchObject({ files: 2, cached: 2, updatedLedger: true });
    expect(seen(r)).toEqual(seen(await load("daily", false)));
    // s2 holds a line of message a, which s1 holds too
    rmSync(file("-home-u-lib/s2.jsonl"));
    const shared = await load("daily", true);
    expect(shared.scan).toMatchObject({ files: 1, updatedLedger: false });
    expect(seen(shared)).toEqual(seen(await load("daily", false)));
  });

  it("other prices: the saved ledger is not reused for them", async () => {
    seed();
    await same();
    const flat: CostFn = (_m, c) => c.input + c.output;
    const r = await same({ cost: { fn: flat, key: "flat" } });
    expect(r.daily).toMatchObject({ cached: 3, savedLedger: false });
    expect((await same({ cost: { fn: flat, key: "flat" } })).daily).toMatchObject({ savedLedger: true });
    // unnamed prices: never saved, never reused
    expect((await same({ cost: { fn: (m, c, s) => 2 * costOf(m, c, s) } })).daily).toMatchObject({ savedLedger: false });
    expect((await same({ cost: { fn: (m, c, s) => 2 * costOf(m, c, s) } })).daily).toMatchObject({ savedLedger: false });
    // one saved ledger per mode: the bundled prices' was replaced by the flat ones'
    expect((await same()).daily).toMatchObject({ savedLedger: false });
    expect((await same()).daily).toMatchObject({ savedLedger: true });
  });

  it("a cache made by another release of the scanner is dropped with a note", async () => {
    seed();
    await same({ fingerprint: "release-1" });
    const notes: string[] = [];
    expect((await same({ fingerprint: "release-2", notes })).daily).toMatchObject({ read: 3 });
    expect(notes.join("\n")).toMatch(/another release/);
    expect((await same({ fingerprint: "release-2" })).daily).toMatchObject({ cached: 3 });
  });
});

/** The one cache file, with `edit` applied to its bytes. */
function damage(edit: (b: Buffer) => Buffer): void {
  const [name] = cacheFiles();
  const p = join(cacheDir, name!);
  writeFileSync(p, edit(readFileSync(p)));
}

/** Rewrites the index and its checksum (a crafted cache that passes the checksum). */
function craft(change: (index: Record<string, unknown>) => void): void {
  damage((b) => {
    const at = b.readDoubleLE(16);
    const index = JSON.parse(b.toString("utf8", at)) as Record<string, unknown>;
    change(index);
    const json = Buffer.from(JSON.stringify(index));
    const out = Buffer.concat([b.subarray(0, at), json]);
    out.writeDoubleLE(json.length, 24);
    createHash("sha1").update(json).digest().copy(out, 32);
    return out;
  });
}

/** Offset of the first file's first block. */
function firstBlock(b: Buffer): number {
  const index = JSON.parse(b.toString("utf8", b.readDoubleLE(16))) as { files: { parts: { events: { at: number } }[] }[] };
  return index.files[0]!.parts[0]!.events.at;
}

/** Offset of a saved ledger's costs (its first block's). */
function savedLedgerValues(b: Buffer, mode: LedgerMode): number {
  const index = JSON.parse(b.toString("utf8", b.readDoubleLE(16))) as { ledgers: { mode: string; blocks: { values: { at: number } }[] }[] };
  return index.ledgers.find((l) => l.mode === mode)!.blocks[0]!.values.at;
}

/** Leaves only the files' blocks, so a load must use them. */
function dropSavedLedgers(): void {
  craft((ix) => {
    ix["ledgers"] = [];
  });
}

/** The cache with the byte at `at(bytes)` flipped by `bit`. */
function flip(at: (b: Buffer) => number, bit: number): () => void {
  return () =>
    damage((b) => {
      const i = at(b);
      b[i] = b[i]! ^ bit;
      return b;
    });
}

describe("scan cache: a damaged or foreign cache is dropped, never trusted", () => {
  const cases: [string, () => void][] = [
    ["truncated", () => damage((b) => b.subarray(0, Math.floor(b.length / 2)))],
    ["empty", () => damage(() => Buffer.alloc(0))],
    ["foreign bytes", () => damage((b) => Buffer.from(b.map((_, i) => (i * 7919) % 251)))],
    [
      "another format",
      () =>
        damage((b) => {
          b.writeUInt32LE(99, 8);
          return b;
        }),
    ],
    ["a flipped byte in the index", flip((b) => b.length - 10, 0x20)],
    [
      "a flipped byte in a block",
      () => {
        dropSavedLedgers();
        flip((b) => firstBlock(b) + 8, 0x01)();
      },
    ],
    ["a flipped byte in a saved ledger", flip((b) => savedLedgerValues(b, "daily") + 3, 0x01)],
    [
      "JSON that is not an index",
      () =>
        craft((ix) => {
          ix["files"] = [{ path: "relative" }];
        }),
    ],
    [
      "a block offset beyond the file",
      () =>
        craft((ix) => {
          (ix["files"] as { parts: { events: { at: number } }[] }[])[0]!.parts[0]!.events.at = 1e9;
        }),
    ],
  ];

  it.each(cases)("%s", async (_name, spoil) => {
    seed();
    await same();
    spoil();
    const notes: string[] = [];
    const r = await load("daily", true, { notes });
    expect(seen(r)).toEqual(seen(await load("daily", false)));
    expect(notes.join("\n")).toMatch(/scan cache|dropped|does not hold|another version/);
    // the next load writes a whole cache again
    expect((await same()).daily).toMatchObject({ cached: 3 });
  });

  it.each([
    ["a time that is NaN", 0, Number.NaN],
    ["a negative count", 1, -5],
    ["an infinite count", 2, Number.POSITIVE_INFINITY],
    ["a count that is NaN", 4, Number.NaN],
    ["a negative logged cost", 7, -1],
    ["an infinite logged cost", 7, Number.POSITIVE_INFINITY],
  ])("a crafted block holding %s (its own checksum recomputed) is read again, not counted", async (_what, column, value) => {
    seed();
    await same();
    dropSavedLedgers();
    damage((b) => {
      const at = b.readDoubleLE(16);
      const index = JSON.parse(b.toString("utf8", at)) as {
        files: {
          path: string;
          parts: { events: { at: number; n: number; sum: string; ids: { bytes: number }; strings: { bytes: number; count: number } } }[];
        }[];
      };
      const ev = index.files[0]!.parts[0]!.events;
      // the first row's value in that number column
      b.writeDoubleLE(value, ev.at + 8 * ev.n * column);
      const len = 88 * ev.n + 4 * ev.strings.count + ev.n + ev.ids.bytes + ev.strings.bytes;
      ev.sum = createHash("sha1")
        .update(b.subarray(ev.at, ev.at + len))
        .digest("hex");
      const json = Buffer.from(JSON.stringify(index));
      const out = Buffer.concat([b.subarray(0, at), json]);
      out.writeDoubleLE(json.length, 24);
      createHash("sha1").update(json).digest().copy(out, 32);
      return out;
    });
    const notes: string[] = [];
    const r = await load("session", true, { notes });
    expect(seen(r)).toEqual(seen(await load("session", false)));
    expect(r.scan.read).toBe(1);
    expect(notes.join("\n")).toMatch(/does not hold/);
  });

  it("a damaged saved ledger carried into a cache written anew (garbage dropped) costs that ledger, not the cache's write", async () => {
    seed();
    await load("daily", true);
    flip((b) => savedLedgerValues(b, "daily") + 3, 0x01)();
    // bytes no index refers to, three times the file: the next write drops them, copying what it keeps
    damage((b) => Buffer.concat([b, Buffer.alloc(3 * b.length)]));
    const notes: string[] = [];
    const session = await load("session", true, { notes });
    expect(seen(session)).toEqual(seen(await load("session", false)));
    expect(notes.join("\n")).not.toMatch(/not written/);
    expect((await load("session", true)).scan.savedLedger).toBe(true);
    // the damaged one is found where it is used, and counted again
    const daily = await load("daily", true, { notes });
    expect(daily.scan.savedLedger).toBe(false);
    expect(seen(daily)).toEqual(seen(await load("daily", false)));
    expect(notes.join("\n")).toMatch(/does not hold up/);
  });

  it("an unwritable cache folder costs a note, not the report", async () => {
    seed();
    writeFileSync(join(dir, "blocker"), "");
    const notes: string[] = [];
    const r = await loadTranscripts([projects], { now: 0, mode: "daily", cache: { dir: join(dir, "blocker", "cache") }, progress: (m) => notes.push(m) });
    expect(seen(r)).toEqual(seen(await load("daily", false)));
    expect(notes.join("\n")).toMatch(/not written/);
  });
});

describe("scan cache folder upkeep", () => {
  it("keeps the eight newest caches with their saved answers; drops the rest, orphaned answers and crashed writers' files", async () => {
    seed();
    mkdirSync(cacheDir, { recursive: true });
    const at = (name: string, minutesAgo: number, body = "x") => {
      writeFileSync(join(cacheDir, name), body);
      const t = new Date(Date.now() - minutesAgo * 60_000);
      utimesSync(join(cacheDir, name), t, t);
    };
    // nine caches of other root sets, the oldest last, each with its answers
    for (let i = 0; i < 9; i++) {
      at(`scan-other${i}.bin`, 10 + i);
      at(`scan-other${i}.answers.json`, 10 + i);
    }
    at("scan-gone.answers.json", 1);
    at("scan-other0.bin.123.abcd.tmp", 60);
    at("scan-other1.answers.json.456.tmp", 1);
    await load("daily", true);
    const names = readdirSync(cacheDir).sort();
    const ours = names.filter((n) => n.endsWith(".bin") && !n.startsWith("scan-other"));
    expect(ours).toHaveLength(1);
    // ours and the seven newest others, each other with its answers; the crashed writer's fresh file waits
    expect(names.filter((n) => n.startsWith("scan-other"))).toEqual(
      [...[0, 1, 2, 3, 4, 5, 6].flatMap((i) => [`scan-other${i}.answers.json`, `scan-other${i}.bin`]), "scan-other1.answers.json.456.tmp"].sort(),
    );
    expect(names).not.toContain("scan-gone.answers.json");
  });
});

describe("scan cache: a writer appends to the cache in place, or builds on a copy of it", () => {
  /** the cache file's index: each file's block offsets, by path */
  const offsets = () => {
    const b = readFileSync(join(cacheDir, cacheFiles()[0]!));
    const index = JSON.parse(b.toString("utf8", b.readDoubleLE(16))) as { files: { path: string; parts: { events: { at: number } }[] }[] };
    return new Map(index.files.map((f) => [f.path, f.parts.map((p) => p.events.at)]));
  };
  const cacheSize = () => statSync(join(cacheDir, cacheFiles()[0]!)).size;

  it("blocks of files that did not change stay where they were; blocks no index refers to are dropped once they would be half the file", async () => {
    seed();
    await same();
    const before = offsets();
    appendFileSync(file("-home-u-app/s1.jsonl"), `${line({ id: "f", ts: "2026-01-12T10:00:00.000Z" })}\n`);
    expect((await load("daily", true)).scan).toMatchObject({ appended: 1, updatedLedger: true });
    const after = offsets();
    // the grown file comes first in path order: written afresh, the others' blocks would move up
    for (const rel of ["-home-u-app/s1/subagents/agent-1.jsonl", "-home-u-lib/s2.jsonl"]) expect(after.get(file(rel))).toEqual(before.get(file(rel)));
    expect(after.get(file("-home-u-app/s1.jsonl"))).toHaveLength(2);

    for (let i = 0; i < 40; i++) {
      appendFileSync(file("-home-u-lib/s2.jsonl"), `${line({ id: `n${i}`, session: "s2", ts: "2026-01-12T12:00:00.000Z" })}\n`);
      await load(i % 2 === 0 ? "daily" : "session", true);
    }
    expect(seen(await load("session", true))).toEqual(seen(await load("session", false)));
    const grown = cacheSize();
    rmSync(cacheDir, { recursive: true });
    await same();
    // written afresh for the same tree: the old one held at most as much garbage as live bytes (plus one run's)
    expect(grown).toBeLessThan(2.5 * cacheSize());
  });

  const cachePath = () => join(cacheDir, cacheFiles()[0]!);
  const grow = (i: number) => appendFileSync(file("-home-u-lib/s2.jsonl"), `${line({ id: `g${i}`, session: "s2", ts: "2026-01-12T12:00:00.000Z" })}\n`);
  /** The seeded tree, cached by both modes; its files as listed now. */
  const cachedTree = async () => {
    seed();
    await same();
    return listTranscriptFiles([projects]);
  };
  const otherProcessGone = () => {
    const p = spawnSync(process.execPath, ["-e", "0"]);
    return p.pid!;
  };

  it("an update appends in place: the same file, grown; a reader that read the old index still reads its blocks", async () => {
    const files = await cachedTree();
    const old = ScanCache.open({ dir: cacheDir, roots: [projects] });
    const { ino, size } = statSync(cachePath());
    grow(0);
    expect((await load("daily", true)).scan).toMatchObject({ appended: 1, updatedLedger: true });
    expect(statSync(cachePath()).ino).toBe(ino);
    expect(statSync(cachePath()).size).toBeGreaterThan(size);
    expect(readdirSync(cacheDir).filter((n) => n.endsWith(".lock") || n.endsWith(".tmp"))).toEqual([]);
    // the old index's blocks were not written over: every file the old reader knows reads as it did
    for (const f of files) {
      const plan = old.plan(f.path, f.identity);
      if (plan.kind !== "miss") for (const part of plan.file.parts) expect(partColumns(part.events).length).toBe(partRows(part));
    }
    old.close();
    expect(seen(await load("session", true))).toEqual(seen(await load("session", false)));
  });

  it("a lock held by a live writer: this one writes a copy and renames it over, and leaves the lock alone", async () => {
    seed();
    await same();
    const lock = `${cachePath()}.lock`;
    writeFileSync(lock, String(process.pid));
    const { ino } = statSync(cachePath());
    grow(1);
    expect((await load("daily", true)).scan).toMatchObject({ appended: 1, updatedLedger: true });
    expect(statSync(cachePath()).ino).not.toBe(ino);
    expect(readFileSync(lock, "utf8")).toBe(String(process.pid));
    rmSync(lock);
    expect(seen(await load("daily", true))).toEqual(seen(await load("daily", false)));
  });

  it("a lock whose writer is gone is taken over, and bytes a crashed writer left after the index are built past", async () => {
    seed();
    await same();
    const lock = `${cachePath()}.lock`;
    writeFileSync(lock, String(otherProcessGone()));
    // a writer that died after appending blocks, before it put its header in
    appendFileSync(cachePath(), Buffer.alloc(1000, 7));
    const { ino, size } = statSync(cachePath());
    grow(2);
    const notes: string[] = [];
    expect((await load("daily", true, { notes })).scan).toMatchObject({ appended: 1, updatedLedger: true });
    expect(notes).toEqual([]);
    expect(statSync(cachePath()).ino).toBe(ino);
    expect(statSync(cachePath()).size).toBeGreaterThan(size);
    expect(readdirSync(cacheDir).filter((n) => n.endsWith(".lock"))).toEqual([]);
    expect(seen(await load("session", true))).toEqual(seen(await load("session", false)));
  });

  it("a writer that appended in place and then gave up leaves the cache as it was", async () => {
    const files = await cachedTree();
    const before = readFileSync(cachePath());
    const c = ScanCache.open({ dir: cacheDir, roots: [projects] });
    const w = c.writer("another set of files");
    // blocks written anew (packed, not carried), past the writer's buffer so that they reach the file
    for (let i = 0; statSync(cachePath()).size === before.length && i < 10_000; i++) {
      for (const f of files) {
        const plan = c.plan(f.path, f.identity);
        if (plan.kind === "hit") w.add({ ...plan.file, parts: plan.file.parts.map((p) => ({ ...p, events: { packed: partColumns(p.events) } })) });
      }
    }
    expect(statSync(cachePath()).size).toBeGreaterThan(before.length);
    w.abort();
    c.close();
    expect(readFileSync(cachePath()).equals(before)).toBe(true);
    expect(readdirSync(cacheDir).filter((n) => n.endsWith(".lock"))).toEqual([]);
  });

  it("a cache put in place by another writer after this one read its index is not built on: what is left is whole and right", async () => {
    const files = await cachedTree();
    const a = ScanCache.open({ dir: cacheDir, roots: [projects] });
    const hits = files.map((f) => a.plan(f.path, f.identity));
    expect(hits.every((h) => h.kind === "hit")).toBe(true);
    // another writer puts a cache of its own layout in place: two of the files, written afresh
    const read = offsets();
    rmSync(join(cacheDir, cacheFiles()[0]!));
    const b = ScanCache.open({ dir: cacheDir, roots: [projects] });
    const wb = b.writer("other");
    for (const h of hits.slice(1)) if (h.kind === "hit") wb.add(h.file);
    wb.commit();
    expect(offsets().get(files[1]!.path)).not.toEqual(read.get(files[1]!.path));
    const wa = a.writer("mine");
    for (const h of hits) if (h.kind === "hit") wa.add(h.file);
    wa.commit();
    a.close();
    b.close();
    const notes: string[] = [];
    const r = await load("daily", true, { notes });
    expect(r.scan).toMatchObject({ cached: 3, read: 0 });
    expect(notes).toEqual([]);
    expect(seen(r)).toEqual(seen(await load("daily", false)));
  });
});
