/**
 * Fuzzed transcript lines through a running daemon: batches of valid, damaged and hostile lines are
 * appended to files it follows. After each batch the daemon is alive, has read every byte, and its
 * /usage validates against the published schema; at the end its totals equal what a cold
 * `report daily` of the same tree counts (nothing counted live is lost or counted twice).
 */
import { execFile } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { UsageSnapshotSchema } from "@claude-gauge/core";
import { CLI, startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

const run = promisify(execFile);
const HOUR = 3_600_000;
const MODELS = ["claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001"];

/**
 * Count literals ccusage's u64 read refuses (the line is dropped) or keeps. Counts past 2^53 are left
 * to the probe suite: JSON carries no exact total past it, so totals could not be compared here.
 */
const ODD_COUNT = fc.constantFrom("2.5", "1e3", "100.0", "-1", "-0", '"zz"', "null", "18446744073709551616", "1e308", "0");

/** One line: a valid assistant line (ids from a small pool, so messages repeat and grow), or one damaged on purpose. */
const line = (now: number) =>
  fc
    .record({
      id: fc.integer({ min: 0, max: 30 }),
      session: fc.constantFrom("s1", "s2", "s3"),
      model: fc.constantFrom(...MODELS),
      agoMs: fc.integer({ min: 60_000, max: 6 * 24 * HOUR }),
      input: fc.integer({ min: 0, max: 5_000 }),
      output: fc.integer({ min: 0, max: 50_000 }),
      cacheRead: fc.integer({ min: 0, max: 200_000 }),
      damage: fc.oneof(
        { weight: 4, arbitrary: fc.constant({ kind: "none" as const }) },
        fc.record({
          kind: fc.constant("count" as const),
          key: fc.constantFrom("input_tokens", "output_tokens", "cache_read_input_tokens"),
          literal: ODD_COUNT,
        }),
        fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
        fc.record({ kind: fc.constant("bytes" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
        fc.record({
          kind: fc.constant("time" as const),
          ts: fc.constantFrom("", "yesterday", "2026-13-40T00:00:00Z", "+275760-09-13T00:00:00.000Z", "-000001-01-01T00:00:00Z"),
        }),
        fc.record({
          kind: fc.constant("garbage" as const),
          text: fc.oneof(
            fc.string(),
            fc.jsonValue().map((v) => JSON.stringify(v)),
          ),
        }),
      ),
    })
    .map((r): Buffer => {
      const text = assistantLine({
        id: `f${r.id}`,
        session: r.session,
        model: r.model,
        ts: new Date(now - r.agoMs),
        input: r.input,
        output: r.output,
        cacheRead: r.cacheRead,
      });
      const d = r.damage;
      if (d.kind === "count") return Buffer.from(text.replace(new RegExp(`"${d.key}":\\d+`), `"${d.key}":${d.literal}`));
      if (d.kind === "cut") return Buffer.from(text.slice(0, d.at % text.length));
      if (d.kind === "time") return Buffer.from(text.replace(/"timestamp":"[^"]*"/, `"timestamp":"${d.ts}"`));
      if (d.kind === "garbage") return Buffer.from(d.text.replaceAll("\n", " "));
      if (d.kind === "bytes") {
        const b = Buffer.from(text);
        const at = d.at % b.length;
        // a newline inside would only split the line in two: both halves are fuzz already
        const noise = Buffer.from([...d.bytes].map((x) => (x === 0x0a ? 0xff : x)));
        return Buffer.concat([b.subarray(0, at), noise, b.subarray(at)]);
      }
      return Buffer.from(text);
    });

const running: RunningServer[] = [];
afterAll(async () => {
  for (const s of running) await s.stop();
});

async function health(s: RunningServer): Promise<{ bytes: number; alive: boolean }> {
  const h = (await (await fetch(`${s.url}/healthz`)).json()) as { sources: { bytes: number }[] };
  return { bytes: h.sources[0]?.bytes ?? 0, alive: s.proc.exitCode === null };
}

describe("fuzzed transcript lines through a running daemon", () => {
  it("stays up, reads every byte, keeps /usage in the schema, and ends with a cold report's totals", { timeout: 300_000 }, async () => {
    const now = Date.now();
    const dir = mkdtempSync(join(tmpdir(), "cg-tfuzz-"));
    const project = join(dir, "projects", "-home-u-fuzz");
    mkdirSync(project, { recursive: true });
    const files = ["a.jsonl", "b.jsonl", "c.jsonl"].map((f) => join(project, f));
    appendFileSync(files[0]!, `${assistantLine({ id: "seed", ts: new Date(now - HOUR), input: 10, output: 10 })}\n`);
    const s = await startServer(dir, [], { CLAUDE_GAUGE_5H_CEILING: "1M", CLAUDE_GAUGE_7D_CEILING: "10M", CLAUDE_GAUGE_TACH_REDLINE: "1M" });
    running.push(s);
    const size = () => files.reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 }), fc.array(line(now), { minLength: 1, maxLength: 25 }), async (which, lines) => {
        appendFileSync(files[which]!, Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")])));
        const want = size();
        await waitFor(async () => ((await health(s)).bytes >= want ? true : undefined), 20_000, `the daemon to read ${want} bytes`);
        expect(s.proc.exitCode).toBeNull();
        const u = UsageSnapshotSchema.safeParse(await (await fetch(`${s.url}/usage`)).json());
        expect(u.success).toBe(true);
      }),
      { numRuns: 150 },
    );

    const live = (await (await fetch(`${s.url}/stats?window=all`)).json()) as { totals: { total: number } };
    const { stdout } = await run(process.execPath, [CLI, "report", "daily", "--json", "-q", "--no-cache"], {
      env: { ...process.env, CLAUDE_CONFIG_DIR: dir },
      maxBuffer: 1 << 26,
    });
    const cold = JSON.parse(stdout) as { totals: { totalTokens: number } };
    expect(cold.totals.totalTokens).toBeGreaterThan(0);
    expect(live.totals.total).toBe(cold.totals.totalTokens);
    // nothing from a line reached the log but counts and places
    expect(s.logs()).not.toMatch(/"zz"|yesterday|275760/);
  });
});
