import type { SourceHarness } from "./harness.js";
import type { ApiRequest } from "../helpers/claude-code-otel.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClaudeCodeProcess } from "../helpers/claude-code-prometheus.js";
import { instantQuery, scrapeConfig, startPrometheus, type PromqlServer } from "../helpers/promql-servers.js";
import { startServer, waitFor } from "../helpers/server-process.js";

/**
 * The shared source contract's PromQL harness. One emulated Claude Code process per session of the synthetic session
 * (OTEL_METRICS_EXPORTER=prometheus, the real OpenTelemetry exporter), Debian's Prometheus scraping
 * them each second, and the daemon on `--source promql`. Fault: Prometheus stopped; repair: started
 * again on its port and data.
 */
const tokens = (rs: readonly ApiRequest[]) => rs.reduce((n, r) => n + r.input + r.output + r.cacheRead + r.cacheCreation, 0);

export const harness: SourceHarness = {
  name: "promql (Prometheus 2.42 scraping Claude Code's Prometheus endpoint)",
  kind: "promql" as const,
  // the cost counter's sums of Claude Code's own per-request costs
  costDigits: 6,
  async start(session: readonly ApiRequest[]) {
    const processes = new Map<string, ClaudeCodeProcess>();
    for (const r of session)
      if (!processes.has(r.session)) processes.set(r.session, new ClaudeCodeProcess({ sessionId: r.session, email: "contract@example.com" }));
    const targets = await Promise.all([...processes.values()].map((p) => p.listen()));
    const config = scrapeConfig({ "claude-code": targets });
    let prom: PromqlServer = await startPrometheus(config);
    const server = await startServer(mkdtempSync(join(tmpdir(), "cg-contract-promql-")), ["--source", "promql", "--prometheus", prom.url], {
      CLAUDE_GAUGE_PROMQL_POLL_MS: "500",
    });
    // All but the last request, then — once the daemon has them — the last, so it is the newest step.
    const head = session.slice(0, -1);
    for (const r of head) processes.get(r.session)!.request(r);
    const want = tokens(head);
    await waitFor(
      async () => ((await instantQuery(prom.url, "sum(claude_code_token_usage_total)").catch(() => []))[0]?.value === want ? true : undefined),
      30_000,
      "Prometheus stores the session",
    );
    await waitFor(
      async () => (((await (await fetch(`${server.url}/usage`)).json()) as { window_7d_tokens: number }).window_7d_tokens === want ? true : undefined),
      30_000,
      "the daemon counts the session",
    );
    for (const r of session.slice(-1)) processes.get(r.session)!.request(r);
    return {
      server,
      break: async () => prom.stop(),
      repair: async () => {
        prom = await startPrometheus(config, { port: prom.port, dataDir: prom.dataDir });
      },
      stop: async () => {
        await server.stop();
        await prom.stop();
        await Promise.all([...processes.values()].map((p) => p.close()));
      },
    };
  },
};
