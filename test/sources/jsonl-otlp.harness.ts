import { appendFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClaudeCodeTelemetry } from "../helpers/claude-code-otel.js";
import { startServer, type RunningServer } from "../helpers/server-process.js";
import type { SourceHarness } from "./harness.js";
import { transcriptLine } from "./jsonl.harness.js";

function post(s: RunningServer, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request({ host: "127.0.0.1", port: s.port, method: "POST", path: "/v1/logs", headers: { "content-type": "application/x-protobuf" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    r.on("error", reject);
    r.end(body);
  });
}

/**
 * One machine with `--source jsonl,otlp`: every request reaches the daemon twice, as transcript
 * lines and as an OTLP api_request event (with the same request id), in both orders — half the
 * transcripts are on disk before the events come, half are written after. The events carry
 * inflated counts (as Claude Code's did before v2.1.214), so the session's totals come out only
 * if each request is counted once and with the transcript's exact numbers.
 */
export const harness: SourceHarness = {
  name: "jsonl,otlp (each request in both, counted once)",
  kind: "jsonl",
  costDigits: 9,
  async start(session) {
    const dir = mkdtempSync(join(tmpdir(), "cg-contract-both-"));
    const proj = join(dir, "projects", "-home-u-app");
    mkdirSync(proj, { recursive: true });
    const write = (from: number, to: number) => {
      for (let i = from; i < to; i++) appendFileSync(join(proj, `${session[i]!.session}.jsonl`), `${transcriptLine(session[i]!, i)}\n`);
    };
    const half = Math.floor(session.length / 2);
    write(0, half);
    const server = await startServer(dir, ["--source", "jsonl,otlp"]);
    const cc = new ClaudeCodeTelemetry({ endpoint: server.url, protocol: "http/protobuf", metrics: false });
    for (const r of session) cc.apiRequest({ ...r, output: r.output + 7 });
    await cc.flush();
    write(half, session.length);
    return {
      server,
      break: async () => {
        if ((await post(server, Buffer.from([0xff]))) !== 400) throw new Error("the broken export was not refused");
      },
      repair: async () => {
        if ((await post(server, Buffer.alloc(0))) !== 200) throw new Error("the empty export was not taken");
      },
      stop: async () => {
        await cc.shutdown();
        await server.stop();
      },
    };
  },
};
