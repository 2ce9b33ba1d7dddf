import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { UsageSnapshotSchema, type UsageSnapshot } from "@claude-gauge/core";
import { claudeStatuslineInput } from "./helpers/claude-statusline.js";
import { CLI, startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

const STATUSLINE = fileURLToPath(new URL("../packages/server/dist/statusline-main.js", import.meta.url));
const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

/** Runs a statusline command the way Claude Code does: JSON on stdin, one line back. */
function runStatusline(cmd: string[], stdin: string, env: Record<string, string>): Promise<{ code: number | null; line: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd[0]!, cmd.slice(1), { env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    p.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, line: out.trim() }));
    p.stdin.end(stdin);
  });
}

function claudeInput(fiveHourPct: number, fiveHourReset: number, sevenDayPct?: number, sevenDayReset?: number): string {
  return claudeStatuslineInput({
    fiveHour: { usedPercentage: fiveHourPct, resetsAt: fiveHourReset },
    ...(sevenDayPct === undefined ? {} : { sevenDay: { usedPercentage: sevenDayPct, resetsAt: sevenDayReset! } }),
  });
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "cg-official-"));
  const proj = join(dir, "projects", "-home-u-p");
  mkdirSync(proj, { recursive: true });
  writeFileSync(join(proj, "s-1.jsonl"), `${assistantLine({ id: "a", ts: new Date(Date.now() - 60_000), input: 1000, output: 1000, cacheRead: 98_000 })}\n`);
  const state = mkdtempSync(join(tmpdir(), "cg-state-"));
  return { dir, state };
}

/** The contract's reset time for a reset Claude announced (in whole seconds, as resets_at carries it). */
const minute = (ms: number) => `${new Date(Math.ceil((Math.floor(ms / 1000) * 1000) / 60_000) * 60_000).toISOString().slice(0, 16)}Z`;
const usage = async (s: RunningServer): Promise<UsageSnapshot> => UsageSnapshotSchema.parse(await fetch(`${s.url}/usage`).then((r) => r.json()));

describe("official fuel through the real statusline command and daemon", () => {
  it("puts Claude's own percentage and reset time on the fuel needles, and says so", async () => {
    const t = setup();
    const env = { XDG_STATE_HOME: t.state, CLAUDE_GAUGE_5H_CEILING: "1M" };
    const s = await startServer(t.dir, [], env);
    running.push(s);
    expect(await usage(s)).toMatchObject({ fuel_source: "estimated", window_5h_pct: 0.1 });

    const reset5h = Date.now() + 2 * 3_600_000;
    const reset7d = Date.now() + 3 * 86_400_000;
    const r = await runStatusline([process.execPath, STATUSLINE], claudeInput(41, reset5h, 62, reset7d), { ...env, CLAUDE_GAUGE_PORT: String(s.port) });
    expect(r.code).toBe(0);
    expect(r.line).toMatch(/5h 41%/);
    expect(r.line).toMatch(/7d 62%/);
    const u = await waitFor(async () => {
      const x = await usage(s);
      return x.fuel_source === "official" ? x : undefined;
    });
    expect(u).toMatchObject({
      window_5h_pct: 0.41,
      window_5h_reset_at: minute(reset5h),
      window_7d_pct: 0.62,
      window_7d_reset_at: minute(reset7d),
      fuel_5h_pos: 590,
    });
  });

  it("degrades silently: no rate_limits, malformed or empty stdin leave the estimate and exit 0", async () => {
    const t = setup();
    const env = { XDG_STATE_HOME: t.state, CLAUDE_GAUGE_5H_CEILING: "1M" };
    const s = await startServer(t.dir, [], env);
    running.push(s);
    for (const stdin of ['{"session_id":"x","model":{"id":"m"}}', "{not json", "", '{"rate_limits":{"five_hour":{"used_percentage":"lots"}}}']) {
      const r = await runStatusline([process.execPath, STATUSLINE], stdin, { ...env, CLAUDE_GAUGE_PORT: String(s.port) });
      expect(r.code, stdin).toBe(0);
      expect(r.line.length, stdin).toBeGreaterThan(0);
    }
    expect((await usage(s)).fuel_source).toBe("estimated");
  });

  it("keeps readings in the state file while the daemon is down and uses them when it starts", async () => {
    const t = setup();
    const env = { XDG_STATE_HOME: t.state, CLAUDE_GAUGE_5H_CEILING: "1M" };
    const reset5h = Date.now() + 3_600_000;
    // nothing listens on this port: the reading can only go to the state file
    const r = await runStatusline([process.execPath, CLI, "statusline"], claudeInput(77, reset5h), { ...env, CLAUDE_GAUGE_PORT: "9" });
    expect(r.code).toBe(0);
    expect(r.line).toMatch(/5h 77%/);
    const s = await startServer(t.dir, [], env);
    running.push(s);
    expect(await usage(s)).toMatchObject({ fuel_source: "official", window_5h_pct: 0.77, window_5h_reset_at: minute(reset5h) });
  });

  it("rejects a bad POST /statusline body with the field named, and needs the token when one is set", async () => {
    const t = setup();
    const s = await startServer(t.dir, ["--token", "tok"], { XDG_STATE_HOME: t.state });
    running.push(s);
    const post = (body: string, auth = true, type = "application/json") =>
      fetch(`${s.url}/statusline`, { method: "POST", body, headers: { "content-type": type, ...(auth ? { authorization: "Bearer tok" } : {}) } });
    expect((await post('{"at":1}', false)).status).toBe(401);
    const bad = await post('{"at":"soon","rateLimits":{}}');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "at: expected number" });
    expect((await post("x".repeat(20_000))).status).toBe(413);
    expect((await post("{}", true, "text/plain")).status).toBe(415);
    const ok = await post(
      JSON.stringify({ at: Date.now(), sessionId: null, rateLimits: { fiveHour: { usedPct: 0.5, resetsAt: Date.now() + 3_600_000 }, sevenDay: null } }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ fuel_source: "official", window_5h_pct: 0.5 });
  });

  it("calibrate reports the ceiling fitted to the readings beside the percentile guess", async () => {
    const t = setup();
    const env = { XDG_STATE_HOME: t.state };
    const reset5h = Date.now() + 3_600_000;
    // 100k local tokens in the window at 10 %, three times: a 1M-token ceiling
    for (let i = 0; i < 3; i++) {
      await runStatusline([process.execPath, STATUSLINE], claudeInput(10, reset5h + i * 60_000), { ...env, CLAUDE_GAUGE_PORT: "9" });
    }
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [CLI, "calibrate", "-q"], { env: { ...process.env, ...env, CLAUDE_CONFIG_DIR: t.dir } }, (e, stdout) =>
        e ? reject(e) : resolve(stdout),
      ),
    );
    expect(out).toMatch(/fitted to Claude's 5 h %: 1,000,000 tokens from 3 of 3 readings/);
    expect(out).toMatch(/CLAUDE_GAUGE_5H_CEILING=1000000/);
    // with equal readings every set of token types agrees, so all four (the first candidate) stays
    expect(out).toMatch(/which tokens Claude's 5 h % counts: best input\+output\+cache_creation\+cache_read \(spread 0\.0 % over 3 readings/);
    expect(out).toMatch(/which tokens Claude's 7 d % counts: needs 3\+ readings/);
  });
});
