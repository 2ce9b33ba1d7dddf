import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { UsageSnapshotSchema } from "@claude-gauge/core";
import { startServer, waitFor, type RunningServer } from "./helpers/server-process.js";

const run = promisify(execFile);
const WRITER = fileURLToPath(new URL("./helpers/soak-writer.ts", import.meta.url));
/** The issue asks for 60 s; CG_SOAK_SECONDS shortens it for a quick local run. */
const SECONDS = Number(process.env["CG_SOAK_SECONDS"] ?? 60);
const RATE = 1000;

async function totals(s: RunningServer) {
  const usage = UsageSnapshotSchema.parse(await fetch(`${s.url}/usage`).then((r) => r.json()));
  const stats = (await fetch(`${s.url}/stats?window=all`).then((r) => r.json())) as { totals: { total: number; messages: number } };
  return { w5: usage.window_5h_tokens, w7: usage.window_7d_tokens, all: stats.totals.total, messages: stats.totals.messages };
}

describe("soak", () => {
  it(`${RATE} appended lines/s for ${SECONDS} s from another process: live totals equal a cold scan`, { timeout: (SECONDS + 120) * 1000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-soak-"));
    const proj = join(dir, "projects", "-home-u-soak");
    mkdirSync(proj, { recursive: true });
    const env = { CLAUDE_GAUGE_5H_CEILING: "1G", CLAUDE_GAUGE_7D_CEILING: "10G" };
    const live = await startServer(dir, [], env);
    try {
      const { stdout } = await run(process.execPath, ["--import", "tsx", WRITER, proj, String(RATE), String(SECONDS)], {
        timeout: (SECONDS + 60) * 1000,
      });
      const lines = Number(stdout.trim());
      expect(lines).toBeGreaterThanOrEqual(RATE * SECONDS * 0.95);
      const messages = lines / 3;
      const settled = await waitFor(
        async () => {
          const t = await totals(live);
          return t.messages === messages ? t : undefined;
        },
        30_000,
        `the live daemon to count ${messages} messages`,
      );

      const cold = await startServer(dir, [], env);
      try {
        expect(await totals(cold)).toEqual(settled);
      } finally {
        await cold.stop();
      }
      // 3 input + 1000+n cache reads + final output per message: a non-trivial, exact figure
      expect(settled.all).toBeGreaterThan(messages * 1000);
      expect(live.logs()).not.toMatch(/bad line|cannot read/);
    } finally {
      await live.stop();
    }
  });
});
