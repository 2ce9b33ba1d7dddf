import { isIP } from "node:net";
import { parseCommand, parseTimeZone, UsageError, type CommandSpec } from "./args.js";

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
  /** Host names answered besides IP addresses and localhost (DNS rebinding guard) */
  allowHosts: string[];
  /** start from the scan cache and keep it up to date (--no-cache: read every transcript) */
  cache: boolean;
}

/** `claude-gauge serve` (also `claude-gauge-server`, and what `install-service` runs). */
export const SERVE_SPEC: CommandSpec = {
  name: "serve",
  synopsis: "[options]",
  summary:
    "The live daemon: the cluster at GET /, /usage, /ws, /metrics, /stats, /history, /healthz.\n" +
    "Transcripts are read from CLAUDE_CONFIG_DIR (comma list), else ~/.config/claude and ~/.claude.",
  options: {
    host: { type: "string" },
    port: { type: "string" },
    token: { type: "string" },
    lan: { type: "boolean" },
    "show-projects": { type: "boolean" },
    timezone: { type: "string" },
    demo: { type: "boolean" },
    "demo-speed": { type: "string" },
    "allow-host": { type: "string", multiple: true },
    "no-cache": { type: "boolean" },
  },
  optionHelp: [
    ["--port N", "TCP port, 0 = any free one (default 8080, or CLAUDE_GAUGE_PORT)"],
    ["--host ADDR", "address to listen on (default 127.0.0.1; 0.0.0.0 with --lan)"],
    ["--lan", "listen on the network (for the ESP32); use with --token"],
    ["--token T", "require a bearer token (or ?token=T), also CLAUDE_GAUGE_TOKEN"],
    ["--show-projects", "name projects in /stats (default: hashed)"],
    ["--timezone ZONE", "IANA zone for per-day figures (default: the system's)"],
    ["--demo", "replay a generated working session instead of your transcripts"],
    ["--demo-speed N", "with --demo: demo seconds per real second, (0, 1000] (default 1)"],
    ["--allow-host NAME", "also answer requests for this host name (repeatable; also CLAUDE_GAUGE_ALLOW_HOSTS)"],
    ["--no-cache", "read every transcript at start; the scan cache (~/.cache/claude-gauge) is neither read nor written"],
  ],
};

/** Every serve option checked at once, before anything starts; throws UsageError naming the option. */
export function serveFlagsFrom(v: Record<string, string | boolean | undefined>, env: Record<string, string | undefined>): ServeFlags {
  const str = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  const portText = str("port") ?? env["CLAUDE_GAUGE_PORT"] ?? "8080";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new UsageError(`${str("port") !== undefined ? "--port" : "CLAUDE_GAUGE_PORT"}: expected 0..65535, got ${JSON.stringify(portText)}`);
  }
  const token = str("token") ?? env["CLAUDE_GAUGE_TOKEN"];
  const lan = v["lan"] === true;
  const host = str("host") ?? (lan ? "0.0.0.0" : "127.0.0.1");
  if (!isLoopback(host) && !lan && !token) {
    throw new UsageError(`refusing to listen on ${host} without --lan or --token: the gauge would be open to your network`);
  }
  const demo = v["demo"] === true;
  const speedText = str("demo-speed");
  if (speedText !== undefined && !demo) throw new UsageError("--demo-speed needs --demo");
  const demoSpeed = Number(speedText ?? "1");
  if (!(demoSpeed > 0 && demoSpeed <= 1000)) throw new UsageError(`--demo-speed: expected a number in (0, 1000], got ${JSON.stringify(speedText)}`);
  return {
    host,
    port,
    token: token || undefined,
    lan,
    showProjects: v["show-projects"] === true,
    timezone: parseTimeZone(str("timezone")),
    demo,
    demoSpeed,
    allowHosts: allowHosts(Array.isArray(v["allow-host"]) ? (v["allow-host"] as string[]) : [], env["CLAUDE_GAUGE_ALLOW_HOSTS"]),
    cache: v["no-cache"] !== true,
  };
}

export function parseServeFlags(args: string[], env: Record<string, string | undefined>): ServeFlags {
  const p = parseCommand(SERVE_SPEC, args);
  if (p.kind !== "run") throw new UsageError(`--${p.kind} is handled by the CLI`);
  return serveFlagsFrom(p.values, env);
}

/** `--allow-host name` (repeatable) and CLAUDE_GAUGE_ALLOW_HOSTS (comma list): lower case, no port. */
function allowHosts(flags: readonly string[], env: string | undefined): string[] {
  const names = [...flags, ...(env ?? "").split(",")].map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
  for (const n of names) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(n)) throw new UsageError(`--allow-host: expected a host name without port, got ${JSON.stringify(n)}`);
  }
  return names;
}
