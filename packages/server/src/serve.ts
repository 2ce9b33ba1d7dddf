import { parseArgs } from "node:util";
import { isIP } from "node:net";
import { parseConfig, usageJsonSchema } from "@claude-gauge/core";
import { UsageError } from "./cli-args.js";
import { GaugeService } from "./gauge-service.js";
import { createHttpServer } from "./http-server.js";
import { GaugeMetrics } from "./metrics.js";
import { findTranscriptRoots } from "./transcript-roots.js";
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
  return {
    host,
    port,
    token: token || undefined,
    lan,
    showProjects: v["show-projects"] === true,
    timezone: v.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}

/** `claude-gauge serve`: tail the transcripts and serve /usage, /ws, /metrics, /stats, /history. */
export async function serve(args: string[]): Promise<void> {
  const flags = parseServeFlags(args, process.env);
  const config = parseConfig(process.env);
  const log = (msg: string) => process.stderr.write(`claude-gauge: ${msg}\n`);
  const { roots, missing } = findTranscriptRoots();
  if (roots.length === 0) log(`no transcripts yet (looked in ${missing.join(", ")}); serving zeros until some appear`);
  const metrics = new GaugeMetrics();
  const service = new GaugeService({
    roots,
    config,
    metrics,
    showProjects: flags.showProjects,
    timeZone: flags.timezone,
    log,
  });
  const started = performance.now();
  await service.start();
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
      ws,
    },
    flags.token ? { token: flags.token } : {},
  );
  metrics.wsClientCount = () => ws.clientCount;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(flags.port, flags.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : flags.port;
  const shownHost = flags.host.includes(":") ? `[${flags.host}]` : flags.host;
  log(
    `serving http://${shownHost}:${port}/usage (ws /ws) from ${roots.join(", ") || "no transcript folder"}` +
      ` — ${service.tailStats?.files ?? 0} files scanned in ${Math.round(performance.now() - started)} ms` +
      `${flags.token ? ", bearer token required" : ""}`,
  );
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log(`${sig}: shutting down`);
      service.stop();
      ws.close();
      server.close(() => resolve());
      server.closeAllConnections?.();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}
