import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApiRequest } from "../helpers/claude-code-otel.js";
import { startServer } from "../helpers/server-process.js";
import { assistantLine } from "../helpers/transcript-lines.js";
import type { SourceHarness } from "./harness.js";

/** Claude Code's transcript line for a request (the requestId is the OTLP event's request_id). */
export function transcriptLine(r: ApiRequest, i: number): string {
  return assistantLine({
    id: `m${i}`,
    requestId: r.requestId,
    ts: r.at,
    model: r.model,
    input: r.input,
    output: r.output,
    cacheRead: r.cacheRead,
    cacheCreation: r.cacheCreation,
    session: r.session,
  });
}

/** Transcripts: half the session is on disk before the daemon starts (cold scan), half is appended after (tail). */
export const harness: SourceHarness = {
  name: "jsonl (scan + tail)",
  kind: "jsonl",
  costDigits: 9,
  async start(session) {
    const dir = mkdtempSync(join(tmpdir(), "cg-contract-jsonl-"));
    const proj = join(dir, "projects", "-home-u-app");
    mkdirSync(proj, { recursive: true });
    const write = (from: number, to: number) => {
      for (let i = from; i < to; i++) appendFileSync(join(proj, `${session[i]!.session}.jsonl`), `${transcriptLine(session[i]!, i)}\n`);
    };
    const half = Math.floor(session.length / 2);
    write(0, half);
    const server = await startServer(dir);
    write(half, session.length);
    const dangling = join(proj, "dangling.jsonl");
    return {
      server,
      break: async () => symlinkSync(join(dir, "nowhere.jsonl"), dangling),
      repair: async () => rmSync(dangling),
      stop: async () => {
        await server.stop();
      },
    };
  },
};
