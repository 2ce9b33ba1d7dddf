/** The built statusline entry as Claude Code runs it: a real process, JSON on stdin, one line out, exit 0. */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { claudeStatuslineInput, closedPort } from "./helpers/claude-statusline.js";
import { startServer, type RunningServer } from "./helpers/server-process.js";
import { dayFile } from "../packages/server/src/statusline/state-file.js";

const MAIN = fileURLToPath(new URL("../packages/server/dist/statusline-main.js", import.meta.url));
/** install-statusline runs the command on Bun where Bun is installed, else on Node: both are tested */
const RUNTIMES = [
  ["node", process.execPath],
  ["bun", fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url))],
] as const;
let runtime: string = process.execPath;
const MIN = 60_000;
const HOUR = 60 * MIN;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** wall time, ms */
  ms: number;
}

/** Runs the entry; `stdin` null leaves stdin open forever, as a terminal would. */
function run(stdin: string | null, env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(runtime, [MAIN, ...args], {
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    p.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
    p.stdin.on("error", () => {});
    if (stdin === null) p.stdin.write("");
    else p.stdin.end(stdin);
  });
}

/** Recorded shape of Claude Code's statusLine input (v2.1.80), reset times relative to now. */
function claudeInput(withLimits: boolean, fiveHourPct = 23.5): string {
  const now = Date.now();
  // a few seconds short of the round figure, so start-up time cannot round the countdown up
  const in5h = now + 2 * HOUR + 14 * MIN - 3000;
  const in7d = now + 3 * 24 * HOUR + 4 * HOUR + 30 * MIN;
  return claudeStatuslineInput(
    withLimits ? { fiveHour: { usedPercentage: fiveHourPct, resetsAt: in5h }, sevenDay: { usedPercentage: 41.2, resetsAt: in7d } } : null,
  );
}

let dir: string;
let env: Record<string, string>;
beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-statusline-e2e-"));
  env = { CLAUDE_GAUGE_PORT: String(await closedPort()), XDG_STATE_HOME: join(dir, "state"), NO_COLOR: "1" };
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** every reading in the state folder (one file per day), in file order */
function stateLines(base = join(dir, "state")): string[] {
  const folder = join(base, "claude-gauge");
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .sort()
    .flatMap((f) => readFileSync(join(folder, f), "utf8").split("\n"))
    .filter((l) => l !== "");
}
const OFFICIAL = "5h 23% ↺2h14m · 7d 41% ↺3d4h";

describe.each(RUNTIMES)("on %s", (_name, bin) => {
  beforeEach(() => {
    runtime = bin;
  });

  describe("statusline-main, nothing listening on the port", () => {
    it("prints the official line, exits 0 and keeps the sample in the state file", async () => {
      const r = await run(claudeInput(true), env);
      expect(r).toMatchObject({ code: 0, stdout: `${OFFICIAL}\n`, stderr: "" });
      const lines = stateLines();
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({
        sessionId: "4b9e7c1a-test",
        rateLimits: { fiveHour: { usedPct: 0.235 }, sevenDay: { usedPct: 0.412 } },
      });
    });

    it("colours the percentages without NO_COLOR", async () => {
      const { NO_COLOR: _, ...colour } = env;
      const r = await run(claudeInput(true), colour);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("5h \x1b[32m23%\x1b[0m ↺2h14m · 7d \x1b[32m41%\x1b[0m ↺3d4h\n");
    });

    it("defaults the state file to ~/.local/state", async () => {
      const { XDG_STATE_HOME: _, ...noXdg } = env;
      expect((await run(claudeInput(true), noXdg)).code).toBe(0);
      expect(stateLines(join(dir, ".local", "state"))).toHaveLength(1);
    });

    it.each([
      ["without rate_limits", claudeInput(false)],
      ["malformed", '{"session_id": "x", "rate_limits": {'],
      ["not an object", "[1,2,3]"],
      ["empty", ""],
    ])("prints the fallback line and exits 0 for input %s", async (_name, stdin) => {
      const r = await run(stdin, env);
      expect(r).toMatchObject({ code: 0, stdout: "claude-gauge\n", stderr: "" });
      expect(stateLines()).toEqual([]);
    });

    it("does not wait for a stdin that never closes", async () => {
      const r = await run(null, env);
      expect(r).toMatchObject({ code: 0, stdout: "claude-gauge\n" });
      expect(r.ms).toBeLessThan(3000);
    });

    it("exits 0 when the state directory cannot be created", async () => {
      // a file where the directory should be (the tests may run as root, so permissions would not stop it)
      writeFileSync(join(dir, "not-a-dir"), "");
      const r = await run(claudeInput(true), { ...env, XDG_STATE_HOME: join(dir, "not-a-dir") });
      expect(r).toMatchObject({ code: 0, stdout: `${OFFICIAL}\n` });
    });

    it("keeps every reading when thirty runs write at once (a trim used to lose a third of them)", async () => {
      // a day already long: the old single file was rewritten (trimmed) past 250 lines
      const folder = join(dir, "state", "claude-gauge");
      mkdirSync(folder, { recursive: true });
      const old = Array.from({ length: 260 }, (_, i) =>
        JSON.stringify({
          at: Date.now() - 1000 + i,
          sessionId: null,
          rateLimits: { fiveHour: { usedPct: i / 1000, resetsAt: Date.now() + HOUR }, sevenDay: null },
        }),
      );
      writeFileSync(dayFile(folder, Date.now()), `${old.join("\n")}\n`);
      const before = stateLines().length;
      const runs = await Promise.all(Array.from({ length: 30 }, (_, i) => run(claudeInput(true, 60 + i), env)));
      expect(runs.every((r) => r.code === 0)).toBe(true);
      const pcts = stateLines()
        .slice(before)
        .map((l) => (JSON.parse(l) as { rateLimits: { fiveHour: { usedPct: number } } }).rateLimits.fiveHour.usedPct)
        .sort((a, b) => a - b);
      // A run that printed its official line had written its reading first. (On a loaded machine a run
      // may reach its own 1.5 s deadline before that and print the fallback instead: Claude Code
      // would rather have a fast line than a complete file.)
      const printed = runs.flatMap((r, i) => (r.stdout.startsWith(`5h ${60 + i}%`) ? [(60 + i) / 100] : []));
      expect(printed.length).toBeGreaterThan(0);
      expect(pcts).toEqual(expect.arrayContaining(printed));
      expect(new Set(pcts).size).toBe(pcts.length);
      for (const p of pcts) expect(p >= 0.6 && p <= 0.89).toBe(true);
    });

    it("chains the previous command with the same stdin", async () => {
      const r = await run(claudeInput(true), env, ["--chain", `grep -o '"display_name":"[^"]*"'`]);
      expect(r).toMatchObject({ code: 0, stdout: `${OFFICIAL} │ "display_name":"Opus 4.5"\n` });
    });
  });

  describe("statusline-main against the real daemon", () => {
    let server: RunningServer;
    beforeAll(async () => {
      const config = mkdtempSync(join(tmpdir(), "cg-statusline-daemon-"));
      mkdirSync(join(config, "projects"), { recursive: true });
      server = await startServer(config);
    });
    afterAll(() => server.stop());

    it("adds the tach and lamps from GET /usage", async () => {
      const r = await run(claudeInput(true), { ...env, CLAUDE_GAUGE_PORT: String(server.port) });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^5h 23% ↺2h14m · 7d 41% ↺3d4h · 0 tok\/min( · [A-Z ]+)?\n$/);
      // the sample is kept even though the daemon took it
      expect(stateLines()).toHaveLength(1);
      const usage = (await fetch(`${server.url}/usage`).then((x) => x.json())) as { fuel_source: string; window_7d_pct: number };
      expect(usage).toMatchObject({ fuel_source: "official", window_7d_pct: 0.41 });
    });

    it("shows the daemon's view (marked ~) when Claude sent no rate limits", async () => {
      const r = await run(claudeInput(false), { ...env, CLAUDE_GAUGE_PORT: String(server.port) });
      expect(r.code).toBe(0);
      // the daemon still holds the reading the previous run handed it
      expect(r.stdout).toMatch(/^5h ~2[34]%( ↺\S+)? · 7d ~41%( ↺\S+)? · 0 tok\/min/);
    });
  });
});
