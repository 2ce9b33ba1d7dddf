/**
 * `statusline`: wall time of one run of the built statusline entry, start-up included, as Claude Code
 * pays it (target p95 ≤ 50 ms). Realistic stdin with rate_limits, no daemon listening, state file in
 * a temp dir. Also times bare `node` on an empty script, since start-up dominates and varies by host.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile, ROOT, round, type SectionResult } from "./common.js";

const MAIN = join(ROOT, "packages", "server", "dist", "statusline-main.js");
const WARMUP = 5;

export interface StatuslineBench {
  /** wall time per run, ms */
  p50: number;
  p95: number;
  runs: number;
  /** the same for `node empty.js`: the floor any Node entry pays, ms */
  nodeBaselineP50: number;
  nodeBaselineP95: number;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function input(): string {
  const nowS = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    hook_event_name: "Status",
    session_id: "5c1d2e3f-bench",
    transcript_path: "/home/u/.claude/projects/-home-u-app/5c1d2e3f-bench.jsonl",
    cwd: "/home/u/app",
    model: { id: "claude-opus-4-1-20250805", display_name: "Opus 4.1" },
    workspace: { current_dir: "/home/u/app", project_dir: "/home/u/app" },
    version: "2.1.80",
    output_style: { name: "default" },
    cost: { total_cost_usd: 3.21, total_duration_ms: 900_000, total_api_duration_ms: 300_000, total_lines_added: 120, total_lines_removed: 30 },
    context_window: { used_tokens: 88_000, max_tokens: 200_000 },
    exceeds_200k_tokens: false,
    rate_limits: {
      five_hour: { used_percentage: 23.5, resets_at: nowS + 8040 },
      seven_day: { used_percentage: 41.2, resets_at: nowS + 274_200 },
    },
  });
}

function timeOne(args: string[], stdin: string, env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { input: stdin, env, stdio: ["pipe", "pipe", "pipe"] });
  const took = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited with ${r.status}: ${String(r.stderr)}`);
  return took;
}

/** 100 runs of the built statusline-main (npm run build first). */
export async function benchStatusline(runs = 100): Promise<StatuslineBench> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), "cg-bench-statusline-"));
  try {
    const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir, XDG_STATE_HOME: dir, CLAUDE_GAUGE_PORT: String(await closedPort()) };
    const stdin = input();
    const empty = join(dir, "empty.mjs");
    writeFileSync(empty, "");
    const ms: number[] = [];
    const base: number[] = [];
    // interleaved, so load from elsewhere on the host hits both series alike
    for (let i = 0; i < WARMUP + runs; i++) {
      const a = timeOne([MAIN], stdin, env);
      const b = timeOne([empty], stdin, env);
      if (i >= WARMUP) {
        ms.push(a);
        base.push(b);
      }
    }
    const r = (x: number): number => Math.round(x * 10) / 10;
    return {
      p50: r(percentile(ms, 50)),
      p95: r(percentile(ms, 95)),
      runs,
      nodeBaselineP50: r(percentile(base, 50)),
      nodeBaselineP95: r(percentile(base, 95)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bench section: statusline wall time next to bare Node's start-up. */
export async function statuslineSection(): Promise<SectionResult> {
  const b = await benchStatusline();
  return {
    rows: [
      { name: `statusline, ${b.runs} runs: p50`, value: round(b.p50), unit: "ms" },
      { name: "statusline p95", value: round(b.p95), unit: "ms", target: "≤ 50", ok: b.p95 <= 50 },
      { name: "  bare node start-up p50 / p95", value: `${round(b.nodeBaselineP50)} / ${round(b.nodeBaselineP95)}`, unit: "ms" },
    ],
    notes: ["statusline: wall time of `node dist/statusline-main.js` with Claude Code's stdin and no daemon listening (state-file path), start-up included"],
    data: { ...b },
  };
}
