import protobuf from "protobufjs/light.js";
import { describe, expect, it } from "vitest";
import { OTLP_DESCRIPTOR } from "./otlp-descriptor.js";
import { decodeProtobuf, encodeProtobufResponse } from "./otlp-protobuf.js";
import { apiRecord, logsBody, metricsBody, sumMetric } from "./otlp-test-bodies.js";
import { TOKEN_METRIC } from "./usage-metrics.js";

const root = protobuf.Root.fromJSON(OTLP_DESCRIPTOR);
const LogsRequest = root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest");
const MetricsRequest = root.lookupType("opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest");
const T = Date.UTC(2026, 10, 26, 12, 0, 0);

describe("OTLP protobuf", () => {
  it("decodes to the shape of the JSON encoding (64-bit integers as decimal strings)", () => {
    const json = logsBody([apiRecord(T)]);
    const bytes = LogsRequest.encode(LogsRequest.fromObject(json)).finish();
    expect(decodeProtobuf("logs", bytes)).toEqual(json);
    const metrics = metricsBody([sumMetric(TOKEN_METRIC, 2, [{ type: "input", value: 5, timeMs: T, startMs: T - 1000 }])]);
    const decoded = decodeProtobuf("metrics", MetricsRequest.encode(MetricsRequest.fromObject(metrics)).finish());
    expect(decoded).toEqual(metrics);
  });

  it("reads an intValue of more than 2^53 exactly, as a string, for the walker to refuse", () => {
    const json = logsBody([{ attributes: [{ key: "input_tokens", value: { intValue: "9223372036854775807" } }] }]);
    const decoded = decodeProtobuf("logs", LogsRequest.encode(LogsRequest.fromObject(json)).finish());
    expect(JSON.stringify(decoded)).toContain('"intValue":"9223372036854775807"');
  });

  it("refuses truncated bytes, wrong wire types and absurd nesting with an error, not a throw", () => {
    const bytes = LogsRequest.encode(LogsRequest.fromObject(logsBody([apiRecord(T)]))).finish();
    expect(decodeProtobuf("logs", bytes.subarray(0, bytes.length - 3))).toBe("body: not a protobuf ExportLogsServiceRequest");
    // field 1 (resource_logs) with wire type 5 (32-bit) where a message is expected, then a cut
    expect(decodeProtobuf("logs", Uint8Array.of(0x0d, 1, 2))).toBe("body: not a protobuf ExportLogsServiceRequest");
    // AnyValue in AnyValue (kvlist → value → kvlist …): 25 levels (80 messages deep) decode, 2 000 are refused like protoc refuses them
    const nest = (depth: number): Uint8Array => {
      let v: object = { stringValue: "x" };
      for (let i = 0; i < depth; i++) v = { kvlistValue: { values: [{ key: "k", value: v }] } };
      const limit = protobuf.util.recursionLimit;
      protobuf.util.recursionLimit = 1e6; // only to build the hostile body
      try {
        return LogsRequest.encode(LogsRequest.fromObject(logsBody([{ body: v }]))).finish();
      } finally {
        protobuf.util.recursionLimit = limit;
      }
    };
    expect(typeof decodeProtobuf("logs", nest(25))).toBe("object");
    expect(decodeProtobuf("logs", nest(2_000))).toBe("body: not a protobuf ExportLogsServiceRequest");
  });

  it("answers an empty message, or partial_success with the count and reason", () => {
    const Response = root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse");
    expect(encodeProtobufResponse("logs", 0, null)).toHaveLength(0);
    const answer = Response.toObject(Response.decode(encodeProtobufResponse("logs", 3, "why")), { longs: String });
    expect(answer).toEqual({ partialSuccess: { rejectedLogRecords: "3", errorMessage: "why" } });
    const MResponse = root.lookupType("opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse");
    expect(MResponse.toObject(MResponse.decode(encodeProtobufResponse("metrics", 2, null)), { longs: String })).toEqual({
      partialSuccess: { rejectedDataPoints: "2" },
    });
  });
});
