import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assistantLine } from "./helpers/transcript-lines.js";

/*
 * Every command of the README's ```sh blocks, literally, in order, on a fresh copy of the repository
 * (the files a clone has, no node_modules, no dist) and a scratch HOME holding a transcript tree:
 * the first is `npm install && npm start`. A command that starts the daemon is probed (/usage, the
 * page) and stopped; every other one must exit 0. systemctl and launchctl are stand-ins on PATH
 * that record their calls (no user manager runs here, and the user's must never be touched).
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Commands not run here, and why; each must still be in the README (a stale entry fails). */
const NOT_RUN: Record<string, string> = {
  "npm install && npm test": "this test is part of npm test",
  "npm test": "this test is part of npm test",
  "npm run bench": "minutes of benchmarks, its own script",
  "npm run firmware:sim -- --url ws://127.0.0.1:8080/ws":
    "runs until stopped, against a daemon on 8080; test/firmware-sim.e2e.test.ts runs the simulator against a real daemon",
};
/** The corpus generator writes 200 MB: into the scratch folder rather than /tmp/corpus. */
const REWRITES: [string, (tmp: string) => string][] = [["/tmp/corpus", (tmp) => join(tmp, "corpus")]];

function readmeCommands(text: string): string[] {
  const blocks = [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split("\n"))
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

let copy: string;
let home: string;
let scratch: string;
let env: NodeJS.ProcessEnv;
const commands = readmeCommands(readFileSync(join(ROOT, "README.md"), "utf8"));

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "cg-readme-"));
  copy = join(scratch, "claude-gauge");
  mkdirSync(copy);
  // what a clone holds: tracked files (and new ones not ignored), nothing built or installed
  const files = execFileSync("git", ["ls-files", "-z", "-co", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  execFileSync("tar", ["-cf", join(scratch, "tree.tar"), "--null", "-T", "-"], { cwd: ROOT, input: files.filter((f) => existsSync(join(ROOT, f))).join("\0") });
  execFileSync("tar", ["-xf", join(scratch, "tree.tar"), "-C", copy]);

  home = join(scratch, "home");
  const project = join(home, ".claude", "projects", "-home-u-app");
  mkdirSync(project, { recursive: true });
  const now = Date.now();
  writeFileSync(
    join(project, "s1.jsonl"),
    [0, 1, 2, 30]
      .map((d, i) => assistantLine({ id: `m${i}`, ts: new Date(now - d * 86_400_000 - 60_000), input: 100, output: 900, cacheRead: 9000 }))
      .join("\n") + "\n",
  );

  const fakes = join(scratch, "fake-bin");
  mkdirSync(fakes);
  for (const tool of ["systemctl", "launchctl"]) {
    const f = join(fakes, tool);
    writeFileSync(
      f,
      `#!/bin/sh\necho "${tool} $*" >> "${join(scratch, "manager-calls.log")}"\ncase "$*" in *is-active*) echo active;; *is-enabled*) echo enabled;; esac\n`,
    );
    chmodSync(f, 0o755);
  }
  env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    PATH: `${fakes}:${process.env["PATH"] ?? ""}`,
    // the daemon takes any free port; the README's 8080 may be in use on this machine
    CLAUDE_GAUGE_PORT: "0",
  };
  delete env["CLAUDE_CONFIG_DIR"];
  for (const k of Object.keys(env)) if (k.startsWith("npm_") || k === "INIT_CWD") delete env[k];
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** set when the command started the daemon: what it answered */
  daemon?: { usage: number; page: number; tokens: number };
}

/** Runs one command in the copy; a daemon it starts is probed, then stopped (its whole process group). */
function run(command: string, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const p = spawn("sh", ["-c", command], { cwd: copy, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let daemon: Outcome["daemon"];
    let probing = false;
    const timer = setTimeout(() => {
      process.kill(-p.pid!, "SIGKILL");
      reject(new Error(`${command}: still running after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    p.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on("data", async (d: Buffer) => {
      stderr += d.toString();
      const m = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (!m || probing) return;
      probing = true;
      const base = `http://127.0.0.1:${m[1]}`;
      const u = await fetch(`${base}/usage`);
      const stats = (await (await fetch(`${base}/stats?window=all`)).json()) as { totals: { total: number } };
      daemon = { usage: u.status, page: (await fetch(`${base}/`)).status, tokens: stats.totals.total };
      process.kill(-p.pid!, "SIGTERM");
    });
    p.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: daemon && signal === "SIGTERM" ? 0 : code, stdout, stderr, ...(daemon ? { daemon } : {}) });
    });
  });
}

describe("the README's commands, literally, on a fresh copy", () => {
  it("lists the commands it skips, and each is still in the README", () => {
    for (const c of Object.keys(NOT_RUN)) expect(commands).toContain(c);
    expect(commands[0]).toBe("npm install && npm start");
  });

  it("every other command works, in README order", { timeout: 900_000 }, async () => {
    const ran: string[] = [];
    const timings: string[] = [];
    for (const original of commands) {
      if (NOT_RUN[original] !== undefined) continue;
      const command = REWRITES.reduce((c, [from, to]) => c.replaceAll(from, to(scratch)), original);
      const t0 = Date.now();
      const r = await run(command, 300_000);
      expect(r.code, `${command}\n${r.stdout}\n${r.stderr}`).toBe(0);
      timings.push(`${((Date.now() - t0) / 1000).toFixed(1)} s  ${command}`);
      // npm run build (Development) cleans dist/ later on: look for the executable now
      if (command.includes("build:binary")) expect(existsSync(join(copy, "packages", "server", "dist", "binary", "claude-gauge"))).toBe(true);
      if (/\bserve\b(?!.*--help)|npm start/.test(command)) {
        // a daemon command must have served, whatever else it printed
        expect(r.daemon, `${command} did not start the daemon\n${r.stderr}`).toBeDefined();
        expect(r.daemon).toMatchObject({ usage: 200, page: 200 });
        // the demo serves its own generated week; the others the scratch HOME's transcripts
        if (!command.includes("--demo")) expect(r.daemon!.tokens).toBe(4 * 10_000);
      }
      ran.push(command);
    }
    // the README's promises that leave traces
    expect(ran.length).toBeGreaterThanOrEqual(15);
    const calls = readFileSync(join(scratch, "manager-calls.log"), "utf8");
    expect(calls).toContain("systemctl --user enable --now claude-gauge.service");
    expect(calls).toContain("systemctl --user disable --now claude-gauge.service");
    expect(existsSync(join(home, ".claude", "settings.json"))).toBe(false);
    console.log(`README commands:\n${timings.join("\n")}`);
  });
});
