import type { UsageEvent } from "@claude-gauge/core";
import { describe, expect, it } from "vitest";
import type { SourceSink } from "../source.js";
import { OtlpSource, REFUSAL_SHOWN_MS } from "./otlp-source.js";
import { apiRecord, logsBody, metricsBody, sumMetric } from "./otlp-test-bodies.js";
import { COST_METRIC, TOKEN_METRIC } from "./usage-metrics.js";

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

async function started(): Promise<{ source: OtlpSource; events: UsageEvent[]; rejected: string[]; clock: { now: number } }> {
  const clock = { now: T0 };
  const events: UsageEvent[] = [];
  const rejected: string[] = [];
  const sink: SourceSink = {
    usage: (e) => events.push(e),
    usageRows: (rows) => events.push(...Array.from({ length: rows.length }, (_, i) => rows.get(i))),
    request: (e) => events.push(e),
    signal: () => {},
    limit: () => {},
    rejected: (where, error) => rejected.push(`${where}: ${error}`),
  };
  const source = new OtlpSource({ clock: () => clock.now });
  await source.start(sink);
  return { source, events, rejected, clock };
}

const tokens = (events: UsageEvent[]) => events.reduce((n, e) => n + e.input + e.output + e.cacheRead + e.cacheCreation, 0);

describe("OtlpSource", () => {
  it("counts each api_request once: a resent batch adds nothing", async () => {
    const { source, events, clock } = await started();
    clock.now = T0 + 60_000;
    const body = logsBody([apiRecord(T0 + 10_000), apiRecord(T0 + 20_000)]);
    expect(source.acceptLogs(body)).toEqual({ rejected: 0, error: null });
    expect(source.acceptLogs(body)).toEqual({ rejected: 0, error: null });
    expect(events.map((e) => e.requestId)).toEqual([`req_${T0 + 10_000}`, `req_${T0 + 20_000}`]);
  });

  it("answers a partial success for dropped records and reports them once per export", async () => {
    const { source, events, rejected, clock } = await started();
    clock.now = T0 + 60_000;
    const r = source.acceptLogs(logsBody([apiRecord(T0 + 1000), apiRecord(T0 + 2000, { input_tokens: -1 }), apiRecord(T0 + 3000, { output_tokens: -1 })]));
    expect(r).toEqual({ rejected: 2, error: "resourceLogs[0].scopeLogs[0].logRecords[1].attributes.input_tokens: expected a whole number of tokens, 0..2^53" });
    expect(events).toHaveLength(1);
    expect(rejected).toEqual([`POST /v1/logs: 2 record(s) dropped, the first: ${r && typeof r === "object" ? r.error : ""}`]);
    expect(source.health().detail).toMatchObject({ logs: { exports: 1, accepted: 1, rejected: 2, refused_exports: 0 } });
  });

  it("metrics only: delta points become usage at their time, token types and cost of one model and time together", async () => {
    const { source, events, clock } = await started();
    clock.now = T0 + 120_000;
    const at = T0 + 60_000;
    source.acceptMetrics(
      metricsBody([
        sumMetric(TOKEN_METRIC, 1, [
          { type: "input", value: 100, timeMs: at, startMs: T0 },
          { type: "output", value: 20, timeMs: at, startMs: T0 },
          { type: "cacheRead", value: 1000, timeMs: at, startMs: T0 },
          { type: "cacheCreation", value: 50, timeMs: at, startMs: T0 },
          { type: "input", value: 3, timeMs: at, startMs: T0, model: "claude-haiku-4-5" },
        ]),
        sumMetric(COST_METRIC, 1, [{ value: 0.02, timeMs: at, startMs: T0 }]),
      ]),
    );
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      timestamp: at,
      model: "claude-sonnet-4-5-20250929",
      sessionId: "s1",
      input: 100,
      output: 20,
      cacheRead: 1000,
      cacheCreation: 50,
      cacheCreation5m: 50,
      loggedCostUsd: 0.02,
    });
    // tokens without a cost point: cost 0, never our price of a sum (the >200k tier is per request)
    expect(events[1]).toMatchObject({ model: "claude-haiku-4-5", input: 3, loggedCostUsd: 0 });
  });

  it("dates a metric point a little ahead of the daemon's clock now, and still tells it from the next", async () => {
    const { source, events, clock } = await started();
    source.acceptMetrics(metricsBody([sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: 4, timeMs: T0 + 30_000, startMs: T0 }])]));
    source.acceptMetrics(metricsBody([sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: 6, timeMs: T0 + 60_000, startMs: T0 + 30_000 }])]));
    expect(events.map((e) => [e.timestamp, e.input])).toEqual([
      [T0, 4],
      [T0, 6],
    ]);
    expect(clock.now).toBe(T0);
  });

  it("logs first: a session with api_request events ignores its own metrics", async () => {
    const { source, events, clock } = await started();
    clock.now = T0 + 120_000;
    source.acceptLogs(logsBody([apiRecord(T0 + 10_000)]));
    source.acceptMetrics(metricsBody([sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: 100, timeMs: T0 + 60_000, startMs: T0 }])]));
    // another session's metrics still count
    source.acceptMetrics(metricsBody([sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: 7, timeMs: T0 + 60_000, startMs: T0, session: "s2" }])]));
    expect(events.map((e) => [e.sessionId, e.input])).toEqual([
      ["s1", 100],
      ["s2", 7],
    ]);
    expect(tokens(events)).toBe(1170 + 7);
  });

  it("metrics first: events no later than the metric point that counted them are skipped, later ones count and take over", async () => {
    const { source, events, clock } = await started();
    clock.now = T0 + 120_000;
    source.acceptMetrics(metricsBody([sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: 100, timeMs: T0 + 60_000, startMs: T0 }])]));
    // the request the point counted, exported a moment later as an event, and a newer one
    source.acceptLogs(
      logsBody([apiRecord(T0 + 50_000, { input_tokens: 100, output_tokens: 0, cache_read_tokens: 0, cache_creation_tokens: 0 }), apiRecord(T0 + 90_000)]),
    );
    // the next metric point covers the newer request: the events count it already
    source.acceptMetrics(metricsBody([sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: 100, timeMs: T0 + 120_000, startMs: T0 + 60_000 }])]));
    expect(events.map((e) => [e.timestamp, e.input])).toEqual([
      [T0 + 60_000, 100],
      [T0 + 90_000, 100],
    ]);
  });

  it("metrics without session.id count only while no api_request event has come", async () => {
    const { source, events, clock } = await started();
    clock.now = T0 + 300_000;
    source.acceptMetrics(metricsBody([sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: 5, timeMs: T0 + 60_000, startMs: T0, session: null }])]));
    source.acceptLogs(logsBody([apiRecord(T0 + 30_000, { "session.id": "other" }), apiRecord(T0 + 90_000, { "session.id": "other" })]));
    source.acceptMetrics(metricsBody([sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: 9, timeMs: T0 + 120_000, startMs: T0 + 60_000, session: null }])]));
    expect(events.map((e) => [e.timestamp, e.input])).toEqual([
      [T0 + 60_000, 5],
      [T0 + 90_000, 100],
    ]);
  });

  it("health: ok while it takes exports; a refused export shows until one succeeds or it ages out", async () => {
    const { source, clock } = await started();
    expect(source.health()).toMatchObject({ kind: "otlp", ok: true, problems: [], detail: { last_export_at: null } });
    expect(source.acceptLogs({ resourceLogs: 5 })).toBe("resourceLogs: expected an array");
    expect(source.health()).toMatchObject({
      ok: false,
      problems: [{ where: "POST /v1/logs", error: "the last export was refused: resourceLogs: expected an array" }],
    });
    source.acceptMetrics(metricsBody([]));
    expect(source.health().ok).toBe(false);
    source.acceptLogs(logsBody([]));
    expect(source.health()).toMatchObject({ ok: true, problems: [], detail: { last_export_at: new Date(T0).toISOString(), logs: { refused_exports: 1 } } });
    source.refused("metrics", "body: not valid JSON");
    expect(source.health().ok).toBe(false);
    clock.now = T0 + REFUSAL_SHOWN_MS;
    expect(source.health().ok).toBe(true);
  });

  it("takes nothing before start or after stop", async () => {
    const { source, events } = await started();
    source.stop();
    expect(source.listening).toBe(false);
    expect(source.acceptLogs(logsBody([apiRecord(T0 - 1000)]))).toBe("otlp source: not started");
    expect(source.health().ok).toBe(false);
    expect(events).toHaveLength(0);
  });
});
