/**
 * Scan sections: our `report daily --json` against ccusage 20 and a plain read of the same files,
 * side by side in one run, each figure also as a ratio.
 *   scan    200 MiB: cold (no cache), warm (nothing changed), after 1 MiB appended to one file, after a new session's file appeared
 *   growth  cold at 50 / 200 / 800 MiB: time and peak RSS, so the growth curve shows
 *   single  one 800 MiB transcript file
 *   tree    a 4 GiB tree (--tree-gb to shrink it when disk is short)
 * Corpora up to 200 MiB are kept in .bench/; the larger ones live in a temporary folder and are
 * removed when their section ends (or the bench stops).
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CCUSAGE_BIN } from "../oracle/ccusage.js";
import {
  BUN,
  benchEnv,
  COMMAND,
  ensureCorpus,
  tempCorpus,
  makeTempDir,
  median,
  memoryKb,
  removeTempDir,
  round,
  runTimed,
  sleep,
  type BenchOptions,
  type Row,
  type SectionResult,
} from "./common.js";

const TIME = "/usr/bin/time";
const RUN_TIMEOUT_MS = 600_000;

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
  /** runs before each timed run, untimed (the append case grows a file here) */
  before?: () => Promise<void> | void;
  /** runs after each timed run, untimed */
  after?: () => Promise<void> | void;
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

function sameTotals(a: string, b: string): boolean {
  const x = (JSON.parse(a) as DailyTotals).totals;
  const y = (JSON.parse(b) as DailyTotals).totals;
  return (
    x?.totalTokens === y?.totalTokens &&
    Math.abs((x?.totalCost ?? Number.NaN) - (y?.totalCost ?? Number.NaN)) <= 1e-6 * Math.max(1, Math.abs(y?.totalCost ?? 0))
  );
}

const DAILY = ["claude", "daily", "--json", "--offline", "--timezone", "UTC"];

function baseEnv(configDir: string): NodeJS.ProcessEnv {
  const env = benchEnv({ CLAUDE_CONFIG_DIR: configDir, NO_COLOR: "1", LOG_LEVEL: "0" });
  delete env["FORCE_COLOR"];
  return env;
}

/** ours (no cache), ccusage (the npm bin and, when there, its native binary), and the read floor. */
function coldContenders(configDir: string, cacheHome: string): Contender[] {
  const env = { ...baseEnv(configDir), XDG_CACHE_HOME: cacheHome };
  const native = ccusageNative();
  return [
    { key: "ours_cold", cmd: process.execPath, args: [COMMAND, "report", "daily", "--json", "-q", "--timezone", "UTC", "--no-cache"], env },
    { key: "ccusage", cmd: CCUSAGE_BIN, args: DAILY, env },
    ...(native ? [{ key: "ccusage_native", cmd: native, args: DAILY, env }] : []),
    {
      key: "floor_readfile",
      cmd: process.execPath,
      args: ["-e", FLOOR_SCRIPT],
      env: { ...env, FLOOR_DIR: join(configDir, "projects"), FLOOR_MODE: "readfile" },
    },
    { key: "floor_chunk8m", cmd: process.execPath, args: ["-e", FLOOR_SCRIPT], env: { ...env, FLOOR_DIR: join(configDir, "projects"), FLOOR_MODE: "chunk" } },
  ];
}

/** Times every contender `runs` times, interleaved so background load hits all alike, after one untimed warm-up each. */
async function compare(
  contenders: Contender[],
  runs: number,
): Promise<{ first: Map<string, Measured>; ms: (k: string) => number; mb: (k: string) => number; samples: Map<string, Measured[]> }> {
  const tmp = makeTempDir("cg-bench-scan-");
  try {
    const first = new Map<string, Measured>();
    for (const c of contenders) {
      await c.before?.();
      first.set(c.key, await measure(c, tmp, true));
      await c.after?.();
    }
    const samples = new Map<string, Measured[]>(contenders.map((c) => [c.key, []]));
    for (let i = 0; i < runs; i++) {
      for (const c of contenders) {
        await c.before?.();
        samples.get(c.key)?.push(await measure(c, tmp, false));
        await c.after?.();
      }
    }
    return {
      first,
      samples,
      ms: (k) => median((samples.get(k) ?? []).map((s) => s.ms)),
      mb: (k) => median((samples.get(k) ?? []).map((s) => s.peakKb)) / 1024,
    };
  } finally {
    removeTempDir(tmp);
  }
}

function floorOf(ms: (k: string) => number): number {
  return Math.min(ms("floor_readfile"), ms("floor_chunk8m"));
}

/** The biggest transcript of a tree (the append case grows it). */
function biggestFile(configDir: string): string {
  const root = join(configDir, "projects");
  let best = "";
  let size = -1;
  for (const rel of readdirSync(root, { recursive: true }) as string[]) {
    if (!rel.endsWith(".jsonl")) continue;
    const s = statSync(join(root, rel)).size;
    if (s > size) {
      size = s;
      best = join(root, rel);
    }
  }
  return best;
}

/** The first lines of `file` (about `bytes`) as another session's: message and request ids renamed, so no other file holds them. */
function newSession(file: string, bytes: number): string {
  const head = readFileSync(file, "utf8").slice(0, bytes);
  return `${head.slice(0, head.lastIndexOf("\n")).replaceAll('"msg_', '"msg_benchnew_').replaceAll('"req_', '"req_benchnew_')}\n`;
}

/** About `bytes` of usage lines taken from `file` (repeats of its own messages: the ledger keeps them once). */
function appendBlock(file: string, bytes: number): string {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.includes('"usage":{') && l.length < 20_000);
  if (lines.length === 0) throw new Error(`${file} holds no usage lines to repeat`);
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = lines[i % lines.length]!;
    out.push(l);
    n += l.length + 1;
  }
  return `${out.join("\n")}\n`;
}

export async function scan(o: BenchOptions): Promise<SectionResult> {
  const corpus = await ensureCorpus("corpus-200mb", 200, 200, 30);
  const cacheHome = makeTempDir("cg-bench-cache-");
  try {
    const env = { ...baseEnv(corpus.dir), XDG_CACHE_HOME: cacheHome };
    // the command as installed (bin/claude-gauge.cjs), as a user's `claude-gauge report daily` runs it
    const report = [COMMAND, "report", "daily", "--json", "-q", "--timezone", "UTC"];
    const big = biggestFile(corpus.dir);
    const bigSize = statSync(big).size;
    const block = appendBlock(big, 1 << 20);
    // a new session's transcript: the biggest file's first 256 KiB of lines, under ids no other file holds
    const session = newSession(big, 256 << 10);
    const sessionPath = join(dirname(big), "bench-new-session.jsonl");
    // on the runtime that is timed next: saved answers are kept per runtime
    const rewarm = async (runtime = process.execPath) => {
      const r = await runTimed(runtime, report, env, RUN_TIMEOUT_MS);
      if (r.code !== 0) throw new Error(`warming the cache failed: ${r.stderr.slice(0, 300)}`);
    };
    /** our report after `change` was made to a tree the cache knows; `undo` puts the tree back */
    const afterChange = (key: string, change: () => void, undo: () => void): Contender => ({
      key,
      cmd: process.execPath,
      args: report,
      env,
      before: async () => {
        await rewarm();
        change();
      },
      after: undo,
    });
    const contenders: Contender[] = [
      ...coldContenders(corpus.dir, cacheHome),
      // warm: the cache is up to date before each run
      { key: "ours_warm", cmd: process.execPath, args: report, env, before: () => rewarm() },
      ...(existsSync(BUN) ? [{ key: "ours_warm_bun", cmd: BUN, args: report, env, before: () => rewarm(BUN) }] : []),
      // what any Node program pays before its first line runs
      { key: "node_bare", cmd: process.execPath, args: ["-e", "0"], env },
      // append: 1 MiB lands in the biggest file; put back afterwards
      afterChange(
        "ours_append",
        () => appendFileSync(big, block),
        () => truncateSync(big, bigSize),
      ),
      // a new session: one new transcript file appears; removed afterwards
      afterChange(
        "ours_new_session",
        () => writeFileSync(sessionPath, session),
        () => rmSync(sessionPath, { force: true }),
      ),
    ];
    const { first, ms, mb, samples } = await compare(contenders, o.runs);
    const floor = floorOf(ms);
    const cc = ms("ccusage");
    const native = samples.has("ccusage_native");
    const ccn = native ? ms("ccusage_native") : Number.NaN;
    const agree = (k: string) => sameTotals(first.get(k)!.stdout, first.get("ccusage")!.stdout);
    const ratio = (k: string, target?: number): Row[] => [
      { name: `  ${k}: / ccusage, / read floor`, value: `${round(ms(k) / cc, 2)} / ${round(ms(k) / floor, 2)}`, unit: "x" },
      ...(target === undefined ? [] : [{ name: `  ${k} / ccusage`, value: round(ms(k) / cc, 2), unit: "x", target: `≤ ${target}`, ok: ms(k) / cc <= target }]),
    ];
    const rows: Row[] = [
      { name: "corpus", value: `${corpus.files} files, ${round(corpus.bytes / 2 ** 20)} MiB`, unit: "" },
      { name: "ccusage claude daily --json (npm bin)", value: round(cc, 0), unit: "ms" },
      ...(native ? [{ name: "ccusage native binary, no shim", value: round(ccn, 0), unit: "ms" }] : []),
      { name: "read floor (fresh node, read all .jsonl)", value: round(floor, 0), unit: "ms" },
      { name: "ours cold (--no-cache)", value: round(ms("ours_cold"), 0), unit: "ms" },
      ...ratio("ours_cold", 0.5),
      { name: "ours warm (nothing changed)", value: round(ms("ours_warm"), 0), unit: "ms" },
      ...ratio("ours_warm", 0.1),
      { name: "  bare `node -e 0` / ccusage", value: `${round(ms("node_bare"), 0)} ms / ${round(ms("node_bare") / cc, 2)}`, unit: "x" },
      ...(samples.has("ours_warm_bun") ? [{ name: "ours warm on Bun", value: round(ms("ours_warm_bun"), 0), unit: "ms" }, ...ratio("ours_warm_bun", 0.1)] : []),
      { name: "ours after 1 MiB appended to one file", value: round(ms("ours_append"), 0), unit: "ms" },
      ...ratio("ours_append", 0.15),
      { name: "ours after a new session's file appeared (256 KiB)", value: round(ms("ours_new_session"), 0), unit: "ms" },
      ...ratio("ours_new_session"),
      {
        name: "peak RSS: ours cold / warm / append / new session",
        value: `${round(mb("ours_cold"))} / ${round(mb("ours_warm"))} / ${round(mb("ours_append"))} / ${round(mb("ours_new_session"))}`,
        unit: "MiB",
      },
      { name: "peak RSS: ccusage npm bin / native", value: `${round(mb("ccusage"))} / ${native ? round(mb("ccusage_native")) : "—"}`, unit: "MiB" },
      {
        name: "peak RSS ours cold / ccusage",
        value: round(mb("ours_cold") / mb("ccusage"), 2),
        unit: "x",
        target: "≤ 1",
        ok: mb("ours_cold") <= mb("ccusage"),
      },
      {
        name: "same totals as ccusage: cold, warm",
        value: agree("ours_cold") && agree("ours_warm") ? "yes" : "NO",
        unit: "",
        target: "yes",
        ok: agree("ours_cold") && agree("ours_warm"),
      },
    ];
    return {
      rows,
      notes: [
        `scan: wall = spawn→exit seen by the bench, median of ${o.runs} runs after one warm-up each, contenders interleaved (page cache warm); ` +
          `peak RSS = ${existsSync(TIME) ? "GNU time %M" : "VmHWM polled every 10 ms"}; ratios against ccusage's npm bin (a Node shim that execs the native binary)` +
          `; the append case adds ${round(block.length / 2 ** 20, 2)} MiB of repeated usage lines to ${big.slice(corpus.dir.length)} and truncates it back after each run`,
      ],
      data: {
        corpus,
        runs: o.runs,
        median_ms: Object.fromEntries([...samples.keys()].map((k) => [k, ms(k)])),
        median_peak_rss_mib: Object.fromEntries([...samples.keys()].map((k) => [k, mb(k)])),
        samples: Object.fromEntries([...samples].map(([k, v]) => [k, v.map((s) => ({ ms: s.ms, peak_kb: s.peakKb }))])),
        floor_ms: floor,
      },
    };
  } finally {
    removeTempDir(cacheHome);
  }
}

/** One cold run of ours and of ccusage on a tree, with the read floor: time, peak RSS, same totals. */
async function coldOnce(dir: string, runs: number): Promise<Row[]> {
  const cacheHome = makeTempDir("cg-bench-cache-");
  try {
    const contenders = coldContenders(dir, cacheHome).filter((c) => c.key !== "ccusage_native" && c.key !== "floor_chunk8m");
    const { first, ms, mb } = await compare(contenders, runs);
    const floor = ms("floor_readfile");
    const agree = sameTotals(first.get("ours_cold")!.stdout, first.get("ccusage")!.stdout);
    return [
      { name: "  ours / ccusage / read floor", value: `${round(ms("ours_cold"), 0)} / ${round(ms("ccusage"), 0)} / ${round(floor, 0)}`, unit: "ms" },
      {
        name: "  ratio ours / ccusage, ours / read floor",
        value: `${round(ms("ours_cold") / ms("ccusage"), 2)} / ${round(ms("ours_cold") / floor, 2)}`,
        unit: "x",
      },
      { name: "  peak RSS ours / ccusage", value: `${round(mb("ours_cold"))} / ${round(mb("ccusage"))}`, unit: "MiB" },
      { name: "  same totals as ccusage", value: agree ? "yes" : "NO", unit: "", target: "yes", ok: agree },
    ];
  } finally {
    removeTempDir(cacheHome);
  }
}

export async function growth(o: BenchOptions): Promise<SectionResult> {
  const rows: Row[] = [];
  for (const [mb, keep] of [
    [50, true],
    [200, true],
    [800, false],
  ] as const) {
    const c = keep ? await ensureCorpus(`corpus-${mb}mb`, mb, mb, 30) : await tempCorpus(mb, mb, 60);
    try {
      rows.push({ name: `${mb} MiB (${c.files} files)`, value: "", unit: "" }, ...(await coldOnce(c.dir, Math.max(1, Math.min(o.runs, mb >= 800 ? 2 : 3)))));
    } finally {
      if (!keep) removeTempDir(c.dir);
    }
  }
  return {
    rows,
    notes: [
      "growth: cold `report daily --json --no-cache` and ccusage on 50, 200 and 800 MiB (the 800 MiB tree generated into a temporary folder and removed)",
    ],
    data: {},
  };
}

export async function single(o: BenchOptions): Promise<SectionResult> {
  const src = await tempCorpus(800, 8, 60);
  const dir = makeTempDir("cg-bench-single-");
  try {
    // every file of the tree, one after the other, in one transcript
    const target = join(dir, "projects", "-home-bench-one", "one-session.jsonl");
    mkdirSync(join(dir, "projects", "-home-bench-one"), { recursive: true });
    const out = openSync(target, "w");
    const root = join(src.dir, "projects");
    try {
      for (const rel of (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith(".jsonl")).sort()) {
        writeSync(out, readFileSync(join(root, rel)));
      }
    } finally {
      closeSync(out);
    }
    removeTempDir(src.dir);
    const size = statSync(target).size;
    const rows = [{ name: "one transcript file", value: `${round(size / 2 ** 20)} MiB`, unit: "" }, ...(await coldOnce(dir, Math.max(1, Math.min(o.runs, 2))))];
    return { rows, notes: ["single: the 800 MiB tree's files concatenated into one transcript, read cold by both tools"], data: { bytes: size } };
  } finally {
    removeTempDir(src.dir);
    removeTempDir(dir);
  }
}

export async function tree(o: BenchOptions): Promise<SectionResult> {
  const mb = Math.round(o.treeGb * 1024);
  const c = await tempCorpus(mb, 44, 120);
  try {
    const rows = [{ name: "tree", value: `${c.files} files, ${round(c.bytes / 2 ** 30, 2)} GiB`, unit: "" }, ...(await coldOnce(c.dir, 1))];
    return {
      rows,
      notes: [`tree: a ${o.treeGb} GiB tree generated into a temporary folder, one cold run of each, removed afterwards`],
      data: { files: c.files, bytes: c.bytes },
    };
  } finally {
    removeTempDir(c.dir);
  }
}
