import { fileURLToPath } from "node:url";
import { parseConfig, usageJsonSchema } from "@claude-gauge/core";
import { parseServeFlags } from "./serve-flags.js";
import { DemoSource } from "../sources/demo/demo-source.js";
import { GaugeService } from "../service/gauge-service.js";
import { readStateSamples, statePath } from "../statusline/state-file.js";
import { createHttpServer } from "../http/server.js";
import { GaugeMetrics } from "../http/metrics.js";
import { findTranscriptRoots } from "../sources/jsonl/roots.js";
import { clusterLine, webRoutes } from "../http/web-routes.js";
import { WsPush } from "../http/ws-push.js";

/** `claude-gauge serve`: tail the transcripts and serve the cluster page, /usage, /ws, /metrics, /stats, /history. */
export async function serve(args: string[]): Promise<void> {
  const flags = parseServeFlags(args, process.env);
  const log = (msg: string) => process.stderr.write(`claude-gauge: ${msg}\n`);
  // The demo writes transcripts for the normal tail to follow, on its own (faster) clock.
  const base = parseConfig(process.env);
  const demo = flags.demo ? new DemoSource({ speed: flags.demoSpeed, log }) : null;
  const config = demo ? demo.prepare(base) : base;
  const { roots, missing } = demo ? { roots: [demo.root], missing: [] } : findTranscriptRoots();
  if (roots.length === 0) log(`no transcripts yet (looked in ${missing.join(", ")}); serving zeros until some appear`);
  const metrics = new GaugeMetrics();
  const service = new GaugeService({
    roots,
    config,
    metrics,
    showProjects: flags.showProjects || demo !== null,
    timeZone: flags.timezone,
    log,
    ...(demo ? { clock: demo.clock, source: "demo" as const } : { officialHistory: () => readStateSamples(statePath(process.env)) }),
  });
  const started = performance.now();
  await service.start();
  demo?.start();
  const ws = new WsPush(service.feed);
  const web = webRoutes(fileURLToPath(new URL("./web/", import.meta.url)));
  const server = createHttpServer(
    {
      feed: service.feed,
      schemaJson: JSON.stringify(usageJsonSchema(), null, 2),
      stats: (w) => service.stats(w),
      history: (h) => service.history(h),
      health: () => ({
        ok: service.ready,
        source_ok: service.problems.size === 0,
        problems: service.problems.size,
        files: service.tailStats?.files ?? 0,
        ws_clients: ws.clientCount,
      }),
      registry: metrics.registry,
      statusline: (body) => service.acceptStatusline(body),
      ws,
      extra: web,
    },
    flags.token ? { token: flags.token } : {},
  );
  metrics.wsClientCount = () => ws.clientCount;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) => {
      demo?.stop();
      reject(e);
    });
    server.listen(flags.port, flags.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : flags.port;
  const shownHost = flags.host.includes(":") ? `[${flags.host}]` : flags.host;
  log(
    `serving http://${shownHost}:${port}/usage (ws /ws) from ${roots.join(", ") || "no transcript folder"}` +
      ` — ${service.tailStats?.files ?? 0} files scanned in ${Math.round(performance.now() - started)} ms` +
      `${flags.token ? ", bearer token required" : ""}${demo ? `, DEMO at ${demo.speed}× speed` : ""}`,
  );
  log(clusterLine(web, `http://${shownHost}:${port}/`, flags.token !== undefined));
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log(`${sig}: shutting down`);
      service.stop();
      demo?.stop();
      ws.close();
      server.close(() => resolve());
      server.closeAllConnections?.();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}
