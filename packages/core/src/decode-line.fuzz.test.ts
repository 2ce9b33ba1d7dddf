// Property tests of the decoder against hostile input: random JSON, random bytes, and assistant
// lines whose every field the decoder reads holds an extreme or malformed value, written as raw
// JSON literals (so `1e3`, `-0` and 2^64 reach it as a transcript would hold them).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeLine, type DecodedLine } from "./decode-line.js";
import { anyJson, hostileLine, SECRET } from "./hostile-lines.test-helper.js";
import { MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from "./timestamp.js";
import type { UsageEvent } from "./usage-event.js";

/** 2^64 as a double: no count the decoder yields is larger (the largest u64 rounds to it) */
const COUNT_BOUND = 2 ** 64;

function checkEvent(e: UsageEvent): void {
  for (const v of [e.input, e.output, e.cacheCreation, e.cacheRead, e.cacheCreation5m, e.cacheCreation1h]) {
    expect(Number.isInteger(v) && v >= 0 && v <= COUNT_BOUND).toBe(true);
  }
  // a plausible-or-flagged timestamp: always one Date can hold and the contract can print; the
  // engine holds back what is later than its `now`
  expect(Number.isInteger(e.timestamp) && e.timestamp >= MIN_TIMESTAMP_MS && e.timestamp <= MAX_TIMESTAMP_MS).toBe(true);
  if (e.loggedCostUsd !== null) expect(Number.isFinite(e.loggedCostUsd)).toBe(true);
  const unsafe = Math.max(e.input, e.output, e.cacheCreation, e.cacheRead) > Number.MAX_SAFE_INTEGER;
  expect(e.wide !== undefined).toBe(unsafe);
  if (e.wide) {
    expect([e.wide.input, e.wide.output, e.wide.cacheCreation, e.wide.cacheRead].map(Number)).toEqual([e.input, e.output, e.cacheCreation, e.cacheRead]);
  }
}

function check(d: DecodedLine): void {
  if (d.kind === "usage") {
    checkEvent(d.event);
    d.extras.forEach(checkEvent);
    if (d.limit) expect(Number.isSafeInteger(d.limit.resetAt) && d.limit.resetAt > 0).toBe(true);
  }
  if (d.kind === "signal") expect(d.signal.timestamp >= MIN_TIMESTAMP_MS && d.signal.timestamp <= MAX_TIMESTAMP_MS).toBe(true);
  if (d.kind === "limit") expect(Number.isSafeInteger(d.limit.resetAt)).toBe(true);
  // message text and field values never leave the decoder: not in errors, not in what it yields
  expect(JSON.stringify(d, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain(SECRET);
}

const decodeAll = (line: string): void => {
  check(decodeLine(line));
  check(decodeLine(line, { signals: true, project: "p", sessionId: "s" }));
};

describe("decodeLine on hostile input", () => {
  it("never throws, and yields only bounded counts, printable times and no field values", () => {
    fc.assert(
      fc.property(hostileLine, (line) => decodeAll(line)),
      { numRuns: 1500 },
    );
  }, 60_000);

  it("never throws on random JSON, with or without a usage object spliced in", () => {
    const withUsage = fc.tuple(fc.jsonValue(), fc.jsonValue()).map(([a, b]) => JSON.stringify({ a, timestamp: "2026-01-10T10:00:00Z", message: { usage: b } }));
    fc.assert(
      fc.property(fc.oneof(anyJson, withUsage), (line) => decodeAll(line)),
      { numRuns: 1000 },
    );
  }, 60_000);

  it("never throws on random bytes, read as the scan reads them (latin1) or as UTF-8", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(hostileLine, fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.nat()).map(([line, junk, at]) => {
        const b = Buffer.from(line);
        const cut = at % (b.length + 1);
        return Buffer.concat([b.subarray(0, cut), junk, b.subarray(cut)]);
      }),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        decodeAll(Buffer.from(b).toString("latin1"));
        decodeAll(Buffer.from(b).toString("utf8"));
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it("reads the same counts whether a usage object is written compactly or spaced out", () => {
    fc.assert(
      fc.property(hostileLine, (line) => {
        const spaced = line.replace(/"usage":\{"input_tokens":/, '"usage":{ "input_tokens" : ');
        const a = decodeLine(line);
        const b = decodeLine(spaced);
        expect(b.kind).toBe(a.kind);
        if (a.kind === "usage" && b.kind === "usage") {
          expect([b.event.input, b.event.output, b.event.cacheCreation, b.event.cacheRead, b.extras.length]).toEqual([
            a.event.input,
            a.event.output,
            a.event.cacheCreation,
            a.event.cacheRead,
            a.extras.length,
          ]);
        }
      }),
      { numRuns: 1000 },
    );
  }, 60_000);
});
