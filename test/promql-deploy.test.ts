import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { parseServeFlags } from "../packages/server/src/commands/serve-flags.js";
import { COST_METRIC_NAMES, seriesSelector, TOKEN_METRIC_NAMES } from "../packages/server/src/sources/promql/selector.js";
import { ClaudeCodeProcess } from "./helpers/claude-code-prometheus.js";
import { freePort, instantQuery, scrapeConfig, startPrometheus, startVictoriaMetrics, type PromqlServer } from "./helpers/promql-servers.js";
import { startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

/**
 * docs/deploy cannot run here (no Docker): its files are checked instead — every YAML and JSON
 * parses, the pieces point at each other, Prometheus's own promtool accepts its config, the gauge's
 * command line passes the real flag parser, and every PromQL expression of the dashboard and of
 * the source returns data from a real Prometheus and VictoriaMetrics that scraped Claude Code
 * (emulated with the real OpenTelemetry exporter), a transcript daemon and a hub gauge.
 */

const DEPLOY = fileURLToPath(new URL("../docs/deploy/", import.meta.url));
const read = (p: string) => readFileSync(join(DEPLOY, p), "utf8");

// biome-ignore lint/suspicious/noExplicitAny: the files' shapes are exactly what the tests below check
function yamlFile(p: string): any {
  // one document, no errors (parseDocument reports a second document as an error)
  const doc = parseDocument(read(p));
  expect(
    doc.errors.map((e) => e.message),
    `${p}: YAML errors`,
  ).toEqual([]);
  return doc.toJS();
}

const dashboard = JSON.parse(read("grafana/dashboards/claude-gauge.json")) as {
  uid: string;
  panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
};
const dashboardExprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr })));

/** Grafana's variables, as Grafana would fill them for a short range over 1 s scrapes. */
const fill = (expr: string) => expr.replaceAll("$__rate_interval", "10s").replaceAll("$__interval", "10s").replaceAll("$__range", "1h");

function durationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86_400e3, w: 7 * 86_400e3, y: 365 * 86_400e3 };
  let ms = 0;
  for (const [, n, u] of text.matchAll(/(\d+)(ms|[smhdwy])/g)) ms += Number(n) * units[u!]!;
  return ms;
}

describe("docs/deploy files", () => {
  const compose = yamlFile("compose.yaml");
  const collector = yamlFile("otel-collector.yaml");
  const prometheus = yamlFile("prometheus.yml");

  it("compose: the collector, Prometheus (retention over 7 d), Grafana and the gauge on the PromQL source; every mounted file exists", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["claude-gauge", "grafana", "otel-collector", "prometheus"]);
    const retention = (compose.services.prometheus.command as string[]).find((a) => a.startsWith("--storage.tsdb.retention.time="));
    expect(durationMs(retention!.split("=")[1]!)).toBeGreaterThan(7 * 86_400_000);
    for (const svc of Object.values(compose.services) as { volumes?: string[] }[]) {
      for (const v of svc.volumes ?? []) {
        const src = v.split(":")[0]!;
        if (src.startsWith(".")) expect(existsSync(resolve(DEPLOY, src)), v).toBe(true);
      }
    }
    expect(compose.services.prometheus.volumes).toContain("./prometheus.yml:/etc/prometheus/prometheus.yml:ro");
    expect(compose.services["otel-collector"].volumes[0]).toMatch(/^\.\/otel-collector\.yaml:/);
  });

  it("compose: the gauge's command line is accepted by the real flag parser and reads the compose Prometheus", () => {
    const cmd = compose.services["claude-gauge"].command as string[];
    expect(cmd.slice(0, 3)).toEqual(["node", "/app/packages/server/dist/cli.js", "serve"]);
    const flags = parseServeFlags(cmd.slice(3), {});
    expect(flags.sources).toEqual(["promql"]);
    expect(flags.prometheus?.url).toBe("http://prometheus:9090");
    expect(compose.services["claude-gauge"].volumes).toContain("../..:/app:ro");
  });

  it("collector: OTLP in, delta temporality turned cumulative, Prometheus exporter with unit suffixes; Prometheus scrapes it", () => {
    const pipe = collector.service.pipelines.metrics;
    expect(pipe.receivers).toEqual(["otlp"]);
    expect(pipe.processors[0]).toBe("deltatocumulative");
    expect(Object.keys(collector.processors)).toContain("deltatocumulative");
    expect(pipe.exporters).toEqual(["prometheus"]);
    expect(collector.exporters.prometheus.add_metric_suffixes).toBe(true);
    const port = collector.exporters.prometheus.endpoint.split(":")[1];
    const targets = prometheus.scrape_configs.flatMap((j: { static_configs: { targets: string[] }[] }) => j.static_configs.flatMap((s) => s.targets));
    expect(targets).toContain(`otel-collector:${port}`);
    expect(compose.services["otel-collector"].ports).toEqual(
      expect.arrayContaining([expect.stringMatching(/^4318:4318/), expect.stringMatching(/^4317:4317/)]),
    );
  });

  it("prometheus.yml passes promtool check config; the hub job is the one the dashboard reads", () => {
    const out = execFileSync("promtool", ["check", "config", join(DEPLOY, "prometheus.yml")], { encoding: "utf8" });
    expect(out).toContain("SUCCESS");
    const jobs = prometheus.scrape_configs.map((j: { job_name: string }) => j.job_name);
    expect(jobs).toContain("claude-gauge-hub");
    expect(dashboardExprs.filter((e) => e.expr.includes("job=")).every((e) => e.expr.includes('job="claude-gauge-hub"'))).toBe(true);
  });

  it("Grafana: the provisioned datasource is the dashboard's; the provider reads where compose mounts the dashboards", () => {
    const ds = yamlFile("grafana/provisioning/datasources/prometheus.yaml");
    const prov = yamlFile("grafana/provisioning/dashboards/claude-gauge.yaml");
    expect(ds.datasources[0].url).toBe("http://prometheus:9090");
    expect(new Set(dashboard.panels.map((p) => p.datasource.uid))).toEqual(new Set([ds.datasources[0].uid]));
    expect(compose.services.grafana.volumes).toContain(`./grafana/dashboards:${prov.providers[0].options.path}:ro`);
    expect(dashboardExprs.length).toBeGreaterThanOrEqual(10);
  });
});

describe("every PromQL expression returns data from real servers", () => {
  let prom: PromqlServer;
  let vm: PromqlServer;
  let daemon: RunningServer;
  let hub: RunningServer;
  const cc = new ClaudeCodeProcess({ sessionId: "sess-d", email: "dash@example.com" });

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-dash-"));
    const proj = join(dir, "projects", "-home-u-app");
    mkdirSync(proj, { recursive: true });
    const file = join(proj, "s1.jsonl");
    writeFileSync(file, "");
    daemon = await startServer(dir, ["--machine", "dash-box"]);
    const ccTarget = await cc.listen();
    // the hub reads a Prometheus on a port chosen now, started right after it
    const promPort = await freePort();
    hub = await startServer(mkdtempSync(join(tmpdir(), "cg-hub-")), ["--source", "promql", "--prometheus", `http://127.0.0.1:${promPort}`], {
      CLAUDE_GAUGE_PROMQL_POLL_MS: "500",
    });
    const config = scrapeConfig({
      "claude-code": [ccTarget],
      "claude-gauge-daemons": [`127.0.0.1:${daemon.port}`],
      "claude-gauge-hub": [`127.0.0.1:${hub.port}`],
    });
    [prom, vm] = await Promise.all([startPrometheus(config, { port: promPort }), startVictoriaMetrics(config, "1s")]);
    // usage after both servers have seen the daemon once, spread over a few scrapes
    for (const server of [prom, vm])
      await waitFor(
        async () => ((await instantQuery(server.url, 'up{job="claude-gauge-daemons"} == 1').catch(() => [])).length > 0 ? true : undefined),
        60_000,
        "daemon scraped",
      );
    for (let i = 0; i < 4; i++) {
      cc.request({ model: "claude-sonnet-4-5-20250929", input: 100 + i, output: 200, cacheRead: 3000, cacheCreation: 400, costUsd: 0.01 });
      appendFileSync(
        file,
        `${assistantLine({ id: `d${i}`, ts: new Date(), model: "claude-opus-4-5-20251101", input: 10, output: 20, cacheRead: 300, cacheCreation: 40 })}\n`,
      );
      await new Promise((r) => setTimeout(r, 1500));
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all([prom?.stop(), vm?.stop(), daemon?.stop(), hub?.stop(), cc.close()]);
  });

  const sourceExprs = [
    { title: "source: series read (query_range)", expr: seriesSelector([...TOKEN_METRIC_NAMES, ...COST_METRIC_NAMES], "") },
    ...[...TOKEN_METRIC_NAMES, ...COST_METRIC_NAMES].map((n) => ({
      title: `source: baseline of ${n}`,
      expr: `last_over_time(${seriesSelector([n], "")}[1h])`,
    })),
  ];

  for (const server of ["Prometheus 2.42", "VictoriaMetrics"] as const) {
    it.each([...dashboardExprs, ...sourceExprs])(`${server}: $title`, async ({ expr }) => {
      const url = server === "VictoriaMetrics" ? vm.url : prom.url;
      // wait for data (the servers are still scraping); an expression that does not parse fails at once
      const result = await waitFor(
        async () => {
          const r = await instantQuery(url, fill(expr));
          return r.length > 0 && r.every((s) => Number.isFinite(s.value)) ? r : undefined;
        },
        30_000,
        `${expr} on ${server}`,
      );
      expect(result.length).toBeGreaterThan(0);
    });
  }
});
