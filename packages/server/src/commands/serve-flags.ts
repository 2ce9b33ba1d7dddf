import { hostname } from "node:os";
import { parseSelector } from "../sources/promql/selector.js";
import { parseCommand, parseTimeZone, UsageError, type CommandSpec } from "./args.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** a dotted-quad address in 127/8, written as node:net's isIP accepts one (no leading zeros) */
const LOOPBACK_V4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)){3}$/;

// not node:net's isIP: every command parses these flags, and node:net loads its stream machinery (~2 ms)
function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || LOOPBACK_V4.test(host);
}

/**
 * What `--source` may name (a comma list; the first names the snapshot's `source`): transcripts,
 * Claude Code's OpenTelemetry export received here, a PromQL server, ccusage runs with the tail.
 */
export const SERVE_SOURCES = ["jsonl", "otlp", "promql", "ccusage"] as const;
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
  /** --source promql: the server's base URL, the label matchers of --selector ("" for all), the poll interval (ms) */
  prometheus: { url: string; matchers: string; pollMs: number } | null;
  /** --source ccusage: how often it runs and one run's time limit (ms) */
  ccusage: { intervalMs: number; timeoutMs: number } | null;
  /** the `machine` label of the exported claude_code_* counters */
  machine: string;
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
    source: { type: "string" },
    prometheus: { type: "string" },
    selector: { type: "string" },
    machine: { type: "string" },
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
    ["--source LIST", `where usage comes from, a comma list of ${SERVE_SOURCES.join(", ")} (default jsonl; otlp receives Claude Code's OpenTelemetry export)`],
    ["--prometheus URL", "with --source promql: the PromQL server (also CLAUDE_GAUGE_PROMETHEUS)"],
    ["--selector '{l=\"v\"}'", 'with --source promql: label matchers, e.g. {user_email="me@example.com"}'],
    ["--machine NAME", "machine label of the exported claude_code_* counters (default: host name)"],
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
  if (demo && str("source") !== undefined) throw new UsageError("--demo replays its own transcripts: leave out --source");
  const list = sources(str("source") ?? "jsonl");
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
    sources: list,
    prometheus: prometheusFlags(
      list.includes("promql"),
      str("prometheus") ?? env["CLAUDE_GAUGE_PROMETHEUS"],
      str("selector") ?? env["CLAUDE_GAUGE_SELECTOR"],
      env["CLAUDE_GAUGE_PROMQL_POLL_MS"],
    ),
    ccusage: list.includes("ccusage")
      ? { intervalMs: msSetting(env, "CLAUDE_GAUGE_CCUSAGE_INTERVAL_MS", 60_000), timeoutMs: msSetting(env, "CLAUDE_GAUGE_CCUSAGE_TIMEOUT_MS", 30_000) }
      : null,
    machine: machineName(str("machine") ?? env["CLAUDE_GAUGE_MACHINE"] ?? hostname()),
    cache: v["no-cache"] !== true,
  };
}

/** A duration setting in ms, 250..600000. */
function msSetting(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined) return fallback;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 250 || ms > 600_000) throw new UsageError(`${name}: expected 250..600000 ms, got ${JSON.stringify(text)}`);
  return ms;
}

/** `--source jsonl,promql`: known names only, each once, in the order given. */
function sources(list: string): ServeSource[] {
  const out: ServeSource[] = [];
  for (const name of list.split(",").map((n) => n.trim())) {
    const known = SERVE_SOURCES.find((s) => s === name);
    if (known === undefined) throw new UsageError(`--source: expected a comma list of ${SERVE_SOURCES.join(", ")}, got ${JSON.stringify(name)}`);
    if (!out.includes(known)) out.push(known);
  }
  return out;
}

function prometheusFlags(promql: boolean, url: string | undefined, selector: string | undefined, pollText: string | undefined): ServeFlags["prometheus"] {
  if (!promql) {
    if (url !== undefined || selector !== undefined) throw new UsageError("--prometheus and --selector need --source promql");
    return null;
  }
  if (url === undefined) throw new UsageError("--source promql needs --prometheus URL (e.g. http://127.0.0.1:9090)");
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--prometheus: expected an http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new UsageError(`--prometheus: expected an http(s) URL, got ${JSON.stringify(url)}`);
  const sel = parseSelector(selector ?? "{}");
  if ("error" in sel) throw new UsageError(`--selector: ${sel.error}`);
  return { url, matchers: sel.matchers, pollMs: msSetting({ CLAUDE_GAUGE_PROMQL_POLL_MS: pollText }, "CLAUDE_GAUGE_PROMQL_POLL_MS", 5000) };
}

/** The machine label: printable, bounded (it is a Prometheus label value on every exported series). */
function machineName(name: string): string {
  const n = name.trim();
  if (!/^[\x21-\x7e]{1,128}$/.test(n))
    throw new UsageError(`--machine: expected 1 to 128 printable ASCII characters without spaces, got ${JSON.stringify(name)}`);
  return n;
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
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(n))
      throw new UsageError(`--allow-host: expected a host name without port, got ${JSON.stringify(n)}`);
  }
  return names;
}
