/** `throughput`: GET /usage requests/s on loopback under wrk (2 threads, 32 connections). */
import { existsSync } from "node:fs";
import { median, round, runTimed, smallTree, startDaemon, type BenchOptions, type Row, type SectionResult } from "./common.js";

const WRK = "/usr/bin/wrk";

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function toMs(text: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? "");
  return m ? Number(m[1]) * (UNIT_MS[m[2] ?? ""] ?? Number.NaN) : Number.NaN;
}

interface WrkRun {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

function parseWrk(out: string): WrkRun {
  const grab = (re: RegExp) => re.exec(out)?.[1];
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    rps: Number(grab(/Requests\/sec:\s+([\d.]+)/)),
    p50: toMs(grab(/^\s+50%\s+(\S+)/m)),
    p99: toMs(grab(/^\s+99%\s+(\S+)/m)),
    requests: Number(grab(/(\d+) requests in/)),
    errors: Number(grab(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0) + socketErrors,
  };
}

export async function throughput(o: BenchOptions): Promise<SectionResult> {
  if (!existsSync(WRK)) {
    return { rows: [{ name: "skipped", value: "wrk not installed (apt-get install wrk)" }], notes: [], data: { skipped: "no wrk" } };
  }
  const tree = smallTree(200, 10 * 60_000, 2 * 3_600_000);
  const daemon = await startDaemon(tree.dir);
  try {
    const probe = await fetch(`${daemon.url}/usage`);
    const body = await probe.text();
    if (probe.status !== 200) throw new Error(`/usage answered ${probe.status}`);
    const runs: WrkRun[] = [];
    for (let i = 0; i < o.wrkRuns; i++) {
      const args = ["-t2", "-c32", `-d${o.wrkSeconds}s`, "--latency", `${daemon.url}/usage`];
      const r = await runTimed(WRK, args, process.env, (o.wrkSeconds + 30) * 1000, true);
      if (r.code !== 0) throw new Error(`wrk exited with ${r.code}: ${r.stderr}`);
      runs.push(parseWrk(r.stdout));
    }
    const med = (k: keyof WrkRun) => median(runs.map((r) => r[k]));
    const errors = runs.reduce((a, r) => a + r.errors, 0);
    const rows: Row[] = [
      { name: `wrk -t2 -c32 -d${o.wrkSeconds}s /usage (${body.length} B body)`, value: o.wrkRuns, unit: "runs" },
      { name: "  requests/s (median)", value: round(med("rps"), 0), unit: "req/s" },
      { name: "  latency p50 / p99 (median)", value: `${round(med("p50"), 2)} / ${round(med("p99"), 2)}`, unit: "ms" },
      { name: "  non-2xx + socket errors", value: errors, unit: "", target: "0", ok: errors === 0 },
    ];
    return {
      rows,
      notes: ["throughput: wrk and the daemon share the 2 cores, so this is a loopback figure with the load generator competing for CPU."],
      data: { runs, median_rps: med("rps"), median_p50_ms: med("p50"), median_p99_ms: med("p99"), body_bytes: body.length },
    };
  } finally {
    await daemon.stop();
    tree.remove();
  }
}
