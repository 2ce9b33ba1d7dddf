/**
 * `claude-gauge statusline`: the command Claude Code runs as its `statusLine`. It reads Claude's own
 * rate-limit percentages from stdin, hands them to the daemon (POST /statusline) and to a small state
 * file (so nothing is lost while the daemon is down), and prints one compact line.
 *
 * Claude Code runs it after every response and on every refresh, so it must be quick and can never
 * fail: every step is bounded in time, every error degrades to less output, never to no output.
 * Kept free of zod and of the CLI bundle so the built entry starts fast (see statusline-main.ts).
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
// By path, not through the package index: the index also loads the zod contract, which would
// triple the start-up time of this bundle.
import { parseStatuslineInput, type OfficialLimit, type OfficialRateLimits } from "@claude-gauge/core";

export type StatuslineEnv = Readonly<Record<string, string | undefined>>;

export interface StatuslineOptions {
  /** ms since epoch; Date.now() by default */
  now?: number;
  /** the user's previous statusLine command: run with the same stdin, its first line appended */
  chain?: string;
  /** per daemon request, ms. Default 150 */
  httpTimeoutMs?: number;
  /** for the chained command, ms. Default 1000 */
  chainTimeoutMs?: number;
  /** the official-sample state file; derived from XDG_STATE_HOME / HOME by default */
  stateFile?: string;
}

/** Printed when there is nothing to show (bad or empty stdin, no rate limits and no daemon). */
export const STATUSLINE_FALLBACK = "claude-gauge";
/** Lines the state file keeps after trimming; it may grow 25 % past this before the next trim. */
export const STATE_KEEP_LINES = 200;
export const STATUSLINE_DEFAULTS = Object.freeze({ port: 8080, httpTimeoutMs: 150, chainTimeoutMs: 1000 });

/** Joins our line and the chained command's. */
export const CHAIN_SEPARATOR = " │ ";

/** What the daemon receives on POST /statusline and what each state-file line holds. */
export interface StatuslineSample {
  /** when the statusline ran, ms since epoch */
  at: number;
  sessionId: string | null;
  rateLimits: OfficialRateLimits;
}

/** The parts of GET /usage the line shows; read by hand so zod stays out of this bundle. */
export interface DaemonView {
  /** tokens/min over the last 60 s */
  rate1m: number | null;
  /** estimated used shares, 0..1 */
  pct5h: number | null;
  pct7d: number | null;
  /** ms since epoch */
  reset5h: number | null;
  reset7d: number | null;
  /** lit lamps in cluster order, upper case (OPUS … IDLE, then LIMIT) */
  lamps: string[];
}

export function parseStatuslineArgs(argv: readonly string[]): { chain?: string } {
  const out: { chain?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--chain" && i + 1 < argv.length) out.chain = argv[++i]!;
    else if (a.startsWith("--chain=")) out.chain = a.slice("--chain=".length);
  }
  return out;
}

export function statePath(env: StatuslineEnv): string {
  const xdg = env["XDG_STATE_HOME"];
  // the XDG spec says to ignore relative paths here
  const base = xdg && isAbsolute(xdg) ? xdg : join(env["HOME"] || homedir(), ".local", "state");
  return join(base, "claude-gauge", "official.jsonl");
}

function daemonPort(env: StatuslineEnv): number {
  const p = Number(env["CLAUDE_GAUGE_PORT"]);
  return Number.isInteger(p) && p > 0 && p < 65536 ? p : STATUSLINE_DEFAULTS.port;
}

// ---------------------------------------------------------------------------------------------
// Formatting

const ESC = "\x1b[";
const RESET = `${ESC}0m`;

/** Colour of a used share: green below 50 %, yellow below 80 %, orange below 95 %, red above. */
export function pctColour(pct: number): string {
  if (pct < 0.5) return `${ESC}32m`;
  if (pct < 0.8) return `${ESC}33m`;
  if (pct < 0.95) return `${ESC}38;5;208m`;
  return `${ESC}31m`;
}

/** "2h14m", "3d4h", "9m"; whole minutes rounded up, so "0m" only at the reset itself. */
export function formatCountdown(ms: number): string {
  const min = Math.max(0, Math.ceil(ms / 60_000));
  if (min < 60) return `${min}m`;
  if (min < 24 * 60) return `${Math.floor(min / 60)}h${min % 60}m`;
  return `${Math.floor(min / 1440)}d${Math.floor((min % 1440) / 60)}h`;
}

/** "850", "12.3k", "240k", "1.2M" tokens/min. */
export function formatRate(perMin: number): string {
  const n = Math.max(0, perMin);
  if (n < 1000) return String(Math.round(n));
  if (n < 100_000) return `${(n / 1000).toFixed(1)}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

interface WindowView {
  /** 0..1 */
  pct: number;
  /** ms since epoch, or null when unknown */
  resetAt: number | null;
  /** from the daemon's token estimate, not from Claude */
  estimated: boolean;
}

function formatWindow(label: string, w: WindowView, now: number, colour: boolean): string {
  // floored so "100%" only ever means the limit is reached
  const text = `${w.estimated ? "~" : ""}${Math.floor(w.pct * 100 + 1e-9)}%`;
  const pct = colour ? `${pctColour(w.pct)}${text}${RESET}` : text;
  const reset = w.resetAt !== null ? ` ↺${formatCountdown(w.resetAt - now)}` : "";
  return `${label} ${pct}${reset}`;
}

const LAMP_COLOUR: Readonly<Record<string, string>> = { HOT: `${ESC}31m`, LIMIT: `${ESC}31m`, WARN: `${ESC}38;5;208m`, STALL: `${ESC}33m` };

function officialWindow(l: OfficialLimit | null | undefined, now: number): WindowView | null {
  // a reading from before its reset says nothing about the new window
  return l && now < l.resetsAt ? { pct: l.usedPct, resetAt: l.resetsAt, estimated: false } : null;
}

function estimatedWindow(pct: number | null | undefined, resetAt: number | null | undefined): WindowView | null {
  return typeof pct === "number" ? { pct, resetAt: resetAt ?? null, estimated: true } : null;
}

/** The line for what is known; null when there is nothing to show. */
export function formatStatusline(
  rateLimits: OfficialRateLimits | null,
  daemon: DaemonView | null,
  now: number,
  colour: boolean,
): string | null {
  const parts: string[] = [];
  const w5 = officialWindow(rateLimits?.fiveHour, now) ?? estimatedWindow(daemon?.pct5h, daemon?.reset5h);
  const w7 = officialWindow(rateLimits?.sevenDay, now) ?? estimatedWindow(daemon?.pct7d, daemon?.reset7d);
  if (w5) parts.push(formatWindow("5h", w5, now, colour));
  if (w7) parts.push(formatWindow("7d", w7, now, colour));
  if (daemon) {
    if (daemon.rate1m !== null) parts.push(`${formatRate(daemon.rate1m)} tok/min`);
    if (daemon.lamps.length > 0) {
      parts.push(daemon.lamps.map((l) => (colour && LAMP_COLOUR[l] ? `${LAMP_COLOUR[l]}${l}${RESET}` : l)).join(" "));
    }
  }
  return parts.length > 0 ? parts.join(" · ") : null;
}

// ---------------------------------------------------------------------------------------------
// The daemon

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function isoMs(v: unknown): number | null {
  if (typeof v !== "string") return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

/** Reads the fields the line shows from a GET /usage body; null when it is not a snapshot. */
export function parseDaemonUsage(body: string): DaemonView | null {
  let u: unknown;
  try {
    u = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof u !== "object" || u === null || Array.isArray(u)) return null;
  const o = u as Record<string, unknown>;
  const lamps: string[] = [];
  const model = o["last_model"];
  if (model === "opus" || model === "sonnet" || model === "haiku") lamps.push(model.toUpperCase());
  for (const k of ["hot", "warn", "stall", "idle", "limit_hit"] as const) {
    if (o[k] === true) lamps.push(k === "limit_hit" ? "LIMIT" : k.toUpperCase());
  }
  return {
    rate1m: num(o["rate_1m"]),
    pct5h: num(o["window_5h_pct"]),
    pct7d: num(o["window_7d_pct"]),
    reset5h: isoMs(o["window_5h_reset_at"]),
    reset7d: isoMs(o["window_7d_reset_at"]),
    lamps,
  };
}

interface HttpResult {
  status: number;
  body: string;
}

/** HTTP/1.0 status line and a body framed by the connection's end (no chunked encoding). */
function parseHttpResponse(raw: Buffer): HttpResult | null {
  const head = raw.indexOf("\r\n\r\n");
  if (head < 0) return null;
  const headers = raw.subarray(0, head).toString("latin1");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(headers);
  if (!m || /^transfer-encoding:/im.test(headers)) return null;
  return { status: Number(m[1]), body: raw.subarray(head + 4).toString("utf8") };
}

/**
 * One loopback request, no retries; null on any error or after timeoutMs. Spoken over a bare socket
 * as HTTP/1.0 (the server frames the body by closing): node:http costs about 5 ms more start-up,
 * a tenth of this command's budget.
 */
function loopback(
  port: number,
  method: "GET" | "POST",
  path: string,
  token: string | undefined,
  body: string | null,
  timeoutMs: number,
): Promise<HttpResult | null> {
  return new Promise((resolve) => {
    let done = false;
    const chunks: Buffer[] = [];
    const finish = (r: HttpResult | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const lines = [`${method} ${path} HTTP/1.0`, `host: 127.0.0.1:${port}`, "connection: close"];
    if (token) lines.push(`authorization: Bearer ${token}`);
    if (body !== null) lines.push("content-type: application/json", `content-length: ${Buffer.byteLength(body)}`);
    const socket = connect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => finish(null), timeoutMs);
    // write, not end: a server that sees our FIN may close before it answers
    socket.on("connect", () => socket.write(`${lines.join("\r\n")}\r\n\r\n${body ?? ""}`));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("end", () => finish(parseHttpResponse(Buffer.concat(chunks))));
    socket.on("error", () => finish(null));
  });
}

// ---------------------------------------------------------------------------------------------
// The state file

/**
 * Appends a sample unless its rate limits equal the last line's: Claude Code repeats the same values
 * on every refresh, and the fit only learns from new readings. Trims to the newest
 * STATE_KEEP_LINES by an atomic rewrite once the file is 25 % longer, so most calls only append.
 */
export function appendStateSample(file: string, sample: StatuslineSample, keep = STATE_KEEP_LINES): "appended" | "unchanged" | "trimmed" {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // missing or unreadable: start afresh
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const last = lines.at(-1);
  if (last !== undefined) {
    try {
      const prev = JSON.parse(last) as { rateLimits?: unknown };
      if (JSON.stringify(prev.rateLimits) === JSON.stringify(sample.rateLimits)) return "unchanged";
    } catch {
      // a torn or foreign line: append after it
    }
  }
  const line = JSON.stringify(sample);
  mkdirSync(dirname(file), { recursive: true });
  if (lines.length + 1 <= Math.ceil(keep * 1.25)) {
    // after a torn write, start a fresh line rather than glue onto it
    appendFileSync(file, `${text === "" || text.endsWith("\n") ? "" : "\n"}${line}\n`);
    return "appended";
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${[...lines.slice(-(keep - 1)), line].join("\n")}\n`);
  renameSync(tmp, file);
  return "trimmed";
}

function limitOf(v: unknown): OfficialLimit | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  const usedPct = num(o["usedPct"]);
  const resetsAt = num(o["resetsAt"]);
  return usedPct !== null && resetsAt !== null && usedPct >= 0 && usedPct <= 1 ? { usedPct, resetsAt } : null;
}

/**
 * The samples kept in the state file, oldest first, for the daemon to replay on start. Lines that
 * are torn or of another shape are skipped; a missing file is an empty list.
 */
export function readStateSamples(file: string): StatuslineSample[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: StatuslineSample[] = [];
  for (const line of text.split("\n")) {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    const o = v as Record<string, unknown>;
    const at = num(o["at"]);
    const rl = o["rateLimits"];
    if (at === null || typeof rl !== "object" || rl === null) continue;
    const fiveHour = limitOf((rl as Record<string, unknown>)["fiveHour"]);
    const sevenDay = limitOf((rl as Record<string, unknown>)["sevenDay"]);
    if (!fiveHour && !sevenDay) continue;
    const sessionId = typeof o["sessionId"] === "string" ? o["sessionId"] : null;
    out.push({ at, sessionId, rateLimits: { fiveHour, sevenDay } });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The chained command

const firstLine = (s: string): string => s.split(/\r?\n/, 1)[0] ?? "";

/** Runs the user's previous statusLine command with the same stdin; its first line, or null. */
async function runChained(command: string, stdin: string, env: StatuslineEnv, timeoutMs: number): Promise<string | null> {
  // loaded only when chaining, to keep the common path's start-up small
  const { spawn } = await import("node:child_process");
  return new Promise((resolve) => {
    let out = "";
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const line = firstLine(out).trimEnd();
      resolve(line === "" ? null : line);
    };
    let child: ReturnType<typeof spawn>;
    try {
      // its own process group, so a timeout also ends whatever the shell started
      child = spawn(command, { shell: true, detached: true, stdio: ["pipe", "pipe", "ignore"], env: { ...env } });
    } catch {
      resolve(null);
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      finish();
    }, timeoutMs);
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (d: string) => {
      out += d;
    });
    child.on("error", finish);
    child.on("close", finish);
    // a command that never reads its stdin closes the pipe early
    child.stdin?.on("error", () => {});
    child.stdin?.end(stdin);
  });
}

// ---------------------------------------------------------------------------------------------

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/**
 * The status line for one run: `stdin` is what Claude Code piped in. Posts the official sample to
 * the daemon and the state file as side effects. Never throws (file and network errors only drop
 * their part of the line).
 */
export async function statusline(stdin: string, env: StatuslineEnv, opts: StatuslineOptions = {}): Promise<string> {
  const now = opts.now ?? Date.now();
  const chained = opts.chain ? runChained(opts.chain, stdin, env, opts.chainTimeoutMs ?? STATUSLINE_DEFAULTS.chainTimeoutMs) : null;
  const ours = await ownLine(stdin, env, opts, now).catch(() => STATUSLINE_FALLBACK);
  const theirs = chained ? await chained.catch(() => null) : null;
  return theirs === null ? ours : `${ours}${CHAIN_SEPARATOR}${theirs}`;
}

async function ownLine(stdin: string, env: StatuslineEnv, opts: StatuslineOptions, now: number): Promise<string> {
  const json = parseJson(stdin);
  if (typeof json !== "object" || json === null || Array.isArray(json)) return STATUSLINE_FALLBACK;
  const input = parseStatuslineInput(json);
  const port = daemonPort(env);
  const token = env["CLAUDE_GAUGE_TOKEN"] || undefined;
  const timeoutMs = opts.httpTimeoutMs ?? STATUSLINE_DEFAULTS.httpTimeoutMs;
  const colour = !env["NO_COLOR"];

  let post: Promise<unknown> = Promise.resolve();
  if (input.rateLimits) {
    const sample: StatuslineSample = { at: now, sessionId: input.sessionId, rateLimits: input.rateLimits };
    const body = JSON.stringify(sample);
    post = loopback(port, "POST", "/statusline", token, body, timeoutMs);
    try {
      appendStateSample(opts.stateFile ?? statePath(env), sample);
    } catch {
      // a read-only or full disk must not cost the status line
    }
  }
  const usage = await loopback(port, "GET", "/usage", token, null, timeoutMs);
  await post;
  const daemon = usage && usage.status === 200 ? parseDaemonUsage(usage.body) : null;
  return formatStatusline(input.rateLimits, daemon, now, colour) ?? STATUSLINE_FALLBACK;
}

/** All of a stream as text; what arrived so far after capMs if it never ends (ms). */
export function readStdin(stream: NodeJS.ReadableStream, capMs: number): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const finish = (): void => {
      clearTimeout(timer);
      stream.removeAllListeners("data");
      resolve(text);
    };
    const timer = setTimeout(finish, capMs);
    stream.setEncoding("utf8");
    stream.on("data", (d: string) => {
      text += d;
    });
    stream.on("end", finish);
    stream.on("error", finish);
  });
}
