import { execFile } from "node:child_process";
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCorpus } from "./corpus/corpus-lib.js";
import { CLI, COMMAND } from "./helpers/server-process.js";

// Saved report answers (packages/server/src/commands/report-answer.ts), through the built CLI: a
// repeated report prints its saved answer, and any change it depends on runs the report again.

const run = promisify(execFile);

let dir = "";
let cacheHome = "";
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-answer-e2e-"));
  cacheHome = mkdtempSync(join(tmpdir(), "cg-answer-e2e-home-"));
  await generateCorpus({ outDir: dir, seed: 8, sizeMb: 2, days: 5 });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(cacheHome, { recursive: true, force: true });
});

const BUN = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url));

async function report(args: string[], env: NodeJS.ProcessEnv = {}, runtime = process.execPath, entry = CLI): Promise<{ out: string; err: string }> {
  const { stdout, stderr } = await run(runtime, [entry, "report", ...args], {
    env: { ...process.env, CLAUDE_CONFIG_DIR: dir, XDG_CACHE_HOME: cacheHome, TZ: "UTC", NO_COLOR: "1", ...env },
    maxBuffer: 1 << 28,
  });
  return { out: stdout, err: stderr };
}

const cacheDir = () => join(cacheHome, "claude-gauge");
const answersFile = () => {
  const name = readdirSync(cacheDir()).find((n) => n.endsWith(".answers.json"));
  if (name === undefined) throw new Error("no answers file");
  return join(cacheDir(), name);
};

interface SavedAnswers {
  answers: { args: string[]; stdout: string; stderr: string }[];
}

/** Marks every saved answer so that printing one shows in the output; returns the mark. */
function markAnswers(): string {
  const mark = `saved answer ${Math.random()}\n`;
  const saved = JSON.parse(readFileSync(answersFile(), "utf8")) as SavedAnswers;
  for (const a of saved.answers) a.stdout = mark;
  writeFileSync(answersFile(), JSON.stringify(saved));
  return mark;
}

function firstTranscript(): string {
  const project = join(dir, "projects", readdirSync(join(dir, "projects")).sort()[0]!);
  return join(project, readdirSync(project).find((n) => n.endsWith(".jsonl"))!);
}

const DAILY = ["daily", "--json", "--timezone", "UTC"];

describe("saved report answers", () => {
  it("a repeated daily or session report prints the saved answer, byte for byte what the report printed", async () => {
    const want0 = (await report([...DAILY, "--no-cache"])).out;
    for (const args of [DAILY, ["session", "--json"], ["daily"]]) {
      const want = (await report([...args, "--no-cache"])).out;
      expect((await report(args)).out).toBe(want);
      expect((await report(args)).out).toBe(want);
    }
    const saved = JSON.parse(readFileSync(answersFile(), "utf8")) as SavedAnswers;
    expect(saved.answers.map((a) => a.args.join(" ")).sort()).toEqual(["daily", "daily --json --timezone UTC", "session --json"]);
    // the answer is what is printed: marked, the mark comes out, from the package's command too (its CommonJS entry)
    const mark = markAnswers();
    expect((await report(DAILY)).out).toBe(mark);
    expect((await report(DAILY, {}, process.execPath, COMMAND)).out).toBe(mark);
    expect((await report([...DAILY, "--no-cache"], {}, process.execPath, COMMAND)).out).toBe(want0);
  });

  it("is not used once anything the report depends on changes: the output is the fresh report's", async () => {
    const path = firstTranscript();
    const changes: [string, () => void | Promise<void>][] = [
      [
        "a line appended",
        () =>
          appendFileSync(
            path,
            `${readFileSync(path, "utf8")
              .split("\n")
              .find((l) => l.includes('"usage":{'))!
              .replace(/"output_tokens":\d+/, '"output_tokens":98765')}\n`,
          ),
      ],
      ["only the mtime", () => utimesSync(path, new Date(), new Date(Date.now() - 3_600_000))],
      ["a new transcript", () => copyFileSync(path, join(dir, "projects", "copied-session.jsonl"))],
      ["a transcript removed", () => rmSync(join(dir, "projects", "copied-session.jsonl"))],
    ];
    for (const [what, change] of changes) {
      await report(DAILY);
      const mark = markAnswers();
      await change();
      const got = (await report(DAILY)).out;
      expect(got, what).not.toBe(mark);
      expect(got, what).toBe((await report([...DAILY, "--no-cache"])).out);
    }
  });

  it("answers only the same words in the same setting: other arguments, zone, colour or runtime run the report", async () => {
    await report(["daily"]);
    await report(DAILY);
    const mark = markAnswers();
    expect((await report(["daily", "--json", "--timezone", "Asia/Tokyo"])).out).not.toBe(mark);
    expect((await report(["daily"], { TZ: "Asia/Tokyo" })).out).not.toBe(mark);
    expect((await report(["daily"], { NO_COLOR: "", FORCE_COLOR: "1" })).out).toContain("\u001b[");
    expect((await report([...DAILY, "--order", "desc"])).out).not.toBe(mark);
    // another runtime (its own ICU and zone data) has answers of its own, beside Node's
    const onBun = (await report(DAILY, {}, BUN)).out;
    expect(onBun).not.toBe(mark);
    expect((await report(DAILY, {}, BUN)).out).toBe(onBun);
    expect((await report(DAILY)).out).toBe(mark);
  });

  it("on a terminal (a pseudo-terminal from script(1)) the table is coloured, and its answer is kept apart from the piped one's", async () => {
    const env = { ...process.env, CLAUDE_CONFIG_DIR: dir, XDG_CACHE_HOME: cacheHome, TZ: "UTC", NO_COLOR: "", FORCE_COLOR: "", TERM: "xterm-256color" };
    const command = [process.execPath, CLI, "report", "daily"].map((w) => JSON.stringify(w)).join(" ");
    const onTerminal = async () => (await run("script", ["-qec", command, "/dev/null"], { env, maxBuffer: 1 << 24 })).stdout;
    const first = await onTerminal();
    expect(first).toContain("\u001b[");
    expect(await onTerminal()).toBe(first);
    const piped = (await report(["daily"], { NO_COLOR: "", FORCE_COLOR: "", TERM: "xterm-256color" })).out;
    expect(piped).not.toContain("\u001b[");
    expect(piped).toContain("Total");
    // each setting is answered from its own saved answer
    const mark = markAnswers();
    expect((await onTerminal()).replaceAll("\r\n", "\n")).toBe(mark);
    expect((await report(["daily"], { NO_COLOR: "", FORCE_COLOR: "", TERM: "xterm-256color" })).out).toBe(mark);
  });

  it("never saves blocks (they depend on the clock) nor reads with --no-cache", async () => {
    await report(DAILY);
    const mark = markAnswers();
    expect((await report([...DAILY, "--no-cache"])).out).not.toBe(mark);
    await report(["blocks", "--json"]);
    await report(["blocks", "--json"]);
    const saved = JSON.parse(readFileSync(answersFile(), "utf8")) as SavedAnswers;
    expect(saved.answers.some((a) => a.args[0] === "blocks")).toBe(false);
  });

  it("takes a damaged or foreign answers file for none: the report runs and writes a good one", async () => {
    const want = (await report([...DAILY, "--no-cache"])).out;
    for (const bad of ["", "{", "null", '{"format":1}', JSON.stringify({ format: 1, build: "another", roots: [], files: "", answers: [] })]) {
      writeFileSync(answersFile(), bad);
      expect((await report(DAILY)).out).toBe(want);
      expect((await report(DAILY)).out).toBe(want);
      expect(statSync(answersFile()).size).toBeGreaterThan(bad.length);
    }
  });
});
