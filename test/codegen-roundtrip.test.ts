// Contract round trip through the firmware's generated parser on the real ArduinoJson: schema-valid
// snapshots go in as the server would send them (JSON.stringify), firmware/test/roundtrip.cpp parses
// them with UsageParser and writes them back with usage_to_json(). Integers, booleans, strings and
// nulls must come back exactly; fractional fields, which the firmware keeps as float, within 1 float
// ulp (usage_contract.h, precision notes).
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { buildFirmwareHost } from "./helpers/firmware-host.js";
import { startServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";
import {
  encodeCount,
  encodeResetTime,
  encodeShare,
  encodeTime,
  encodeUsd,
  MAX_RATE,
  MAX_TOKENS_5H,
  MAX_TOKENS_7D,
  MAX_USD,
  MODEL_FAMILIES,
  SOURCES,
  FUEL_SOURCES,
  UsageSnapshotSchema,
  usageJsonSchema,
  type UsageSnapshot,
} from "../packages/core/src/contract.js";

let dir = "";
let bin = "";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function roundtrip(body: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, [], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    p.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(body);
  });
}

const base: UsageSnapshot = UsageSnapshotSchema.parse({
  v: 1,
  rate_1m: 1235,
  window_5h_tokens: 123,
  window_5h_pct: 0.25,
  window_5h_reset_at: "2026-11-26T15:00Z",
  window_7d_tokens: 456,
  window_7d_pct: 0.1,
  window_7d_reset_at: null,
  cost_5h_usd: 1.5,
  cost_7d_usd: 3,
  thinking_ratio: 0.2,
  cache_hit_rate: 0.9,
  last_model: "opus",
  hot: false,
  warn: false,
  stall: false,
  idle: true,
  limit_hit: false,
  tach_pos: 300,
  fuel_5h_pos: 750,
  fuel_7d_pos: 900,
  fuel_source: "estimated",
  source: "jsonl",
  source_ok: true,
  updated_at: "2026-11-26T12:00:00Z",
});

/** A schema-valid variant of the base snapshot. */
function snap(change: Partial<UsageSnapshot>): UsageSnapshot {
  return UsageSnapshotSchema.parse({ ...base, ...change });
}

/** Fields the firmware keeps as float: the schema's non-integer numbers. */
const FLOAT_FIELDS = new Set(
  Object.entries(usageJsonSchema().properties as Record<string, { type?: unknown }>)
    .filter(([, p]) => p.type === "number")
    .map(([k]) => k),
);

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** The float's bit pattern as an integer: neighbouring floats differ by 1. */
function floatBits(x: number): number {
  f32[0] = x;
  return i32[0]!;
}

/**
 * How many floats lie between the one that came back (the firmware prints the shortest text of the
 * float it holds, so rounding that text to float gives the float back) and the float nearest what
 * was sent; 0 = the same.
 */
function floatUlps(back: number, sent: number): number {
  return Math.abs(floatBits(back) - floatBits(sent));
}

/** Per field: exact, except fractional fields, which must hold the same float give or take one. */
function expectSameSnapshot(back: Record<string, unknown>, sent: Record<string, unknown>, label: string): void {
  expect(Object.keys(back)).toStrictEqual(Object.keys(sent));
  for (const [k, v] of Object.entries(sent)) {
    if (FLOAT_FIELDS.has(k) && typeof v === "number") {
      const b = back[k];
      expect(typeof b, `${k} in ${label}`).toBe("number");
      expect(floatUlps(b as number, v), `${k}: ${String(b)} for ${v} in ${label}`).toBeLessThanOrEqual(1);
    } else {
      expect(back[k], `${k} in ${label}`).toStrictEqual(v);
    }
  }
}

async function expectRoundTrip(s: UsageSnapshot): Promise<void> {
  const sent = JSON.stringify(s);
  const r = await roundtrip(sent);
  expect(r.stderr, sent).toBe("");
  expect(r.code, sent).toBe(0);
  expectSameSnapshot(JSON.parse(r.stdout) as Record<string, unknown>, s, sent);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "codegen-roundtrip-"));
  bin = await buildFirmwareHost("roundtrip");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("contract round trip through UsageParser / usage_to_json", () => {
  it("the real server example", async () => {
    await expectRoundTrip(base);
  });

  it("every nullable field as null", async () => {
    await expectRoundTrip(snap({ window_5h_reset_at: null, window_7d_reset_at: null, last_model: null }));
  });

  it("bound values: zeros and every maximum", async () => {
    await expectRoundTrip(
      snap({
        rate_1m: MAX_RATE,
        window_5h_tokens: MAX_TOKENS_5H,
        window_5h_pct: 0,
        window_7d_tokens: MAX_TOKENS_7D,
        window_7d_pct: 1,
        cost_5h_usd: MAX_USD,
        cost_7d_usd: 0,
        thinking_ratio: 1,
        cache_hit_rate: 0,
        tach_pos: 0,
        fuel_5h_pos: 1000,
        fuel_7d_pos: 1000,
        hot: true,
        warn: true,
        stall: true,
        idle: false,
        limit_hit: true,
        source_ok: false,
      }),
    );
    await expectRoundTrip(snap({ rate_1m: 0, window_5h_tokens: 0, window_7d_tokens: 0, cost_5h_usd: 0 }));
  });

  it("numbers JavaScript prints in exponent form or with many digits", async () => {
    await expectRoundTrip(snap({ cost_5h_usd: 5e-324, cost_7d_usd: 1e-7, window_5h_pct: 0.000001 }));
    await expectRoundTrip(snap({ window_7d_pct: 1 / 3, thinking_ratio: 0.1 + 0.2, cost_5h_usd: 12345.678901234567 }));
  });

  it("fractions come back as floats: the server's text, or the float next to it", async () => {
    const r = await roundtrip(JSON.stringify(snap({ window_5h_pct: 0.31, cache_hit_rate: 0.9, cost_5h_usd: 12345.678901234567 })));
    const back = JSON.parse(r.stdout) as UsageSnapshot;
    expect(back.window_5h_pct).toBe(0.31); // the float nearest 0.31 prints as 0.31
    expect(back.cache_hit_rate).toBe(0.90000004); // ArduinoJson lands one float above 0.9
    expect(back.cost_5h_usd).toBe(12345.679); // 8 significant digits are all a float has
  });

  it("an integer or a boolean is never off, even by the smallest step", async () => {
    const r = await roundtrip(JSON.stringify(snap({ window_7d_tokens: MAX_TOKENS_7D - 1, rate_1m: MAX_RATE - 1, tach_pos: 999 })));
    const back = JSON.parse(r.stdout) as UsageSnapshot;
    expect([back.window_7d_tokens, back.rate_1m, back.tach_pos]).toStrictEqual([MAX_TOKENS_7D - 1, MAX_RATE - 1, 999]);
    // the comparison used everywhere else would catch it
    expect(() => expectSameSnapshot({ ...back, tach_pos: 998 }, back, "mutated")).toThrow(/tach_pos/);
    expect(() => expectSameSnapshot({ ...back, cache_hit_rate: 0.91 }, { ...back, cache_hit_rate: 0.9 }, "mutated")).toThrow(/cache_hit_rate/);
  });

  it("timestamps with offsets", async () => {
    await expectRoundTrip(
      snap({
        window_5h_reset_at: "2026-11-26T15:00+05:30",
        window_7d_reset_at: "2026-12-01T00:00-08:00",
        updated_at: "2026-11-26T12:00:00+05:30",
      }),
    );
  });

  it("every model family and every source", async () => {
    for (const m of MODEL_FAMILIES) await expectRoundTrip(snap({ last_model: m }));
    for (const s of SOURCES) await expectRoundTrip(snap({ source: s }));
    for (const f of FUEL_SOURCES) await expectRoundTrip(snap({ fuel_source: f }));
  });

  it("arbitrary snapshots, raw and as the server's encoders round them", async () => {
    const fraction = fc.double({ min: 0, max: 1, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x));
    const usd = fc.double({ min: 0, max: MAX_USD, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x));
    const ms = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
    const needle = fc.integer({ min: 0, max: 1000 });
    const snapshot = fc.record({
      v: fc.constant(1 as const),
      rate_1m: fc.integer({ min: 0, max: MAX_RATE }),
      window_5h_tokens: fc.integer({ min: 0, max: MAX_TOKENS_5H }),
      window_5h_pct: fraction,
      window_5h_reset_at: fc.option(ms.map(encodeResetTime), { nil: null }),
      window_7d_tokens: fc.integer({ min: 0, max: MAX_TOKENS_7D }),
      window_7d_pct: fraction,
      window_7d_reset_at: fc.option(ms.map(encodeResetTime), { nil: null }),
      cost_5h_usd: usd,
      cost_7d_usd: usd,
      thinking_ratio: fraction,
      cache_hit_rate: fraction,
      last_model: fc.option(fc.constantFrom(...MODEL_FAMILIES), { nil: null }),
      hot: fc.boolean(),
      warn: fc.boolean(),
      stall: fc.boolean(),
      idle: fc.boolean(),
      limit_hit: fc.boolean(),
      tach_pos: needle,
      fuel_5h_pos: needle,
      fuel_7d_pos: needle,
      source: fc.constantFrom(...SOURCES),
      fuel_source: fc.constantFrom(...FUEL_SOURCES),
      source_ok: fc.boolean(),
      updated_at: ms.map(encodeTime),
    });
    await fc.assert(
      fc.asyncProperty(snapshot, fc.boolean(), async (raw, encoded) => {
        const s = encoded
          ? {
              ...raw,
              rate_1m: encodeCount(raw.rate_1m, MAX_RATE),
              window_5h_pct: encodeShare(raw.window_5h_pct),
              window_7d_pct: encodeShare(raw.window_7d_pct),
              cost_5h_usd: encodeUsd(raw.cost_5h_usd),
              cost_7d_usd: encodeUsd(raw.cost_7d_usd),
              thinking_ratio: encodeShare(raw.thinking_ratio),
              cache_hit_rate: encodeShare(raw.cache_hit_rate),
            }
          : raw;
        await expectRoundTrip(UsageSnapshotSchema.parse(s));
      }),
      { numRuns: 150 },
    );
  });

  it("out-of-range values come back clamped into the schema", async () => {
    const sent = JSON.stringify({
      ...base,
      window_5h_pct: 1.5,
      cache_hit_rate: -0.5,
      tach_pos: 4000,
      fuel_7d_pos: -9,
      rate_1m: 2e7,
      window_5h_tokens: -1,
      window_7d_tokens: 1e15,
      cost_5h_usd: 1e6,
    });
    const r = await roundtrip(sent);
    expect(r.code).toBe(0);
    const back = UsageSnapshotSchema.parse(JSON.parse(r.stdout));
    expect([back.window_5h_pct, back.cache_hit_rate, back.tach_pos, back.fuel_7d_pos]).toStrictEqual([1, 0, 1000, 0]);
    expect([back.rate_1m, back.window_5h_tokens, back.window_7d_tokens, back.cost_5h_usd]).toStrictEqual([MAX_RATE, 0, MAX_TOKENS_7D, MAX_USD]);
  });

  it("refuses what the contract forbids, naming the field", async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...base, v: 2 }, /^v: got 2, want 1 \(contract version\)$/m],
      [{ ...base, tach_pos: 12.5 }, /^tach_pos: expected integer$/m],
      [{ ...base, updated_at: "2026-11-26T12:00:00.000Z" }, /^updated_at: unexpected character in "2026-11-26T12:00:00.000Z"$/m],
      [{ ...base, source: "carrier-pigeon" }, /^source: unknown value "carrier-pigeon"$/m],
      [Object.fromEntries(Object.entries(base).filter(([k]) => k !== "idle")), /^idle: missing$/m],
      [[base], /^json: not an object$/m],
    ];
    for (const [body, err] of cases) {
      const r = await roundtrip(JSON.stringify(body));
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(err);
    }
    const big = await roundtrip(JSON.stringify({ ...base, pad: "x".repeat(2048) }));
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/^json: \d+ bytes is over the \d+ byte limit$/m);
  });
});

describe("contract round trip against the real server", () => {
  it("parses what GET /usage and the WebSocket serve, field by field", async () => {
    const tree = join(dir, "tree");
    const proj = join(tree, "projects", "-home-u-fw");
    mkdirSync(proj, { recursive: true });
    const now = Date.now();
    writeFileSync(
      join(proj, "s.jsonl"),
      [
        assistantLine({
          id: "a",
          ts: new Date(now - 90_000),
          model: "claude-opus-4-5-20251101",
          input: 1200,
          output: 3400,
          cacheRead: 250_000,
          cacheCreation: 9000,
        }),
        assistantLine({
          id: "b",
          ts: new Date(now - 20_000),
          model: "claude-opus-4-5-20251101",
          input: 50,
          output: 777,
          cacheRead: 260_000,
          block: "thinking",
        }),
        "",
      ].join("\n"),
    );
    const server = await startServer(tree, [], { CLAUDE_GAUGE_5H_CEILING: "1M", CLAUDE_GAUGE_7D_CEILING: "20M", CLAUDE_GAUGE_TACH_REDLINE: "200k" });
    try {
      const body = await fetch(`${server.url}/usage`).then((r) => r.text());
      const served = UsageSnapshotSchema.parse(JSON.parse(body));
      expect(served.window_5h_tokens).toBeGreaterThan(500_000); // real numbers, not an empty snapshot
      expect(served.last_model).toBe("opus");
      const r = await roundtrip(body);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expectSameSnapshot(JSON.parse(r.stdout) as Record<string, unknown>, served, "GET /usage");

      const frame = await new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws`);
        ws.once("message", (m) => {
          resolve(m.toString());
          ws.close();
        });
        ws.once("error", reject);
      });
      const fromWs = await roundtrip(frame);
      expect(fromWs.code).toBe(0);
      expectSameSnapshot(JSON.parse(fromWs.stdout) as Record<string, unknown>, JSON.parse(frame) as Record<string, unknown>, "ws frame");
    } finally {
      await server.stop();
    }
  });
});
