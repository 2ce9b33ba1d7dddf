import { createServer, type Server } from "node:http";
import type { Counter } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";

/** What one API request adds to Claude Code's counters. */
export interface RequestUsage {
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
  costUsd: number;
}

/**
 * One Claude Code process with `OTEL_METRICS_EXPORTER=prometheus`, emulated with the real
 * OpenTelemetry JS SDK and Prometheus exporter the way Claude Code sets them up: meter
 * `com.anthropic.claude_code`, counters `claude_code.token.usage` (tokens, attribute `type`) and
 * `claude_code.cost.usage` (USD), session and user attributes on every point. Its counters start
 * at zero; `restart()` is a new process (a resumed session keeps its id, so its series resets).
 */
export class ClaudeCodeProcess {
  readonly #attrs: Record<string, string>;
  #provider!: MeterProvider;
  #exporter!: PrometheusExporter;
  #tokens!: Counter;
  #cost!: Counter;
  #server: Server | null = null;
  port = 0;

  constructor(attrs: { sessionId: string; email: string; accountUuid?: string }) {
    this.#attrs = {
      "session.id": attrs.sessionId,
      "user.email": attrs.email,
      "user.account_uuid": attrs.accountUuid ?? `acct-${attrs.email}`,
      "organization.id": "org-test",
      "terminal.type": "xterm-256color",
    };
    this.#init();
  }

  #init(): void {
    this.#exporter = new PrometheusExporter({ preventServerStart: true });
    this.#provider = new MeterProvider({
      readers: [this.#exporter],
      resource: resourceFromAttributes({ "service.name": "claude-code", "service.version": "2.1.300" }),
    });
    const meter = this.#provider.getMeter("com.anthropic.claude_code");
    this.#tokens = meter.createCounter("claude_code.token.usage", { unit: "tokens", description: "Number of tokens used" });
    this.#cost = meter.createCounter("claude_code.cost.usage", { unit: "USD", description: "Cost of the Claude Code session" });
  }

  /** Listens on loopback (the same port again after a restart); resolves with the target address. */
  async listen(): Promise<string> {
    const server = createServer((req, res) => this.#exporter.getMetricsRequestHandler(req, res));
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", () => resolve()));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
    return `127.0.0.1:${this.port}`;
  }

  request(u: RequestUsage): void {
    const base = { ...this.#attrs, model: u.model, query_source: "main" };
    for (const [type, n] of [
      ["input", u.input],
      ["output", u.output],
      ["cacheRead", u.cacheRead],
      ["cacheCreation", u.cacheCreation],
    ] as const) {
      if (n > 0) this.#tokens.add(n, { ...base, type });
    }
    this.#cost.add(u.costUsd, { ...this.#attrs, model: u.model });
  }

  /** The process exits and starts again on the same port: its counters are back at zero. */
  async restart(): Promise<void> {
    await this.close();
    this.#init();
    await this.listen();
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    await this.#provider.shutdown();
  }
}
