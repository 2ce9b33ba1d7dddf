import { fileURLToPath } from "node:url";
import { parseConfig, usageJsonSchema } from "@claude-gauge/core";
import { apiRoutes } from "../http/api-routes.js";
import { GaugeMetrics } from "../service/metrics.js";
import { createHttpServer } from "../http/server.js";
import { clusterLine, webRoutes } from "../http/web-routes.js";
import { WsPush } from "../http/ws-push.js";
import { ExportedTotals, exportedTotalsFile } from "../service/exported-totals.js";
import { GaugeService } from "../service/gauge-service.js";
import { CcusageSource } from "../sources/ccusage/ccusage-source.js";
import { findCcusage } from "../sources/ccusage/ccusage-runner.js";
import { DemoSource } from "../sources/demo/demo-source.js";
import { JsonlSource } from "../sources/jsonl/jsonl-source.js";
import { defaultCacheDir } from "../sources/jsonl/cache-keys.js";
import { releaseBackfillMemory } from "../service/release-memory.js";
import { otlpRoutes } from "../sources/otlp/otlp-routes.js";
import { OtlpSource } from "../sources/otlp/otlp-source.js";
import { PromqlSource } from "../sources/promql/promql-source.js";
import type { Source } from "../sources/source.js";
import { parseStatuslineSample } from "../statusline/sample.js";
import { readStateSamples, stateDir } from "../statusline/state-file.js";
import { parseServeFlags, type ServeSource } from "./serve-flags.js";

/** `claude-gauge serve`: follow the sources and serve the cluster page, /usage, /ws, /metrics, /stats, /history. */
export async function serve(args: string[]): Promise<void> {
  const flags = parseServeFlags(args, process.env);
  const log = (msg: string) => process.stderr.write(`claude-gauge: ${msg}\n`);
  const base = parseConfig(process.env);
  // The demo writes transcripts for the normal transcript source to follow, on its own (faster) clock.
  const demo = flags.demo ? new DemoSource({ speed: flags.demoSpeed, log }) : null;
  const config = demo ? demo.prepare(base) : base;
  const clock = demo?.clock ?? Date.now;
  const sourceOf = (kind: ServeSource): Source => {
    switch (kind) {
      case "jsonl":
        return new JsonlSource({ showProjects: flags.showProjects, log, ...(flags.cache ? { cacheDir: defaultCacheDir() } : {}) });
      case "otlp":
        return new OtlpSource({ clock, log });
      // parseServeFlags fills flags.prometheus and flags.ccusage whenever their source is listed
      case "promql":
        return new PromqlSource({ ...flags.prometheus!, log });
      case "ccusage":
        return new CcusageSource({ ...flags.ccusage!, command: findCcusage(process.env), showProjects: flags.showProjects, log });
    }
  };
  const sources: Source[] = demo ? [demo] : flags.sources.map(sourceOf);
  // the OTLP receiver's routes join the daemon's one HTTP edge
  const otlp = sources.find((s): s is OtlpSource => s instanceof OtlpSource) ?? null;
  // Transcript counts become claude_code_* counters for a shared Prometheus. Not the demo's (made
  // up), and not the PromQL source's (they came from Prometheus: exported again, they would count twice).
  // Nor ccusage's: its history is apportioned among models, not counted per model.
  const totals =
    !demo && !flags.sources.some((s) => s === "promql" || s === "ccusage") ? new ExportedTotals(exportedTotalsFile(stateDir(process.env)), log) : null;
  const metrics = new GaugeMetrics(undefined, { usage: totals ? { machine: flags.machine, totals } : null });
  const service = new GaugeService({
    sources,
    config,
    metrics,
    clock,
    showProjects: flags.showProjects || demo !== null,
    timeZone: flags.timezone,
    log,
    ...(demo ? {} : { officialHistory: () => readStateSamples(stateDir(process.env), (v) => parseStatuslineSample(v, clock())) }),
  });
  metrics.sourceStats = () => service.sourceStats();
  const started = performance.now();
  await service.start();
  // The history is in: from here on the exported counters only grow, across restarts too.
  totals?.settle();
  const saver = totals ? setInterval(() => totals.save(), 10_000) : null;
  saver?.unref();
  const ws = new WsPush(service.feed);
  metrics.wsClientCount = () => ws.clientCount;
  const web = webRoutes(fileURLToPath(new URL("./web/", import.meta.url)));
  const server = createHttpServer({
    routes: [
      ...apiRoutes({
        feed: service.feed,
        schemaJson: JSON.stringify(usageJsonSchema(), null, 2),
        stats: (w) => service.stats(w),
        history: (h) => service.history(h),
        health: () => ({ ...service.health(), ws_clients: ws.clientCount }),
        registry: metrics.registry,
        statusline: (body) => service.acceptStatusline(body),
      }),
      ...(otlp ? otlpRoutes(otlp) : []),
    ],
    assets: web,
    ws,
    allowHosts: flags.allowHosts,
    ...(flags.token ? { token: flags.token } : {}),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(flags.port, flags.host, () => resolve());
    });
  } catch (e) {
    if (saver) clearInterval(saver);
    service.stop();
    ws.close();
    // the CLI turns address errors into one line and exit code 1 (commands/listen-error.ts)
    throw e;
  }
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : flags.port;
  const shownHost = flags.host.includes(":") ? `[${flags.host}]` : flags.host;
  const files = service.sourceStats().files;
  // the backfill is done: what it read and decoded need not wait for the next collection
  void releaseBackfillMemory();
  // listening for the signals before saying so: a supervisor that stops the daemon as soon as it
  // serves must not meet the default action (the process gone without saving its state)
  const stopped = new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log(`${sig}: shutting down`);
      if (saver) clearInterval(saver);
      totals?.save();
      service.stop();
      ws.close();
      server.close(() => resolve());
      server.closeAllConnections?.();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  log(
    `serving http://${shownHost}:${port}/usage (ws /ws) from ${sources.map((s) => s.kind).join(", ")}` +
      ` — ${files} files scanned in ${Math.round(performance.now() - started)} ms` +
      `${flags.token ? ", bearer token required" : ""}${demo ? `, DEMO at ${demo.speed}× speed` : ""}`,
  );
  log(clusterLine(web, `http://${shownHost}:${port}/`, flags.token !== undefined));
  if (otlp) log(`OTLP/HTTP receiver: OTEL_EXPORTER_OTLP_ENDPOINT=http://${shownHost}:${port} (POST /v1/logs, /v1/metrics)`);
  await stopped;
}
