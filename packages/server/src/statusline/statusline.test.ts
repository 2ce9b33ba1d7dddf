import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closedPort } from "../../../../test/helpers/claude-statusline.js";
import { formatCountdown, formatRate, parseDaemonUsage, pctColour } from "./format.js";
import type { StatuslineSample } from "./sample.js";
import { dayFile } from "./state-file.js";
import { parseStatuslineArgs, readStdin, statusline, STATUSLINE_FALLBACK } from "./statusline.js";

const NOW = Date.parse("2026-11-26T12:00:00Z");
const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;

/** Marks an input without the rate_limits key (API users, before the first response). */
const NO_LIMITS = Symbol("no rate_limits");

/** The shape Claude Code pipes in, trimmed to the fields we read plus some we ignore. */
function claudeInput(rateLimits: unknown = defaultLimits()): string {
  return JSON.stringify({
    hook_event_name: "Status",
    session_id: "0d3f5c3e-sess",
    transcript_path: "/home/u/.claude/projects/-home-u-p/0d3f5c3e-sess.jsonl",
    cwd: "/home/u/p",
    model: { id: "claude-opus-4-1-20250805", display_name: "Opus 4.1" },
    workspace: { current_dir: "/home/u/p", project_dir: "/home/u/p" },
    version: "2.1.80",
    cost: { total_cost_usd: 1.37, total_duration_ms: 90_000 },
    context_window: { used_tokens: 41_000, max_tokens: 200_000 },
    ...(rateLimits === NO_LIMITS ? {} : { rate_limits: rateLimits }),
  });
}

function defaultLimits(): unknown {
  return {
    five_hour: { used_percentage: 23.5, resets_at: (NOW + 2 * HOUR + 14 * MIN) / 1000 },
    seven_day: { used_percentage: 41.2, resets_at: (NOW + 3 * 24 * HOUR + 4 * HOUR + 30 * MIN) / 1000 },
  };
}

const snapshot = {
  v: 1,
  rate_1m: 12_345,
  window_5h_tokens: 1_000_000,
  window_5h_pct: 0.4,
  window_5h_reset_at: "2026-11-26T13:30Z",
  window_7d_tokens: 9_000_000,
  window_7d_pct: 0.1,
  window_7d_reset_at: "2026-11-30T12:00Z",
  cost_5h_usd: 3.2,
  cost_7d_usd: 40,
  thinking_ratio: 0.1,
  cache_hit_rate: 0.9,
  last_model: "opus",
  hot: true,
  warn: true,
  stall: false,
  idle: false,
  limit_hit: false,
  tach_pos: 800,
  fuel_5h_pos: 600,
  fuel_7d_pos: 900,
  source: "jsonl",
  source_ok: true,
  updated_at: "2026-11-26T12:00:00Z",
};

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A stand-in for the daemon: records every request, answers GET /usage with `usage`. */
class FakeDaemon {
  seen: Seen[] = [];
  usage: unknown = snapshot;
  status = 200;
  /** hold every answer this long, ms */
  delayMs = 0;
  #server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => {
      this.seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      setTimeout(() => this.#answer(req.method, req.url, res), this.delayMs);
    });
  });
  port = 0;

  /** how POST /statusline is answered: with the snapshot (today), 204 (daemons before), or 400 */
  reading: "snapshot" | "204" | "refused" = "snapshot";

  #answer(method: string | undefined, url: string | undefined, res: ServerResponse): void {
    if (res.destroyed) return;
    const posted = method === "POST" && url === "/statusline";
    if ((method === "GET" && url === "/usage") || (posted && this.reading === "snapshot")) {
      res.writeHead(this.status, { "content-type": "application/json" });
      res.end(JSON.stringify(this.usage));
    } else if (posted && this.reading === "refused") {
      res.writeHead(400, { "content-type": "application/json" });
      res.end('{"error":"at: expected number"}');
    } else {
      res.writeHead(204);
      res.end();
    }
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((r) => this.#server.close(() => r()));
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-statusline-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const stateFile = (): string => dayFile(join(dir, "claude-gauge"), NOW);
const readState = (): StatuslineSample[] =>
  readFileSync(stateFile(), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as StatuslineSample);

describe("formatting", () => {
  it("counts down in minutes, hours and days, rounding up", () => {
    expect(formatCountdown(2 * HOUR + 14 * MIN)).toBe("2h14m");
    expect(formatCountdown(2 * HOUR + 13 * MIN + 1)).toBe("2h14m");
    expect(formatCountdown(3 * 24 * HOUR + 4 * HOUR + 30 * MIN)).toBe("3d4h");
    expect(formatCountdown(9 * MIN)).toBe("9m");
    expect(formatCountdown(1)).toBe("1m");
    expect(formatCountdown(0)).toBe("0m");
    expect(formatCountdown(-5 * MIN)).toBe("0m");
  });

  it("shortens rates", () => {
    expect(formatRate(850)).toBe("850");
    expect(formatRate(12_345)).toBe("12.3k");
    expect(formatRate(240_400)).toBe("240k");
    expect(formatRate(1_234_567)).toBe("1.2M");
    expect(formatRate(-3)).toBe("0");
  });

  it("colours by threshold: green, yellow, orange (256-colour 208), red", () => {
    expect(pctColour(0)).toBe("\x1b[32m");
    expect(pctColour(0.499)).toBe("\x1b[32m");
    expect(pctColour(0.5)).toBe("\x1b[33m");
    expect(pctColour(0.799)).toBe("\x1b[33m");
    expect(pctColour(0.8)).toBe("\x1b[38;5;208m");
    expect(pctColour(0.949)).toBe("\x1b[38;5;208m");
    expect(pctColour(0.95)).toBe("\x1b[31m");
    expect(pctColour(1)).toBe("\x1b[31m");
  });

  it("reads the daemon snapshot by hand and rejects what is not one", () => {
    expect(parseDaemonUsage(JSON.stringify(snapshot))).toEqual({
      rate1m: 12_345,
      pct5h: 0.4,
      pct7d: 0.1,
      reset5h: Date.parse("2026-11-26T13:30Z"),
      reset7d: Date.parse("2026-11-30T12:00Z"),
      lamps: ["OPUS", "HOT", "WARN"],
    });
    expect(parseDaemonUsage("<html>")).toBeNull();
    expect(parseDaemonUsage("[1]")).toBeNull();
    expect(parseDaemonUsage(JSON.stringify({ rate_1m: "x", limit_hit: true, idle: true }))?.lamps).toEqual(["IDLE", "LIMIT"]);
  });

  it("parses --chain in both spellings and ignores the rest", () => {
    expect(parseStatuslineArgs(["--chain", "echo hi"])).toEqual({ chain: "echo hi" });
    expect(parseStatuslineArgs(["statusline", "--chain=a b"])).toEqual({ chain: "a b" });
    expect(parseStatuslineArgs(["--chain"])).toEqual({});
    expect(parseStatuslineArgs(["--weird"])).toEqual({});
  });
});

describe("statusline without a daemon", () => {
  let env: Record<string, string>;
  beforeEach(async () => {
    env = { CLAUDE_GAUGE_PORT: String(await closedPort()), XDG_STATE_HOME: dir, NO_COLOR: "1" };
  });

  it("prints the official windows with reset countdowns", async () => {
    expect(await statusline(claudeInput(), env, { now: NOW })).toBe("5h 23% ↺2h14m · 7d 41% ↺3d4h");
  });

  it("colours the percentages unless NO_COLOR is set", async () => {
    const line = await statusline(claudeInput(), { ...env, NO_COLOR: "" }, { now: NOW });
    expect(line).toBe("5h \x1b[32m23%\x1b[0m ↺2h14m · 7d \x1b[32m41%\x1b[0m ↺3d4h");
    const hi = claudeInput({
      five_hour: { used_percentage: 96, resets_at: (NOW + HOUR) / 1000 },
      seven_day: { used_percentage: 85, resets_at: (NOW + 24 * HOUR) / 1000 },
    });
    expect(await statusline(hi, { ...env, NO_COLOR: "" }, { now: NOW })).toBe("5h \x1b[31m96%\x1b[0m ↺1h0m · 7d \x1b[38;5;208m85%\x1b[0m ↺1d0h");
  });

  it("keeps the sample in the state file", async () => {
    await statusline(claudeInput(), env, { now: NOW });
    expect(readState()).toEqual([
      {
        at: NOW,
        sessionId: "0d3f5c3e-sess",
        rateLimits: {
          fiveHour: { usedPct: 0.235, resetsAt: NOW + 2 * HOUR + 14 * MIN },
          sevenDay: { usedPct: 0.412, resetsAt: NOW + 3 * 24 * HOUR + 4 * HOUR + 30 * MIN },
        },
      },
    ]);
  });

  it("prints the fallback line for bad or empty stdin and writes nothing", async () => {
    for (const stdin of ["", "   \n", "not json", "[]", "null", "42", '{"rate_limits":'])
      expect(await statusline(stdin, env, { now: NOW })).toBe(STATUSLINE_FALLBACK);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("prints the fallback line when there are no rate limits and no daemon", async () => {
    expect(await statusline(claudeInput(NO_LIMITS), env, { now: NOW })).toBe(STATUSLINE_FALLBACK);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("drops a window whose reset has passed", async () => {
    const stale = claudeInput({
      five_hour: { used_percentage: 90, resets_at: (NOW - MIN) / 1000 },
      seven_day: { used_percentage: 41.2, resets_at: (NOW + 24 * HOUR) / 1000 },
    });
    expect(await statusline(stale, env, { now: NOW })).toBe("7d 41% ↺1d0h");
  });

  it("still prints when the state file cannot be written", async () => {
    writeFileSync(join(dir, "claude-gauge"), "a file where the directory should be");
    expect(await statusline(claudeInput(), env, { now: NOW })).toBe("5h 23% ↺2h14m · 7d 41% ↺3d4h");
  });
});

describe("statusline with a daemon", () => {
  const daemon = new FakeDaemon();
  let env: Record<string, string>;
  beforeAll(() => daemon.start());
  afterAll(() => daemon.stop());
  beforeEach(() => {
    daemon.seen = [];
    daemon.usage = snapshot;
    daemon.status = 200;
    daemon.delayMs = 0;
    daemon.reading = "snapshot";
    env = { CLAUDE_GAUGE_PORT: String(daemon.port), XDG_STATE_HOME: dir, NO_COLOR: "1", CLAUDE_GAUGE_TOKEN: "s3cret" };
  });

  it("posts the sample with the bearer token and shows rate and lamps from the answer, in one request", async () => {
    const line = await statusline(claudeInput(), env, { now: NOW });
    expect(line).toBe("5h 23% ↺2h14m · 7d 41% ↺3d4h · 12.3k tok/min · OPUS HOT WARN");
    expect(daemon.seen.map((s) => s.method)).toEqual(["POST"]);
    const post = daemon.seen[0]!;
    expect(post.url).toBe("/statusline");
    expect(post.headers.authorization).toBe("Bearer s3cret");
    expect(post.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(post.body)).toEqual(readState()[0]);
    expect(JSON.parse(post.body)).toMatchObject({ at: NOW, sessionId: "0d3f5c3e-sess", rateLimits: { fiveHour: { usedPct: 0.235 } } });
  });

  it.each(["204", "refused"] as const)("asks for the snapshot after a reading answered with %s", async (reading) => {
    daemon.reading = reading;
    const line = await statusline(claudeInput(), env, { now: NOW });
    expect(line).toBe("5h 23% ↺2h14m · 7d 41% ↺3d4h · 12.3k tok/min · OPUS HOT WARN");
    expect(daemon.seen.map((s) => `${s.method} ${s.url}`)).toEqual(["POST /statusline", "GET /usage"]);
    expect(daemon.seen[1]!.headers.authorization).toBe("Bearer s3cret");
  });

  it("sends no authorization header without a token", async () => {
    daemon.reading = "204";
    const { CLAUDE_GAUGE_TOKEN: _, ...noToken } = env;
    await statusline(claudeInput(), noToken, { now: NOW });
    expect(daemon.seen.length).toBe(2);
    for (const s of daemon.seen) expect(s.headers.authorization).toBeUndefined();
  });

  it("shows the daemon's estimate, marked ~, when Claude sent no rate limits, and posts nothing", async () => {
    const line = await statusline(claudeInput(NO_LIMITS), env, { now: NOW });
    expect(line).toBe("5h ~40% ↺1h30m · 7d ~10% ↺4d0h · 12.3k tok/min · OPUS HOT WARN");
    expect(daemon.seen.map((s) => s.method)).toEqual(["GET"]);
  });

  it("ignores an answer that is not a snapshot", async () => {
    daemon.status = 401;
    expect(await statusline(claudeInput(), env, { now: NOW })).toBe("5h 23% ↺2h14m · 7d 41% ↺3d4h");
  });

  it("gives up on a slow daemon within the time budget", async () => {
    daemon.delayMs = 2000;
    const t0 = performance.now();
    const line = await statusline(claudeInput(), env, { now: NOW, httpTimeoutMs: 100 });
    const took = performance.now() - t0;
    expect(line).toBe("5h 23% ↺2h14m · 7d 41% ↺3d4h");
    expect(took).toBeLessThan(1000);
    expect(readState()).toHaveLength(1);
  });
});

describe("--chain", () => {
  let env: Record<string, string>;
  beforeEach(async () => {
    env = { CLAUDE_GAUGE_PORT: String(await closedPort()), XDG_STATE_HOME: dir, NO_COLOR: "1", PATH: process.env["PATH"] ?? "/usr/bin:/bin" };
  });

  it("runs the old command with the same stdin and appends its first line", async () => {
    const line = await statusline(claudeInput(), env, { now: NOW, chain: `sed -n 's/.*"display_name":"\\([^"]*\\)".*/old: \\1/p'; echo; echo second` });
    expect(line).toBe("5h 23% ↺2h14m · 7d 41% ↺3d4h │ old: Opus 4.1");
  });

  it("keeps ours alone when the old command fails, prints nothing or is too slow", async () => {
    expect(await statusline(claudeInput(), env, { now: NOW, chain: "exit 3" })).toBe("5h 23% ↺2h14m · 7d 41% ↺3d4h");
    expect(await statusline(claudeInput(), env, { now: NOW, chain: "true" })).toBe("5h 23% ↺2h14m · 7d 41% ↺3d4h");
    const t0 = performance.now();
    expect(await statusline(claudeInput(), env, { now: NOW, chain: "sleep 5; echo late", chainTimeoutMs: 200 })).toBe("5h 23% ↺2h14m · 7d 41% ↺3d4h");
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("still shows the old command's line when our stdin is bad", async () => {
    expect(await statusline("", env, { now: NOW, chain: "echo theirs" })).toBe(`${STATUSLINE_FALLBACK} │ theirs`);
  });

  it("does not need the old command to read stdin", async () => {
    const big = claudeInput().padEnd(1_000_000, " ");
    expect(await statusline(big, env, { now: NOW, chain: "echo quick" })).toBe("5h 23% ↺2h14m · 7d 41% ↺3d4h │ quick");
  });
});

describe("readStdin", () => {
  it("returns what arrived when the stream never ends", async () => {
    const s = new PassThrough();
    s.write('{"a":');
    const t0 = performance.now();
    expect(await readStdin(s, 50)).toBe('{"a":');
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("returns everything once the stream ends", async () => {
    const s = new PassThrough();
    const p = readStdin(s, 5000);
    s.write("one ");
    s.end("two");
    expect(await p).toBe("one two");
  });
});
