import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../packages/server/src/commands/specs.js";
import { claudeStatuslineInput } from "./helpers/claude-statusline.js";
import { CLI } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

/* The built CLI as a user meets it: every command's --help, --version and refusals, checks before
 * work, tables, and install-statusline in a scratch HOME. */

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const VERSION: string = JSON.parse(readFileSync(join(ROOT, "packages/server/package.json"), "utf8")).version;

function home(): string {
  const h = mkdtempSync(join(tmpdir(), "cg-cli-home-"));
  mkdirSync(join(h, ".claude", "projects", "-home-u-app"), { recursive: true });
  return h;
}

function cli(args: string[], env: Record<string, string> = {}, input?: string) {
  const h = env["HOME"] ?? home();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: {
      ...process.env,
      HOME: h,
      XDG_CONFIG_HOME: join(h, ".config"),
      XDG_DATA_HOME: join(h, ".local/share"),
      XDG_STATE_HOME: join(h, ".local/state"),
      CLAUDE_CONFIG_DIR: "",
      NO_COLOR: "",
      FORCE_COLOR: "",
      ...env,
    },
    encoding: "utf8",
    timeout: 30_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("every command answers --help and --version, and refuses unknown options the same way", () => {
  it.each(COMMANDS.map((c) => [c.name]))("%s", (name) => {
    const help = cli([name, "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^Usage: claude-gauge ${name}\\b`));
    expect(help.stdout).toContain("-h, --help");
    expect(cli([name, "-h"]).stdout).toBe(help.stdout);

    const version = cli([name, "--version"]);
    expect([version.code, version.stdout]).toEqual([0, `${VERSION}\n`]);

    const bad = cli([name, "--no-such-option"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe(`claude-gauge ${name}: unknown option --no-such-option\nRun 'claude-gauge ${name} --help' for its options.\n`);
  });

  it("and so does the program itself", () => {
    expect(cli(["--version"]).stdout).toBe(`${VERSION}\n`);
    const help = cli(["--help"]);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(`  ${c.name} `);
    expect(cli(["frobnicate"])).toMatchObject({ code: 2, stderr: `claude-gauge: unknown command "frobnicate"\nRun 'claude-gauge --help' for the list.\n` });
  });
});

describe("options are checked before any work starts", () => {
  it.each([
    [["serve", "--timezone", "Mars/Base"], "--timezone: unknown time zone"],
    [["report", "daily", "--timezone", "Mars/Base"], "--timezone: unknown time zone"],
    [["serve", "--demo-speed", "10"], "--demo-speed needs --demo"],
    [["serve", "--demo", "--demo-speed", "0"], "--demo-speed: expected a number in (0, 1000]"],
    [["serve", "--port", "80x"], "--port: expected 0..65535"],
    [["serve", "-q"], "unknown option -q"],
    [["serve", "--port"], "--port needs a value"],
    [["report", "weekly"], 'expected daily, session or blocks, got "weekly"'],
    [["report", "daily", "--since", "yesterday"], "--since: expected YYYYMMDD"],
    [["once", "--timezone", "UTC"], "unknown option --timezone"],
    [["install-service", "--no-enable", "--timezone", "Mars/Base"], "--timezone: unknown time zone"],
    [["status", "--port", "http"], "--port: expected 0..65535"],
  ])("%j", (args, message) => {
    const h = home();
    const r = cli(args, { HOME: h });
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toContain(message);
    // refused up front: nothing served, scanned or written
    expect(r.stderr).not.toMatch(/serving|scanning/);
    expect(existsSync(join(h, ".config", "systemd"))).toBe(false);
  });

  it("-q is accepted by every command that scans", () => {
    for (const args of [
      ["once", "-q"],
      ["report", "daily", "-q"],
      ["calibrate", "-q"],
    ])
      expect(cli(args).code, args.join(" ")).toBe(0);
  });
});

describe("report tables", () => {
  function withTranscripts(): string {
    const h = home();
    const now = Date.now();
    writeFileSync(
      join(h, ".claude", "projects", "-home-u-app", "s1.jsonl"),
      [
        assistantLine({ id: "a", ts: new Date(now - 3 * 86_400_000), input: 1000, output: 2000, cacheRead: 30_000 }),
        assistantLine({
          id: "b",
          ts: new Date(now - 3_600_000),
          model: "claude-opus-4-5-20251101",
          input: 100,
          output: 200,
          cacheCreation: 300,
          cacheRead: 4000,
        }),
      ].join("\n") + "\n",
    );
    return h;
  }

  it("prints ccusage's columns and a Total row equal to the JSON totals, without colour when piped", () => {
    const h = withTranscripts();
    const json = JSON.parse(cli(["report", "daily", "--json", "-q", "-z", "UTC"], { HOME: h }).stdout) as {
      totals: { totalTokens: number; totalCost: number };
    };
    const r = cli(["report", "daily", "-q", "-z", "UTC"], { HOME: h });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("\x1b[");
    const lines = r.stdout.split("\n");
    expect(lines[1]).toMatch(/│ Date +│ Models +│ +Input │ +Output │ +Cache Create │ +Cache Read │ +Total Tokens │ +Cost \(USD\) │/);
    expect(r.stdout).toContain("- opus-4-5");
    const total = lines.find((l) => l.startsWith("│ Total"));
    expect(total).toContain(` ${json.totals.totalTokens.toLocaleString("en-US")} │`);
    expect(total).toContain(`$${json.totals.totalCost.toFixed(2)}`);
  });

  it("session and blocks tables too; colour only when asked for off a terminal", () => {
    const h = withTranscripts();
    expect(cli(["report", "session", "-q"], { HOME: h }).stdout).toMatch(/│ Session +│ Models .*│ Last Activity │/);
    const blocks = cli(["report", "blocks", "-q"], { HOME: h }).stdout;
    expect(blocks).toMatch(/│ Block Start +│ Duration\/Status +│ Models +│ +Tokens │ Cost \(USD\) │/);
    expect(blocks).toMatch(/│ Total \(2 blocks\)/);
    expect(cli(["report", "daily", "-q"], { HOME: h, FORCE_COLOR: "1" }).stdout).toContain("\x1b[36mDate");
  });
});

describe("install-statusline in a scratch HOME", () => {
  it("installs a command that lives outside the package, runs on its own, and uninstalls to no file at all", () => {
    const h = home();
    const settings = join(h, ".claude", "settings.json");
    const r = cli(["install-statusline"], { HOME: h });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`claude-gauge: status line installed in ${settings}\n`);
    const command = (JSON.parse(readFileSync(settings, "utf8")) as { statusLine: { command: string } }).statusLine.command;
    const copy = join(h, ".local", "share", "claude-gauge", "statusline-main.js");
    expect(command.endsWith(` ${copy}`)).toBe(true);
    // nothing of it inside a package tree that can be moved or pruned
    expect(command.split(sep)).not.toContain("node_modules");
    expect(command).not.toContain(ROOT);
    // the copy is self-contained: no chunk beside it to import
    expect(readFileSync(copy, "utf8")).not.toMatch(/from\s*"\.\.?\//);
    const run = spawnSync("sh", ["-c", command], {
      input: claudeStatuslineInput({
        fiveHour: { usedPercentage: 41, resetsAt: Date.now() + 3_600_000 },
        sevenDay: { usedPercentage: 62, resetsAt: Date.now() + 86_400_000 },
      }),
      env: { ...process.env, HOME: h, XDG_STATE_HOME: join(h, "state"), CLAUDE_GAUGE_PORT: "9" },
      encoding: "utf8",
      cwd: tmpdir(),
    });
    expect(run.status).toBe(0);
    expect(stripVTControlCharacters(run.stdout)).toMatch(/^5h 41% /);

    const again = cli(["install-statusline"], { HOME: h });
    expect(again.stdout).toBe(`claude-gauge: status line already installed in ${settings}\n`);
    const u = cli(["install-statusline", "--uninstall"], { HOME: h });
    expect(u.stdout).toBe(`claude-gauge: status line removed: deleted ${settings}, which held nothing else\n`);
    expect(existsSync(settings)).toBe(false);
    expect(existsSync(copy)).toBe(false);
  });
});

describe("npm run once and npm start build only when stale", () => {
  it("an up-to-date build is not rebuilt: the check finds nothing stale and prints nothing", () => {
    // run-all.sh (or the developer) built just before; the check itself must not build again
    const r = spawnSync(process.execPath, [join(ROOT, "packages/server/scripts/ensure-built.mjs"), "--check"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });
});

describe("one-shot commands end once their output is out", () => {
  it("a session report of megabytes reaches a reader that starts late, whole (the process ends right after writing)", async () => {
    const { spawn } = await import("node:child_process");
    const h = home();
    const project = join(h, ".claude", "projects", "-home-u-app");
    // one session per file: the session report lists each, ~500 bytes a row
    for (let f = 0; f < 6000; f++) {
      writeFileSync(
        join(project, `s${f}.jsonl`),
        `${assistantLine({ id: `m${f}`, session: `s${f}`, ts: "2026-01-10T10:00:00.000Z", input: 1, output: f + 1 })}\n`,
      );
    }
    const child = spawn(process.execPath, [CLI, "report", "session", "--json", "--no-cache"], {
      env: { ...process.env, HOME: h, CLAUDE_CONFIG_DIR: "", XDG_CACHE_HOME: join(h, ".cache") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pause(); // the pipe fills and the report's writes wait for the reader
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.stdout.resume();
    expect(await exited).toBe(0);
    const text = Buffer.concat(chunks).toString("utf8");
    expect(text.length).toBeGreaterThan(1 << 20);
    const r = JSON.parse(text) as { sessions: unknown[] };
    expect(r.sessions).toHaveLength(6000);
  }, 60_000);
});
