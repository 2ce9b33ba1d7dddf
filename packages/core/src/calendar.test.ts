import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dateInZone } from "./calendar.js";

const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/Los_Angeles",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "America/St_Johns",
  "Pacific/Apia",
  "Africa/Casablanca",
  "Antarctica/Troll",
];
const intl = new Map<string, Intl.DateTimeFormat>();
/** Intl's own answer, which dateInZone must equal */
function slow(ms: number, timeZone: string): string {
  let f = intl.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    intl.set(timeZone, f);
  }
  return f.format(ms);
}

describe("dateInZone", () => {
  it("gives the date Intl gives, any instant in any zone", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.constantFrom(...ZONES), (ms, zone) => {
        expect(dateInZone(ms, zone)).toBe(slow(ms, zone));
      }),
      { numRuns: 3000 },
    );
  });

  it("gives the date Intl gives around every offset change of 2024–2026", () => {
    for (const zone of ZONES) {
      const f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
      const offset = (ms: number) => f.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value;
      const day = 86_400_000;
      // find the days an offset changes on, then check every minute from the day before to the day after
      for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2027, 0, 1); t += day) {
        if (offset(t) === offset(t + day)) continue;
        // changes and local midnights fall on quarter hours: check each, a second either side
        for (let q = -24 * 4; q <= 48 * 4; q += 1) {
          for (const d of [-1000, 0, 1000]) expect(dateInZone(t + q * 900_000 + d, zone)).toBe(slow(t + q * 900_000 + d, zone));
        }
      }
    }
  }, 120_000);

  it("gives the date Intl gives at the ends of the span it answers from its offset cache", () => {
    const ends = [Date.UTC(1000, 0, 2), Date.UTC(9999, 11, 30, 22)];
    for (const zone of ZONES) {
      for (const end of ends) {
        for (let h = -72; h <= 72; h++) {
          const ms = end + h * 3_600_000;
          if (ms >= ends[0]! && ms <= ends[1]!) expect(dateInZone(ms, zone)).toBe(slow(ms, zone));
        }
      }
    }
  });
});
