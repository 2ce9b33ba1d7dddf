// Hostile transcript lines against the real daemon and CLI (Node and Bun): dates at the ends of
// the calendar, counts no u64 holds, costs that overflow, secrets in every field the decoder
// reads. Each defect of issue 9's transcript share has its test here.
import { execFile } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { UsageSnapshotSchema, type UsageSnapshot } from "@claude-gauge/core";
import { CLI, startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

const run = promisify(execFile);
const SECRET = "CG_SECRET_MARKER";
const BUN = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url));
/** Fixed ceilings: the suggested ones would move with the history these tests write. */
const ENV = { CLAUDE_GAUGE_5H_CEILING: "1M", CLAUDE_GAUGE_7D_CEILING: "10M", CLAUDE_GAUGE_TACH_REDLINE: "1M" };

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

function tree(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "cg-edge-"));
  const proj = join(dir, "projects", "-home-u-app");
  mkdirSync(proj, { recursive: true });
  return { dir, file: join(proj, "s1.jsonl") };
}

/** `line` with `from` (which must occur) replaced by `to`: spellings JSON.stringify never writes. */
function spell(line: string, from: string, to: string): string {
  if (!line.includes(from)) throw new Error(`${from} not in the line`);
  return line.replace(from, to);
}

const ago = (ms: number): Date => new Date(Date.now() - ms);
const line = (id: string, ts: Date | string, input: number, output = 0): string => assistantLine({ id, ts, input, output });
/** Lines the old daemon died on, or served as a schema-breaking snapshot. */
const calendarEnds = (): string[] => [
  line("far", "+275760-09-13T00:00:00.000Z", 11),
  line("y9999", "9999-12-31T23:59:59Z", 13),
  line("neg", "-000001-01-01T00:00:00.000Z", 17),
];

async function usage(s: RunningServer): Promise<UsageSnapshot> {
  const r = await fetch(`${s.url}/usage`);
  expect(r.status).toBe(200);
  return UsageSnapshotSchema.parse(await r.json());
}

async function metric(s: RunningServer, name: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

const RUNTIMES: [string, () => string[]][] = [
  ["node", () => [process.execPath, CLI]],
  ["bun", () => [BUN, CLI]],
];

describe.each(RUNTIMES)("hostile transcript lines on %s", (_name, runtime) => {
  let cmd: string[] = [];
  beforeAll(() => {
    cmd = runtime();
  });

  async function start(dir: string): Promise<RunningServer> {
    const s = await startServer(dir, [], ENV, cmd);
    running.push(s);
    return s;
  }

  it("starts on a tree holding +275760, 9999 and negative-year lines, serves the schema, and survives them appended", async () => {
    const t = tree();
    writeFileSync(t.file, `${[line("a", ago(60_000), 100), ...calendarEnds(), line("b", ago(30_000), 50)].join("\n")}\n`);
    const s = await start(t.dir);
    const first = await usage(s);
    // 9999 is counted by reports (ccusage counts it) but not by the live windows; the others drop
    expect(first.window_5h_tokens).toBe(150);
    expect(first.window_5h_reset_at).not.toBeNull();

    appendFileSync(t.file, `${[...calendarEnds(), line("c", new Date(), 5000)].join("\n")}\n`);
    await waitFor(async () => ((await usage(s)).window_5h_tokens === 5150 ? true : undefined), 10_000, "the line after them");
    expect(s.proc.exitCode).toBeNull();
    expect((await usage(s)).rate_1m).toBeGreaterThanOrEqual(5000);
  });

  it("keeps a line dated in the future from swallowing the next real 5,000 tokens (tach and 5 h window)", async () => {
    const t = tree();
    writeFileSync(t.file, `${line("old", ago(120_000), 1)}\n`);
    const s = await start(t.dir);
    appendFileSync(t.file, `${line("future", new Date(Date.now() + 2 * 3_600_000), 7)}\n${line("real", new Date(), 5000)}\n`);
    const u = await waitFor(
      async () => {
        const v = await usage(s);
        return v.window_5h_tokens === 5001 ? v : undefined;
      },
      10_000,
      "the real delta in the 5 h window",
    );
    expect(u.rate_1m).toBe(5000);
  });

  it("reads past counts no u64 holds, bytes that are not UTF-8 and costs that overflow: /metrics stays valid, later lines count", async () => {
    const t = tree();
    writeFileSync(t.file, `${line("a", ago(60_000), 10)}\n`);
    const s = await start(t.dir);
    const cost = (id: string) => spell(line(id, new Date(), 1), '"isSidechain":false', '"isSidechain":false,"costUSD":1.5e308');
    const notUtf8 = Buffer.from(line("bytes", new Date(), 1).replace('"text":"ok"', '"text":"o\u00ffk"'), "latin1"); // a lone 0xFF byte
    appendFileSync(
      t.file,
      Buffer.concat([
        Buffer.from(
          `${[spell(line("big", new Date(), 1), '"input_tokens":1', '"input_tokens":1e308'), spell(line("u64", new Date(), 1), '"input_tokens":1', '"input_tokens":18446744073709551616')].join("\n")}\n`,
        ),
        notUtf8,
        Buffer.from(`\n${[cost("c1"), cost("c2"), line("after", new Date(), 700)].join("\n")}\n`),
      ]),
    );
    const u = await waitFor(
      async () => {
        const v = await usage(s);
        return v.window_5h_tokens === 712 ? v : undefined;
      },
      10_000,
      "the line after them",
    );
    expect(u.cost_5h_usd).toBe(99_999); // the contract's largest cost, never Infinity or 0
    // our series only: prom-client's own event-loop-lag series read NaN until their first sample
    const ours = (await (await fetch(`${s.url}/metrics`)).text())
      .split("\n")
      .filter((l) => l.startsWith("claude_gauge_") && !l.startsWith("claude_gauge_process_"));
    expect(ours.filter((l) => /\s(NaN|Nan|\+Inf|-Inf)$/.test(l))).toEqual([]);
    expect(ours.some((l) => l.startsWith("claude_gauge_cost_usd_total"))).toBe(true);
    expect(await metric(s, "claude_gauge_bad_lines_total")).toBe(3);
    expect(s.logs()).toContain("invalid UTF-8");
  });
});

describe("an official reading whose reset no datetime holds", () => {
  it("keeps the daemon up and /usage inside the schema (resetsAt 1e15 gave +033658…, 9e15 a RangeError)", async () => {
    const t = tree();
    writeFileSync(t.file, `${line("a", ago(60_000), 100)}\n`);
    const s = await startServer(t.dir, [], ENV);
    running.push(s);
    for (const resetsAt of [1e15, 9e15]) {
      const r = await fetch(`${s.url}/statusline`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ at: Date.now(), sessionId: null, rateLimits: { fiveHour: { usedPct: 0.5, resetsAt }, sevenDay: { usedPct: 0.5, resetsAt } } }),
      });
      // taken as unknown, or refused at the edge: either way nothing breaks
      expect([200, 400]).toContain(r.status);
      const u = await usage(s);
      expect([u.window_5h_reset_at, u.window_7d_reset_at].every((v) => v === null || /^\d{4}-/.test(v))).toBe(true);
    }
    expect(s.proc.exitCode).toBeNull();
  });
});

describe("one-shot commands on a tree with lines at the ends of the calendar", () => {
  it("once, once --json, report daily|session|blocks and calibrate exit 0; once --json keeps the schema", async () => {
    const t = tree();
    writeFileSync(t.file, `${[line("a", ago(60_000), 100), ...calendarEnds()].join("\n")}\n`);
    const env = { ...process.env, ...ENV, CLAUDE_CONFIG_DIR: t.dir };
    for (const args of [["once"], ["report", "daily", "--json"], ["report", "session", "--json"], ["report", "blocks", "--json"], ["calibrate"]]) {
      await run(process.execPath, [CLI, ...args, "-q"], { env });
    }
    const { stdout } = await run(process.execPath, [CLI, "once", "--json", "-q"], { env });
    const snap = UsageSnapshotSchema.parse(JSON.parse(stdout));
    expect(snap.window_5h_tokens).toBe(100);
    const blocks = JSON.parse((await run(process.execPath, [CLI, "report", "blocks", "--json", "-q"], { env })).stdout) as { blocks: { endTime: string }[] };
    expect(blocks.blocks.at(-1)?.endTime).toBe("10000-01-01T04:00:00.000Z");
  });
});

describe("privacy: no field value from a transcript reaches a log, an error or a response", () => {
  /** One bad line per field the decoder reads, each failing on the field that holds the secret. */
  const planted = (ts: Date): string[] => [
    line("t1", SECRET, 1),
    line("t2", `2026-01-10T10:00:00.000Z${SECRET}`, 1),
    spell(line("c1", ts, 1), '"input_tokens":1', `"input_tokens":"${SECRET}"`),
    spell(line("c2", ts, 1), '"output_tokens":0', `"output_tokens":"${SECRET}${SECRET}"`),
    spell(line("c3", ts, 1), '"cache_read_input_tokens":0', `"cache_read_input_tokens":"${SECRET}"`),
    spell(line("c4", ts, 1), '"cache_creation_input_tokens":0', `"cache_creation_input_tokens":"zz ${SECRET}"`),
    spell(line("c5", ts, 1), '"service_tier":"standard"', `"service_tier":"standard","speed":"${SECRET}"`),
    spell(line("c6", ts, 1), '"sessionId":"s1"', `"sessionId":["${SECRET}"]`),
    `{"type":"assistant","bad":"${SECRET}","message":{"usage":{"input_tokens":"${SECRET}"}}}`,
  ];

  it("in the daemon's log, its endpoints and the report's stderr", async () => {
    const t = tree();
    writeFileSync(t.file, `${[line("ok", ago(60_000), 3), ...planted(ago(50_000))].join("\n")}\n`);
    const s = await startServer(t.dir, ["--show-projects"], ENV);
    running.push(s);
    appendFileSync(t.file, `${[...planted(new Date()), line("marker", new Date(), 40)].join("\n")}\n`);
    // positive synchronisation: the marker line after the planted ones has been counted, and
    // every planted line has been reported as bad
    await waitFor(async () => ((await usage(s)).window_5h_tokens === 43 ? true : undefined), 10_000, "the marker line");
    await waitFor(
      async () => ((await metric(s, "claude_gauge_bad_lines_total")) === 2 * planted(new Date()).length ? true : undefined),
      10_000,
      "every bad line counted",
    );
    const bodies = await Promise.all(
      ["/usage", "/healthz", "/metrics", "/stats?window=day", "/stats?window=all", "/history?hours=2"].map((p) => fetch(`${s.url}${p}`).then((r) => r.text())),
    );
    for (const b of bodies) expect(b).not.toContain(SECRET);
    await s.stop();
    expect(s.logs()).toContain("skipped "); // the bad lines were logged, by file:line and field only
    expect(s.logs()).not.toContain(SECRET);

    const report = await run(process.execPath, [CLI, "report", "daily", "--json"], { env: { ...process.env, CLAUDE_CONFIG_DIR: t.dir } });
    expect(report.stderr).toContain("bad usage line");
    expect(report.stderr + report.stdout).not.toContain(SECRET);
  });
});
