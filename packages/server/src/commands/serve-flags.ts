import { isIP } from "node:net";
import { parseArgs } from "node:util";
import { UsageError } from "./args.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith("127."));
}

/** What `--source` may name (a comma list; the order names the snapshot's `source`: the first). */
export const SERVE_SOURCES = ["jsonl", "otlp"] as const;
export type ServeSource = (typeof SERVE_SOURCES)[number];

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
  /** Host names answered besides IP addresses and localhost (DNS rebinding guard) */
  allowHosts: string[];
  /** where usage comes from (without --demo) */
  sources: ServeSource[];
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
        "allow-host": { type: "string", multiple: true },
        source: { type: "string" },
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
  if (v.demo === true && v.source !== undefined) throw new UsageError("--demo replays its own transcripts: leave out --source");
  return {
    host,
    port,
    token: token || undefined,
    lan,
    showProjects: v["show-projects"] === true,
    timezone: v.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    demo: v.demo === true,
    demoSpeed,
    allowHosts: allowHosts(v["allow-host"] ?? [], env["CLAUDE_GAUGE_ALLOW_HOSTS"]),
    sources: sources(v.source ?? "jsonl"),
  };
}

/** `--source jsonl,otlp`: known names only, each once, in the order given. */
function sources(list: string): ServeSource[] {
  const out: ServeSource[] = [];
  for (const name of list.split(",").map((n) => n.trim())) {
    if (!(SERVE_SOURCES as readonly string[]).includes(name)) {
      throw new UsageError(`--source: expected a comma list of ${SERVE_SOURCES.join(", ")}, got ${JSON.stringify(name)}`);
    }
    if (!out.includes(name as ServeSource)) out.push(name as ServeSource);
  }
  return out;
}

/** `--allow-host name` (repeatable) and CLAUDE_GAUGE_ALLOW_HOSTS (comma list): lower case, no port. */
function allowHosts(flags: readonly string[], env: string | undefined): string[] {
  const names = [...flags, ...(env ?? "").split(",")].map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
  for (const n of names) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(n)) throw new UsageError(`--allow-host: expected a host name without port, got ${JSON.stringify(n)}`);
  }
  return names;
}
