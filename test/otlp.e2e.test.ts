/**
 * The OTLP receiver against the real OpenTelemetry JS SDK: Claude Code's telemetry emulated with
 * the SDK's own OTLP/HTTP exporters (protobuf and JSON, gzip, delta and cumulative), posted to a
 * real daemon process; and the edge's answers to what an exporter or an attacker may send.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { request } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import protobuf from "protobufjs/light.js";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { UsageSnapshotSchema, type UsageSnapshot } from "@claude-gauge/core";
import { OTLP_DESCRIPTOR } from "../packages/server/src/sources/otlp/otlp-descriptor.js";
import { apiRecord, logsBody, metricsBody, sumMetric } from "../packages/server/src/sources/otlp/otlp-test-bodies.js";
import { ClaudeCodeTelemetry, type ApiRequest } from "./helpers/claude-code-otel.js";
import { CLI, startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { syntheticSession, totalsByModel, type ModelTotals } from "./sources/session.js";

const ENV_EXPORTER = fileURLToPath(new URL("./helpers/otel-env-export.ts", import.meta.url));
const running: RunningServer[] = [];
const telemetry: ClaudeCodeTelemetry[] = [];
afterEach(async () => {
  await Promise.all(telemetry.splice(0).map((t) => t.shutdown()));
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function daemon(args: string[] = ["--source", "otlp"], runtime?: string[]): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), "cg-otlp-"));
  mkdirSync(join(dir, "projects"));
  const s = await startServer(dir, args, {}, runtime);
  running.push(s);
  return s;
}

function claudeCode(s: RunningServer, o: Omit<ConstructorParameters<typeof ClaudeCodeTelemetry>[0], "endpoint">): ClaudeCodeTelemetry {
  const t = new ClaudeCodeTelemetry({ endpoint: s.url, ...o });
  telemetry.push(t);
  return t;
}

async function usage(s: RunningServer): Promise<UsageSnapshot> {
  const r = await fetch(`${s.url}/usage`);
  expect(r.status).toBe(200);
  return UsageSnapshotSchema.parse(await r.json());
}

interface StatsModel extends ModelTotals {
  messages: number;
}

async function byModel(s: RunningServer): Promise<StatsModel[]> {
  const st = (await (await fetch(`${s.url}/stats?window=day`)).json()) as { byModel: StatsModel[] };
  return st.byModel
    .map(({ model, input, output, cacheRead, cacheCreation, costUsd, messages }) => ({ model, input, output, cacheRead, cacheCreation, costUsd, messages }))
    .sort((a, b) => (a.model < b.model ? -1 : 1));
}

/** A port free right now (the daemon is told to take it: exporters need their endpoint up front). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const total = (rs: readonly ApiRequest[]) => rs.reduce((n, r) => n + r.input + r.output + r.cacheRead + r.cacheCreation, 0);

/** Waits until the 7 d window holds `tokens` (the daemon publishes on the next turn after an export). */
function settled(s: RunningServer, tokens: number): Promise<UsageSnapshot> {
  return waitFor(
    async () => {
      const u = await usage(s);
      return u.window_7d_tokens === tokens ? u : undefined;
    },
    10_000,
    `window_7d_tokens = ${tokens}`,
  );
}

function expectTotals(got: StatsModel[], want: ModelTotals[], costDigits = 9): void {
  expect(got.map(({ costUsd: _c, messages: _m, ...t }) => t)).toEqual(want.map(({ costUsd: _c, ...t }) => t));
  for (const [i, g] of got.entries()) expect(g.costUsd).toBeCloseTo(want[i]!.costUsd, costDigits);
}

interface Answer {
  status: number;
  type: string | undefined;
  body: Buffer;
}

/**
 * One POST with exactly these headers (and the body's Content-Length). A large body waits for an
 * early answer first: the daemon refuses a declared size over its limit (413) before reading, and
 * closes; bytes sent into that close would reset the connection and lose the answer.
 */
function post(s: RunningServer, path: string, headers: Record<string, string>, body: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = typeof body === "string" ? Buffer.from(body) : body;
    let answered = false;
    const r = request({ host: "127.0.0.1", port: s.port, method: "POST", path, headers: { "content-length": String(data.length), ...headers } }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], body: Buffer.concat(parts) }));
    });
    r.on("error", (e) => {
      if (!answered) reject(e);
    });
    if (data.length <= 1 << 20) {
      r.end(data);
      return;
    }
    r.flushHeaders();
    setTimeout(() => {
      if (!answered) r.end(data);
    }, 1000);
  });
}

const root = protobuf.Root.fromJSON(OTLP_DESCRIPTOR);
const LogsRequest = root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest");
const LogsResponse = root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse");
const JSON_TYPE = { "content-type": "application/json" };
const PROTO_TYPE = { "content-type": "application/x-protobuf" };

describe("OTLP receiver with the OpenTelemetry SDK's exporters", () => {
  it("counts api_request events exactly, per request and per model, over http/protobuf and http/json with gzip", async () => {
    const s = await daemon();
    const session = syntheticSession(Date.now());
    const half = session.length / 2;
    const proto = claudeCode(s, { protocol: "http/protobuf", metrics: false });
    for (const r of session.slice(0, half)) proto.apiRequest(r);
    await proto.flush();
    await settled(s, total(session.slice(0, half)));
    const json = claudeCode(s, { protocol: "http/json", metrics: false });
    for (const r of session.slice(half)) json.apiRequest(r);
    await json.flush();
    const u = await settled(s, total(session));
    expect(u).toMatchObject({ source: "otlp", source_ok: true, window_5h_tokens: total(session), last_model: "opus" });
    const stats = await byModel(s);
    expectTotals(stats, totalsByModel(session));
    expect(stats.reduce((n, m) => n + m.messages, 0)).toBe(session.length);
    const h = (await (await fetch(`${s.url}/healthz`)).json()) as { sources: { logs: { accepted: number }; last_export_at: string }[] };
    expect(h.sources[0]!.logs.accepted).toBe(session.length);
    expect(Date.parse(h.sources[0]!.last_export_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("metrics only, delta (Claude Code's default): token and cost counters give the same totals", async () => {
    const s = await daemon();
    const session = syntheticSession(Date.now());
    const cc = claudeCode(s, { protocol: "http/protobuf", logs: false, temporality: "delta" });
    // three export intervals; a flush with nothing new sends no points at all
    for (const part of [session.slice(0, 20), session.slice(20, 45), [], session.slice(45)]) {
      for (const r of part) cc.apiRequest(r);
      await cc.flush();
    }
    await settled(s, total(session));
    expectTotals(await byModel(s), totalsByModel(session), 6);
  });

  it("metrics only, cumulative over JSON: growth counted once, repeats of the same totals add nothing", async () => {
    const s = await daemon();
    const session = syntheticSession(Date.now());
    const cc = claudeCode(s, { protocol: "http/json", logs: false, temporality: "cumulative" });
    for (const part of [session.slice(0, 10), session.slice(10, 30), [], [], session.slice(30)]) {
      for (const r of part) cc.apiRequest(r);
      await cc.flush();
    }
    await settled(s, total(session));
    expectTotals(await byModel(s), totalsByModel(session), 6);
  });

  it("cumulative: a Claude Code already running when the daemon starts is a baseline; only its growth counts", async () => {
    const port = await freePort();
    const session = syntheticSession(Date.now());
    const cc = new ClaudeCodeTelemetry({ endpoint: `http://127.0.0.1:${port}`, protocol: "http/protobuf", logs: false, temporality: "cumulative" });
    telemetry.push(cc);
    for (const r of session.slice(0, 30)) cc.apiRequest(r);
    const s = await daemon(["--source", "otlp", "--port", String(port)]);
    await cc.flush();
    for (const r of session.slice(30)) cc.apiRequest(r);
    await cc.flush();
    // positive synchronisation: the second export's growth arrives; the first export's totals never do
    await settled(s, total(session.slice(30)));
    expect(((await (await fetch(`${s.url}/healthz`)).json()) as { sources: { metrics: { exports: number } }[] }).sources[0]!.metrics.exports).toBe(2);
  });

  it("a Claude Code exporting logs and metrics is counted once, whichever arrives first", async () => {
    const s = await daemon();
    const session = syntheticSession(Date.now());
    const cc = claudeCode(s, { protocol: "http/protobuf" });
    for (const r of session) cc.apiRequest(r);
    await cc.flush("logs-first");
    await cc.flush();
    await settled(s, total(session));
    const stats = await byModel(s);
    expectTotals(stats, totalsByModel(session));
    // the events counted it: one entry per request
    expect(stats.reduce((n, m) => n + m.messages, 0)).toBe(session.length);

    const t = await daemon();
    const other = claudeCode(t, { protocol: "http/json" });
    for (const r of session) other.apiRequest(r);
    await other.flush("metrics-first");
    await settled(t, total(session));
    expectTotals(await byModel(t), totalsByModel(session), 6);
  });

  it("the README's environment lines work: a process configured only by OTEL_* variables exports to the daemon", async () => {
    const s = await daemon(["--source", "otlp", "--token", "t0k3n"]);
    const session = syntheticSession(Date.now(), 12);
    for (const [protocol, logs, requests] of [
      ["http/protobuf", "otlp", session.slice(0, 6)],
      // another Claude Code, metrics only (sessions with events ignore their metrics)
      ["http/json", "none", session.slice(6).map((r) => ({ ...r, session: `${r.session}-other` }))],
    ] as const) {
      const env = {
        ...process.env,
        CLAUDE_CODE_ENABLE_TELEMETRY: "1",
        OTEL_LOGS_EXPORTER: logs,
        OTEL_METRICS_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_ENDPOINT: s.url,
        OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Bearer%20t0k3n",
        OTEL_EXPORTER_OTLP_COMPRESSION: "gzip",
      };
      const child = spawnSync(process.execPath, ["--import", "tsx", ENV_EXPORTER], { env, input: JSON.stringify(requests), encoding: "utf8", timeout: 60_000 });
      expect(child.status, child.stderr).toBe(0);
    }
    await waitFor(
      async () => {
        const r = await fetch(`${s.url}/usage`, { headers: { authorization: "Bearer t0k3n" } });
        return UsageSnapshotSchema.parse(await r.json()).window_7d_tokens === total(session) ? true : undefined;
      },
      10_000,
      "both exports",
    );
    const h = (await (await fetch(`${s.url}/healthz`, { headers: { authorization: "Bearer t0k3n" } })).json()) as {
      sources: { logs: { exports: number }; metrics: { exports: number } }[];
    };
    // (the SDK exports once more at shutdown)
    expect(h.sources[0]!.logs.exports).toBe(1);
    expect(h.sources[0]!.metrics.exports).toBeGreaterThanOrEqual(2);
  });

  it("with --token, an exporter needs OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer …", async () => {
    const s = await daemon(["--source", "otlp", "--token", "sekrit"]);
    const [a, b] = syntheticSession(Date.now(), 2);
    const without = claudeCode(s, { protocol: "http/protobuf", metrics: false });
    without.apiRequest(a!);
    await without.flush();
    const withToken = claudeCode(s, { protocol: "http/protobuf", metrics: false, headers: { Authorization: "Bearer sekrit" } });
    withToken.apiRequest(b!);
    await withToken.flush();
    // the second export is counted, the first was refused (401) and never will be
    const tokenHeader = { authorization: "Bearer sekrit" };
    await waitFor(
      async () => {
        const r = await fetch(`${s.url}/usage`, { headers: tokenHeader });
        const u = UsageSnapshotSchema.parse(await r.json());
        return u.window_7d_tokens === total([b!]) ? u : undefined;
      },
      10_000,
      "the exporter with the token",
    );
    expect((await post(s, "/v1/logs", JSON_TYPE, JSON.stringify(logsBody([apiRecord(Date.now() - 1000)])))).status).toBe(401);
  });
});

const BUN = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url));

describe("OTLP receiver on every runtime the daemon ships for", () => {
  const compiled = join(mkdtempSync(join(tmpdir(), "cg-otlp-bin-")), "claude-gauge");
  beforeAll(() => {
    execFileSync(BUN, ["build", "--compile", CLI, "--outfile", compiled], { stdio: "pipe" });
  });
  it.each([
    ["bun", () => [BUN, CLI]],
    ["bun --compile", () => [compiled]],
  ])("decodes protobuf and JSON exports on %s (the OTLP definitions live in the bundle)", async (_name, runtime) => {
    const s = await daemon(["--source", "otlp"], runtime());
    const session = syntheticSession(Date.now(), 8);
    const proto = claudeCode(s, { protocol: "http/protobuf", metrics: false });
    const json = claudeCode(s, { protocol: "http/json", logs: false });
    for (const r of session.slice(0, 4)) proto.apiRequest(r);
    for (const r of session.slice(4)) json.apiRequest({ ...r, session: "metrics-only" });
    await proto.flush();
    await json.flush();
    await settled(s, total(session));
  });
});

describe("OTLP receiver: answers", () => {
  it("answers in the request's encoding: an empty protobuf message, {} or a partial success", async () => {
    const s = await daemon();
    const now = Date.now();
    const ok = await post(s, "/v1/logs", PROTO_TYPE, Buffer.from(LogsRequest.encode(LogsRequest.fromObject(logsBody([apiRecord(now - 5000)]))).finish()));
    expect(ok).toMatchObject({ status: 200, type: "application/x-protobuf" });
    expect(ok.body.length).toBe(0);
    const json = await post(s, "/v1/logs", JSON_TYPE, JSON.stringify(logsBody([apiRecord(now - 4000)])));
    expect(json).toMatchObject({ status: 200, type: "application/json" });
    expect(JSON.parse(json.body.toString())).toEqual({});

    const mixed = logsBody([apiRecord(now - 3000), apiRecord(now - 2000, { input_tokens: -1 }), apiRecord(now + 3_600_000)]);
    const partial = await post(s, "/v1/logs", PROTO_TYPE, Buffer.from(LogsRequest.encode(LogsRequest.fromObject(mixed)).finish()));
    expect(partial.status).toBe(200);
    expect(LogsResponse.toObject(LogsResponse.decode(partial.body), { longs: String })).toEqual({
      partialSuccess: {
        rejectedLogRecords: "2",
        errorMessage: "resourceLogs[0].scopeLogs[0].logRecords[1].attributes.input_tokens: expected a whole number of tokens, 0..2^53",
      },
    });
    const partialJson = await post(
      s,
      "/v1/metrics",
      { ...JSON_TYPE, "content-encoding": "gzip" },
      gzipSync(JSON.stringify(metricsBody([sumMetric("claude_code.token.usage", undefined, [{ type: "input", value: 5, timeMs: now }])]))),
    );
    expect(JSON.parse(partialJson.body.toString())).toEqual({
      partialSuccess: {
        rejectedDataPoints: "1",
        errorMessage: "resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality: expected 1 (delta) or 2 (cumulative)",
      },
    });
    // three requests of 1170 tokens each were taken; the future one stays out of the windows
    await settled(s, 3 * 1170);
  });

  it("400 for a body that does not decode, 415 for other types and encodings, 413 past 8 MiB (gzip bombs too), 404/405 elsewhere", async () => {
    const s = await daemon();
    const errorOf = (a: Answer) => (JSON.parse(a.body.toString()) as { error: string }).error;
    const bad = await post(s, "/v1/logs", PROTO_TYPE, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect([bad.status, errorOf(bad)]).toEqual([400, "body: not a protobuf ExportLogsServiceRequest"]);
    expect(errorOf(await post(s, "/v1/metrics", JSON_TYPE, "{nope"))).toBe("body: not valid JSON");
    expect(errorOf(await post(s, "/v1/metrics", JSON_TYPE, '{"resourceMetrics":"secret-value"}'))).toBe("resourceMetrics: expected an array");
    expect((await post(s, "/v1/logs", { ...JSON_TYPE, "content-encoding": "gzip" }, "not gzip")).status).toBe(400);
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/grpc", "application/protobuf"]) {
      expect((await post(s, "/v1/logs", { "content-type": type }, "{}")).status, type).toBe(415);
    }
    expect((await post(s, "/v1/logs", { ...JSON_TYPE, "content-encoding": "br" }, "{}")).status).toBe(415);
    const big = Buffer.alloc((8 << 20) + 1, 0x20);
    expect((await post(s, "/v1/logs", JSON_TYPE, big)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(16 << 20, 0x20));
    expect(bomb.length).toBeLessThan(64 << 10);
    expect((await post(s, "/v1/logs", { ...JSON_TYPE, "content-encoding": "gzip" }, bomb)).status).toBe(413);
    expect((await post(s, "/v1/traces", JSON_TYPE, "{}")).status).toBe(404);
    expect((await fetch(`${s.url}/v1/logs`)).status).toBe(405);
    // a foreign page cannot post an export (its Origin is refused before the body is read)
    expect((await post(s, "/v1/logs", { ...JSON_TYPE, origin: "http://evil.example" }, "{}")).status).toBe(403);
    expect(s.proc.exitCode).toBeNull();
    expect(s.logs()).not.toContain("secret-value");
  });

  it("the routes exist only with --source otlp; --source is checked before anything starts", async () => {
    const s = await daemon([]);
    expect((await post(s, "/v1/logs", JSON_TYPE, "{}")).status).toBe(404);
    expect((await usage(s)).source).toBe("jsonl");
    const both = await daemon(["--source", "otlp, jsonl,otlp"]);
    const h = (await (await fetch(`${both.url}/healthz`)).json()) as { sources: { kind: string }[] };
    expect(h.sources.map((x) => x.kind)).toEqual(["otlp", "jsonl"]);
    expect((await usage(both)).source).toBe("otlp");
    await expect(daemon(["--source", "jsonl,prometheus"])).rejects.toThrow(/--source: expected a comma list of jsonl, otlp, promql, ccusage, got "prometheus"/);
    await expect(daemon(["--source", ""])).rejects.toThrow(/--source: expected a comma list/);
    await expect(daemon(["--demo", "--source", "otlp"])).rejects.toThrow(/--demo replays its own transcripts: leave out --source/);
  });

  it("health: a refused export turns source_ok false (STALL) with the reason in /healthz; the next good export clears it", async () => {
    const s = await daemon();
    expect((await post(s, "/v1/metrics", PROTO_TYPE, Buffer.from([0xff]))).status).toBe(400);
    const down = await waitFor(
      async () => {
        const u = await usage(s);
        return u.source_ok ? undefined : u;
      },
      5000,
      "source_ok false",
    );
    expect(down.stall).toBe(true);
    const h = (await (await fetch(`${s.url}/healthz`)).json()) as { source_ok: boolean; sources: { problems: unknown[] }[] };
    expect(h.source_ok).toBe(false);
    expect(h.sources[0]!.problems).toEqual([
      { where: "POST /v1/metrics", error: "the last export was refused: body: not a protobuf ExportMetricsServiceRequest" },
    ]);
    expect((await post(s, "/v1/metrics", PROTO_TYPE, Buffer.alloc(0))).status).toBe(200);
    const up = await waitFor(
      async () => {
        const u = await usage(s);
        return u.source_ok ? u : undefined;
      },
      5000,
      "source_ok true",
    );
    expect(up.stall).toBe(false);
  });
});
