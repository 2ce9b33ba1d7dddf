import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCorpus } from "./corpus/corpus-lib.js";
import { startServer, type RunningServer } from "./helpers/server-process.js";

// /history replays the whole kept history; before it kept its points, eight requests at once
// held the event loop for seconds and /usage waited behind them (issue 9).

let dir = "";
let server: RunningServer | null = null;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-history-"));
  // a week of work ending an hour ago, so the 168 h of points carry real numbers
  await generateCorpus({ outDir: dir, seed: 31, sizeMb: 24, days: 7, end: new Date(Date.now() - 3_600_000).toISOString() });
  server = await startServer(dir, ["--timezone", "UTC"]);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface History {
  stepMinutes: number;
  points: { t: string; window_7d_tokens: number }[];
}

describe("/history under load", () => {
  it("eight /history?hours=168 at once: all answered alike, and /usage keeps answering meanwhile", async () => {
    const s = server!;
    let histories = 8;
    const usageTimes: number[] = [];
    const failures: string[] = [];
    // poll /usage for as long as the history requests run
    const poller = (async () => {
      while (histories > 0) {
        const t0 = performance.now();
        try {
          const r = await fetch(`${s.url}/usage`);
          if (r.status !== 200) failures.push(`status ${r.status}`);
          await r.json();
          usageTimes.push(performance.now() - t0);
        } catch (e) {
          failures.push(String(e));
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const r = await fetch(`${s.url}/history?hours=168`);
        expect(r.status).toBe(200);
        const body = (await r.json()) as History;
        histories--;
        return body;
      }),
    );
    await poller;
    expect(failures).toEqual([]);
    expect(usageTimes.length).toBeGreaterThan(0);
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(answers[0]!.points).toHaveLength(168 * 12);
    expect(answers[0]!.points.some((p) => p.window_7d_tokens > 0)).toBe(true);
    console.log(`/usage during 8 parallel /history?hours=168: ${usageTimes.length} answers, slowest ${Math.max(...usageTimes).toFixed(0)} ms`);
  });
});
