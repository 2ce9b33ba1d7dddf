/**
 * `statusline`: wall time of one run of the status line command as install-statusline installs it
 * (the CommonJS bundle copied into a folder of its own), start-up included, as Claude Code pays it.
 * Realistic stdin with rate_limits, state file in a temp dir, no daemon listening and a real daemon
 * listening (a small tree: the reading is posted and the line shows its rate and lamps). Beside it,
 * bare `node -e 0` (the floor any Node command pays; target ≤ 1.15× of it) and the same copy on Bun
 * (target p95 ≤ 50 ms), and the ESM bundle run from dist/ (what `node dist/statusline-main.js` costs).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claudeStatuslineInput, closedPort } from "../helpers/claude-statusline.js";
import { percentile, smallTree, startDaemon, BUN, ROOT, round, type SectionResult } from "./common.js";

const DIST = join(ROOT, "packages", "server", "dist");
const WARMUP = 5;

interface Series {
  p50: number;
  p95: number;
}

export interface StatuslineBench {
  runs: number;
  /** the installed copy (CommonJS) on Node, no daemon listening, ms */
  node: Series;
  /** the same with a daemon listening, ms */
  withDaemon: Series;
  /** `node -e 0`: what any Node command pays to start, ms */
  bare: Series;
  /** the ES module bundle run in place from dist/, ms */
  esmInPlace: Series;
  /** the installed copy on Bun, which install-statusline prefers when present (ms) */
  bun: Series | null;
}

function input(): string {
  const now = Date.now();
  return claudeStatuslineInput({
    fiveHour: { usedPercentage: 23.5, resetsAt: now + 8_040_000 },
    sevenDay: { usedPercentage: 41.2, resetsAt: now + 274_200_000 },
  });
}

function timeOne(args: string[], stdin: string, env: NodeJS.ProcessEnv, runtime = process.execPath, expect?: RegExp): number {
  const t0 = performance.now();
  const r = spawnSync(runtime, args, { input: stdin, env, stdio: ["pipe", "pipe", "pipe"] });
  const took = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited with ${r.status}: ${String(r.stderr)}`);
  if (expect && !expect.test(String(r.stdout))) throw new Error(`${args.join(" ")} printed ${JSON.stringify(String(r.stdout))}, not ${expect}`);
  return took;
}

/** `runs` runs of each, interleaved so load from elsewhere on the host hits every series alike. */
export async function benchStatusline(runs = 100): Promise<StatuslineBench> {
  const cjs = join(DIST, "statusline-main.cjs");
  if (!existsSync(cjs)) throw new Error(`${cjs} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), "cg-bench-statusline-"));
  const tree = smallTree(200, 10 * 60_000, 3_600_000);
  const daemon = await startDaemon(tree.dir);
  try {
    // the installed form: the CommonJS bundle as statusline-main.js in a folder of its own
    const installed = join(dir, "data", "claude-gauge");
    const copy = join(installed, "statusline-main.js");
    mkdirSync(installed, { recursive: true });
    copyFileSync(cjs, copy);
    writeFileSync(join(installed, "package.json"), '{ "type": "commonjs" }\n');
    const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir, XDG_STATE_HOME: dir, CLAUDE_GAUGE_PORT: String(await closedPort()) };
    const stdin = input();
    const haveBun = existsSync(BUN);
    const withDaemon = { ...env, CLAUDE_GAUGE_PORT: String(daemon.port) };
    const series = { node: [] as number[], daemon: [] as number[], bare: [] as number[], esm: [] as number[], bun: [] as number[] };
    for (let i = 0; i < WARMUP + runs; i++) {
      const a = timeOne([copy], stdin, env);
      // the daemon's answer shows as its rate on the line: a line without it was not the daemon path
      const e = timeOne([copy], stdin, withDaemon, process.execPath, /tok\/min/);
      const b = timeOne(["-e", "0"], stdin, env);
      const c = timeOne([join(DIST, "statusline-main.js")], stdin, env);
      const d = haveBun ? timeOne([copy], stdin, env, BUN) : 0;
      if (i < WARMUP) continue;
      series.node.push(a);
      series.daemon.push(e);
      series.bare.push(b);
      series.esm.push(c);
      if (haveBun) series.bun.push(d);
    }
    const of = (xs: number[]): Series => ({ p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)) });
    return {
      runs,
      node: of(series.node),
      withDaemon: of(series.daemon),
      bare: of(series.bare),
      esmInPlace: of(series.esm),
      bun: haveBun ? of(series.bun) : null,
    };
  } finally {
    await daemon.stop();
    tree.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bench section: the status line's wall time as a ratio to bare Node's start-up. */
export async function statuslineSection(): Promise<SectionResult> {
  const b = await benchStatusline();
  const ratio = b.node.p50 / b.bare.p50;
  return {
    rows: [
      { name: `statusline (installed copy), ${b.runs} runs: p50 / p95`, value: `${b.node.p50} / ${b.node.p95}`, unit: "ms" },
      { name: "  bare node -e 0: p50 / p95", value: `${b.bare.p50} / ${b.bare.p95}`, unit: "ms" },
      { name: "ratio statusline / bare node (p50)", value: round(ratio, 2), unit: "x", target: "≤ 1.15", ok: ratio <= 1.15 },
      { name: "  with a daemon listening: p50 / p95", value: `${b.withDaemon.p50} / ${b.withDaemon.p95}`, unit: "ms" },
      { name: "  ratio with the daemon / bare node (p50)", value: round(b.withDaemon.p50 / b.bare.p50, 2), unit: "x" },
      { name: "  ES module bundle in dist/: p50 / p95", value: `${b.esmInPlace.p50} / ${b.esmInPlace.p95}`, unit: "ms" },
      ...(b.bun === null
        ? []
        : [{ name: "statusline on Bun (what install-statusline picks) p95", value: b.bun.p95, unit: "ms", target: "≤ 50", ok: b.bun.p95 <= 50 }]),
    ],
    notes: [
      "statusline: wall time of the installed command (CommonJS copy) with Claude Code's stdin and no daemon listening (state-file path), and with a daemon on a small tree listening (one POST, answered with the snapshot), start-up included; ratio of medians to `node -e 0` timed interleaved",
    ],
    data: { ...b },
  };
}
