/**
 * A process that exports like Claude Code configured only by its environment: the exporters get
 * no options, so OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS, _COMPRESSION and
 * _METRICS_TEMPORALITY_PREFERENCE are read by the OpenTelemetry SDK itself. The requests to
 * report come as JSON on stdin; it exits once the daemon has answered.
 *
 *   node --import tsx test/helpers/otel-env-export.ts < requests.json
 */
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import type { ApiRequest } from "./claude-code-otel.js";

/** An ApiRequest as JSON: its time is an ISO string. */
type Request = Omit<ApiRequest, "at"> & { at: string };

let text = "";
for await (const chunk of process.stdin) text += String(chunk);
const requests = JSON.parse(text) as Request[];
const json = process.env["OTEL_EXPORTER_OTLP_PROTOCOL"] === "http/json";
const resource = resourceFromAttributes({ "service.name": "claude-code" });
const logs =
  process.env["OTEL_LOGS_EXPORTER"] === "otlp"
    ? new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: json ? new JsonLogExporter() : new ProtoLogExporter() })] })
    : null;
const metrics =
  process.env["OTEL_METRICS_EXPORTER"] === "otlp"
    ? new MeterProvider({
        resource,
        readers: [
          new PeriodicExportingMetricReader({ exporter: json ? new JsonMetricExporter() : new ProtoMetricExporter(), exportIntervalMillis: 3_600_000 }),
        ],
      })
    : null;
const meter = metrics?.getMeter("com.anthropic.claude_code");
const tokens = meter?.createCounter("claude_code.token.usage", { unit: "tokens" });
const cost = meter?.createCounter("claude_code.cost.usage", { unit: "USD" });
for (const r of requests) {
  logs?.getLogger("com.anthropic.claude_code").emit({
    body: "claude_code.api_request",
    attributes: {
      "event.name": "api_request",
      "event.timestamp": r.at,
      "session.id": r.session,
      model: r.model,
      input_tokens: r.input,
      output_tokens: r.output,
      cache_read_tokens: r.cacheRead,
      cache_creation_tokens: r.cacheCreation,
      cost_usd: r.costUsd,
      request_id: r.requestId,
    },
  });
  for (const [type, n] of Object.entries({ input: r.input, output: r.output, cacheRead: r.cacheRead, cacheCreation: r.cacheCreation })) {
    tokens?.add(n, { type, model: r.model, "session.id": r.session });
  }
  cost?.add(r.costUsd, { model: r.model, "session.id": r.session });
}
await logs?.forceFlush();
await metrics?.forceFlush();
await Promise.all([logs?.shutdown(), metrics?.shutdown()]);
