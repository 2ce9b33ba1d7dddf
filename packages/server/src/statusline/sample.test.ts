import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStatuslineSample } from "./sample.js";

const NOW = Date.parse("2026-11-26T12:00:00Z");
const HOUR = 3_600_000;
const good = {
  at: NOW,
  sessionId: "s1",
  rateLimits: { fiveHour: { usedPct: 0.41, resetsAt: NOW + 2 * HOUR }, sevenDay: { usedPct: 0.62, resetsAt: NOW + 72 * HOUR } },
};

function withLimit(window: "fiveHour" | "sevenDay", patch: Record<string, unknown>): unknown {
  return { ...good, rateLimits: { ...good.rateLimits, [window]: { ...good.rateLimits[window], ...patch } } };
}

describe("parseStatuslineSample", () => {
  it("takes a well-formed reading, ignoring keys it does not know", () => {
    expect(parseStatuslineSample({ ...good, extra: 1 }, NOW)).toEqual(good);
    expect(parseStatuslineSample({ at: NOW, rateLimits: { fiveHour: good.rateLimits.fiveHour } }, NOW)).toEqual({
      at: NOW,
      sessionId: null,
      rateLimits: { fiveHour: good.rateLimits.fiveHour, sevenDay: null },
    });
  });

  it("names the bad field, never its value", () => {
    const cases: [unknown, string][] = [
      [withLimit("fiveHour", { usedPct: -1 }), "rateLimits.fiveHour.usedPct"],
      [withLimit("fiveHour", { usedPct: 1e9 }), "rateLimits.fiveHour.usedPct"],
      [withLimit("fiveHour", { usedPct: "abc" }), "rateLimits.fiveHour.usedPct"],
      [withLimit("sevenDay", { resetsAt: 9e15 }), "rateLimits.sevenDay.resetsAt"],
      [withLimit("fiveHour", { resetsAt: 1e300 }), "rateLimits.fiveHour.resetsAt"],
      [withLimit("fiveHour", { resetsAt: NOW + 30 * HOUR }), "rateLimits.fiveHour.resetsAt"],
      [withLimit("fiveHour", { resetsAt: NOW - 30 * HOUR }), "rateLimits.fiveHour.resetsAt"],
      [{ ...good, at: 1e308 }, "at"],
      [{ ...good, at: NOW + 24 * HOUR }, "at"],
      [{ ...good, at: "x" }, "at"],
      [{ ...good, sessionId: "x".repeat(300) }, "sessionId"],
      [{ ...good, rateLimits: { fiveHour: null, sevenDay: null } }, "rateLimits"],
      [[], "body"],
      ["abc", "body"],
      [null, "body"],
    ];
    for (const [body, field] of cases) {
      const r = parseStatuslineSample(body, NOW);
      expect(typeof r, JSON.stringify(body).slice(0, 80)).toBe("string");
      expect((r as string).startsWith(`${field}:`), r as string).toBe(true);
      expect(r as string).not.toMatch(/abc|1e\+?9|9000000000000000|1e\+300/);
    }
  });

  it("never throws and never accepts a value the windows cannot hold (fuzzed)", () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const r = parseStatuslineSample(v, NOW);
        if (typeof r === "string") return;
        for (const l of [r.rateLimits.fiveHour, r.rateLimits.sevenDay]) {
          if (l === null) continue;
          expect(l.usedPct).toBeGreaterThanOrEqual(0);
          expect(l.usedPct).toBeLessThanOrEqual(1);
          expect(Number.isFinite(l.resetsAt)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.record({
          at: fc.oneof(fc.double(), fc.integer({ min: NOW - 1e10, max: NOW + 1e6 })),
          rateLimits: fc.record({
            fiveHour: fc.option(fc.record({ usedPct: fc.double(), resetsAt: fc.oneof(fc.double(), fc.integer({ min: NOW - 1e8, max: NOW + 1e9 })) })),
            sevenDay: fc.option(fc.record({ usedPct: fc.double({ min: -1, max: 2 }), resetsAt: fc.double() })),
          }),
        }),
        (v) => {
          const r = parseStatuslineSample(v, NOW);
          if (typeof r === "string") return;
          expect(r.at).toBeLessThanOrEqual(NOW + 5 * 60_000);
          for (const l of [r.rateLimits.fiveHour, r.rateLimits.sevenDay]) {
            if (l === null) continue;
            expect(l.usedPct >= 0 && l.usedPct <= 1).toBe(true);
            expect(l.resetsAt).toBeLessThan(Date.UTC(2100, 0, 1) + 1);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
