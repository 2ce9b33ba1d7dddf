// The firmware simulator (firmware/sim) end to end: the real firmware logic built for this machine,
// connected over real sockets to a real daemon (packages/server/dist/cli.js serve) or to a small
// fake server that misbehaves on purpose. Every wait is for a line the simulator prints.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { GAUGE_ACCEL_TABLE, NeedleMotion, needleStepFor } from "../packages/core/src/needle-motion.js";
import { buildFirmwareHost } from "./helpers/firmware-host.js";
import { startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

const NEEDLES = ["fuel_5h", "tach", "fuel_7d"] as const;

/** A snapshot of contract version `v`, needles at the given positions. */
function snapshot(v: number, pos: { fuel_5h: number; tach: number; fuel_7d: number }, pad = ""): string {
  return JSON.stringify({
    v,
    rate_1m: 1200,
    window_5h_tokens: 5000,
    window_5h_pct: 0.5,
    window_5h_reset_at: "2026-11-26T15:00Z",
    window_7d_tokens: 90000,
    window_7d_pct: 0.25,
    window_7d_reset_at: null,
    cost_5h_usd: 1.5,
    cost_7d_usd: 3,
    thinking_ratio: 0.2,
    cache_hit_rate: 0.9,
    last_model: "opus",
    hot: false,
    warn: false,
    stall: false,
    idle: true,
    limit_hit: false,
    tach_pos: pos.tach,
    fuel_5h_pos: pos.fuel_5h,
    fuel_7d_pos: pos.fuel_7d,
    fuel_source: "estimated",
    source: "jsonl",
    source_ok: true,
    updated_at: "2026-11-26T12:00:00Z",
    ...(pad === "" ? {} : { pad }),
  });
}

interface Sim {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first line (seen so far or later) that matches; rejects after ms. */
  line(re: RegExp, ms?: number): Promise<string>;
  stop(): Promise<void>;
}

let bin = "";
const running: Sim[] = [];
const servers: { close(): Promise<unknown> }[] = [];

beforeAll(async () => {
  bin = await buildFirmwareHost("firmware-sim");
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function startSim(args: string[]): Sim {
  const proc = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => {
    const parts = (partial + d).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
  });
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const sim: Sim = {
    proc,
    lines,
    line: (re, ms = 30_000) =>
      waitFor(
        () => {
          if (proc.exitCode !== null) throw new Error(`firmware-sim exited ${proc.exitCode}: ${stderr}\n${lines.join("\n")}`);
          return lines.find((l) => re.test(l));
        },
        ms,
        `a simulator line matching ${re}; last lines:\n${lines.slice(-15).join("\n")}`,
      ),
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
  running.push(sim);
  return sim;
}

function steps(line: string): Record<(typeof NEEDLES)[number], number> {
  const get = (k: string): number => Number(new RegExp(`${k}=(\\d+)`).exec(line)?.[1]);
  return { fuel_5h: get("fuel_5h"), tach: get("tach"), fuel_7d: get("fuel_7d") };
}

/** A plain HTTP server for a test, closed after it. */
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({ close: () => new Promise((resolve) => server.close(resolve)) });
  return { server, port: (server.address() as AddressInfo).port };
}

describe("firmware simulator against the real daemon", () => {
  let daemon: RunningServer | null = null;
  afterEach(async () => {
    await daemon?.stop();
    daemon = null;
  });

  it("needles settle on the positions /usage reports, and step as the browser's needle model does", async () => {
    const tree = mkdtempSync(join(tmpdir(), "fw-sim-"));
    const proj = join(tree, "projects", "-home-u-sim");
    mkdirSync(proj, { recursive: true });
    const now = Date.now();
    // Minutes old, so the tach (tokens in the last minute) reads 0 throughout and the fuel needles hold still.
    writeFileSync(
      join(proj, "s.jsonl"),
      [
        assistantLine({ id: "a", ts: new Date(now - 240_000), model: "claude-opus-4-5-20251101", input: 5000, output: 90_000, cacheRead: 200_000 }),
        assistantLine({ id: "b", ts: new Date(now - 180_000), model: "claude-opus-4-5-20251101", input: 800, output: 60_000, cacheRead: 210_000 }),
        "",
      ].join("\n"),
    );
    daemon = await startServer(tree, [], { CLAUDE_GAUGE_5H_CEILING: "1M", CLAUDE_GAUGE_7D_CEILING: "5M", CLAUDE_GAUGE_TACH_REDLINE: "200k" });
    const sim = startSim(["--url", `${daemon.url.replace("http", "ws")}/ws`, "--trace"]);
    await sim.line(/^link: websocket connected$/);

    const usage = (await fetch(`${daemon.url}/usage`).then((r) => r.json())) as Record<string, unknown>;
    const want = {
      fuel_5h: needleStepFor(Number(usage.fuel_5h_pos)),
      tach: needleStepFor(Number(usage.tach_pos)),
      fuel_7d: needleStepFor(Number(usage.fuel_7d_pos)),
    };
    expect(want.fuel_5h).toBeGreaterThan(0); // real numbers, not an empty snapshot
    expect(want.fuel_5h).toBeLessThan(944);
    const rest = new RegExp(`^needles t=\\S+ fuel_5h=${want.fuel_5h} tach=${want.tach} fuel_7d=${want.fuel_7d} \\(resting\\)$`);
    await sim.line(rest);
    // The lamps /usage asks for: the model's, and IDLE breathing (its level varies, so "IDLE~n").
    const lamps = ["OPUS", "SONNET", "HAIKU"].filter((m) => usage.last_model === m.toLowerCase());
    for (const [name, on] of [
      ["HOT", usage.hot],
      ["WARN", usage.warn],
      ["STALL", usage.stall],
      ["IDLE", usage.idle],
    ] as const)
      if (on) lamps.push(name);
    expect(lamps).toContain("OPUS");
    await sim.line(new RegExp(`^lamps t=\\S+ ${lamps.map((l) => (l === "IDLE" ? "IDLE(~\\d+)?" : l)).join(" ")}$`));
    await sim.stop();

    // Replay every target the firmware set through the browser's model, on the firmware's loop.
    const [, t0, tick] = /^sim: loop starts t_us=(\d+) tick_us=(\d+)$/.exec(sim.lines.find((l) => l.startsWith("sim: loop starts"))!)!.map(Number);
    const end = Number(/^sim: stopped at t_us=(\d+)$/.exec(sim.lines.find((l) => l.startsWith("sim: stopped"))!)![1]);
    for (const name of NEEDLES) {
      const targets = sim.lines.filter((l) => l.startsWith(`T ${name} `)).map((l) => l.split(" ").slice(2).map(Number) as [number, number]);
      const fw = sim.lines.filter((l) => l.startsWith(`S ${name} `)).map((l) => l.split(" ").slice(2).map(Number));
      expect(targets[0]).toStrictEqual([t0, 944]); // the power-on sweep
      const model = new NeedleMotion({ accelTable: GAUGE_ACCEL_TABLE });
      const trace: number[][] = [];
      let next = 0;
      for (let t = t0!; t <= end; t += tick!) {
        const before = model.currentStep;
        model.update(t);
        if (model.currentStep !== before) trace.push([t, model.currentStep]);
        for (; next < targets.length && targets[next]![0] <= t; next++) model.setPosition(targets[next]![1], t);
      }
      expect(fw.length).toBeGreaterThanOrEqual(944 * 2); // the sweep alone
      expect(trace, name).toStrictEqual(fw);
    }
  }, 90_000);

  it("refuses a token that does not fit at boot, naming the setting", async () => {
    const sim = startSim(["--url", "ws://127.0.0.1:9/ws", "--token", "t".repeat(161)]);
    await sim.line(/^link: not starting, bad setting: token: longer than 160 characters$/);
    expect(sim.lines.some((l) => l.startsWith("link: websocket"))).toBe(false);
  });
});

describe("firmware simulator against servers that misbehave", () => {
  it("a WebSocket that stays alive but sends only refused frames (another contract version) ends in STALL after 10 s", async () => {
    const good = { fuel_5h: 500, tach: 250, fuel_7d: 750 };
    let refusing = false;
    let lastGoodAt = 0;
    let pongs = 0;
    const { server, port } = await listen((req, res) => {
      // GET /usage says the same as the socket: chunked, like a proxy might send it.
      res.writeHead(200, { "content-type": "application/json" });
      res.write(refusing ? snapshot(2, good).slice(0, 100) : snapshot(1, good).slice(0, 100));
      res.end(refusing ? snapshot(2, good).slice(100) : snapshot(1, good).slice(100));
    });
    const wss = new WebSocketServer({ noServer: true });
    servers.push({ close: () => new Promise((resolve) => wss.close(resolve)) });
    server.on("upgrade", (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on("pong", () => pongs++);
        const timer = setInterval(() => {
          ws.send(refusing ? snapshot(2, good) : snapshot(1, good));
          if (!refusing) lastGoodAt = Date.now();
          ws.ping();
        }, 500);
        ws.on("close", () => clearInterval(timer));
      }),
    );
    const sim = startSim(["--url", `ws://127.0.0.1:${port}/ws`]);
    await sim.line(new RegExp(`^needles t=\\S+ fuel_5h=${needleStepFor(500)} tach=${needleStepFor(250)} fuel_7d=${needleStepFor(750)} \\(resting\\)$`));

    refusing = true;
    const stall = await sim.line(/^lamps t=\S+ STALL$/, 40_000);
    const stallAt = Date.now();
    await sim.line(/^needles t=\S+ fuel_5h=0 tach=0 fuel_7d=0 \(resting\)$/);
    // 10 s after the last accepted frame: pings kept the socket up, they did not keep the needles up.
    expect(stallAt - lastGoodAt).toBeGreaterThanOrEqual(9_500);
    expect(stallAt - lastGoodAt).toBeLessThan(13_000);
    expect(pongs).toBeGreaterThan(10);
    const before = sim.lines.slice(0, sim.lines.indexOf(stall));
    expect(before.some((l) => l === "link: websocket closed")).toBe(false);
    expect(before.some((l) => l === "link: ws snapshot refused: v: got 2, want 1 (contract version)")).toBe(true);
    // The refresh over HTTP was refused for the same reason.
    expect(before.some((l) => l === "link: http snapshot refused: v: got 2, want 1 (contract version)")).toBe(true);
  }, 90_000);

  it("polls over HTTP without a WebSocket: chunked bodies, 304 confirmations, and an oversized body refused", async () => {
    const good = { fuel_5h: 100, tach: 900, fuel_7d: 400 };
    let phase: "good" | "oversized" = "good";
    let notModified = 0;
    const { server, port } = await listen((req, res) => {
      if (phase === "good") {
        if (req.headers["if-none-match"] === '"v1"') {
          notModified++;
          res.writeHead(304, { etag: '"v1"' });
          res.end();
          return;
        }
        const body = snapshot(1, good);
        res.writeHead(200, { etag: '"v1"' }); // no Content-Length: chunked
        res.write(body.slice(0, 50));
        res.end(body.slice(50));
        return;
      }
      // Twice the firmware's limit, still chunked, so only the sink can stop it.
      res.writeHead(200);
      res.write(snapshot(1, good, "x".repeat(1000)).slice(0, 700));
      res.end(snapshot(1, good, "x".repeat(1000)).slice(700));
    });
    server.on("upgrade", (_req, socket) => socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    const sim = startSim(["--url", `http://127.0.0.1:${port}`]);
    await sim.line(/^link: poll, wifi up$/);
    await sim.line(new RegExp(`^needles t=\\S+ fuel_5h=${needleStepFor(100)} tach=${needleStepFor(900)} fuel_7d=${needleStepFor(400)} \\(resting\\)$`));
    // A dozen polls answered 304 spans more than the 10 s stale time: confirmations keep it fresh.
    await waitFor(() => (notModified >= 12 ? true : undefined), 30_000, "twelve 304 answers");
    expect(sim.lines.some((l) => / STALL/.test(l))).toBe(false);

    phase = "oversized";
    await sim.line(/^link: GET \/usage body is over the 704 byte limit$/);
    await sim.line(/^lamps t=\S+ STALL$/, 30_000);
    await sim.line(/^needles t=\S+ fuel_5h=0 tach=0 fuel_7d=0 \(resting\)$/);
  }, 90_000);
});
