/**
 * `claude-gauge statusline`: the command Claude Code runs as its `statusLine`. It reads Claude's own
 * rate-limit percentages from stdin, hands them to the daemon (POST /statusline) and to a small state
 * file (so nothing is lost while the daemon is down), and prints one compact line.
 *
 * Claude Code runs it after every response and on every refresh, so it must be quick and can never
 * fail: every step is bounded in time, every error degrades to less output, never to no output.
 * Kept free of zod and of the CLI bundle so the built entry starts fast (see main.ts).
 */
import { parseStatuslineInput } from "@claude-gauge/core";
import { runChained, CHAIN_SEPARATOR } from "./chain.js";
import { formatStatusline, parseDaemonUsage } from "./format.js";
import { loopback, type HttpResult } from "./loopback.js";
import type { StatuslineSample } from "./sample.js";
import { appendStateSample, stateDir, type StatuslineEnv } from "./state-file.js";

export interface StatuslineOptions {
  /** ms since epoch; Date.now() by default */
  now?: number;
  /** the user's previous statusLine command: run with the same stdin, its first line appended */
  chain?: string;
  /** per daemon request, ms. Default 150 */
  httpTimeoutMs?: number;
  /** for the chained command, ms. Default 1000 */
  chainTimeoutMs?: number;
  /** the folder of official readings; derived from XDG_STATE_HOME / HOME by default */
  stateDir?: string;
}

/** Printed when there is nothing to show (bad or empty stdin, no rate limits and no daemon). */
export const STATUSLINE_FALLBACK = "claude-gauge";
export const STATUSLINE_DEFAULTS = Object.freeze({ port: 8080, httpTimeoutMs: 150, chainTimeoutMs: 1000 });

export function parseStatuslineArgs(argv: readonly string[]): { chain?: string } {
  const out: { chain?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--chain" && i + 1 < argv.length) out.chain = argv[++i]!;
    else if (a.startsWith("--chain=")) out.chain = a.slice("--chain=".length);
  }
  return out;
}

function daemonPort(env: StatuslineEnv): number {
  const p = Number(env["CLAUDE_GAUGE_PORT"]);
  return Number.isInteger(p) && p > 0 && p < 65536 ? p : STATUSLINE_DEFAULTS.port;
}

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

  let usage: HttpResult | null;
  if (input.rateLimits) {
    const sample: StatuslineSample = { at: now, sessionId: input.sessionId, rateLimits: input.rateLimits };
    // the daemon answers a reading with its snapshot, the reading already in it
    const posted = loopback(port, "POST", "/statusline", token, JSON.stringify(sample), timeoutMs);
    try {
      appendStateSample(opts.stateDir ?? stateDir(env), sample);
    } catch {
      // a read-only or full disk must not cost the status line
    }
    usage = await posted;
    // a refused reading, or a daemon from before readings were answered with the snapshot (204)
    if (usage !== null && usage.status !== 200) usage = await loopback(port, "GET", "/usage", token, null, timeoutMs);
  } else {
    usage = await loopback(port, "GET", "/usage", token, null, timeoutMs);
  }
  const daemon = usage && usage.status === 200 ? parseDaemonUsage(usage.body) : null;
  return formatStatusline(input.rateLimits, daemon, now, colour) ?? STATUSLINE_FALLBACK;
}

/**
 * All of a stream as text; what arrived so far after capMs if it never ends. Stdin is a stream
 * (not fs reads of fd 0): Claude Code's pipe is a socket, which only a stream reads without
 * blocking, and a blocked read would hold the process past its exit.
 */
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
