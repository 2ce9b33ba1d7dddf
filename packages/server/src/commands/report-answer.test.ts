import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listTranscriptFiles, type Listing } from "../sources/jsonl/files.js";

// Source runs have no build fingerprint, and saved answers are off without one: name a build here.
(globalThis as { __BUILD_FINGERPRINT__?: string }).__BUILD_FINGERPRINT__ = "test-build";
const { savedAnswer, saveAnswer } = await import("./report-answer.js");

let dir = "";
let env: Record<string, string> = {};
let roots: string[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-answer-"));
  mkdirSync(join(dir, "config", "projects", "p"), { recursive: true });
  writeFileSync(join(dir, "config", "projects", "p", "s.jsonl"), "{}\n");
  env = { CLAUDE_CONFIG_DIR: join(dir, "config"), XDG_CACHE_HOME: join(dir, "cache"), HOME: dir, TZ: "UTC" };
  roots = [join(dir, "config", "projects")];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const setting = () => ({ env, stdoutIsTTY: false });
const save = async (args: string[], stdout: string) => saveAnswer(args, setting(), roots, await listTranscriptFiles(roots), { stdout, stderr: "" });

describe("saved answers", () => {
  it("give back what was saved under the same words, and nothing under others", async () => {
    await save(["daily", "--json"], "daily\n");
    expect(await savedAnswer(["daily", "--json"], setting())).toEqual({ stdout: "daily\n", stderr: "" });
    expect(await savedAnswer(["daily"], setting())).toBeNull();
    expect(await savedAnswer(["daily", "--json", "--no-cache"], setting())).toBeNull();
    expect(await savedAnswer(["daily", "--json"], { env: { ...env, TZ: "Asia/Tokyo" }, stdoutIsTTY: false })).toBeNull();
    expect(await savedAnswer(["daily", "--json"], { env, stdoutIsTTY: true })).toBeNull();
  });

  it("keep the eight newest variants", async () => {
    for (let i = 0; i < 10; i++) await save(["daily", `--since=2026010${i}`], `v${i}\n`);
    for (let i = 0; i < 10; i++) expect((await savedAnswer(["daily", `--since=2026010${i}`], setting()))?.stdout ?? null).toBe(i < 2 ? null : `v${i}\n`);
  });

  it("keep newest answers within 2 MiB of output, and none bigger than that", async () => {
    const mib = "x".repeat(1 << 20);
    for (const k of ["a", "b", "c"]) await save(["session", k], `${mib.slice(0, -2)}${k}\n`);
    expect(await savedAnswer(["session", "a"], setting())).toBeNull();
    expect((await savedAnswer(["session", "b"], setting()))?.stdout.endsWith("b\n")).toBe(true);
    expect((await savedAnswer(["session", "c"], setting()))?.stdout.endsWith("c\n")).toBe(true);
    await save(["session", "huge"], `${mib}${mib}${mib}`);
    expect(await savedAnswer(["session", "huge"], setting())).toBeNull();
    expect(await savedAnswer(["session", "c"], setting())).not.toBeNull();
  });

  it("are dropped when a transcript changes, and hand on the walk that saw it (the report uses it)", async () => {
    await save(["daily"], "before\n");
    const walks: Listing[] = [];
    expect(await savedAnswer(["daily"], setting(), (l) => walks.push(l))).not.toBeNull();
    expect(walks).toEqual([]);
    writeFileSync(join(dir, "config", "projects", "p", "s.jsonl"), "{}\n{}\n");
    expect(await savedAnswer(["daily"], setting(), (l) => walks.push(l))).toBeNull();
    expect(walks).toEqual([{ roots, files: await listTranscriptFiles(roots), problems: [] }]);
    expect(walks[0]!.files.map((f) => f.size)).toEqual([6]);
  });
});
