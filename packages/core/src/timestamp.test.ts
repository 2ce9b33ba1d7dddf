import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dateInZone } from "./calendar.js";
import { civilDate, formatIsoMillis, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS, parseTimestamp } from "./timestamp.js";

describe("parseTimestamp (ccusage's reading)", () => {
  it("takes exactly YYYY-MM-DDTHH:MM:SS[.mmm] then Z or ±HH:MM", () => {
    expect(parseTimestamp("2026-01-10T10:00:01.000Z")).toBe(Date.UTC(2026, 0, 10, 10, 0, 1));
    expect(parseTimestamp("2026-01-10T10:00:01Z")).toBe(Date.UTC(2026, 0, 10, 10, 0, 1));
    expect(parseTimestamp("2026-01-10T12:00:01.250+02:00")).toBe(Date.UTC(2026, 0, 10, 10, 0, 1, 250));
    expect(parseTimestamp("2026-01-10T10:00:01.000+23:59")).toBe(Date.UTC(2026, 0, 9, 10, 1, 1));
    expect(parseTimestamp("2000-02-29T00:00:00Z")).toBe(Date.UTC(2000, 1, 29));
  });

  it.each([
    "2026-01-10T10:00:01.5Z",
    "2026-01-10T10:00:01.500000Z",
    "2026-01-10T12:00:01+0200",
    "2026-01-10T12:00:01+02",
    "2026-01-10T10:00:01",
    "2026-01-10 10:00:01Z",
    "2026-01-10t10:00:01z",
    "2026-01-10T10:00:01.000z",
    "-000001-01-01T00:00:00.000Z",
    "+275760-09-13T00:00:00.000Z",
    "+002026-01-10T10:00:01.000Z",
    "2026-02-30T10:00:00Z",
    "1900-02-29T00:00:00Z",
    "2026-01-10T24:00:00Z",
    "2026-01-10T23:59:60Z",
    "2026-01-10T10:00:01.000+24:00",
    "2026-01-10T10:00:01.000+02:60",
    " 2026-01-10T10:00:01Z",
    "2026-01-10T10:00:01.ABCZ",
    "",
  ])("rejects %j", (s) => {
    expect(parseTimestamp(s)).toBeNull();
  });

  it("reads years 0..99 as themselves, not as 19xx", () => {
    expect(formatIsoMillis(parseTimestamp("0000-01-01T00:00:00.000Z")!)).toBe("0000-01-01T00:00:00.000Z");
    expect(formatIsoMillis(parseTimestamp("0099-12-31T23:59:59.999Z")!)).toBe("0099-12-31T23:59:59.999Z");
  });

  it("reads every valid instant as Date does, for years 0000..9999 and any offset", () => {
    const two = (v: number) => String(v).padStart(2, "0");
    fc.assert(
      fc.property(
        fc.integer({ min: -62_167_219_200_000, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        fc.boolean(),
        (ms, offset, withMillis) => {
          // the wall clock at `offset` minutes east, spelled out, must read back as the instant
          const wall = new Date(ms + offset * 60_000);
          const at = withMillis ? ms : ms - wall.getUTCMilliseconds();
          const zone = offset === 0 ? "Z" : `${offset < 0 ? "-" : "+"}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
          const text = `${wall.toISOString().slice(0, withMillis ? 23 : 19)}${zone}`;
          if (wall.getUTCFullYear() < 0 || wall.getUTCFullYear() > 9999) return;
          expect(parseTimestamp(text)).toBe(at);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("never leaves [MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS], for any string", () => {
    expect(parseTimestamp("0000-01-01T00:00:00.000+23:59")).toBe(MIN_TIMESTAMP_MS);
    expect(parseTimestamp("9999-12-31T23:59:59.999-23:59")).toBe(MAX_TIMESTAMP_MS);
    const digit = fc.constantFrom(..."0123456789");
    const shaped = fc
      .tuple(fc.array(digit, { minLength: 14, maxLength: 14 }), fc.constantFrom("Z", "+23:59", "-23:59", "+00:00", ".999Z", ".000-23:59"))
      .map(
        ([d, zone]) =>
          `${d.slice(0, 4).join("")}-${d.slice(4, 6).join("")}-${d.slice(6, 8).join("")}T${d.slice(8, 10).join("")}:${d.slice(10, 12).join("")}:${d.slice(12, 14).join("")}${zone}`,
      );
    fc.assert(
      fc.property(fc.oneof(shaped, fc.string()), (s) => {
        const t = parseTimestamp(s);
        if (t !== null) expect(t >= MIN_TIMESTAMP_MS && t <= MAX_TIMESTAMP_MS && Number.isInteger(t)).toBe(true);
      }),
    );
  });
});

describe("formatIsoMillis and civilDate (ccusage's printing)", () => {
  it("matches toISOString for years 0000..9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        expect(formatIsoMillis(ms)).toBe(new Date(ms).toISOString());
      }),
    );
  });

  it("prints year −1 as -001 and year 10000 as 10000, as Rust's {:04} does", () => {
    expect(formatIsoMillis(MIN_TIMESTAMP_MS)).toBe("-001-12-31T00:01:00.000Z");
    expect(formatIsoMillis(MAX_TIMESTAMP_MS)).toBe("10000-01-01T23:58:59.999Z");
    expect(civilDate(MIN_TIMESTAMP_MS)).toBe("-001-12-31");
  });
});

describe("dateInZone at the ends of the calendar", () => {
  it("uses local mean time for early dates, with years as ccusage prints them", () => {
    expect(dateInZone(Date.parse("0000-01-01T00:00:00Z"), "America/New_York")).toBe("-001-12-31");
    expect(dateInZone(Date.parse("0000-03-01T00:00:00Z"), "America/New_York")).toBe("0000-02-29");
    expect(dateInZone(Date.parse("1900-01-01T00:00:00Z"), "America/New_York")).toBe("1899-12-31");
    expect(dateInZone(Date.parse("0500-06-01T12:00:00Z"), "UTC")).toBe("0500-06-01");
  });

  it("dates instants past 9999-12-30T22:00Z in UTC whatever the zone (ccusage's time library ends there)", () => {
    expect(dateInZone(Date.parse("9999-12-30T22:00:00.000Z"), "Asia/Tokyo")).toBe("9999-12-31");
    expect(dateInZone(Date.parse("9999-12-30T22:00:00.001Z"), "Asia/Tokyo")).toBe("9999-12-30");
    expect(dateInZone(MAX_TIMESTAMP_MS, "America/New_York")).toBe("10000-01-01");
  });
});
