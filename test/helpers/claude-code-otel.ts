/**
 * Claude Code's OpenTelemetry export, emulated with the real OpenTelemetry JS SDK and its OTLP/HTTP
 * exporters: resource `service.name=claude-code`, logger and meter `com.anthropic.claude_code`,
 * one `claude_code.api_request` log event per request and the `claude_code.token.usage` /
 * `claude_code.cost.usage` counters, with the attribute names Claude Code uses.
 */
import type { Attributes } from "@opentelemetry/api";
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";

/** One API request as Claude Code reports it. */
export interface ApiRequest {
  at: Date;
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
  /** Claude Code's own estimate, USD */
  costUsd: number;
  requestId: string;
  session: string;
}

export interface TelemetryOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the exporters append /v1/logs and /v1/metrics */
  endpoint: string;
  protocol: "http/protobuf" | "http/json";
  /** OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE (Claude Code's default: delta) */
  temporality?: "delta" | "cumulative";
  /** OTEL_LOGS_EXPORTER / OTEL_METRICS_EXPORTER: which signals are exported (both by default) */
  logs?: boolean;
  metrics?: boolean;
  gzip?: boolean;
  /** OTEL_EXPORTER_OTLP_HEADERS */
  headers?: Record<string, string>;
}

/** One Claude Code process's telemetry. Nothing is sent until `flush()` (tests decide when). */
export class ClaudeCodeTelemetry {
  readonly #logs: LoggerProvider | null;
  readonly #metrics: MeterProvider | null;
  readonly #tokens;
  readonly #cost;
  #sequence = 0;

  constructor(o: TelemetryOptions) {
    const resource = resourceFromAttributes({ "service.name": "claude-code", "service.version": "2.1.300", "os.type": "linux", "host.arch": "x64" });
    const common = {
      ...(o.headers ? { headers: o.headers } : {}),
      compression: o.gzip === false ? CompressionAlgorithm.NONE : CompressionAlgorithm.GZIP,
    };
    const json = o.protocol === "http/json";
    if (o.logs !== false) {
      const url = `${o.endpoint}/v1/logs`;
      const exporter = json ? new JsonLogExporter({ url, ...common }) : new ProtoLogExporter({ url, ...common });
      // a long delay: records leave on flush() only, as one batch
      this.#logs = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 3_600_000 })] });
    } else this.#logs = null;
    if (o.metrics !== false) {
      const url = `${o.endpoint}/v1/metrics`;
      const temporalityPreference = o.temporality === "cumulative" ? AggregationTemporalityPreference.CUMULATIVE : AggregationTemporalityPreference.DELTA;
      const exporter = json
        ? new JsonMetricExporter({ url, temporalityPreference, ...common })
        : new ProtoMetricExporter({ url, temporalityPreference, ...common });
      this.#metrics = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })] });
    } else this.#metrics = null;
    const meter = this.#metrics?.getMeter("com.anthropic.claude_code");
    this.#tokens = meter?.createCounter("claude_code.token.usage", { unit: "tokens", description: "Number of tokens used" });
    this.#cost = meter?.createCounter("claude_code.cost.usage", { unit: "USD", description: "Cost of the Claude Code session" });
  }

  /** What Claude Code does when a request completes: the log event and the counters. */
  apiRequest(r: ApiRequest): void {
    const who: Attributes = { "session.id": r.session, "user.account_uuid": "acc-1", "organization.id": "org-1", "terminal.type": "xterm-256color" };
    this.#logs?.getLogger("com.anthropic.claude_code").emit({
      body: "claude_code.api_request",
      timestamp: r.at,
      attributes: {
        ...who,
        "event.name": "api_request",
        "event.timestamp": r.at.toISOString(),
        "event.sequence": this.#sequence++,
        "prompt.id": "prompt-1",
        model: r.model,
        // the numeric forms seen from Claude Code: int, string and double
        input_tokens: r.input,
        output_tokens: String(r.output),
        cache_read_tokens: String(r.cacheRead),
        cache_creation_tokens: r.cacheCreation,
        cost_usd: r.costUsd,
        duration_ms: 1234,
        request_id: r.requestId,
        speed: "normal",
      },
    });
    const types = { input: r.input, output: r.output, cacheRead: r.cacheRead, cacheCreation: r.cacheCreation };
    for (const [type, n] of Object.entries(types)) if (n > 0) this.#tokens?.add(n, { ...who, type, model: r.model });
    this.#cost?.add(r.costUsd, { ...who, model: r.model });
  }

  /**
   * Exports what was recorded; resolves when the daemon has answered. Logs go first, as with
   * Claude Code's intervals (logs every 5 s, metrics every 60 s).
   */
  async flush(order: "logs-first" | "metrics-first" = "logs-first"): Promise<void> {
    const signals = [this.#logs, this.#metrics];
    for (const p of order === "logs-first" ? signals : signals.reverse()) await p?.forceFlush();
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.#logs?.shutdown(), this.#metrics?.shutdown()]);
  }
}
