import { parseArgs } from "node:util";
import { isIP } from "node:net";
import { fileURLToPath } from "node:url";
import { parseConfig, usageJsonSchema } from "@claude-gauge/core";
import { UsageError } from "./cli-args.js";
import { DemoSource } from "./demo-source.js";
import { GaugeService } from "./gauge-service.js";
import { readStateSamples, statePath } from "./statusline.js";
import { createHttpServer } from "./http-server.js";
import { GaugeMetrics } from "./metrics.js";
import { findTranscriptRoots } from "./transcript-roots.js";
import { webRoutes } from "./web-routes.js";
import { WsPush } from "./ws-push.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith("127."));
}

export interface ServeFlags {
  host: string;
  port: number;
  token: string | undefined;
  lan: boolean;
  showProjects: boolean;
  timezone: string;
  /** replay a generated session instead of reading transcripts */
  demo: boolean;
  /** demo seconds per real second */
  demoSpeed: number;
}

export function parseServeFlags(args: string[], env: Record<string, string | undefined>): ServeFlags {
  let v;
  try {
    v = parseArgs({
      args,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        token: { type: "string" },
        lan: { type: "boolean", default: false },
        "show-projects": { type: "boolean", default: false },
        timezone: { type: "string" },
        demo: { type: "boolean", default: false },
        "demo-speed": { type: "string" },
      },
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const portText = v.port ?? env["CLAUDE_GAUGE_PORT"] ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected 0..65535, got ${JSON.stringify(portText)}`);
  const token = v.token ?? env["CLAUDE_GAUGE_TOKEN"];
  const lan = v.lan === true;
  const host = v.host ?? (lan ? "0.0.0.0" : "127.0.0.1");
  if (!isLoopback(host) && !lan && !token) {
    throw new UsageError(`refusing to listen on ${host} without --lan or --token: the gauge would be open to your network`);
  }
  const speedText = v["demo-speed"] ?? "1";
  const demoSpeed = Number(speedText);
  if (!(demoSpeed > 0 && demoSpeed <= 1000)) throw new UsageError(`--demo-speed: expected a number in (0, 1000], got ${JSON.stringify(speedText)}`);
  return {
    host,
    port,
    token: token || undefined,
    lan,
    showProjects: v["show-projects"] === true,
    timezone: v.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    demo: v.demo === true,
    demoSpeed,
  };
}

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
      extra: webRoutes(fileURLToPath(new URL("./web/", import.meta.url))),
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
  log(`the cluster: http://${shownHost}:${port}/${flags.token ? "?token=<your token>" : ""}`);
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
