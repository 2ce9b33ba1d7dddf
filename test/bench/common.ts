/** Shared plumbing of the benchmarks: child processes (always killed), stats, corpora, /proc. */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCorpus } from "../corpus/corpus-lib.js";
import { CLI, COMMAND } from "../helpers/server-process.js";
import { assistantLine } from "../helpers/transcript-lines.js";

export { CLI, COMMAND };
export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** the Bun the workspace installs (the bun package keeps its binary under this name on every platform) */
export const BUN = join(ROOT, "node_modules", "bun", "bin", "bun.exe");
export const BENCH_DIR = join(ROOT, ".bench");
/** Far in the past: the corpora never touch the live windows, and `now` never changes a report. */
export const CORPUS_END = "2024-01-01T00:00:00.000Z";

export interface Row {
  name: string;
  value: number | string | null;
  unit?: string;
  target?: string;
  /** whether the target is met; absent when there is no target */
  ok?: boolean;
}

export interface SectionResult {
  rows: Row[];
  notes: string[];
  /** everything measured, raw samples included, for results.json */
  data: Record<string, unknown>;
}

export interface BenchOptions {
  runs: number;
  appends: number;
  burstAppends: number;
  idleSeconds: number;
  wrkSeconds: number;
  wrkRuns: number;
  /** size of the big tree of the `tree` section, GiB */
  treeGb: number;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100); NaN for an empty list. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1] ?? Number.NaN;
}

export const round = (x: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

// ---------------------------------------------------------------------------------------------
// Child processes: each in its own process group, all killed on exit, error or signal.

const children = new Set<ChildProcess>();

function killGroup(p: ChildProcess, sig: NodeJS.Signals): void {
  if (p.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
  try {
    process.kill(-p.pid, sig);
  } catch {
    try {
      p.kill(sig);
    } catch {
      /* already gone */
    }
  }
}

export function killAll(): void {
  for (const p of children) killGroup(p, "SIGKILL");
  children.clear();
}

const tempDirs = new Set<string>();

/** A temp dir removed by removeTempDir, or by cleanupAll when the bench stops early. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Kills every child and removes every temp dir (on exit, error or signal). */
export function cleanupAll(): void {
  killAll();
  for (const d of [...tempDirs]) removeTempDir(d);
}

export function spawnTracked(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, capture = false): ChildProcess {
  const p = spawn(cmd, args, { env, stdio: ["ignore", capture ? "pipe" : "ignore", "pipe"], detached: true });
  children.add(p);
  p.once("exit", () => children.delete(p));
  return p;
}

/** Stops a tracked child: SIGTERM, then SIGKILL after `graceMs`. */
export function stopChild(p: ChildProcess, graceMs = 3000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const t = setTimeout(() => killGroup(p, "SIGKILL"), graceMs);
    p.once("exit", () => {
      clearTimeout(t);
      done();
    });
    killGroup(p, "SIGTERM");
  });
}

export interface Finished {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed after timeoutMs); wall time measured from spawn to exit. */
export function runTimed(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  capture = false,
  onSpawn?: (p: ChildProcess) => void,
): Promise<Finished> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const p = spawnTracked(cmd, args, env, capture);
    onSpawn?.(p);
    let stdout = "";
    let stderr = "";
    p.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    p.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killGroup(p, "SIGKILL");
      fail(new Error(`${cmd} ${args.join(" ")}: no exit after ${timeoutMs} ms`));
    }, timeoutMs);
    p.once("error", (e) => {
      clearTimeout(timer);
      fail(e);
    });
    p.once("close", (code) => {
      clearTimeout(timer);
      done({ ms: performance.now() - t0, code, stdout, stderr });
    });
  });
}

export interface Daemon {
  proc: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** ms from spawn to the "serving" line */
  readyMs: number;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * The environment the bench's processes start with: this one without the variables that change
 * how any Node process starts. A host's NODE_EXTRA_CA_CERTS is read at every start (~50 ms here,
 * paid alike by our CLI and ccusage's npm shim), which buried the differences being measured.
 */
export function benchEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of ["NODE_OPTIONS", "NODE_EXTRA_CA_CERTS"]) delete env[k];
  return env;
}

/** `claude-gauge serve --port 0` on configDir; resolves at its "serving http://…" line. */
export async function startDaemon(configDir: string, timeoutMs = 60_000, env: NodeJS.ProcessEnv = {}): Promise<Daemon> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const t0 = performance.now();
  const proc = spawnTracked(
    process.execPath,
    [CLI, "serve", "--port", "0", "--timezone", "UTC"],
    benchEnv({
      CLAUDE_CONFIG_DIR: configDir,
      // a scan cache of its own unless the section shares one: the bench never touches the user's
      XDG_CACHE_HOME: makeTempDir("cg-bench-cache-"),
      ...env,
    }),
  );
  let stderr = "";
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`daemon not serving after ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    proc.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      const m = /serving http:\/\/[^:]+:(\d+)\//.exec(stderr);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`daemon exited with ${code}: ${stderr}`));
    });
  }).catch(async (e: unknown) => {
    await stopChild(proc);
    throw e;
  });
  if (proc.pid === undefined) throw new Error("daemon has no pid");
  return {
    proc,
    pid: proc.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    readyMs: performance.now() - t0,
    logs: () => stderr,
    stop: () => stopChild(proc),
  };
}

// ---------------------------------------------------------------------------------------------
// /proc

/** VmRSS and VmHWM (peak RSS) in KiB. */
/** Resident memory of a process: in all, at its peak, and the anonymous part (what it allocated, not mapped files such as its own binary). */
export function memoryKb(pid: number): { rssKb: number; hwmKb: number; anonKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rssKb: field("VmRSS"), hwmKb: field("VmHWM"), anonKb: field("RssAnon") };
}

/** CPU a process used over the next `ms`: utime+stime from /proc in clock ticks, and as % of one core. */
export async function cpuOver(pid: number, ms: number): Promise<{ ticks: number; hz: number; seconds: number; pct: number }> {
  const hz = clockTicksPerSecond();
  const t0 = performance.now();
  const c0 = cpuTicks(pid);
  await sleep(ms);
  const ticks = cpuTicks(pid) - c0;
  const seconds = (performance.now() - t0) / 1000;
  return { ticks, hz, seconds, pct: (ticks / hz / seconds) * 100 };
}

/** The kernel's clock ticks per second, the unit of cpuTicks. */
function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // fields after the ")" that closes the command name: state is field 3, utime 14, stime 15
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(rest[11]) + Number(rest[12]);
}

// ---------------------------------------------------------------------------------------------
// Corpora

/** Generates a corpus once into .bench/<name> (a marker file records completion), then reuses it. */
/** A corpus in a temporary folder (removed by the caller, or when the bench stops). */
export async function tempCorpus(sizeMb: number, seed: number, days: number): Promise<{ dir: string; files: number; bytes: number }> {
  const dir = makeTempDir(`cg-bench-${sizeMb}mb-`);
  process.stderr.write(`bench: generating ${sizeMb} MiB corpus into ${dir} (removed afterwards) …\n`);
  const s = await generateCorpus({ outDir: dir, seed, sizeMb, days, end: CORPUS_END });
  return { dir, files: s.files, bytes: s.bytes };
}

export async function ensureCorpus(
  name: string,
  seed: number,
  sizeMb: number,
  days: number,
): Promise<{ dir: string; files: number; bytes: number; generatedMs: number | null }> {
  const dir = join(BENCH_DIR, name);
  const marker = join(dir, "bench-corpus.json");
  const want = { seed, sizeMb, days, end: CORPUS_END };
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, "utf8")) as typeof want & { files: number; bytes: number };
    if (m.seed === seed && m.sizeMb === sizeMb && m.days === days && m.end === CORPUS_END) {
      return { dir, files: m.files, bytes: m.bytes, generatedMs: null };
    }
  }
  rmSync(dir, { recursive: true, force: true }); // a half-written or different corpus
  process.stderr.write(`bench: generating ${sizeMb} MiB corpus into ${dir} …\n`);
  const t0 = performance.now();
  const stats = await generateCorpus({ outDir: dir, seed, sizeMb, days, end: CORPUS_END });
  writeFileSync(marker, JSON.stringify({ ...want, files: stats.files, bytes: stats.bytes }));
  return { dir, files: stats.files, bytes: stats.bytes, generatedMs: performance.now() - t0 };
}

/**
 * A temp config dir with one project and one session holding `lines` assistant lines spread over
 * the `spanMs` before `endAgoMs` ago (all inside the live windows when endAgoMs + spanMs < 5 h).
 */
export function smallTree(lines: number, endAgoMs: number, spanMs: number): { dir: string; file: string; remove(): void } {
  const dir = makeTempDir("cg-bench-");
  const proj = join(dir, "projects", "-home-bench-app");
  mkdirSync(proj, { recursive: true });
  const file = join(proj, "bench-session.jsonl");
  const end = Date.now() - endAgoMs;
  const text: string[] = [];
  for (let i = 0; i < lines; i++) {
    const ts = new Date(end - spanMs + Math.floor((spanMs * i) / Math.max(1, lines - 1)));
    text.push(assistantLine({ id: `seed${i}`, ts, input: 40 + i, output: 300, cacheRead: 5000, session: "bench-session" }));
  }
  writeFileSync(file, text.length > 0 ? `${text.join("\n")}\n` : "");
  return { dir, file, remove: () => removeTempDir(dir) };
}
