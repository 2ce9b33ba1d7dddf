/**
 * `claude-gauge status`: what runs. The daemon (does it answer /healthz, how many transcripts it
 * follows), the login service (installed, and the manager's word on it), the status line, and where
 * transcripts are looked for.
 */
import { readFileSync } from "node:fs";
import { findTranscriptRoots } from "../sources/jsonl/roots.js";
import { VERSION } from "../version.js";
import { UsageError } from "./args.js";
import { installedServiceText } from "./install-service.js";
import { defaultSettingsPath, parseOurCommand } from "./install-statusline.js";
import { realRunner, type Runner } from "./service-manager.js";
import { parseSystemdUnit } from "./service-unit.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface StatusReport {
  version: string;
  daemon: { url: string; answering: boolean; health: unknown; error: string | null };
  service: { kind: string | null; file: string | null; installed: boolean; state: string | null; runs: string | null };
  statusline: { installed: boolean; command: string | null; settings: string };
  transcripts: { roots: string[]; lookedIn: string[] };
}

/** `--port N` / `--port=N` among a service's arguments. */
function portIn(argv: readonly string[]): number | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = a === "--port" ? argv[i + 1] : a.startsWith("--port=") ? a.slice(7) : undefined;
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return null;
}

/** The words of an ExecStart line (systemd's quoting, as service-unit.ts writes it). */
function execWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]!);
  return words.map((w) => w.replace(/\$\$/g, "$").replace(/%%/g, "%"));
}

function serviceArgv(text: string, kind: string): string[] {
  if (kind === "systemd") return execWords(parseSystemdUnit(text).get("Service")?.get("ExecStart")?.[0] ?? "");
  const block = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(text)?.[1] ?? "";
  const unxml = (s: string) =>
    s
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&");
  return [...block.matchAll(/<string>([\s\S]*?)<\/string>/g)].map((m) => unxml(m[1]!));
}

async function probe(url: string, token: string | undefined): Promise<{ answering: boolean; health: unknown; error: string | null }> {
  try {
    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1500), ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
    if (r.status === 401) return { answering: true, health: null, error: "answers, but wants a token (set CLAUDE_GAUGE_TOKEN)" };
    return { answering: true, health: r.ok ? await r.json() : null, error: r.ok ? null : `HTTP ${r.status}` };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return { answering: false, health: null, error: cause === "ECONNREFUSED" ? "nothing listens there" : ((e as Error).message ?? String(e)) };
  }
}

export async function statusReport(platform: NodeJS.Platform, env: Env, run: Runner, portFlag: number | null): Promise<StatusReport> {
  const installed = installedServiceText(platform, env);
  const argv = installed ? serviceArgv(installed.text, installed.manager.kind) : [];
  const envPort = env["CLAUDE_GAUGE_PORT"] && /^\d+$/.test(env["CLAUDE_GAUGE_PORT"]) ? Number(env["CLAUDE_GAUGE_PORT"]) : null;
  const port = portFlag ?? portIn(argv) ?? envPort ?? 8080;
  const url = `http://127.0.0.1:${port}`;
  const settings = defaultSettingsPath(env["HOME"]);
  let command: string | null = null;
  try {
    const s = JSON.parse(readFileSync(settings, "utf8")) as { statusLine?: { command?: unknown } };
    if (typeof s.statusLine?.command === "string") command = s.statusLine.command;
  } catch {
    // no settings, or not ours to judge: not installed
  }
  const roots = findTranscriptRoots(env);
  return {
    version: VERSION,
    daemon: { url, ...(await probe(url, env["CLAUDE_GAUGE_TOKEN"])) },
    service: {
      kind: installed?.manager.kind ?? null,
      file: installed?.file ?? null,
      installed: installed !== null,
      state: installed ? await installed.manager.state(run) : null,
      runs: installed ? argv.join(" ") : null,
    },
    statusline: { installed: command !== null && parseOurCommand(command, "claude-gauge statusline") !== null, command, settings },
    transcripts: { roots: roots.roots, lookedIn: roots.missing },
  };
}

function describeHealth(h: unknown): string {
  if (typeof h !== "object" || h === null) return "";
  const o = h as { source_ok?: unknown; sources?: { files?: unknown }[]; files?: unknown; ws_clients?: unknown };
  const files = Array.isArray(o.sources)
    ? o.sources.reduce((n, s) => n + (typeof s.files === "number" ? s.files : 0), 0)
    : typeof o.files === "number"
      ? o.files
      : null;
  const parts = [
    files !== null ? `${files} transcript file(s) followed` : "",
    o.source_ok === false ? "some transcripts unreadable" : "",
    typeof o.ws_clients === "number" ? `${o.ws_clients} WebSocket client(s)` : "",
  ].filter(Boolean);
  return parts.length ? ` — ${parts.join(", ")}` : "";
}

export function formatStatus(r: StatusReport): string {
  const row = (k: string, v: string) => `${k.padEnd(12)} ${v}`;
  return [
    `claude-gauge ${r.version}`,
    row(
      "daemon",
      r.daemon.answering && r.daemon.error === null
        ? `answering at ${r.daemon.url}${describeHealth(r.daemon.health)}`
        : `not answering at ${r.daemon.url}: ${r.daemon.error}`,
    ),
    row(
      "service",
      r.service.installed
        ? `${r.service.kind} ${r.service.file}: ${r.service.state}\n${"".padEnd(13)}runs ${r.service.runs}`
        : "not installed (claude-gauge install-service)",
    ),
    row(
      "status line",
      r.statusline.installed ? `installed in ${r.statusline.settings}: ${r.statusline.command}` : "not installed (claude-gauge install-statusline)",
    ),
    row(
      "transcripts",
      r.transcripts.roots.length > 0
        ? r.transcripts.roots.join(", ")
        : `none found; looked in ${r.transcripts.lookedIn.join(", ")} — set CLAUDE_CONFIG_DIR to where Claude Code keeps them`,
    ),
  ].join("\n");
}

export async function status(values: Record<string, string | boolean | undefined>): Promise<number> {
  const p = values["port"];
  if (p !== undefined && (typeof p !== "string" || !/^\d+$/.test(p) || Number(p) > 65535))
    throw new UsageError(`--port: expected 0..65535, got ${JSON.stringify(p)}`);
  const r = await statusReport(process.platform, process.env, realRunner, typeof p === "string" ? Number(p) : null);
  process.stdout.write(values["json"] === true ? `${JSON.stringify(r, null, 2)}\n` : `${formatStatus(r)}\n`);
  return 0;
}
