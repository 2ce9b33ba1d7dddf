import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assistantLine } from "../../../../../test/helpers/transcript-lines.js";
import { listTranscriptFiles } from "./files.js";
import { loadTranscripts, signalFiles } from "./load.js";

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

describe("loadTranscripts with a listing", () => {
  const dir = mkdtempSync(join(tmpdir(), "cg-load-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const projects = join(dir, "projects");
  mkdirSync(join(projects, "p"), { recursive: true });
  for (const s of ["a", "b"]) writeFileSync(join(projects, "p", `${s}.jsonl`), `${assistantLine({ id: s, ts: "2025-06-01T10:00:00Z", input: 10 })}\n`);

  it("reads the files of a walk of the same roots instead of walking again, and walks when the roots differ", async () => {
    const files = await listTranscriptFiles([projects]);
    expect(files).toHaveLength(2);
    const onlyA = { roots: [projects], files: files.filter((f) => f.name === "a"), problems: [{ path: "x", error: "EACCES" }] };
    const taken = await loadTranscripts([projects], { now: 0, listing: onlyA });
    expect(taken.ledger.size).toBe(1);
    expect(taken.files).toEqual(onlyA.files);
    expect(taken.problems).toEqual(onlyA.problems);
    const other = await loadTranscripts([projects], { now: 0, listing: { ...onlyA, roots: [dir] } });
    expect(other.ledger.size).toBe(2);
    expect(other.problems).toEqual([]);
  });
});
