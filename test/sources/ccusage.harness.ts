import type { SourceHarness } from "./harness.js";
import type { ApiRequest } from "../helpers/claude-code-otel.js";
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../helpers/server-process.js";
import { assistantLine } from "../helpers/transcript-lines.js";

/**
 * The shared source contract's ccusage harness: half the session on disk before the daemon starts (the first ccusage run
 * reports it), half appended after (the tail delivers it, later runs add nothing). ccusage is the
 * pinned 20.0.24 behind a wrapper; fault: the wrapper exits 3; repair: it runs ccusage again.
 */
const CCUSAGE_CLI = fileURLToPath(new URL("../../node_modules/ccusage/src/cli.js", import.meta.url));

function wrapper(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

export const harness: SourceHarness = {
  name: "ccusage (blocks + daily runs, transcript tail)",
  kind: "ccusage" as const,
  // priced by ccusage 20.0.24's bundled table: ours equals it (the pricing oracle test)
  costDigits: 9,
  async start(session: readonly ApiRequest[]) {
    const dir = mkdtempSync(join(tmpdir(), "cg-contract-ccusage-"));
    const proj = join(dir, "projects", "-home-u-app");
    mkdirSync(proj, { recursive: true });
    const line = (r: ApiRequest, i: number) =>
      `${assistantLine({ id: `m${i}`, requestId: r.requestId, ts: r.at, model: r.model, input: r.input, output: r.output, cacheRead: r.cacheRead, cacheCreation: r.cacheCreation, session: r.session })}\n`;
    const half = Math.floor(session.length / 2);
    const write = (from: number, to: number) => {
      for (let i = from; i < to; i++) appendFileSync(join(proj, `${session[i]!.session}.jsonl`), line(session[i]!, i));
    };
    write(0, half);
    const bin = join(mkdtempSync(join(tmpdir(), "cg-contract-ccusage-bin-")), "ccusage");
    const real = `exec "${process.execPath}" "${CCUSAGE_CLI}" "$@"`;
    wrapper(bin, real);
    const server = await startServer(dir, ["--source", "ccusage"], { CLAUDE_GAUGE_CCUSAGE: bin, CLAUDE_GAUGE_CCUSAGE_INTERVAL_MS: "1000" });
    write(half, session.length);
    return {
      server,
      break: async () => wrapper(bin, "exit 3"),
      repair: async () => wrapper(bin, real),
      stop: async () => {
        await server.stop();
      },
    };
  },
};
