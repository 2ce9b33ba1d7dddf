import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_CONFIG, parseConfig, parseTokenAmount, parseWeekAnchor, tokenCounter } from "./config.js";
import { ZERO_COUNTS } from "./usage-event.js";

function errorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("parseConfig accepted a bad value");
}

describe("parseConfig", () => {
  it("returns the documented defaults for an empty environment", () => {
    const c = parseConfig({});
    expect(c).toEqual(DEFAULT_CONFIG);
    expect(c.stallMs).toBe(180_000);
    expect(c.warnPct).toBe(0.8);
    expect(c.mode5h).toBe("block");
    expect(c.mode7d).toBe("rolling");
    expect(c.weekAnchor).toEqual({ weekday: 1, hour: 0, minute: 0 });
    expect(c.weekTimeZone).toBe("UTC");
    expect(c.count).toEqual(["input", "output", "cache_creation", "cache_read"]);
    expect(c.ceiling5hTokens).toBeNull();
  });

  it("treats blank variables as unset and ignores unrelated ones", () => {
    expect(parseConfig({ CLAUDE_GAUGE_5H_CEILING: "  ", HOME: "/x" })).toEqual(DEFAULT_CONFIG);
  });

  it("reads every variable", () => {
    const c = parseConfig({
      CLAUDE_GAUGE_5H_CEILING: "20M",
      CLAUDE_GAUGE_7D_CEILING: "1.5g",
      CLAUDE_GAUGE_TACH_REDLINE: "500k",
      CLAUDE_GAUGE_STALL_MINUTES: "0.5",
      CLAUDE_GAUGE_WARN_PCT: "90%",
      CLAUDE_GAUGE_5H_MODE: "Rolling",
      CLAUDE_GAUGE_7D_MODE: "weekly",
      CLAUDE_GAUGE_WEEK_ANCHOR: "Sunday 2:30",
      CLAUDE_GAUGE_WEEK_TZ: "europe/berlin",
      CLAUDE_GAUGE_COUNT: "cache_read, input",
    });
    expect(c).toEqual({
      ceiling5hTokens: 20_000_000,
      ceiling7dTokens: 1_500_000_000,
      tachRedlineTokensPerMin: 500_000,
      stallMs: 30_000,
      warnPct: 0.9,
      mode5h: "rolling",
      mode7d: "weekly",
      weekAnchor: { weekday: 0, hour: 2, minute: 30 },
      weekTimeZone: "Europe/Berlin",
      count: ["input", "cache_read"],
    });
  });

  it.each([
    ["CLAUDE_GAUGE_5H_CEILING", "lots"],
    ["CLAUDE_GAUGE_5H_CEILING", "0"],
    ["CLAUDE_GAUGE_5H_CEILING", "-5M"],
    ["CLAUDE_GAUGE_7D_CEILING", "20T"],
    ["CLAUDE_GAUGE_TACH_REDLINE", "1e6"],
    ["CLAUDE_GAUGE_STALL_MINUTES", "0"],
    ["CLAUDE_GAUGE_STALL_MINUTES", "3m"],
    ["CLAUDE_GAUGE_WARN_PCT", "80"],
    ["CLAUDE_GAUGE_WARN_PCT", "0"],
    ["CLAUDE_GAUGE_WARN_PCT", "120%"],
    ["CLAUDE_GAUGE_5H_MODE", "sliding"],
    ["CLAUDE_GAUGE_7D_MODE", "block"],
    ["CLAUDE_GAUGE_WEEK_ANCHOR", "mon 24:00"],
    ["CLAUDE_GAUGE_WEEK_ANCHOR", "funday 00:00"],
    ["CLAUDE_GAUGE_WEEK_TZ", "Mars/Olympus"],
    ["CLAUDE_GAUGE_COUNT", "input,thinking"],
    ["CLAUDE_GAUGE_COUNT", ","],
  ])("names %s and quotes the bad value %j", (variable, value) => {
    const e = errorOf({ [variable]: value });
    expect(e.variable).toBe(variable);
    expect(e.value).toBe(value);
    expect(e.message).toContain(variable);
    expect(e.message).toContain(JSON.stringify(value));
    expect(e.name).toBe("ConfigError");
  });

  it("hints at the percentage form when WARN_PCT looks like a percentage", () => {
    expect(errorOf({ CLAUDE_GAUGE_WARN_PCT: "80" }).message).toContain("80%");
  });
});

describe("parseTokenAmount", () => {
  it.each([
    ["20M", 20_000_000],
    ["20m", 20_000_000],
    ["500k", 500_000],
    ["500 K", 500_000],
    ["1.5M", 1_500_000],
    ["20_000_000", 20_000_000],
    ["42", 42],
  ])("%s → %d tokens", (text, n) => {
    expect(parseTokenAmount(text)).toBe(n);
  });

  it.each(["", "M", "1.2.3", "0.0001", "NaN", "Infinity", "99999999999999999999"])("refuses %j", (text) => {
    expect(parseTokenAmount(text)).toBeNull();
  });
});

describe("parseWeekAnchor", () => {
  it("reads short and long day names, with and without a time", () => {
    expect(parseWeekAnchor("mon 00:00")).toEqual({ weekday: 1, hour: 0, minute: 0 });
    expect(parseWeekAnchor("SAT 23:59")).toEqual({ weekday: 6, hour: 23, minute: 59 });
    expect(parseWeekAnchor("wednesday")).toEqual({ weekday: 3, hour: 0, minute: 0 });
    expect(parseWeekAnchor("thurs 10:00")).toBeNull();
    expect(parseWeekAnchor("mon 7:5")).toBeNull();
  });
});

describe("tokenCounter", () => {
  const c = { ...ZERO_COUNTS, input: 1, output: 20, cacheCreation: 300, cacheRead: 4000, cacheCreation5m: 300 };
  it("counts all four types by default and only the chosen ones otherwise", () => {
    expect(tokenCounter(DEFAULT_CONFIG.count)(c)).toBe(4321);
    expect(tokenCounter(["input", "output"])(c)).toBe(21);
    expect(tokenCounter(["cache_creation"])(c)).toBe(300);
  });
});
