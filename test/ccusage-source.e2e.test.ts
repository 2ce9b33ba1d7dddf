import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { UsageSnapshotSchema, type UsageSnapshot } from "@claude-gauge/core";
import { startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

/**
 * `--source ccusage` (ccusage runs for the windows, the transcript tail for the tach) against the
 * pinned ccusage 20.0.24 binary: the same windows as the transcript source, live lines counted once,
 * and a failing, slow, missing or lying ccusage as a state that clears.
 */

const CCUSAGE_CLI = fileURLToPath(new URL("../node_modules/ccusage/src/cli.js", import.meta.url));
const FAST = { CLAUDE_GAUGE_CCUSAGE_INTERVAL_MS: "1000" };
const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function start(dir: string, args: string[], env: Record<string, string> = {}) {
  const s = await startServer(dir, args, env);
  running.push(s);
  return s;
}

async function usage(s: RunningServer): Promise<UsageSnapshot> {
  return UsageSnapshotSchema.parse(await (await fetch(`${s.url}/usage`)).json());
}

async function health(s: RunningServer): Promise<{ source_ok: boolean; sources: { ccusage_runs: number; problems: { where: string; error: string }[] }[] }> {
  return (await (await fetch(`${s.url}/healthz`)).json()) as never;
}

const until = <T>(probe: () => Promise<T | undefined>, what: string) => waitFor(probe, 60_000, what);

function tree(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "cg-ccu-"));
  const proj = join(dir, "projects", "-home-u-app");
  mkdirSync(proj, { recursive: true });
  const file = join(proj, "s1.jsonl");
  const now = Date.now();
  const lines = [
    assistantLine({ id: "h1", ts: new Date(now - 40 * 3_600_000), input: 1000, output: 2000, cacheRead: 30_000, cacheCreation: 400 }),
    assistantLine({ id: "h2", ts: new Date(now - 39 * 3_600_000), model: "claude-opus-4-5-20251101", input: 10, output: 20_000 }),
    assistantLine({ id: "r1", ts: new Date(now - 50 * 60_000), input: 500, output: 700, cacheRead: 9000, cacheCreation: 100 }),
    assistantLine({ id: "r2", ts: new Date(now - 20 * 60_000), input: 5, output: 900, block: "tool_use" }),
    // the same message again (a later line of it): counted once, at its largest
    assistantLine({ id: "r2", ts: new Date(now - 20 * 60_000 + 500), input: 5, output: 1200, block: "text" }),
  ];
  writeFileSync(file, `${lines.join("\n")}\n`);
  return { dir, file };
}

/** A stand-in ccusage whose behaviour the test switches by rewriting it. */
function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}
const realCcusage = `exec "${process.execPath}" "${CCUSAGE_CLI}" "$@"`;

const windows = (u: UsageSnapshot) => ({ w5: u.window_5h_tokens, r5: u.window_5h_reset_at, w7: u.window_7d_tokens, c5: u.cost_5h_usd, c7: u.cost_7d_usd });

describe("--source ccusage against the pinned ccusage binary", () => {
  it("shows the transcript source's windows; live lines move the tach at once and are counted once", async () => {
    const { dir, file } = tree();
    const jsonl = await start(dir, []);
    const cc = await start(dir, ["--source", "ccusage"], FAST);
    const want = windows(await usage(jsonl));
    expect(want.w7).toBeGreaterThan(50_000);
    const first = await usage(cc);
    expect(first.source).toBe("ccusage");
    expect(first.source_ok).toBe(true);
    expect(windows(first)).toEqual(want);
    // by model too: ccusage's daily report shares the block among its models
    const byModel = async (s: RunningServer) =>
      (
        (await (await fetch(`${s.url}/stats?window=week`)).json()) as {
          byModel: { model: string; input: number; output: number; cacheRead: number; cacheCreation: number }[];
        }
      ).byModel
        .map(({ model, input, output, cacheRead, cacheCreation }) => ({ model, input, output, cacheRead, cacheCreation }))
        .sort((a, b) => (a.model < b.model ? -1 : 1));
    expect(await byModel(cc)).toEqual(await byModel(jsonl));

    appendFileSync(file, `${assistantLine({ id: "live1", ts: new Date(), input: 40_000, output: 2000 })}\n`);
    const live = await until(async () => {
      const u = await usage(cc);
      return u.rate_1m >= 42_000 ? u : undefined;
    }, "the tail's line on the tach");
    const runs = (await health(cc)).sources[0]!.ccusage_runs;
    // two more ccusage runs that both saw the line: still counted once
    await until(async () => ((await health(cc)).sources[0]!.ccusage_runs >= runs + 2 ? true : undefined), "two more ccusage runs");
    const after = await usage(cc);
    const jsonlAfter = await until(async () => {
      const u = await usage(jsonl);
      return u.window_7d_tokens === want.w7 + 42_000 ? u : undefined;
    }, "transcript source counts the line");
    expect(windows(after)).toEqual(windows(jsonlAfter));
    expect(live.window_7d_tokens).toBe(want.w7 + 42_000);
  });

  it("a failing, slow, missing or lying ccusage is a health state that clears; /usage keeps answering", async () => {
    const { dir } = tree();
    const bin = join(mkdtempSync(join(tmpdir(), "cg-ccu-bin-")), "ccusage");
    script(bin, "echo 'boom /home/secret-project' >&2; exit 3");
    const cc = await start(dir, ["--source", "ccusage"], { ...FAST, CLAUDE_GAUGE_CCUSAGE: bin, CLAUDE_GAUGE_CCUSAGE_TIMEOUT_MS: "1000" });
    const cases: [string, string][] = [
      ["echo 'boom /home/secret-project' >&2; exit 3", "exit code 3"],
      ["exec sleep 20", "no answer within 1000 ms"],
      ['echo \'{"blocks":[{"startTime":"/home/secret-project"}]}\'', "unexpected output at blocks.0.startTime"],
    ];
    for (const [body, error] of cases) {
      script(bin, body);
      const h = await until(async () => {
        const x = await health(cc);
        return x.sources[0]!.problems.some((p) => p.error === error) ? x : undefined;
      }, `problem "${error}"`);
      expect(h.source_ok).toBe(false);
      expect(JSON.stringify(h)).not.toContain("secret-project");
      const u = await usage(cc);
      expect(u.source_ok).toBe(false);
      expect(u.stall).toBe(true);
    }
    script(bin, realCcusage);
    const ok = await until(async () => {
      const u = await usage(cc);
      return u.source_ok ? u : undefined;
    }, "recovery");
    expect(ok.window_7d_tokens).toBeGreaterThan(50_000);
    expect(cc.logs()).not.toContain("secret-project");
  });

  it("a ccusage that is not there: named in /healthz, the daemon serves on", async () => {
    const { dir } = tree();
    const cc = await start(dir, ["--source", "ccusage"], { ...FAST, CLAUDE_GAUGE_CCUSAGE: join(tmpdir(), "no-such-dir", "ccusage") });
    const h = await until(async () => {
      const x = await health(cc);
      return x.sources[0]!.problems.length > 0 ? x : undefined;
    }, "missing binary reported");
    expect(h.sources[0]!.problems[0]!.error).toBe("not found");
    expect((await usage(cc)).source_ok).toBe(false);
  });
});
