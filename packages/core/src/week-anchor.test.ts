import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WeekAnchor } from "./week-anchor.js";
import { canonicalTimeZone, DEFAULT_WEEK_ANCHOR, wallClockToInstant, weekWindowAt, zoneOffsetMs } from "./week-anchor.js";

const at = (iso: string): number => Date.parse(iso);
const MON_0000: WeekAnchor = { weekday: 1, hour: 0, minute: 0 };
const SUN_0230: WeekAnchor = { weekday: 0, hour: 2, minute: 30 };
const H = 3_600_000;
const WEEK = 7 * 24 * H;

function window(now: string, anchor: WeekAnchor, tz: string): [string, string] {
  const w = weekWindowAt(at(now), anchor, tz);
  return [new Date(w.startMs).toISOString(), new Date(w.resetMs).toISOString()];
}

describe("weekWindowAt in UTC", () => {
  it("starts exactly at the anchor and belongs to the previous week 1 ms before", () => {
    expect(window("2024-01-01T00:00:00.000Z", MON_0000, "UTC")).toEqual(["2024-01-01T00:00:00.000Z", "2024-01-08T00:00:00.000Z"]);
    expect(window("2023-12-31T23:59:59.999Z", MON_0000, "UTC")).toEqual(["2023-12-25T00:00:00.000Z", "2024-01-01T00:00:00.000Z"]);
  });

  it("defaults to Monday 00:00", () => {
    expect(DEFAULT_WEEK_ANCHOR).toEqual(MON_0000);
  });

  it("handles an anchor later on the same weekday than now", () => {
    // Sunday 2024-01-07 01:00, anchor Sunday 02:30 → the week began the Sunday before
    expect(window("2024-01-07T01:00:00.000Z", SUN_0230, "UTC")).toEqual(["2023-12-31T02:30:00.000Z", "2024-01-07T02:30:00.000Z"]);
  });
});

describe("weekWindowAt in Europe/Berlin", () => {
  const tz = "Europe/Berlin";

  it("Monday 00:00: the week spanning the spring change is 1 h short", () => {
    expect(window("2024-03-28T12:00:00.000Z", MON_0000, tz)).toEqual(["2024-03-24T23:00:00.000Z", "2024-03-31T22:00:00.000Z"]);
    expect(window("2024-04-03T12:00:00.000Z", MON_0000, tz)).toEqual(["2024-03-31T22:00:00.000Z", "2024-04-07T22:00:00.000Z"]);
  });

  it("Monday 00:00: the week spanning the autumn change is 1 h long", () => {
    const w = weekWindowAt(at("2024-10-30T12:00:00.000Z"), MON_0000, tz);
    expect(new Date(w.startMs).toISOString()).toBe("2024-10-27T23:00:00.000Z"); // 00:00 CET
    const before = weekWindowAt(at("2024-10-27T12:00:00.000Z"), MON_0000, tz);
    expect(before.resetMs - before.startMs).toBe(WEEK + H);
    expect(before.resetMs).toBe(w.startMs);
  });

  it("Sunday 02:30 skipped by the spring change maps to 03:30 CEST (01:30 UTC)", () => {
    // 01:00 UTC = 03:00 CEST, before the shifted anchor
    expect(window("2024-03-31T01:00:00.000Z", SUN_0230, tz)).toEqual(["2024-03-24T01:30:00.000Z", "2024-03-31T01:30:00.000Z"]);
    expect(window("2024-03-31T01:30:00.000Z", SUN_0230, tz)).toEqual(["2024-03-31T01:30:00.000Z", "2024-04-07T00:30:00.000Z"]);
  });

  it("Sunday 02:30 repeated by the autumn change takes its first occurrence (CEST)", () => {
    expect(window("2024-10-27T01:00:00.000Z", SUN_0230, tz)).toEqual(["2024-10-27T00:30:00.000Z", "2024-11-03T01:30:00.000Z"]);
    expect(window("2024-10-27T00:29:59.999Z", SUN_0230, tz)).toEqual(["2024-10-20T00:30:00.000Z", "2024-10-27T00:30:00.000Z"]);
  });
});

describe("weekWindowAt in America/New_York", () => {
  const tz = "America/New_York";

  it("Monday 00:00 around the spring change (EST → EDT)", () => {
    expect(window("2024-03-06T12:00:00.000Z", MON_0000, tz)).toEqual(["2024-03-04T05:00:00.000Z", "2024-03-11T04:00:00.000Z"]);
    expect(window("2024-03-13T12:00:00.000Z", MON_0000, tz)).toEqual(["2024-03-11T04:00:00.000Z", "2024-03-18T04:00:00.000Z"]);
  });

  it("Sunday 02:30 skipped on 2024-03-10 maps to 03:30 EDT (07:30 UTC)", () => {
    expect(window("2024-03-10T07:29:00.000Z", SUN_0230, tz)).toEqual(["2024-03-03T07:30:00.000Z", "2024-03-10T07:30:00.000Z"]);
    expect(window("2024-03-10T07:30:00.000Z", SUN_0230, tz)).toEqual(["2024-03-10T07:30:00.000Z", "2024-03-17T06:30:00.000Z"]);
  });

  it("Sunday 02:30 on the autumn change day (EDT → EST) makes a 7 d + 1 h week", () => {
    expect(window("2024-11-03T07:00:00.000Z", SUN_0230, tz)).toEqual(["2024-10-27T06:30:00.000Z", "2024-11-03T07:30:00.000Z"]);
  });

  it("an ambiguous Sunday 01:30 resolves to the EDT occurrence", () => {
    const w = weekWindowAt(at("2024-11-03T12:00:00.000Z"), { weekday: 0, hour: 1, minute: 30 }, tz);
    expect(new Date(w.startMs).toISOString()).toBe("2024-11-03T05:30:00.000Z");
  });
});

describe("weekWindowAt invariants", () => {
  const zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"];
  it("always contains now, starts on the anchor's wall time and lasts 7 d ± 1 h (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at("2020-01-01T00:00:00Z"), max: at("2030-01-01T00:00:00Z") }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom(...zones),
        (now, weekday, hour, minute, tz) => {
          const w = weekWindowAt(now, { weekday, hour, minute }, tz);
          expect(w.startMs).toBeLessThanOrEqual(now);
          expect(w.resetMs).toBeGreaterThan(now);
          expect(Math.abs(w.resetMs - w.startMs - WEEK)).toBeLessThanOrEqual(H);
          // the reset is the start of the next window
          expect(weekWindowAt(w.resetMs, { weekday, hour, minute }, tz).startMs).toBe(w.resetMs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("starts Monday 00:00 IST in a half-hour zone", () => {
    expect(window("2024-05-08T00:00:00.000Z", MON_0000, "Asia/Kolkata")).toEqual(["2024-05-05T18:30:00.000Z", "2024-05-12T18:30:00.000Z"]);
  });
});

describe("zone helpers", () => {
  it("reads offsets east of Greenwich as positive", () => {
    expect(zoneOffsetMs(at("2024-07-01T00:00:00Z"), "Europe/Berlin")).toBe(2 * H);
    expect(zoneOffsetMs(at("2024-01-01T00:00:00Z"), "America/New_York")).toBe(-5 * H);
  });

  it("maps an ordinary wall time to its instant", () => {
    expect(wallClockToInstant(Date.UTC(2024, 6, 1, 12, 0), "Europe/Berlin")).toBe(at("2024-07-01T10:00:00Z"));
  });

  it("canonicalises and rejects zone names", () => {
    expect(canonicalTimeZone("utc")).toBe("UTC");
    expect(canonicalTimeZone("europe/berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("Mars/Olympus")).toBeNull();
    expect(canonicalTimeZone("")).toBeNull();
  });
});
