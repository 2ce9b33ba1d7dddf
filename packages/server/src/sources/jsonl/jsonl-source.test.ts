import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { costOf, MessageLedger } from "@claude-gauge/core";
import type { SourceSink } from "../source.js";
import { daemonStatePath, readDaemonState } from "./daemon-state.js";
import { JsonlSource } from "./jsonl-source.js";
import { findTranscriptRoots } from "./roots.js";

let source: JsonlSource | null = null;
afterEach(() => source?.stop());

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const line = (id: string, output: number) =>
  JSON.stringify({
    type: "assistant",
    timestamp: "2026-11-20T10:00:00.000Z",
    sessionId: "s",
    requestId: `r-${id}`,
    message: { id, model: "claude-sonnet-4-5", usage: { input_tokens: 0, output_tokens: output } },
  });

it("says in its health which roots it follows, where it looked and what is wrong now", async () => {
  const config = join(mkdtempSync(join(tmpdir(), "cg-src-")), "claude");
  const outputs: number[] = [];
  const logs: string[] = [];
  const sink: SourceSink = {
    usage: (e) => outputs.push(e.output),
    usageRows: (rows) => outputs.push(...rows.output.subarray(0, rows.length)),
    request: () => {},
    signal: () => {},
    limit: () => {},
    rejected: () => {},
  };
  source = new JsonlSource({ resolveRoots: () => findTranscriptRoots({ CLAUDE_CONFIG_DIR: config }), checkMs: 20, log: (m) => logs.push(m) });
  await source.start(sink);
  expect(source.health()).toMatchObject({ ok: true, problems: [], detail: { roots: [], looked_in: [config], files: 0 } });
  expect(logs).toEqual([`no transcripts yet (looked in ${config}); following them once they appear`]);

  const proj = join(config, "projects", "-home-u-p");
  mkdirSync(proj, { recursive: true });
  writeFileSync(join(proj, "s.jsonl"), `${line("a", 5)}\n`);
  await until(() => outputs.includes(5), "the transcript");
  expect(source.health().detail).toMatchObject({ roots: [join(config, "projects")], looked_in: [config], files: 1, watched_dirs: 2 });

  symlinkSync(join(config, "nowhere"), join(proj, "dangling.jsonl"));
  await until(() => !source!.health().ok, "the dangling link");
  // project names are hashed unless shown: the problem names the root, a hash and the file
  expect(source.health().problems).toEqual([
    { where: expect.stringMatching(/projects\/project-[0-9a-f]{8}\/dangling\.jsonl$/), error: expect.stringContaining("ENOENT") },
  ]);
  rmSync(join(proj, "dangling.jsonl"));
  await until(() => source!.health().ok, "the problem to clear");
});

it("saves the daemon's state while it runs, each time with what was read since (a daemon killed outright starts from it)", async () => {
  const config = join(mkdtempSync(join(tmpdir(), "cg-src-")), "claude");
  const cacheDir = join(config, "..", "cache");
  const proj = join(config, "projects", "-home-u-p");
  mkdirSync(proj, { recursive: true });
  const file = join(proj, "s.jsonl");
  writeFileSync(file, `${line("a", 5)}\n`);
  const ledger = new MessageLedger(costOf);
  const sink: SourceSink = {
    usage: (e) => ledger.add(e),
    usageRows: (rows) => {
      for (let i = 0; i < rows.length; i++) ledger.addFrom(rows, i);
    },
    request: () => {},
    signal: () => {},
    limit: () => {},
    rejected: () => {},
    ledger: { version: () => ledger.version, state: () => ledger.state(), windows: () => null, resume: () => false },
  };
  source = new JsonlSource({ resolveRoots: () => findTranscriptRoots({ CLAUDE_CONFIG_DIR: config }), cacheDir, saveStateMs: 30 });
  await source.start(sink);
  const path = daemonStatePath(cacheDir, [join(config, "projects")]);
  const saved = () => (existsSync(path) ? (readDaemonState(path, [join(config, "projects")])?.ledger.kept.columns.length ?? 0) : 0);
  await until(() => saved() === 1, "the first save");
  appendFileSync(file, `${line("b", 7)}\n`);
  await until(() => saved() === 2, "a save with the line read since");
  expect(readDaemonState(path, [join(config, "projects")])!.positions.get(file)).toMatchObject({ lineNo: 3 });
});
