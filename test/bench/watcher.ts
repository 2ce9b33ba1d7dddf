/**
 * node --import tsx test/bench/watcher.ts [--existing N] [--burst N] [--appends N] [--runs N] [--only a,b]
 *
 * How three ways of watching a transcript tree cope with a burst of new files: Node's recursive
 * fs.watch (what the daemon used), chokidar 4 (pure JS; a watch per file and per folder, a folder
 * re-read on its events), and the daemon's TreeWatch (a watch per folder). Each runs in its own
 * process on the same tree: `existing` files in folders of ten, then another process writes
 * `burst` new files into one folder as fast as it can. Measured: time until every new file was
 * seen; time until the watcher answers again (an append to a known file is seen: the backlog the
 * burst left); the longest event-loop stall and the CPU spent until then; inotify watches held;
 * the latency of later appends and how many were never reported.
 */
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const CONTENDERS = ["node-recursive", "chokidar", "tree-watch"] as const;
type Contender = (typeof CONTENDERS)[number];

interface Result {
  contender: Contender;
  startMs: number;
  watches: number;
  burstMs: number | null;
  /** how long the writer took to create the files (the floor of burstMs) */
  writerMs: number;
  /** from the burst's start until an append to a known file is seen (the backlog drained) */
  busyMs: number | null;
  /** appends to a known file never reported */
  missed: number;
  seen: number;
  maxStallMs: number;
  cpuMs: number;
  appendP50Ms: number;
  rssMb: number;
}

const LINE = `${JSON.stringify({ type: "assistant", message: { id: "m", usage: { input_tokens: 1, output_tokens: 1 } } })}\n`;
const BURST_TIMEOUT_MS = 120_000;
/** how long the first append after the burst may wait behind the watcher's backlog */
const BACKLOG_TIMEOUT_MS = 400_000;
const APPEND_TIMEOUT_MS = 5_000;
const RETRY_APPEND_MS = 2_000;

/** inotify watches this process holds (one line per watch in /proc/self/fdinfo). */
function inotifyWatches(): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fdinfo")) {
    try {
      for (const line of readFileSync(`/proc/self/fdinfo/${fd}`, "utf8").split("\n")) if (line.startsWith("inotify wd:")) n++;
    } catch {
      // fd closed meanwhile
    }
  }
  return n;
}

interface Watching {
  /** called with each new .jsonl path and each change to a known one */
  close(): void;
}

async function startWatching(which: Contender, root: string, onNew: (path: string) => void, onChange: (path: string) => void): Promise<Watching> {
  if (which === "node-recursive") {
    const known = new Set<string>();
    const w = watch(root, { recursive: true }, (_e, name) => {
      if (!name?.endsWith(".jsonl")) return;
      const p = join(root, name);
      if (known.has(p)) onChange(p);
      else {
        known.add(p);
        onNew(p);
      }
    });
    // the recursive watcher reports files that existed before it as new: mark them known first
    for (const d of readdirSync(root)) for (const f of readdirSync(join(root, d))) known.add(join(root, d, f));
    return { close: () => w.close() };
  }
  if (which === "chokidar") {
    const { watch: chokidarWatch } = await import("chokidar");
    const w = chokidarWatch(root, { ignoreInitial: true });
    w.on("add", (p: string) => p.endsWith(".jsonl") && onNew(p));
    w.on("change", (p: string) => p.endsWith(".jsonl") && onChange(p));
    await new Promise<void>((r) => w.once("ready", () => r()));
    return { close: () => void w.close() };
  }
  const { TreeWatch } = await import("../../packages/server/src/sources/jsonl/tree-watch.js");
  let initial = true;
  const tree = new TreeWatch({
    found: (p) => !initial && onNew(p),
    changed: onChange,
    lost: () => {},
    problem: () => {},
    recovered: () => {},
  });
  await tree.addRoot(root);
  initial = false;
  return { close: () => tree.close() };
}

async function child(which: Contender, root: string, burst: number, appends: number): Promise<Result> {
  const newSeen = new Set<string>();
  let changeWaiter: ((p: string) => void) | null = null;
  let burstDone: (() => void) | null = null;
  const t0 = performance.now();
  const w = await startWatching(
    which,
    root,
    (p) => {
      newSeen.add(p);
      if (newSeen.size === burst) burstDone?.();
    },
    (p) => changeWaiter?.(p),
  );
  const startMs = performance.now() - t0;
  const watches = inotifyWatches();

  const burstDir = join(root, "-burst");
  mkdirSync(burstDir);
  const stall = monitorEventLoopDelay({ resolution: 10 });
  stall.enable();
  const cpu0 = process.cpuUsage();
  const b0 = performance.now();
  const finished = new Promise<boolean>((resolve) => {
    burstDone = () => resolve(true);
    setTimeout(() => resolve(false), BURST_TIMEOUT_MS).unref();
  });
  // another process writes (and times itself), so this loop measures only the watcher's work
  const writer = spawn(
    process.execPath,
    [
      "-e",
      `const fs=require("fs"),t0=Date.now();for(let i=0;i<${burst};i++)fs.writeFileSync(require("path").join(${JSON.stringify(burstDir)},"f"+i+".jsonl"),${JSON.stringify(LINE)});console.log(Date.now()-t0)`,
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let writerOut = "";
  writer.stdout.on("data", (d: Buffer) => (writerOut += d.toString()));
  const complete = await finished;
  const burstMs = complete ? performance.now() - b0 : null;
  if (writer.exitCode === null) await new Promise((r) => writer.once("exit", r));

  // append latency to one known file; the first one also measures the backlog the burst left
  const target = join(root, "-p0", "s0.jsonl");
  const appendSeen = async (timeoutMs: number): Promise<number | null> => {
    const seen = new Promise<boolean>((resolve) => {
      changeWaiter = (p) => p === target && resolve(true);
      setTimeout(() => resolve(false), timeoutMs).unref();
    });
    const a0 = performance.now();
    appendFileSync(target, LINE);
    const ok = await seen;
    return ok ? performance.now() - a0 : null;
  };
  // a watcher that drops a change gets another append every few seconds
  let first: number | null = null;
  for (const end = performance.now() + BACKLOG_TIMEOUT_MS; first === null && performance.now() < end; ) first = await appendSeen(RETRY_APPEND_MS);
  const busyMs = first === null ? null : performance.now() - b0;
  const cpu = process.cpuUsage(cpu0);
  stall.disable();
  const lat: number[] = [];
  let missed = 0;
  for (let i = 0; i < appends; i++) {
    await new Promise((r) => setTimeout(r, 20)); // past chokidar's 5 ms per-file throttle
    const ms = await appendSeen(APPEND_TIMEOUT_MS);
    if (ms === null) missed++;
    else lat.push(ms);
  }
  lat.sort((a, b) => a - b);
  w.close();
  return {
    contender: which,
    startMs: Math.round(startMs),
    watches,
    burstMs: burstMs === null ? null : Math.round(burstMs),
    writerMs: Number(writerOut.trim()),
    busyMs: busyMs === null ? null : Math.round(busyMs),
    missed,
    seen: newSeen.size,
    maxStallMs: Math.round(stall.max / 1e6),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    appendP50Ms: lat.length === 0 ? NaN : Math.round(lat[Math.floor(lat.length / 2)]! * 10) / 10,
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  };
}

function makeTree(existing: number): string {
  const root = join(mkdtempSync(join(tmpdir(), "cg-watch-bench-")), "projects");
  for (let i = 0; i < existing; i++) {
    const dir = join(root, `-p${Math.floor(i / 10)}`);
    if (i % 10 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `s${i % 10}.jsonl`), LINE);
  }
  return root;
}

const { values } = parseArgs({
  options: {
    child: { type: "string" },
    root: { type: "string" },
    existing: { type: "string", default: "2000" },
    burst: { type: "string", default: "5000" },
    appends: { type: "string", default: "20" },
    runs: { type: "string", default: "1" },
    /** some of the contenders (the recursive watch takes minutes to drain a 5,000-file burst) */
    only: { type: "string" },
  },
});
const burst = Number(values.burst);
const appends = Number(values.appends);

if (values.child) {
  const r = await child(values.child as Contender, values.root!, burst, appends);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
} else {
  const existing = Number(values.existing);
  const rows: Result[] = [];
  // contenders interleaved run by run: a shared machine's load drifts
  for (let run = 0; run < Number(values.runs); run++) {
    for (const which of CONTENDERS.filter((c) => values.only === undefined || values.only.split(",").includes(c))) {
      const root = makeTree(existing);
      const self = fileURLToPath(import.meta.url);
      const out = spawnSync(
        process.execPath,
        ["--import", "tsx", self, "--child", which, "--root", root, "--burst", String(burst), "--appends", String(appends)],
        { encoding: "utf8", timeout: BURST_TIMEOUT_MS + BACKLOG_TIMEOUT_MS + appends * APPEND_TIMEOUT_MS + 60_000 },
      );
      rmSync(join(root, ".."), { recursive: true, force: true });
      if (out.status !== 0) {
        console.error(`${which} failed: ${out.stderr || out.error}`);
        continue;
      }
      rows.push(JSON.parse(out.stdout.trim().split("\n").at(-1)!) as Result);
    }
  }
  console.log(`watcher bench: ${existing} existing files in folders of 10, then ${burst} new files in one folder (load ${loadavg()[0]!.toFixed(1)})`);
  console.table(
    rows.map((r) => ({
      watcher: r.contender,
      "start ms": r.startMs,
      "inotify watches": r.watches,
      "writer ms": r.writerMs,
      [`all ${burst} seen ms`]: r.burstMs ?? `> ${BURST_TIMEOUT_MS} (${r.seen} seen)`,
      "behind writer ms": r.burstMs === null ? "-" : r.burstMs - r.writerMs,
      "busy until ms": r.busyMs ?? `> ${BURST_TIMEOUT_MS + BACKLOG_TIMEOUT_MS}`,
      "max loop stall ms": r.maxStallMs,
      "CPU ms": r.cpuMs,
      "append p50 ms": r.appendP50Ms,
      "appends missed": `${r.missed}/${appends}`,
      "RSS MB": r.rssMb,
    })),
  );
}
