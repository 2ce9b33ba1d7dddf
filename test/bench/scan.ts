/** `scan`: cold `report daily --json` on a 200 MiB corpus — ours vs ccusage vs a plain read of the files. */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { CCUSAGE_BIN } from "../oracle/ccusage.js";
import { CLI, ensureCorpus, makeTempDir, median, memoryKb, removeTempDir, round, runTimed, sleep, type BenchOptions, type SectionResult } from "./common.js";

const TIME = "/usr/bin/time";
const RUN_TIMEOUT_MS = 120_000;

/** Reads every .jsonl under FLOOR_DIR, whole files or through one 8 MiB buffer; prints the byte count. */
const FLOOR_SCRIPT = `
const fs = require("node:fs"), path = require("node:path");
const dir = process.env.FLOOR_DIR, buf = process.env.FLOOR_MODE === "chunk" ? Buffer.allocUnsafe(8 << 20) : null;
let total = 0;
for (const rel of fs.readdirSync(dir, { recursive: true })) {
  if (!rel.endsWith(".jsonl")) continue;
  const f = path.join(dir, rel);
  if (buf === null) { total += fs.readFileSync(f).length; continue; }
  const fd = fs.openSync(f, "r");
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) total += n;
  fs.closeSync(fd);
}
process.stdout.write(String(total));
`;

interface Contender {
  key: string;
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** The platform binary the ccusage npm shim execs (ccusage 20 is native), when installed. */
function ccusageNative(): string | null {
  const pkg = `@ccusage/ccusage-${process.platform}-${process.arch}/bin/ccusage`;
  try {
    return createRequire(CCUSAGE_BIN).resolve(pkg);
  } catch {
    return null;
  }
}

interface Measured {
  ms: number;
  peakKb: number;
  stdout: string;
}

async function measure(c: Contender, tmp: string, capture: boolean): Promise<Measured> {
  if (existsSync(TIME)) {
    const out = join(tmp, "time.txt");
    const r = await runTimed(TIME, ["-f", "%M", "-o", out, c.cmd, ...c.args], c.env, RUN_TIMEOUT_MS, capture);
    if (r.code !== 0) throw new Error(`${c.key} exited with ${r.code}: ${r.stderr.slice(0, 500)}`);
    const peakKb = Number(readFileSync(out, "utf8").trim().split("\n").pop());
    return { ms: r.ms, peakKb, stdout: r.stdout };
  }
  // fallback: poll the peak RSS the kernel keeps for the process
  let peakKb = 0;
  let stop = false;
  const r = await runTimed(c.cmd, c.args, c.env, RUN_TIMEOUT_MS, capture, (p) => {
    void (async () => {
      while (!stop && p.pid !== undefined) {
        try {
          peakKb = Math.max(peakKb, memoryKb(p.pid).hwmKb);
        } catch {
          return;
        }
        await sleep(10);
      }
    })();
  });
  stop = true;
  if (r.code !== 0) throw new Error(`${c.key} exited with ${r.code}: ${r.stderr.slice(0, 500)}`);
  return { ms: r.ms, peakKb, stdout: r.stdout };
}

interface DailyTotals {
  totals?: { totalTokens?: number; totalCost?: number };
}

export async function scan(o: BenchOptions): Promise<SectionResult> {
  const corpus = await ensureCorpus("corpus-200mb", 200, 200, 30);
  const env: NodeJS.ProcessEnv = { ...process.env, CLAUDE_CONFIG_DIR: corpus.dir, NO_COLOR: "1", LOG_LEVEL: "0" };
  delete env["FORCE_COLOR"];
  const daily = ["claude", "daily", "--json", "--offline", "--timezone", "UTC"];
  const native = ccusageNative();
  const contenders: Contender[] = [
    { key: "ours", cmd: process.execPath, args: [CLI, "report", "daily", "--json", "-q", "--timezone", "UTC"], env },
    { key: "ccusage", cmd: CCUSAGE_BIN, args: daily, env },
    ...(native ? [{ key: "ccusage_native", cmd: native, args: daily, env }] : []),
    { key: "floor_readfile", cmd: process.execPath, args: ["-e", FLOOR_SCRIPT], env: { ...env, FLOOR_DIR: join(corpus.dir, "projects"), FLOOR_MODE: "readfile" } },
    { key: "floor_chunk8m", cmd: process.execPath, args: ["-e", FLOOR_SCRIPT], env: { ...env, FLOOR_DIR: join(corpus.dir, "projects"), FLOOR_MODE: "chunk" } },
  ];
  const tmp = makeTempDir("cg-bench-scan-");
  try {
    // warm-up: fills the page cache and checks that both reports agree and the floor reads it all
    const first = new Map<string, Measured>();
    for (const c of contenders) first.set(c.key, await measure(c, tmp, true));
    const totals = (k: string): DailyTotals["totals"] => (JSON.parse(first.get(k)?.stdout ?? "{}") as DailyTotals).totals;
    const ours = totals("ours");
    const theirs = totals("ccusage");
    const agree =
      ours?.totalTokens === theirs?.totalTokens && Math.abs((ours?.totalCost ?? Number.NaN) - (theirs?.totalCost ?? Number.NaN)) < 1e-6;
    const floorBytes = Number(first.get("floor_readfile")?.stdout);

    // timed runs, interleaved so background load hits every contender alike
    const samples = new Map<string, Measured[]>(contenders.map((c) => [c.key, []]));
    for (let i = 0; i < o.runs; i++) {
      for (const c of contenders) samples.get(c.key)?.push(await measure(c, tmp, false));
    }
    const ms = (k: string) => median((samples.get(k) ?? []).map((s) => s.ms));
    const mb = (k: string) => median((samples.get(k) ?? []).map((s) => s.peakKb)) / 1024;
    const floorKey = ms("floor_readfile") <= ms("floor_chunk8m") ? "floor_readfile" : "floor_chunk8m";
    const floor = ms(floorKey);
    const rOurs = ms("ours") / ms("ccusage");
    const rNative = native ? ms("ours") / ms("ccusage_native") : Number.NaN;
    const rFloor = ms("ours") / floor;
    const rows: SectionResult["rows"] = [
      { name: `corpus`, value: `${corpus.files} files, ${round(corpus.bytes / 2 ** 20)} MiB`, unit: "" },
      { name: "ours: report daily --json (wall)", value: round(ms("ours"), 0), unit: "ms" },
      { name: "ccusage claude daily --json (npm bin)", value: round(ms("ccusage"), 0), unit: "ms" },
      ...(native ? [{ name: "ccusage native binary, no shim", value: round(ms("ccusage_native"), 0), unit: "ms" }] : []),
      { name: "read floor (fresh node, read all .jsonl)", value: round(floor, 0), unit: "ms" },
      { name: "  floor readFileSync / 8 MiB chunks", value: `${round(ms("floor_readfile"), 0)} / ${round(ms("floor_chunk8m"), 0)}`, unit: "ms" },
      { name: "ratio ours / ccusage", value: round(rOurs, 2), unit: "x", target: "≤ 0.4", ok: rOurs <= 0.4 },
      ...(native ? [{ name: "ratio ours / ccusage native", value: round(rNative, 2), unit: "x", target: "≤ 0.4", ok: rNative <= 0.4 }] : []),
      { name: "ratio ours / read floor", value: round(rFloor, 2), unit: "x", target: "≤ 2", ok: rFloor <= 2 },
      { name: "peak RSS ours", value: round(mb("ours")), unit: "MiB", target: "≤ 120", ok: mb("ours") <= 120 },
      { name: "peak RSS ccusage (npm bin)", value: round(mb("ccusage")), unit: "MiB" },
      ...(native ? [{ name: "peak RSS ccusage native", value: round(mb("ccusage_native")), unit: "MiB" }] : []),
      { name: "same totals as ccusage (tokens, cost)", value: agree ? "yes" : "NO", unit: "", target: "yes", ok: agree },
    ];
    const notes = [
      `scan: wall = spawn→exit seen by the bench, median of ${o.runs} runs after one warm-up (page cache warm); ` +
        `peak RSS = ${existsSync(TIME) ? "GNU time %M" : "VmHWM polled every 10 ms"}` +
        (native ? "; the npm `ccusage` bin is a Node shim that execs the native binary (its %M is the larger of the two)" : ""),
    ];
    if (floorBytes !== corpus.bytes) notes.push(`scan: floor read ${floorBytes} bytes but the corpus holds ${corpus.bytes}`);
    return {
      rows,
      notes,
      data: {
        corpus,
        runs: o.runs,
        median_ms: Object.fromEntries(contenders.map((c) => [c.key, ms(c.key)])),
        median_peak_rss_mib: Object.fromEntries(contenders.map((c) => [c.key, mb(c.key)])),
        samples: Object.fromEntries([...samples].map(([k, v]) => [k, v.map((s) => ({ ms: s.ms, peak_kb: s.peakKb }))])),
        floor_variant: floorKey,
        ratio_ours_ccusage: rOurs,
        ratio_ours_ccusage_native: native ? rNative : null,
        ratio_ours_floor: rFloor,
        totals_agree: agree,
        totals: { ours, ccusage: theirs },
      },
    };
  } finally {
    removeTempDir(tmp);
  }
}
