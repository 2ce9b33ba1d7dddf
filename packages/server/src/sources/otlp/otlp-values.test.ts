import { describe, expect, it } from "vitest";
import { anyNumber, attributeMap, badTime, CLOCK_SKEW_MS, field, nanosToMs } from "./otlp-values.js";

describe("OTLP values", () => {
  it("reads a number from doubleValue, intValue (number or decimal string) and a decimal stringValue", () => {
    expect(anyNumber({ doubleValue: 0.25 })).toBe(0.25);
    expect(anyNumber({ intValue: 12 })).toBe(12);
    expect(anyNumber({ intValue: "9007199254740991" })).toBe(2 ** 53 - 1);
    expect(anyNumber({ stringValue: "34" })).toBe(34);
    expect(anyNumber({ stringValue: " 1.5e3 " })).toBe(1500);
    expect(anyNumber({ int_value: "7" })).toBe(7);
  });

  it("says absent for no value or an empty AnyValue, NaN for anything else", () => {
    expect(anyNumber(undefined)).toBeUndefined();
    expect(anyNumber({})).toBeUndefined();
    for (const v of [
      { stringValue: "" },
      { stringValue: "0x10" },
      { stringValue: "12abc" },
      { doubleValue: "NaN" },
      { doubleValue: Infinity },
      { boolValue: true },
      5,
      "5",
      { intValue: {} },
    ]) {
      expect(anyNumber(v), JSON.stringify(v)).toBeNaN();
    }
  });

  it("turns ns since epoch (decimal string or number) into ms; 0 and absent are unset", () => {
    expect(nanosToMs("1796093396893123456")).toBe(1796093396893);
    expect(nanosToMs(1.796093396893e18)).toBe(1796093396893);
    expect(nanosToMs("0")).toBeNull();
    expect(nanosToMs(undefined)).toBeNull();
    for (const v of ["-5", "1e18", "12.5", "", {}, -1, Number.NaN, "123456789012345678901"]) expect(nanosToMs(v), String(v)).toBeNaN();
  });

  it("refuses times before 2020 and beyond the clock skew", () => {
    const now = Date.UTC(2026, 10, 1);
    expect(badTime(now, now)).toBeNull();
    expect(badTime(now + CLOCK_SKEW_MS, now)).toBeNull();
    expect(badTime(now + CLOCK_SKEW_MS + 1, now)).toBe("in the future");
    expect(badTime(Date.UTC(2019, 11, 31), now)).toBe("before 2020");
    expect(badTime(Number.NaN, now)).toBe("not a time");
  });

  it("maps a KeyValue list, skipping entries without a string key; reads snake_case field names", () => {
    const m = attributeMap([{ key: "a", value: { stringValue: "x" } }, { key: 5 }, null, "k", { key: "a", value: { intValue: 2 } }]);
    expect([...m]).toEqual([["a", { intValue: 2 }]]);
    expect(attributeMap({ key: "a" }).size).toBe(0);
    expect(field({ time_unix_nano: "5" }, "timeUnixNano")).toBe("5");
  });
});
