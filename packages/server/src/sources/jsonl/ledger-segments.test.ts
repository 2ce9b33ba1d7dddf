import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { LedgerMode } from "@claude-gauge/core";
import { seenIds } from "./ledger-segments.js";
import { idHash } from "@claude-gauge/core/reports";
import { UsageColumns } from "@claude-gauge/core/decode";
import { usageEvent } from "../../../../../test/helpers/usage-event.js";
import { loadTranscripts, type LoadResult } from "./load.js";

/** One transcript line: few ids and sessions, so messages repeat within and across files. */
interface Gen {
  id: number | null;
  req: number | null;
  session: number;
  sidechain: boolean;
  progress: boolean;
  output: number;
  second: number;
  fast: boolean;
}

const genLine = fc.record({
  id: fc.option(fc.integer({ min: 0, max: 11 }), { freq: 12 }),
  req: fc.option(fc.integer({ min: 0, max: 13 }), { freq: 4 }),
  session: fc.integer({ min: 0, max: 2 }),
  sidechain: fc.boolean(),
  progress: fc.boolean(),
  output: fc.integer({ min: 0, max: 400 }),
  second: fc.integer({ min: 0, max: 3 }),
  fast: fc.boolean(),
});

function text(l: Gen): string {
  const usage = {
    input_tokens: 10,
    cache_creation_input_tokens: 100,
    cache_read_input_tokens: 1000,
    output_tokens: l.output,
    ...(l.fast ? { speed: "fast" } : {}),
  };
  const message = {
    model: "claude-sonnet-4-5-20250929",
    ...(l.id === null ? {} : { id: `msg_${l.id}` }),
    type: "message",
    role: "assistant",
    content: [{ type: "text", text: "x" }],
    usage,
  };
  const timestamp = `2026-01-10T10:00:0${l.second}.000Z`;
  const ids = { ...(l.req === null ? {} : { requestId: `req_${l.req}` }), timestamp };
  const outer = { isSidechain: l.sidechain, sessionId: `s${l.session}`, version: "2.1.9" };
  // a progress line carries a sub-agent's line inside data (ccusage's daily loader counts them)
  return JSON.stringify(
    l.progress
      ? { ...outer, type: "progress", timestamp, data: { message: { ...ids, type: "assistant", message } } }
      : { ...outer, ...ids, type: "assistant", message },
  );
}

const FILES = ["-p-a/one.jsonl", "-p-a/two.jsonl", "-p-b/three.jsonl", "-p-b/one/subagents/agent-x.jsonl"];
/** files that appear later (new sessions), before, between and after the others in path order */
const LATER = ["-p-0/zero.jsonl", "-p-a/new.jsonl", "-p-c/four.jsonl"];
const ALL = [...FILES, ...LATER];

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const entriesOf = (r: LoadResult) => [...r.ledger.entries()];

describe("a saved ledger updated with appended lines, new files and files gone equals a fold of every line", () => {
  it("for random trees whose messages repeat within and across files, appended in turn, joined by new files and losing some, in both ledger modes", async () => {
    let updated = 0;
    let updatedNew = 0;
    let updatedGone = 0;
    let folded = 0;
    let otherSaved = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(genLine, { maxLength: 6 }), { minLength: FILES.length, maxLength: FILES.length }),
        fc.array(
          fc.record({
            file: fc.integer({ min: 0, max: ALL.length - 1 }),
            lines: fc.array(genLine, { minLength: 1, maxLength: 4 }),
            // a quarter of the steps delete the file (when it is there) instead
            gone: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.constantFrom<LedgerMode>("daily", "session"),
        async (initial, appends, mode) => {
          const dir = mkdtempSync(join(tmpdir(), "cg-segments-"));
          temps.push(dir);
          const projects = join(dir, "projects");
          for (const [i, rel] of FILES.entries()) {
            mkdirSync(join(projects, rel, ".."), { recursive: true });
            writeFileSync(join(projects, rel), initial[i]!.map((l) => `${text(l)}\n`).join(""));
          }
          const load = (cache: boolean, m: LedgerMode = mode) =>
            loadTranscripts([projects], { now: Date.parse("2026-02-01T00:00:00Z"), mode: m, ...(cache ? { cache: { dir: join(dir, "cache") } } : {}) });
          const other: LedgerMode = mode === "daily" ? "session" : "daily";
          // both modes' ledgers saved: a report of one mode updates the other's too
          await load(true, other);
          await load(true);
          for (const a of appends) {
            const path = join(projects, ALL[a.file]!);
            const isNew = !existsSync(path);
            const gone = a.gone && !isNew;
            if (gone) rmSync(path);
            else {
              mkdirSync(join(path, ".."), { recursive: true });
              appendFileSync(path, a.lines.map((l) => `${text(l)}\n`).join(""));
            }
            const cached = await load(true);
            if (cached.scan.updatedLedger) {
              updated++;
              if (isNew) updatedNew++;
              if (gone) updatedGone++;
            } else folded++;
            expect(entriesOf(cached)).toEqual(entriesOf(await load(false)));
            // every other step, the other mode's report reads (or folds) what this one left
            if (a.lines.length % 2 === 0) {
              const next = await load(true, other);
              if (cached.scan.updatedLedger) otherSaved += next.scan.savedLedger ? 1 : 0;
              expect(entriesOf(next)).toEqual(entriesOf(await load(false, other)));
            }
          }
          rmSync(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: 150, seed: 20261202 },
    );
    // both paths ran: the update where it may (appends, new files, files gone), every line folded again where a change reaches another file
    expect(updated).toBeGreaterThan(30);
    expect(updatedNew).toBeGreaterThan(5);
    expect(updatedGone).toBeGreaterThan(5);
    // the other mode's ledger, updated by the run before, served as saved
    expect(otherSaved).toBeGreaterThan(10);
    expect(folded).toBeGreaterThan(30);
  }, 120_000);
});

describe("a saved ledger spread over blocks by updates", () => {
  it("stays exact through more updates than it keeps blocks for, and is written anew as one block when they would be too many", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-blocks-"));
    temps.push(dir);
    const projects = join(dir, "projects");
    const files = Array.from({ length: 30 }, (_, i) => join(projects, `-p-${String(i).padStart(2, "0")}`, "s.jsonl"));
    let next = 0;
    /** lines of messages no other file holds, so each update stays inside its file */
    const lines = (n: number) =>
      Array.from(
        { length: n },
        () => `${text({ id: next++, req: null, session: 0, sidechain: false, progress: false, output: next % 97, second: next % 4, fast: false })}\n`,
      )
        .join("")
        .replaceAll('"msg_', '"msg_u');
    for (const f of files) {
      mkdirSync(join(f, ".."), { recursive: true });
      writeFileSync(f, lines(3));
    }
    const load = (cache: boolean) =>
      loadTranscripts([projects], { now: Date.parse("2026-02-01T00:00:00Z"), mode: "daily", ...(cache ? { cache: { dir: join(dir, "cache") } } : {}) });
    const blocks = () => {
      const cacheDir = join(dir, "cache");
      const bin = readdirSync(cacheDir).find((n) => n.endsWith(".bin"))!;
      const b = readFileSync(join(cacheDir, bin));
      const index = JSON.parse(b.toString("utf8", b.readDoubleLE(16), b.readDoubleLE(16) + b.readDoubleLE(24))) as {
        ledgers: { mode: string; blocks: unknown[]; segments: { block: number }[] }[];
      };
      const daily = index.ledgers.find((l) => l.mode === "daily")!;
      expect(daily.segments).toHaveLength(files.length);
      return daily.blocks.length;
    };
    await load(true);
    expect(blocks()).toBe(1);
    const seen: number[] = [];
    // a file not updated before, each time: each update adds a block for the file's new segment
    for (let step = 0; step < 24; step++) {
      appendFileSync(files[(step * 7) % files.length]!, lines(2));
      const cached = await load(true);
      expect(cached.scan.updatedLedger).toBe(true);
      expect(entriesOf(cached)).toEqual(entriesOf(await load(false)));
      seen.push(blocks());
    }
    expect(Math.max(...seen)).toBeLessThanOrEqual(16);
    // it grew block by block, then was written anew as one and grew again
    expect(seen.slice(0, 16)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 1]);
    expect(seen.slice(16, 18)).toEqual([2, 3]);
    // a file updated again leaves the block its last update made (it held only that file's rows)
    appendFileSync(files[(23 * 7) % files.length]!, lines(2));
    const last = await load(true);
    expect(entriesOf(last)).toEqual(entriesOf(await load(false)));
    expect(blocks()).toBe(seen.at(-1));
    // a report on the tree as it is reads the saved ledger as it was left
    const again = await load(true);
    expect(again.scan.savedLedger).toBe(true);
    expect(entriesOf(again)).toEqual(entriesOf(await load(false)));
  }, 60_000);
});

describe("seenIds", () => {
  it("holds each message id's hash once, ascending, and no hash for id-less rows", () => {
    const c = new UsageColumns(4);
    for (const messageId of ["msg_b", "msg_a", null, "msg_b"]) c.push(usageEvent({ messageId, input: 1, output: 1 }));
    const want = [idHash("msg_a"), idHash("msg_b")].sort((x, y) => x - y);
    expect([...seenIds([c])]).toEqual(want);
    expect([...seenIds([], new Uint32Array([want[1]!, want[0]!, want[1]!]))]).toEqual(want);
  });
});
