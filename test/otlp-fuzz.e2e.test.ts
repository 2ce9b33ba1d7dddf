/**
 * The OTLP decoders fuzzed through a real daemon: random bytes, random OTLP-shaped protobuf and
 * JSON bodies with extreme and ill-typed values, gzip or not. Invariants after every post: the
 * daemon is up, the answer is 200 or 400, every /usage validates against the schema, the counted
 * totals never go down; a genuine export afterwards is still counted exactly.
 *
 * Valid token counts are kept at most VALID_MAX (larger ones up to 2^53 are valid too, and would
 * pin the 7 d window at the contract's widest value, where "exactly" can no longer be seen);
 * every invalid extreme (negative, fractional, NaN, ±Infinity, 2^53 and beyond, int64 edges) is
 * generated.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import protobuf from "protobufjs/light.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageSnapshotSchema, type UsageSnapshot } from "@claude-gauge/core";
import { OTLP_DESCRIPTOR } from "../packages/server/src/sources/otlp/otlp-descriptor.js";
import { startServer, waitFor, type RunningServer } from "./helpers/server-process.js";

const root = protobuf.Root.fromJSON(OTLP_DESCRIPTOR);
const Requests = {
  logs: root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest"),
  metrics: root.lookupType("opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest"),
};
const DAY = 86_400_000;
const NOW = Date.now();

let s: RunningServer;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "cg-otlp-fuzz-"));
  mkdirSync(join(dir, "projects"));
  s = await startServer(dir, ["--source", "otlp"]);
});
afterAll(async () => {
  await s.stop();
});

function post(path: string, type: string, body: Buffer, gzip: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": type, ...(gzip ? { "content-encoding": "gzip" } : {}) };
    const r = request({ host: "127.0.0.1", port: s.port, method: "POST", path, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    r.on("error", reject);
    r.end(body);
  });
}

async function usage(): Promise<UsageSnapshot> {
  return UsageSnapshotSchema.parse(await (await fetch(`${s.url}/usage`)).json());
}

// ---- arbitraries: OTLP's shapes with hostile values -------------------------------------------

const VALID_MAX = 200_000;
const countable = (n: number) => Number.isInteger(n) && n > VALID_MAX && n <= Number.MAX_SAFE_INTEGER;
const extremeNumber = fc.oneof(
  fc.double().filter((n) => !countable(n)),
  fc.integer({ min: -1000, max: VALID_MAX }),
  fc.constantFrom(0, -0, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 1e308, -1e-308, 0.5),
);
const int64Text = fc
  .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
  .filter((n) => !(n > BigInt(VALID_MAX) && n <= BigInt(Number.MAX_SAFE_INTEGER)))
  .map(String);
const anyValue = fc.oneof(
  extremeNumber.map((n) => ({ doubleValue: n })),
  fc.oneof(int64Text, fc.integer({ min: 0, max: VALID_MAX }).map(String)).map((v) => ({ intValue: v })),
  fc.oneof(fc.string(), extremeNumber.map(String), fc.constantFrom("12", " 7 ", "1e3", "0x10", "", "NaN", "Infinity", "-0")).map((v) => ({ stringValue: v })),
  fc.boolean().map((v) => ({ boolValue: v })),
  fc.constant({}),
);
/** a time: mostly within the last 6 days (so nothing ages out of the 7 d window during the test), sometimes absurd */
const isoTime = fc.oneof(
  fc.integer({ min: NOW - 6 * DAY, max: NOW + 10 * 60_000 }).map((t) => new Date(t).toISOString()),
  fc.constantFrom("2019-06-01T00:00:00Z", "2099-01-01T00:00:00Z", "yesterday", "", "2026-13-45T99:00:00Z"),
);
const nanos = fc.oneof(
  fc.integer({ min: NOW - 6 * DAY, max: NOW + 10 * 60_000 }).map((t) => `${t}000000`),
  int64Text,
  fc.constantFrom("0", "18446744073709551615", "1"),
);
const attrKey = fc.constantFrom(
  "event.name",
  "event.timestamp",
  "session.id",
  "model",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_creation_tokens",
  "cost_usd",
  "request_id",
  "speed",
  "type",
  "event.sequence",
);
const attribute = fc.oneof(
  fc.record({ key: attrKey, value: anyValue }),
  fc.record({ key: fc.constant("event.timestamp"), value: isoTime.map((v) => ({ stringValue: v })) }),
  fc.record({
    key: fc.constant("model"),
    value: fc.constantFrom("claude-sonnet-4-5", "claude-opus-4-5", "x".repeat(300), "").map((v) => ({ stringValue: v })),
  }),
  fc.record({ key: fc.constant("type"), value: fc.constantFrom("input", "output", "cacheRead", "cacheCreation", "thinking").map((v) => ({ stringValue: v })) }),
  fc.record({ key: fc.string({ maxLength: 8 }), value: anyValue }),
);
/** a well-formed api_request log record */
const apiRecord = (at: number, requestId: string, input: number) => ({
  body: { stringValue: "claude_code.api_request" },
  attributes: [
    { key: "event.timestamp", value: { stringValue: new Date(at).toISOString() } },
    { key: "request_id", value: { stringValue: requestId } },
    { key: "input_tokens", value: { intValue: String(input) } },
  ],
});
/** a well-formed api_request among the hostile ones, so the counting path is always exercised too */
const validApiRecord = fc
  .record({
    at: fc.integer({ min: NOW - 6 * DAY, max: NOW - 1000 }),
    input: fc.integer({ min: 0, max: VALID_MAX }),
    output: fc.integer({ min: 1, max: VALID_MAX }),
    id: fc.uuid(),
  })
  .map((r) => ({
    body: { stringValue: "claude_code.api_request" },
    attributes: [
      { key: "event.timestamp", value: { stringValue: new Date(r.at).toISOString() } },
      { key: "input_tokens", value: { intValue: String(r.input) } },
      { key: "output_tokens", value: { stringValue: String(r.output) } },
      { key: "request_id", value: { stringValue: r.id } },
    ],
  }));
const fuzzedRecord = fc.record(
  {
    timeUnixNano: nanos,
    observedTimeUnixNano: nanos,
    body: fc.oneof(fc.constant({ stringValue: "claude_code.api_request" }), anyValue),
    eventName: fc.constantFrom("claude_code.api_request", "", "other"),
    attributes: fc.array(attribute, { maxLength: 14 }),
  },
  { requiredKeys: ["attributes"] },
);
const logRecord = fc.oneof({ arbitrary: fuzzedRecord, weight: 4 }, { arbitrary: validApiRecord, weight: 1 });
const dataPoint = fc.record(
  {
    startTimeUnixNano: nanos,
    timeUnixNano: nanos,
    asDouble: extremeNumber,
    asInt: int64Text,
    attributes: fc.array(attribute, { maxLength: 6 }),
  },
  { requiredKeys: ["timeUnixNano"] },
);
const metric = fc.record({
  name: fc.constantFrom("claude_code.token.usage", "claude_code.cost.usage", "claude_code.session.count"),
  sum: fc.record({ aggregationTemporality: fc.integer({ min: -1, max: 3 }), isMonotonic: fc.boolean(), dataPoints: fc.array(dataPoint, { maxLength: 6 }) }),
});
const logsShaped = fc.record({
  resourceLogs: fc.array(fc.record({ scopeLogs: fc.array(fc.record({ logRecords: fc.array(logRecord, { maxLength: 6 }) }), { maxLength: 2 }) }), {
    maxLength: 2,
  }),
});
const metricsShaped = fc.record({
  resourceMetrics: fc.array(fc.record({ scopeMetrics: fc.array(fc.record({ metrics: fc.array(metric, { maxLength: 4 }) }), { maxLength: 2 }) }), {
    maxLength: 2,
  }),
});

type Signal = "logs" | "metrics";
interface Case {
  signal: Signal;
  type: "application/x-protobuf" | "application/json";
  body: Buffer;
  gzip: boolean;
}

/** Protobuf encoding of a generated body; a value protobufjs cannot encode for its field is left out. */
function encode(signal: Signal, v: object): Buffer {
  const T = Requests[signal];
  return Buffer.from(T.encode(T.fromObject(v)).finish());
}

/** a JSON body with one value somewhere swapped for something of another type */
const illTyped = (v: object) =>
  fc.tuple(fc.nat(), fc.jsonValue()).map(([pick, junk]) => {
    let n = 0;
    const text = JSON.stringify(v, (_k, x: unknown) => (n++ === pick % 40 ? junk : x));
    return Buffer.from(text ?? "null");
  });

const cases: fc.Arbitrary<Case> = fc.oneof(
  fc.record({
    signal: fc.constantFrom<Signal>("logs", "metrics"),
    type: fc.constantFrom("application/x-protobuf" as const, "application/json" as const),
    body: fc.uint8Array({ maxLength: 600 }).map(Buffer.from),
    gzip: fc.boolean(),
  }),
  fc.tuple(logsShaped, fc.boolean()).map(([v, gzip]): Case => ({ signal: "logs", type: "application/x-protobuf", body: encode("logs", v), gzip })),
  fc.tuple(metricsShaped, fc.boolean()).map(([v, gzip]): Case => ({ signal: "metrics", type: "application/x-protobuf", body: encode("metrics", v), gzip })),
  fc.tuple(logsShaped, fc.boolean()).map(([v, gzip]): Case => ({ signal: "logs", type: "application/json", body: Buffer.from(JSON.stringify(v)), gzip })),
  fc.tuple(metricsShaped, fc.boolean()).map(([v, gzip]): Case => ({ signal: "metrics", type: "application/json", body: Buffer.from(JSON.stringify(v)), gzip })),
  logsShaped.chain((v) => illTyped(v).map((body): Case => ({ signal: "logs", type: "application/json", body, gzip: false }))),
  metricsShaped.chain((v) => illTyped(v).map((body): Case => ({ signal: "metrics", type: "application/json", body, gzip: false }))),
);

describe("OTLP decoders under fuzz (a real daemon)", () => {
  it("stays up and answers 200 or 400; /usage always validates; totals never go down", async () => {
    // One api_request event first: by design a metric point without session.id, taken while no
    // event has arrived, covers every event dated before it (logs and metrics are never both
    // counted), so a run that drew such a point first would count none of the valid records after.
    const seed = { resourceLogs: [{ scopeLogs: [{ logRecords: [apiRecord(NOW - DAY, "req_seed", 100)] }] }] };
    expect(await post("/v1/logs", "application/x-protobuf", encode("logs", seed), false)).toBe(200);
    await waitFor(async () => ((await usage()).window_7d_tokens === 100 ? true : undefined), 5000, "the seed event");
    let last = await usage();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const status = await post(`/v1/${c.signal}`, c.type, c.gzip ? gzipSync(c.body) : c.body, c.gzip);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect([200, 400]).toContain(status);
        expect(s.proc.exitCode).toBeNull();
        const u = await usage();
        expect(u.window_7d_tokens).toBeGreaterThanOrEqual(last.window_7d_tokens);
        expect(u.cost_7d_usd).toBeGreaterThanOrEqual(last.cost_7d_usd);
        last = u;
      }),
      { numRuns: 400 },
    );
    // the generators reach both answers, and some fuzzed records were counted
    expect(statuses.get(200)).toBeGreaterThan(50);
    expect(statuses.get(400)).toBeGreaterThan(50);
    expect(last.window_7d_tokens).toBeGreaterThan(100);

    // what was taken is still there, and a genuine export counts exactly on top of it
    const before = (await usage()).window_7d_tokens;
    const genuine = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [apiRecord(Date.now(), "req_after_fuzz", 1234)],
            },
          ],
        },
      ],
    };
    expect(await post("/v1/logs", "application/x-protobuf", encode("logs", genuine), false)).toBe(200);
    await waitFor(async () => ((await usage()).window_7d_tokens === before + 1234 ? true : undefined), 5000, "the genuine export");
    const h = (await (await fetch(`${s.url}/healthz`)).json()) as { sources: { logs: { rejected: number }; metrics: { rejected: number } }[] };
    expect(h.sources[0]!.logs.rejected + h.sources[0]!.metrics.rejected).toBeGreaterThan(0);
  });
});
