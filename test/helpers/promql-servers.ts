import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./server-process.js";

/** A PromQL server the test started: Debian's prometheus or victoria-metrics on loopback. */
export interface PromqlServer {
  url: string;
  port: number;
  dataDir: string;
  logs(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the servers take no port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A scrape config for both servers: every target scraped each second. */
export function scrapeConfig(jobs: Record<string, string[]>): string {
  const lines = ["global:", "  scrape_interval: 1s", "  scrape_timeout: 900ms", "scrape_configs:"];
  for (const [job, targets] of Object.entries(jobs)) {
    lines.push(`  - job_name: ${job}`, "    static_configs:", `      - targets: [${targets.map((t) => JSON.stringify(t)).join(", ")}]`);
  }
  return `${lines.join("\n")}\n`;
}

async function launch(cmd: string, args: string[], url: string, readyPath: string, dataDir: string): Promise<PromqlServer> {
  const proc: ChildProcess = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`${cmd} exited with ${proc.exitCode}: ${out.slice(-2000)}`);
      const r = await fetch(`${url}${readyPath}`).catch(() => null);
      return r?.ok ? true : undefined;
    },
    60_000,
    `${cmd} ready`,
  );
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    logs: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
  };
}

/** Debian's Prometheus (2.42) with `config` (YAML), its TSDB in `dataDir` (kept across restarts). */
export async function startPrometheus(config: string, opts: { port?: number; dataDir?: string } = {}): Promise<PromqlServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "cg-prom-"));
  const file = join(dataDir, "prometheus.yml");
  writeFileSync(file, config);
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  return launch(
    "prometheus",
    [
      `--config.file=${file}`,
      `--storage.tsdb.path=${join(dataDir, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=8d",
      "--log.level=warn",
    ],
    url,
    "/-/ready",
    dataDir,
  );
}

/**
 * Debian's VictoriaMetrics scraping with the same config. `latencyOffset`: how long it hides the
 * newest samples (its default is 30 s; the PromQL source re-reads to cope with it).
 */
export async function startVictoriaMetrics(config: string, latencyOffset = "5s"): Promise<PromqlServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "cg-vm-"));
  const file = join(dataDir, "scrape.yml");
  writeFileSync(file, config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return launch(
    "victoria-metrics",
    [
      `-promscrape.config=${file}`,
      `-storageDataPath=${join(dataDir, "data")}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      `-search.latencyOffset=${latencyOffset}`,
      "-retentionPeriod=8d",
      "-loggerLevel=WARN",
      "-search.disableCache",
    ],
    url,
    "/health",
    dataDir,
  );
}

/** An instant query's answer as [labels, value] pairs (throws on an error answer). */
export async function instantQuery(url: string, query: string): Promise<{ metric: Record<string, string>; value: number }[]> {
  const r = await fetch(`${url}/api/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ query }).toString(),
  });
  const body = (await r.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== "success" || !body.data) throw new Error(`query failed (${r.status}): ${query}: ${body.error ?? ""}`);
  if (body.data.resultType !== "vector") throw new Error(`expected a vector from ${query}, got ${body.data.resultType}`);
  return body.data.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
}
