/**
 * `statusline`: wall time of one run of the built statusline entry, start-up included, as Claude Code
 * pays it (target p95 ≤ 50 ms). Realistic stdin with rate_limits, no daemon listening, state file in
 * a temp dir. Also times bare `node` on an empty script, since start-up dominates and varies by host.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claudeStatuslineInput, closedPort } from "../helpers/claude-statusline.js";
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
  /** the same entry on Bun, which install-statusline prefers when present (ms) */
  bunP50: number | null;
  bunP95: number | null;
}

const BUN = join(ROOT, "node_modules", "bun", "bin", "bun.exe");

function input(): string {
  const now = Date.now();
  return claudeStatuslineInput({
    fiveHour: { usedPercentage: 23.5, resetsAt: now + 8_040_000 },
    sevenDay: { usedPercentage: 41.2, resetsAt: now + 274_200_000 },
  });
}

function timeOne(args: string[], stdin: string, env: NodeJS.ProcessEnv, runtime = process.execPath): number {
  const t0 = performance.now();
  const r = spawnSync(runtime, args, { input: stdin, env, stdio: ["pipe", "pipe", "pipe"] });
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
    const bun: number[] = [];
    const haveBun = existsSync(BUN);
    // interleaved, so load from elsewhere on the host hits both series alike
    for (let i = 0; i < WARMUP + runs; i++) {
      const a = timeOne([MAIN], stdin, env);
      const b = timeOne([empty], stdin, env);
      const c = haveBun ? timeOne([MAIN], stdin, env, BUN) : 0;
      if (i >= WARMUP) {
        ms.push(a);
        base.push(b);
        if (haveBun) bun.push(c);
      }
    }
    const r = (x: number): number => Math.round(x * 10) / 10;
    return {
      p50: r(percentile(ms, 50)),
      p95: r(percentile(ms, 95)),
      runs,
      nodeBaselineP50: r(percentile(base, 50)),
      nodeBaselineP95: r(percentile(base, 95)),
      bunP50: haveBun ? r(percentile(bun, 50)) : null,
      bunP95: haveBun ? r(percentile(bun, 95)) : null,
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
      ...(b.bunP95 === null
        ? []
        : [{ name: "statusline on Bun (what install-statusline picks) p95", value: round(b.bunP95), unit: "ms", target: "≤ 50", ok: b.bunP95 <= 50 }]),
    ],
    notes: ["statusline: wall time of `node dist/statusline-main.js` with Claude Code's stdin and no daemon listening (state-file path), start-up included"],
    data: { ...b },
  };
}
