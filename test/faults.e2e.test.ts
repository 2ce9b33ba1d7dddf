/**
 * Faults are states, not latches: a real daemon process, real files, and faults that come and go.
 * Each test waits for a positive sign (a count, a health state) — never a fixed sleep.
 */
import { spawn, execFileSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UsageSnapshotSchema, type UsageSnapshot } from "@claude-gauge/core";
import { generateCorpus } from "./corpus/corpus-lib.js";
import { CLI, startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function start(configDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const s = await startServer(configDir, [], env);
  running.push(s);
  return s;
}

async function usage(s: RunningServer): Promise<UsageSnapshot> {
  const r = await fetch(`${s.url}/usage`);
  expect(r.status).toBe(200);
  return UsageSnapshotSchema.parse(await r.json());
}

interface JsonlHealth {
  ok: boolean;
  problems: { where: string; error: string }[];
  roots: string[];
  looked_in: string[];
  files: number;
}

async function health(s: RunningServer): Promise<{ source_ok: boolean; sources: JsonlHealth[] }> {
  return (await fetch(`${s.url}/healthz`)).json() as Promise<{ source_ok: boolean; sources: JsonlHealth[] }>;
}

const tokens = (s: RunningServer, n: number, what: string, ms = 15_000) =>
  waitFor(async () => ((await usage(s)).window_5h_tokens === n ? true : undefined), ms, `${what} (${n} tokens)`);

const line = (id: string, input: number) => `${assistantLine({ id, ts: new Date(), input, output: 0 })}\n`;
const asRoot = process.getuid?.() === 0;
/** fixed ceilings: a suggested ceiling may move as minutes complete, which is not what is compared */
const CEILINGS = { CLAUDE_GAUGE_5H_CEILING: "1M", CLAUDE_GAUGE_7D_CEILING: "10M", CLAUDE_GAUGE_TACH_REDLINE: "50k" };

describe("faults come and go; the daemon follows (real process, real files)", () => {
  it("started before its config dir and projects/ exist, it follows them once they appear, vanish and come back", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "cg-fault-")), "claude");
    const s = await start(config);
    expect((await usage(s)).window_5h_tokens).toBe(0);
    expect((await health(s)).sources[0]).toMatchObject({ ok: true, roots: [], looked_in: [config], files: 0 });
    expect(s.logs()).toContain("no transcripts yet");

    const proj = join(config, "projects", "-home-u-app");
    mkdirSync(proj, { recursive: true });
    writeFileSync(join(proj, "s1.jsonl"), line("a", 150));
    await tokens(s, 150, "the first transcript");
    expect((await health(s)).sources[0]).toMatchObject({ ok: true, roots: [join(config, "projects")], looked_in: [config], files: 1 });

    rmSync(join(config, "projects"), { recursive: true });
    await waitFor(async () => ((await health(s)).sources[0]?.roots.length === 0 ? true : undefined), 15_000, "the root to go");
    const gone = await usage(s);
    expect(gone.source_ok).toBe(true); // a root that is not there is not a fault
    expect(gone.window_5h_tokens).toBe(150); // deleted transcripts keep their counted tokens

    mkdirSync(proj, { recursive: true });
    writeFileSync(join(proj, "s2.jsonl"), line("b", 50));
    await tokens(s, 200, "the root to come back");
  });

  it("an unreadable transcript lights STALL and says why; fixed, everything clears by itself", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-fault-"));
    const proj = join(dir, "projects", "-home-u-app");
    mkdirSync(proj, { recursive: true });
    writeFileSync(join(proj, "s1.jsonl"), line("a", 10));
    const s = await start(dir);
    expect((await usage(s)).source_ok).toBe(true);

    // A dangling link (chmod does not stop root, so these faults work as any user)
    const target = join(dir, "elsewhere.jsonl");
    symlinkSync(target, join(proj, "s2.jsonl"));
    const broken = await waitFor(
      async () => {
        const u = await usage(s);
        return u.source_ok ? undefined : u;
      },
      10_000,
      "source_ok=false",
    );
    expect(broken.stall).toBe(true);
    const h = await health(s);
    expect(h.source_ok).toBe(false);
    expect(h.sources[0]?.problems).toEqual([{ where: expect.stringMatching(/project-[0-9a-f]{8}\/s2\.jsonl$/), error: expect.stringContaining("ENOENT") }]);
    writeFileSync(target, line("b", 20));
    await tokens(s, 30, "the link's target");
    const fixed = await waitFor(
      async () => {
        const u = await usage(s);
        return u.source_ok ? u : undefined;
      },
      10_000,
      "source_ok=true",
    );
    expect(fixed.stall).toBe(false);
    expect((await health(s)).sources[0]?.problems).toEqual([]);

    // A FIFO where a transcript should be: never opened (it would block a thread), a problem until replaced
    const fifo = join(proj, "s3.jsonl");
    execFileSync("mkfifo", [fifo]);
    await waitFor(async () => ((await health(s)).sources[0]?.problems[0]?.error === "not a regular file" ? true : undefined), 10_000, "the FIFO problem");
    rmSync(fifo);
    writeFileSync(fifo, line("c", 5));
    await tokens(s, 35, "the file in the FIFO's place");
    await waitFor(async () => ((await usage(s)).source_ok ? true : undefined), 10_000, "source_ok=true again");
    expect(s.logs()).toMatch(/reads again: .*s2\.jsonl/);
  });

  it.skipIf(asRoot)("a file and a folder without read permission, then fixed (skipped as root: root reads anyway)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-fault-"));
    const proj = join(dir, "projects", "-home-u-app");
    const other = join(dir, "projects", "-home-u-other");
    mkdirSync(proj, { recursive: true });
    mkdirSync(other);
    writeFileSync(join(proj, "s1.jsonl"), line("a", 10));
    const s = await start(dir);
    writeFileSync(join(proj, "s2.jsonl"), line("b", 20));
    chmodSync(join(proj, "s2.jsonl"), 0);
    writeFileSync(join(other, "s3.jsonl"), line("c", 40));
    chmodSync(other, 0);
    await waitFor(async () => ((await health(s)).sources[0]?.problems.length === 2 ? true : undefined), 10_000, "two problems");
    expect((await usage(s)).stall).toBe(true);
    chmodSync(join(proj, "s2.jsonl"), 0o644);
    chmodSync(other, 0o755);
    await tokens(s, 70, "the fixed file and folder");
    await waitFor(async () => ((await usage(s)).source_ok ? true : undefined), 10_000, "source_ok=true");
  });

  it("folders deleted while the daemon lists them are gone, not faults", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-fault-"));
    const keep = join(dir, "projects", "-home-u-keep");
    mkdirSync(keep, { recursive: true });
    writeFileSync(join(keep, "s.jsonl"), line("k", 1));
    const doomed = Array.from({ length: 400 }, (_, i) => join(dir, "projects", `-home-u-p${i}`));
    for (const [i, d] of doomed.entries()) {
      mkdirSync(join(d, "s", "subagents"), { recursive: true });
      writeFileSync(join(d, "s.jsonl"), line(`d${i}`, 1));
      writeFileSync(join(d, "s", "subagents", "agent-1.jsonl"), line(`e${i}`, 1));
    }
    const starting = start(dir);
    for (const d of doomed) rmSync(d, { recursive: true }); // while the daemon walks and scans
    const s = await starting;
    // one folder deleted after it was listed and followed
    const late = join(dir, "projects", "-home-u-late");
    mkdirSync(late);
    writeFileSync(join(late, "s.jsonl"), line("l", 1000));
    await waitFor(async () => ((await usage(s)).window_5h_tokens >= 1001 ? true : undefined), 15_000, "the late folder");
    rmSync(late, { recursive: true });
    await waitFor(async () => ((await health(s)).sources[0]?.files === 1 ? true : undefined), 15_000, "the late folder to go");
    // the marker: a line written after every deletion, counted once the daemon caught up
    const before = (await usage(s)).window_5h_tokens;
    appendFileSync(join(keep, "s.jsonl"), line("marker", 7));
    await tokens(s, before + 7, "the marker");
    const h = await health(s);
    expect(h.source_ok).toBe(true);
    expect(h.sources[0]?.problems).toEqual([]);
    expect((await usage(s)).stall).toBe(false);
  });

  it("5,000 new files in one folder while /usage is polled: every poll answers within 1 s", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-fault-"));
    const proj = join(dir, "projects", "-home-u-app");
    mkdirSync(proj, { recursive: true });
    for (let i = 0; i < 200; i++) writeFileSync(join(proj, `old${i}.jsonl`), line(`o${i}`, 1));
    const s = await start(dir);
    const burst = join(dir, "projects", "-home-u-burst");
    mkdirSync(burst);
    // another process writes them as fast as it can, so this process only polls
    const ts = new Date().toISOString();
    const writer = spawn(process.execPath, [
      "-e",
      `const fs=require("fs"),p=require("path");for(let i=0;i<5000;i++)fs.writeFileSync(p.join(${JSON.stringify(burst)},"b"+i+".jsonl"),JSON.stringify({type:"assistant",timestamp:${JSON.stringify(ts)},sessionId:"b"+i,requestId:"req_b"+i,message:{id:"msg_b"+i,model:"claude-sonnet-4-5",usage:{input_tokens:1,output_tokens:0}}})+"\\n")`,
    ]);
    const latencies: number[] = [];
    const deadline = Date.now() + 180_000;
    let last = 0;
    while (last !== 5200 && Date.now() < deadline) {
      const t0 = performance.now();
      last = (await usage(s)).window_5h_tokens;
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => (writer.exitCode === null ? writer.once("exit", r) : r(null)));
    const max = Math.max(...latencies);
    console.log(`5,000 new files: ${latencies.length} polls of /usage, max ${max.toFixed(0)} ms`);
    expect(last).toBe(5200);
    expect(max).toBeLessThan(1000);
    expect((await health(s)).sources[0]).toMatchObject({ files: 5200, problems: [] });
  });

  it("killed with SIGKILL mid-scan, a restart gives the same totals as a clean cold start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-fault-"));
    await generateCorpus({ outDir: dir, seed: 9, sizeMb: 120, days: 7, end: new Date().toISOString() });
    const state = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "cg-state-")), XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), "cg-cache-")) };
    const env = { ...process.env, ...CEILINGS, ...state, CLAUDE_CONFIG_DIR: dir };
    const killed = spawn(process.execPath, [CLI, "serve", "--port", "0"], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    killed.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // mid-scan: the process that scans holds a transcript open and the daemon has not started
    // serving; the first scan of a history this long runs in a child process of the daemon's
    const projects = join(dir, "projects");
    const children = () => readdirSync("/proc").filter((p) => /^\d+$/.test(p) && parentOf(p) === killed.pid);
    const scanning = await waitFor(
      () => {
        for (const pid of children()) {
          try {
            for (const fd of readdirSync(`/proc/${pid}/fd`)) {
              if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(projects)) return pid;
            }
          } catch {
            // the process is starting or a descriptor closed meanwhile
          }
        }
        return undefined;
      },
      30_000,
      "the scan to open a transcript",
    );
    killed.kill("SIGKILL");
    await new Promise((r) => killed.once("exit", r));
    expect(stderr).not.toContain("serving");
    // the scan process ends too (its stdin closed: at its first event-loop turn)
    await waitFor(() => (existsSync(`/proc/${scanning}`) ? undefined : true), 10_000, "the daemon's scan process to end");

    const restarted = await start(dir, { ...CEILINGS, ...state });
    const clean = await start(dir, CEILINGS);
    const strip = ({ updated_at: _u, rate_1m: _r, tach_pos: _t, ...rest }: UsageSnapshot) => rest;
    const [a, b] = await Promise.all([usage(restarted), usage(clean)]);
    expect(a.window_7d_tokens).toBeGreaterThan(0);
    expect(strip(a)).toEqual(strip(b));
    const totals = async (s: RunningServer) => {
      const st = (await (await fetch(`${s.url}/stats?window=all`)).json()) as { totals: unknown };
      return st.totals;
    };
    expect(await totals(restarted)).toEqual(await totals(clean));
  });
});

/** a process's parent pid, from /proc (null once it is gone) */
function parentOf(pid: string): number | null {
  try {
    return Number(/\) \S+ (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1]);
  } catch {
    return null;
  }
}
