import { mkdirSync, mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClaudeCodeTelemetry, type TelemetryOptions } from "../helpers/claude-code-otel.js";
import { startServer, type RunningServer } from "../helpers/server-process.js";
import type { FedSource } from "./harness.js";

function post(s: RunningServer, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request({ host: "127.0.0.1", port: s.port, method: "POST", path, headers: { "content-type": "application/x-protobuf" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    r.on("error", reject);
    r.end(body);
  });
}

/**
 * A daemon on `--source otlp` fed by the OpenTelemetry SDK's exporters (`telemetry` picks the
 * signals, protocol and temporality). Break: an export that does not decode (what a misconfigured
 * exporter sends); repair: the next good one.
 */
export async function otlpFed(
  session: Parameters<ClaudeCodeTelemetry["apiRequest"]>[0][],
  telemetry: Omit<TelemetryOptions, "endpoint">,
  path: "/v1/logs" | "/v1/metrics",
): Promise<FedSource> {
  const dir = mkdtempSync(join(tmpdir(), "cg-contract-otlp-"));
  mkdirSync(join(dir, "projects"));
  const server = await startServer(dir, ["--source", "otlp"]);
  const cc = new ClaudeCodeTelemetry({ endpoint: server.url, ...telemetry });
  for (const r of session) cc.apiRequest(r);
  await cc.flush();
  return {
    server,
    break: async () => {
      if ((await post(server, path, Buffer.from([0xff, 0xff]))) !== 400) throw new Error("the broken export was not refused");
    },
    repair: async () => {
      // an empty export: nothing to count, but it decodes
      if ((await post(server, path, Buffer.alloc(0))) !== 200) throw new Error("the empty export was not taken");
    },
    stop: async () => {
      await cc.shutdown();
      await server.stop();
    },
  };
}
