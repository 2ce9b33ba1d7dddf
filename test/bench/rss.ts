/**
 * `rss`: the daemon's memory once it has read and is following a history of 200 MiB and of 1 GiB
 * (generated into a temporary folder, removed afterwards): flat memory means the 1 GiB figure is
 * ≤ 120 MiB and ≤ 1.3× the 200 MiB one. Also the restart: the daemon's second start on the same
 * 1 GiB, from the state the first saved at stop, and its CPU once idle on that history; then the
 * same restart with the scan cache alone.
 */
import { mkdirSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { DAEMON_LINUX_ENV } from "../../packages/server/src/commands/install-service.js";
import {
  CORPUS_END,
  cpuOver,
  ensureCorpus,
  tempCorpus,
  makeTempDir,
  memoryKb,
  removeTempDir,
  round,
  sleep,
  startDaemon,
  type BenchOptions,
  type Row,
  type SectionResult,
} from "./common.js";

// the daemon gives back its young generation once it has been quiet a few seconds (twice at worst)
const SETTLED_AFTER_MS = 20_000;
/**
 * CPU is measured over this long on the restarted daemon (two safety rescans), twice: right after
 * it settled, a window that holds V8's own memory reducer's collections after the start (~30 s
 * after it serves, once), then the one after, when it only follows
 */
const IDLE_MS = 65_000;

/** The daemon's own heap figures from prom-client's default metrics on /metrics, in MiB. */
async function heapFigures(url: string): Promise<{ used: number; total: number; external: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mib = (metric: string) => round(Number(new RegExp(`^\\w*${metric}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, "m").exec(text)?.[1]) / 2 ** 20);
  return { used: mib("nodejs_heap_size_used_bytes"), total: mib("nodejs_heap_size_total_bytes"), external: mib("nodejs_external_memory_bytes") };
}

interface Follow {
  readyMs: number;
  settledKb: number;
  hwmKb: number;
  anonKb: number;
  heap: { used: number; total: number; external: number };
  /** % of one core over IDLE_MS after settling, when asked for */
  idleCpuPct: number | null;
  /** the same over the IDLE_MS after that */
  steadyCpuPct: number | null;
}

/** `service`: started as install-service's systemd unit starts it (the unit's environment). */
async function follow(dir: string, cacheHome: string, service = false, idle = false): Promise<Follow> {
  const daemon = await startDaemon(dir, 900_000, { XDG_CACHE_HOME: cacheHome, ...(service ? DAEMON_LINUX_ENV : {}) });
  try {
    await sleep(SETTLED_AFTER_MS);
    const m = memoryKb(daemon.pid);
    const heap = await heapFigures(daemon.url);
    const idleCpuPct = idle ? (await cpuOver(daemon.pid, IDLE_MS)).pct : null;
    const steadyCpuPct = idle ? (await cpuOver(daemon.pid, IDLE_MS)).pct : null;
    return { readyMs: daemon.readyMs, settledKb: m.rssKb, hwmKb: m.hwmKb, anonKb: m.anonKb, heap, idleCpuPct, steadyCpuPct };
  } finally {
    await daemon.stop();
  }
}

export async function rss(_o: BenchOptions): Promise<SectionResult> {
  const small = await ensureCorpus("corpus-200mb", 200, 200, 30);
  const g = await tempCorpus(1024, 1024, 120);
  const big = g.dir;
  writtenLongAgo(big);
  const cacheHome = makeTempDir("cg-bench-cache-");
  try {
    const at200 = await follow(small.dir, makeTempDir("cg-bench-cache-"));
    const cold = await follow(big, cacheHome);
    const restart = await follow(big, cacheHome, false, true);
    // the same restart without the daemon's saved state: through the scan cache
    dropSavedState(cacheHome);
    const cacheRestart = await follow(big, cacheHome);
    // as install-service runs it: with the unit's environment for glibc's allocator
    const service = await follow(big, makeTempDir("cg-bench-cache-"), true);
    const service200 = await follow(small.dir, makeTempDir("cg-bench-cache-"), true);
    const serviceRestart = await follow(big, cacheHome, true);
    // what the daemon holds before any history: its code, Node and ICU
    const blank = makeTempDir("cg-bench-empty-");
    mkdirSync(join(blank, "projects"));
    const empty = await follow(blank, makeTempDir("cg-bench-cache-"), true);
    removeTempDir(blank);
    const mib = (kb: number) => round(kb / 1024);
    const growth = cold.settledKb / at200.settledKb;
    const rows: Row[] = [
      { name: "corpus", value: `${g.files} files, ${round(g.bytes / 2 ** 20)} MiB (and the 200 MiB corpus)`, unit: "" },
      { name: "VmRSS 20 s after serving: 200 MiB history", value: mib(at200.settledKb), unit: "MiB" },
      { name: "VmRSS 20 s after serving: 1 GiB history", value: mib(cold.settledKb), unit: "MiB", target: "≤ 120", ok: cold.settledKb / 1024 <= 120 },
      { name: "  ratio 1 GiB / 200 MiB", value: round(growth, 2), unit: "x", target: "≤ 1.3", ok: growth <= 1.3 },
      { name: "  VmHWM (peak, the cold scan included)", value: mib(cold.hwmKb), unit: "MiB" },
      { name: "  JS heap used / total / external (/metrics)", value: `${cold.heap.used} / ${cold.heap.total} / ${cold.heap.external}`, unit: "MiB" },
      {
        name: "spawn→serving on 1 GiB: first start / restart (saved state) / restart (scan cache only)",
        value: `${round(cold.readyMs, 0)} / ${round(restart.readyMs, 0)} / ${round(cacheRestart.readyMs, 0)}`,
        unit: "ms",
      },
      { name: "  VmRSS after the restart: saved state / scan cache only", value: `${mib(restart.settledKb)} / ${mib(cacheRestart.settledKb)}`, unit: "MiB" },
      { name: "  VmHWM (peak) of the restart: saved state / scan cache only", value: `${mib(restart.hwmKb)} / ${mib(cacheRestart.hwmKb)}`, unit: "MiB" },
      {
        name: `  idle CPU after the restart (no client), ${SETTLED_AFTER_MS / 1000}–${(SETTLED_AFTER_MS + IDLE_MS) / 1000} s after it serves / the ${IDLE_MS / 1000} s after`,
        value: `${round(restart.idleCpuPct ?? Number.NaN, 2)} / ${round(restart.steadyCpuPct ?? Number.NaN, 2)}`,
        unit: "%",
        target: "≤ 0.5 (the second)",
        ok: (restart.steadyCpuPct ?? Number.POSITIVE_INFINITY) <= 0.5,
      },
      {
        name: `as the service runs it (${Object.entries(DAEMON_LINUX_ENV)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")}): first / restart`,
        value: `${mib(service.settledKb)} / ${mib(serviceRestart.settledKb)}`,
        unit: "MiB",
        target: "≤ 120",
        ok: Math.max(service.settledKb, serviceRestart.settledKb) / 1024 <= 120,
      },
      { name: "  200 MiB history as the service runs it", value: mib(service200.settledKb), unit: "MiB" },
      {
        name: "  ratio 1 GiB / 200 MiB as the service runs it (first starts)",
        value: round(service.settledKb / service200.settledKb, 2),
        unit: "x",
        target: "≤ 1.3",
        ok: service.settledKb / service200.settledKb <= 1.3,
      },
      { name: "  JS heap used / total / external (/metrics)", value: `${service.heap.used} / ${service.heap.total} / ${service.heap.external}`, unit: "MiB" },
      {
        name: "  of which anonymous (the rest: Node's binary and ICU data, mapped)",
        value: `${mib(service.anonKb)} / ${mib(serviceRestart.anonKb)}`,
        unit: "MiB",
      },
      { name: "  an empty tree, as the service runs it", value: mib(empty.settledKb), unit: "MiB" },
    ];
    return { rows, notes: [], data: { at200, cold, restart, cacheRestart, service, service200, serviceRestart, empty } };
  } finally {
    removeTempDir(big);
    removeTempDir(cacheHome);
  }
}

/**
 * Stamps every file and folder of a generated history with the time its lines end, as a history
 * Claude Code wrote months ago (generated, each would look written a moment ago): the daemon's
 * safety rescan treats quiet files and folders differently.
 */
/** Removes the daemon's saved state from a cache folder: its next start goes through the scan cache. */
function dropSavedState(cacheHome: string): void {
  const folder = join(cacheHome, "claude-gauge");
  for (const n of readdirSync(folder)) if (n.endsWith(".state")) rmSync(join(folder, n));
}

function writtenLongAgo(dir: string): void {
  const when = new Date(CORPUS_END);
  for (const rel of readdirSync(join(dir, "projects"), { recursive: true }) as string[]) utimesSync(join(dir, "projects", rel), when, when);
  utimesSync(join(dir, "projects"), when, when);
}
