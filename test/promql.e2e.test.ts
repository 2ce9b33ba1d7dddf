import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { costOf, UsageSnapshotSchema, type UsageSnapshot } from "@claude-gauge/core";
import { ClaudeCodeProcess, type RequestUsage } from "./helpers/claude-code-prometheus.js";
import { instantQuery, scrapeConfig, startPrometheus, startVictoriaMetrics, type PromqlServer } from "./helpers/promql-servers.js";
import { startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

/**
 * The PromQL source against real servers: Debian's Prometheus 2.42 and VictoriaMetrics scrape
 * emulated Claude Code processes (the real OpenTelemetry SDK and Prometheus exporter) and two
 * claude-gauge daemons on two transcript trees; hub daemons on `--source promql` must show the
 * known totals, exactly, through restarts of a process, a daemon and Prometheus itself.
 */

const POLL_ENV = { CLAUDE_GAUGE_PROMQL_POLL_MS: "500" };
const WAIT_MS = 60_000;
const SONNET = "claude-sonnet-4-5-20250929";
const OPUS = "claude-opus-4-5-20251101";
const HAIKU = "claude-haiku-4-5-20251001";

interface Box {
  dir: string;
  file: string;
  state: string;
  machine: string;
  daemon: RunningServer;
}

const cleanup: (() => Promise<unknown>)[] = [];
let prom: PromqlServer;
let vm: PromqlServer;
let hub: RunningServer;
let hubVm: RunningServer;
let hubAlice: RunningServer;
const boxes: Box[] = [];
const cc: ClaudeCodeProcess[] = [];
/** what the hubs must show: usage Prometheus saw grow (tokens, USD) */
const expected = { tokens: 0, cost: 0, input: 0, cacheRead: 0, cacheCreation: 0, alice: 0 };
let msg = 0;

async function usage(s: RunningServer): Promise<UsageSnapshot> {
  const r = await fetch(`${s.url}/usage`);
  expect(r.status).toBe(200);
  return UsageSnapshotSchema.parse(await r.json());
}

/** Waits until `s` answers a snapshot that passes `ok`; the last one seen is in the error. */
async function until(s: RunningServer, ok: (u: UsageSnapshot) => boolean, what: string): Promise<UsageSnapshot> {
  let last: UsageSnapshot | undefined;
  try {
    return await waitFor(
      async () => {
        last = await usage(s);
        return ok(last) ? last : undefined;
      },
      WAIT_MS,
      what,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last /usage: ${JSON.stringify(last)}; hub log: ${s.logs().slice(-1500)}`);
  }
}

const totalsReached = (u: UsageSnapshot) => u.window_7d_tokens === expected.tokens && u.window_5h_tokens === expected.tokens;

function ccRequest(p: ClaudeCodeProcess, u: RequestUsage, alice: boolean): void {
  p.request(u);
  const t = u.input + u.output + u.cacheRead + u.cacheCreation;
  expected.tokens += t;
  expected.cost += u.costUsd;
  expected.input += u.input;
  expected.cacheRead += u.cacheRead;
  expected.cacheCreation += u.cacheCreation;
  if (alice) expected.alice += t;
}

function transcriptLine(box: Box, model: string, input: number, output: number, cacheRead: number, cacheCreation: number, when = new Date()): void {
  msg++;
  appendFileSync(box.file, `${assistantLine({ id: `m${msg}`, ts: when, model, input, output, cacheRead, cacheCreation })}\n`);
}

/** A new transcript line the hubs must count (its machine is already known to Prometheus). */
function boxRequest(box: Box, model: string, input: number, output: number, cacheRead: number, cacheCreation: number): void {
  transcriptLine(box, model, input, output, cacheRead, cacheCreation);
  expected.tokens += input + output + cacheRead + cacheCreation;
  expected.cost += costOf(model, { input, output, cacheRead, cacheCreation, cacheCreation5m: cacheCreation, cacheCreation1h: 0 }, null);
  expected.input += input;
  expected.cacheRead += cacheRead;
  expected.cacheCreation += cacheCreation;
}

/** Positive synchronisation with the scrape: `server` holds `query` at `value`. */
async function stored(server: PromqlServer, query: string, value: number): Promise<void> {
  await waitFor(
    async () => ((await instantQuery(server.url, query).catch(() => []))[0]?.value === value ? true : undefined),
    WAIT_MS,
    `${query} = ${value} on ${server.url}`,
  );
}

async function startBox(box: Omit<Box, "daemon">, port = 0): Promise<Box> {
  const daemon = await startServer(box.dir, ["--machine", box.machine, "--port", String(port)], { XDG_STATE_HOME: box.state });
  return { ...box, daemon };
}

beforeAll(async () => {
  // Two machines that only have transcripts, each with two days of old history.
  for (const machine of ["box-1", "box-2"]) {
    const dir = mkdtempSync(join(tmpdir(), `cg-${machine}-`));
    const proj = join(dir, "projects", "-home-u-app");
    mkdirSync(proj, { recursive: true });
    const box = { dir, file: join(proj, "s1.jsonl"), state: mkdtempSync(join(tmpdir(), "cg-state-")), machine };
    writeFileSync(
      join(proj, "old.jsonl"),
      `${assistantLine({ id: `old-${machine}`, ts: new Date(Date.now() - 2 * 86_400_000), model: SONNET, input: 1_000_000, output: 2_000_000 })}\n`,
    );
    writeFileSync(box.file, "");
    boxes.push(await startBox(box));
  }
  cleanup.push(() => Promise.all(boxes.map((b) => b.daemon.stop())));
  // Three Claude Code processes with OTEL_METRICS_EXPORTER=prometheus: alice runs two sessions at once, bob one.
  cc.push(new ClaudeCodeProcess({ sessionId: "sess-a1", email: "alice@example.com" }));
  cc.push(new ClaudeCodeProcess({ sessionId: "sess-a2", email: "alice@example.com" }));
  cc.push(new ClaudeCodeProcess({ sessionId: "sess-b1", email: "bob@example.com" }));
  const ccTargets = await Promise.all(cc.map((p) => p.listen()));
  cleanup.push(() => Promise.all(cc.map((p) => p.close())));
  const config = scrapeConfig({ "claude-code": ccTargets, "claude-gauge": boxes.map((b) => `127.0.0.1:${b.daemon.port}`) });
  [prom, vm] = await Promise.all([startPrometheus(config), startVictoriaMetrics(config)]);
  cleanup.push(() => Promise.all([prom.stop(), vm.stop()]));
  // Both servers have seen both machines' whole history once: that is where they start, not growth.
  for (const server of [prom, vm]) {
    for (const b of boxes) await stored(server, `sum(claude_code_token_usage_tokens_total{machine="${b.machine}"})`, 3_000_000);
  }
  hub = await startServer(mkdtempSync(join(tmpdir(), "cg-hub-")), ["--source", "promql", "--prometheus", prom.url], POLL_ENV);
  hubVm = await startServer(mkdtempSync(join(tmpdir(), "cg-hub-")), ["--source", "promql", "--prometheus", vm.url], POLL_ENV);
  hubAlice = await startServer(
    mkdtempSync(join(tmpdir(), "cg-hub-")),
    ["--source", "promql", "--prometheus", prom.url, "--selector", '{user_email="alice@example.com"}'],
    POLL_ENV,
  );
  cleanup.push(() => Promise.all([hub.stop(), hubVm.stop(), hubAlice.stop()]));
}, 180_000);

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
});

describe("--source promql against Debian's Prometheus 2.42", () => {
  it("starts healthy with nothing counted: a machine's history before Prometheus saw it is not growth", async () => {
    const u = await until(hub, (s) => s.source_ok, "hub healthy");
    expect(u.source).toBe("promql");
    expect(u.window_7d_tokens).toBe(0);
    const health = (await (await fetch(`${hub.url}/healthz`)).json()) as { sources: { kind: string; prometheus: string }[] };
    expect(health.sources[0]).toMatchObject({ kind: "promql", prometheus: `${prom.url}/` });
    // the hub re-exports nothing: its counts came from Prometheus
    expect(await (await fetch(`${hub.url}/metrics`)).text()).not.toContain("claude_code_token_usage");
  });

  it("sums every machine and session exactly: parallel sessions, a process restart (counter reset), new series, daemons", async () => {
    const [a1, a2, b1] = cc as [ClaudeCodeProcess, ClaudeCodeProcess, ClaudeCodeProcess];
    const [box1, box2] = boxes as [Box, Box];
    ccRequest(a1, { model: SONNET, input: 2_000_000, output: 3400, cacheRead: 56_000, cacheCreation: 7800, costUsd: 6.31 }, true);
    ccRequest(a2, { model: OPUS, input: 400_000, output: 9000, cacheRead: 120_000, cacheCreation: 0, costUsd: 6.5 }, true);
    ccRequest(b1, { model: HAIKU, input: 900, output: 1500, cacheRead: 0, cacheCreation: 2000, costUsd: 0.02 }, false);
    boxRequest(box1, SONNET, 300, 700, 40_000, 1000);
    boxRequest(box2, HAIKU, 50, 80, 0, 0); // a model new to box-2: a new series of a known machine counts from zero
    // both servers have stored sess-a2's total before its process exits (else they never saw it)
    for (const server of [prom, vm]) await stored(server, `sum(claude_code_token_usage_total{session_id="sess-a2"})`, 529_000);
    // sess-a2's process exits and is resumed: the same series starts again at zero
    await a2.restart();
    ccRequest(a2, { model: OPUS, input: 1000, output: 2000, cacheRead: 30_000, cacheCreation: 500, costUsd: 0.9 }, true);
    ccRequest(a1, { model: HAIKU, input: 10, output: 20, cacheRead: 0, cacheCreation: 0, costUsd: 0.001 }, true); // a1's first Haiku: a new series
    for (const server of [prom, vm]) await stored(server, `sum(claude_code_token_usage_total{session_id="sess-a2"})`, 33_500);

    const u = await until(hub, totalsReached, `hub totals = ${expected.tokens}`);
    expect(u.source_ok).toBe(true);
    expect(u.cost_7d_usd).toBeCloseTo(expected.cost, 1);
    expect(u.cost_5h_usd).toBeCloseTo(expected.cost, 1);
    expect(u.cache_hit_rate).toBeCloseTo(expected.cacheRead / (expected.input + expected.cacheRead + expected.cacheCreation), 2);
    // --selector narrows every query: alice's two sessions only (daemons carry no user_email)
    const a = await until(hubAlice, (s) => s.window_7d_tokens === expected.alice, `alice's hub = ${expected.alice}`);
    expect(a.window_5h_tokens).toBe(expected.alice);

    // What the pitfalls show on the same server. increase() leaves out each new series' first
    // sample: over 2.6 M tokens Claude Code used, it sees about 35 k.
    const ccTotal = expected.tokens - (300 + 700 + 40_000 + 1000) - (50 + 80);
    const [inc] = await instantQuery(prom.url, "sum(increase(claude_code_token_usage_total[10m]))");
    expect(inc!.value).toBeLessThan(ccTotal - 2_000_000);
    // increase() of a sum reads sess-a2's restart as a reset of the whole sum: the other
    // sessions' 2 M tokens come back as growth — phantom millions, where ~35 k were used.
    const [phantom] = await instantQuery(prom.url, "increase(sum(claude_code_token_usage_total)[10m:1s])");
    expect(phantom!.value).toBeGreaterThan(inc!.value + 1_500_000);
  });

  it("tach and last model follow the newest usage", async () => {
    const [a1] = cc as [ClaudeCodeProcess];
    ccRequest(a1, { model: HAIKU, input: 5000, output: 6000, cacheRead: 0, cacheCreation: 0, costUsd: 0.05 }, true);
    const u = await until(hub, (s) => totalsReached(s) && s.rate_1m >= 11_000, "tach shows the newest request");
    expect(u.last_model).toBe("haiku");
    expect(u.tach_pos).toBeGreaterThan(0);
  });

  it("a daemon restarted after Claude Code deleted old transcripts keeps its counters: no phantom growth on the hub", async () => {
    const box1 = boxes[0]!;
    const before = (await instantQuery(prom.url, `sum(claude_code_token_usage_tokens_total{machine="box-1"})`))[0]!.value;
    const port = box1.daemon.port;
    await box1.daemon.stop();
    rmSync(join(box1.dir, "projects", "-home-u-app", "old.jsonl"));
    boxes[0] = await startBox(box1, port);
    const restartedAt = Date.now() / 1000;
    const scrapedAgain = await waitFor(
      async () => {
        const r = await instantQuery(
          prom.url,
          `sum(claude_code_token_usage_tokens_total{machine="box-1"}) and on() (max(timestamp(claude_code_token_usage_tokens_total{machine="box-1"})) > ${restartedAt})`,
        );
        return r[0]?.value;
      },
      WAIT_MS,
      "box-1 scraped after its restart",
    );
    expect(scrapedAgain).toBe(before);
    boxRequest(boxes[0]!, SONNET, 11, 22, 33, 44);
    await until(hub, totalsReached, `hub totals = ${expected.tokens} after the daemon restart`);
  });

  it("Prometheus stopped: /usage keeps answering with source_ok false and STALL; restarted: it recovers and counts the gap", async () => {
    const port = prom.port;
    await prom.stop();
    const down = await until(hub, (s) => !s.source_ok, "hub sees Prometheus down");
    expect(down.stall).toBe(true);
    const health = (await (await fetch(`${hub.url}/healthz`)).json()) as { source_ok: boolean; sources: { problems: { where: string; error: string }[] }[] };
    expect(health.source_ok).toBe(false);
    expect(health.sources[0]!.problems[0]!.where).toBe(`${prom.url}/`);
    // usage goes on while Prometheus is down
    ccRequest(cc[2]!, { model: HAIKU, input: 70, output: 80, cacheRead: 90, cacheCreation: 100, costUsd: 0.003 }, false);
    boxRequest(boxes[1]!, SONNET, 1, 2, 3, 4);
    prom = await startPrometheus(
      scrapeConfig({ "claude-code": cc.map((p) => `127.0.0.1:${p.port}`), "claude-gauge": boxes.map((b) => `127.0.0.1:${b.daemon.port}`) }),
      { port, dataDir: prom.dataDir },
    );
    const up = await until(hub, (s) => s.source_ok && totalsReached(s), `hub recovers with totals = ${expected.tokens}`);
    expect(up.stall).toBe(false);
  });
});

describe("the same PromQL against Debian's VictoriaMetrics", () => {
  it("a hub on VictoriaMetrics shows the same totals (it scraped the same targets all along)", async () => {
    const u = await until(hubVm, totalsReached, `VictoriaMetrics hub totals = ${expected.tokens}`);
    expect(u.source_ok).toBe(true);
    expect(u.cost_7d_usd).toBeCloseTo(expected.cost, 1);
  });
});
