/**
 * npm run bench [-- SECTION…] [--runs N] [--appends N] [--burst-appends N] [--idle-seconds N]
 *                                [--wrk-seconds N] [--wrk-runs N] [--tree-gb G]
 * Sections: scan growth single tree latency history throughput idle rss statusline (none named =
 * all). Prints a table and merges the figures into .bench/results.json. Every child is killed and
 * every temporary corpus removed on the way out, error or not; .bench/ keeps only the 50 and
 * 200 MiB corpora.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BENCH_DIR, cleanupAll, killAll, ROOT, round, type BenchOptions, type Row, type SectionResult } from "./common.js";
import { idle } from "./idle.js";
import { latency } from "./latency.js";
import { rss } from "./rss.js";
import { growth, scan, single, tree } from "./scan.js";
import { history } from "./history.js";
import { statuslineSection } from "./statusline.js";
import { throughput } from "./throughput.js";

const SECTIONS: Record<string, (o: BenchOptions) => Promise<SectionResult>> = {
  scan,
  growth,
  single,
  tree,
  latency,
  history,
  throughput,
  idle,
  rss,
  statusline: () => statuslineSection(),
};

process.once("exit", cleanupAll);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(sig, () => {
    cleanupAll();
    process.exit(130);
  });
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: "string" },
    appends: { type: "string" },
    "burst-appends": { type: "string" },
    "idle-seconds": { type: "string" },
    "wrk-seconds": { type: "string" },
    "wrk-runs": { type: "string" },
    "tree-gb": { type: "string" },
  },
});

function count(name: string, raw: string | undefined, fallback: number, max: number): number {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`--${name}: expected an integer in 1..${max}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

/** --tree-gb: the `tree` section's size (default 4 GiB; smaller when disk is short). */
function gib(raw: string | undefined): number {
  const n = raw === undefined ? 4 : Number(raw);
  if (!(n > 0 && n <= 16)) {
    console.error(`--tree-gb: expected a number in (0, 16], got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

const opts: BenchOptions = {
  runs: count("runs", values.runs, 5, 50),
  appends: count("appends", values.appends, 1000, 5000),
  burstAppends: count("burst-appends", values["burst-appends"], 200, 2000),
  idleSeconds: count("idle-seconds", values["idle-seconds"], 60, 600),
  wrkSeconds: count("wrk-seconds", values["wrk-seconds"], 10, 120),
  wrkRuns: count("wrk-runs", values["wrk-runs"], 3, 10),
  treeGb: gib(values["tree-gb"]),
};
const unknown = positionals.filter((p) => !(p in SECTIONS));
if (unknown.length > 0) {
  console.error(`unknown section(s) ${unknown.join(", ")}; choose from ${Object.keys(SECTIONS).join(" ")}`);
  process.exit(2);
}
const chosen = positionals.length > 0 ? Object.keys(SECTIONS).filter((s) => positionals.includes(s)) : Object.keys(SECTIONS);

function version(pkgJson: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, pkgJson), "utf8")) as { version?: string }).version ?? "?";
  } catch {
    return "not installed";
  }
}

const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? "?",
  memory_gib: round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
  ccusage: version("node_modules/ccusage/package.json"),
  wrk: existsSync("/usr/bin/wrk") ? "yes" : "no",
  gnu_time: existsSync("/usr/bin/time") ? "yes" : "no",
  loadavg_at_start: loadavg().map((x) => round(x, 2)),
};
console.log(
  `machine: ${machine.cores} cores (${machine.cpu}), ${machine.memory_gib} GiB, linux ${machine.kernel}, node ${machine.node}, ` +
    `ccusage ${machine.ccusage}, load ${machine.loadavg_at_start.join(" ")}`,
);

function cell(r: Row): string {
  const value = `${r.value ?? "—"}${r.unit ? ` ${r.unit}` : ""}`;
  const target = r.target === undefined ? "" : `target ${r.target}  ${r.ok ? "ok" : "MISSED"}`;
  return `  ${r.name.padEnd(52)} ${value.padStart(20)}   ${target}`.trimEnd();
}

const resultsPath = join(BENCH_DIR, "results.json");
mkdirSync(BENCH_DIR, { recursive: true });
const previous = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, "utf8")) as { sections?: Record<string, unknown> }) : {};
const sections: Record<string, unknown> = { ...(previous.sections ?? {}) };
const notes: string[] = [];
let failed = 0;
for (const name of chosen) {
  const run = SECTIONS[name];
  if (!run) continue;
  const t0 = performance.now();
  console.log(`\n[${name}]`);
  try {
    const r = await run(opts);
    const seconds = round((performance.now() - t0) / 1000);
    for (const row of r.rows) console.log(cell(row));
    console.log(`  (${seconds} s)`);
    notes.push(...r.notes);
    sections[name] = { at: new Date().toISOString(), seconds, rows: r.rows, notes: r.notes, data: r.data };
  } catch (e) {
    failed++;
    console.log(`  FAILED: ${(e as Error).stack ?? String(e)}`);
    sections[name] = { at: new Date().toISOString(), error: String(e) };
  } finally {
    killAll();
  }
}
if (notes.length > 0) console.log(`\nnotes:\n${notes.map((n) => `  - ${n}`).join("\n")}`);
writeFileSync(resultsPath, `${JSON.stringify({ machine, options: opts, updated_at: new Date().toISOString(), sections }, null, 2)}\n`);
console.log(`\nwrote ${resultsPath} (${chosen.join(", ")}; other sections kept from earlier runs)`);
process.exitCode = failed > 0 ? 1 : 0;
