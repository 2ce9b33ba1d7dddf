import type { TokenCounts } from "./usage-event.js";
import type { WeekAnchor } from "./week-anchor.js";
import { canonicalTimeZone, DEFAULT_WEEK_ANCHOR } from "./week-anchor.js";

/** Token types a window can count; all four by default, as ccusage's totalTokens. */
export const TOKEN_TYPES = ["input", "output", "cache_creation", "cache_read"] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** Sums the token types selected by `count` (CLAUDE_GAUGE_COUNT), tokens. */
export function tokenCounter(count: readonly TokenType[]): (c: TokenCounts) => number {
  const input = count.includes("input");
  const output = count.includes("output");
  const write = count.includes("cache_creation");
  const read = count.includes("cache_read");
  return (c) => (input ? c.input : 0) + (output ? c.output : 0) + (write ? c.cacheCreation : 0) + (read ? c.cacheRead : 0);
}

export type FiveHourMode = "block" | "rolling";
export type SevenDayMode = "rolling" | "weekly";

export interface GaugeConfig {
  /** 5 h fuel tank, tokens; null = the calibration suggestion */
  ceiling5hTokens: number | null;
  /** 7 d fuel tank, tokens; null = the calibration suggestion */
  ceiling7dTokens: number | null;
  /** tach redline, tokens/min; null = the calibration suggestion */
  tachRedlineTokensPerMin: number | null;
  /** quiet time after a prompt or tool result before STALL lights, ms (default 3 min) */
  stallMs: number;
  /** share of a tank (0..1] at which WARN lights (default 0.8) */
  warnPct: number;
  mode5h: FiveHourMode;
  mode7d: SevenDayMode;
  weekAnchor: WeekAnchor;
  /** canonical IANA zone of the week anchor */
  weekTimeZone: string;
  /** token types the windows count (non-empty, no duplicates) */
  count: readonly TokenType[];
}

export const DEFAULT_CONFIG: Readonly<GaugeConfig> = Object.freeze({
  ceiling5hTokens: null,
  ceiling7dTokens: null,
  tachRedlineTokensPerMin: null,
  stallMs: 3 * 60_000,
  warnPct: 0.8,
  mode5h: "block",
  mode7d: "rolling",
  weekAnchor: DEFAULT_WEEK_ANCHOR,
  weekTimeZone: "UTC",
  count: TOKEN_TYPES,
});

/** A bad configuration value; the message names the variable and quotes the value. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    expected: string,
  ) {
    super(`${variable}=${JSON.stringify(value)}: expected ${expected}`);
    this.name = "ConfigError";
  }
}

const SUFFIX: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9 };

/** "20M", "500k", "1.5m", "20_000_000" → tokens; null when it is not a positive amount. */
export function parseTokenAmount(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)$/i.exec(text.replaceAll("_", ""));
  if (m === null) return null;
  const n = Math.round(Number(m[1]) * (SUFFIX[(m[2] ?? "").toLowerCase()] ?? Number.NaN));
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

const DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;

/** "mon 00:00", "Sunday 2:30", "fri" (= 00:00) → anchor; null when malformed. */
export function parseWeekAnchor(text: string): WeekAnchor | null {
  const m = /^([a-z]+)(?:\s+(\d{1,2}):(\d{2}))?$/i.exec(text.trim());
  if (m === null) return null;
  const name = (m[1] ?? "").toLowerCase();
  const weekday = DAY_NAMES.findIndex((d) => name === d || name === d.slice(0, 3));
  const hour = Number(m[2] ?? 0);
  const minute = Number(m[3] ?? 0);
  if (weekday < 0 || hour > 23 || minute > 59) return null;
  return { weekday, hour, minute };
}

type Env = Record<string, string | undefined>;

/** The trimmed value, or undefined when unset or blank (a blank variable means "use the default"). */
function read(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === "" ? undefined : v;
}

function tokens(env: Env, name: string): number | null {
  const raw = read(env, name);
  if (raw === undefined) return null;
  const n = parseTokenAmount(raw);
  if (n === null) throw new ConfigError(name, raw, "a positive token count such as 20000000, 20M or 500k");
  return n;
}

function oneOf<T extends string>(env: Env, name: string, options: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const hit = options.find((o) => o === raw.toLowerCase());
  if (hit === undefined) throw new ConfigError(name, raw, `one of ${options.join(", ")}`);
  return hit;
}

function stallMs(env: Env): number {
  const name = "CLAUDE_GAUGE_STALL_MINUTES";
  const raw = read(env, name);
  if (raw === undefined) return DEFAULT_CONFIG.stallMs;
  const n = /^\d+(?:\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n > 0)) throw new ConfigError(name, raw, "a positive number of minutes such as 3 or 0.5");
  return Math.round(n * 60_000);
}

/** A fraction (0.8) or a percentage with its sign (80%); a bare 80 is refused as ambiguous. */
function warnPct(env: Env): number {
  const name = "CLAUDE_GAUGE_WARN_PCT";
  const raw = read(env, name);
  if (raw === undefined) return DEFAULT_CONFIG.warnPct;
  const m = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(raw);
  const n = m === null ? Number.NaN : Number(m[1]) / (m[2] === "%" ? 100 : 1);
  if (!(n > 0 && n <= 1)) throw new ConfigError(name, raw, "a fraction in (0, 1] such as 0.8, or a percentage such as 80%");
  return n;
}

function weekAnchor(env: Env): WeekAnchor {
  const name = "CLAUDE_GAUGE_WEEK_ANCHOR";
  const raw = read(env, name);
  if (raw === undefined) return DEFAULT_CONFIG.weekAnchor;
  const a = parseWeekAnchor(raw);
  if (a === null) throw new ConfigError(name, raw, 'a weekday and a 24 h time such as "mon 00:00" or "sun 02:30"');
  return a;
}

function weekTimeZone(env: Env): string {
  const name = "CLAUDE_GAUGE_WEEK_TZ";
  const raw = read(env, name);
  if (raw === undefined) return DEFAULT_CONFIG.weekTimeZone;
  const tz = canonicalTimeZone(raw);
  if (tz === null) throw new ConfigError(name, raw, "an IANA time zone such as UTC or Europe/Berlin");
  return tz;
}

function count(env: Env): readonly TokenType[] {
  const name = "CLAUDE_GAUGE_COUNT";
  const raw = read(env, name);
  if (raw === undefined) return DEFAULT_CONFIG.count;
  const picked = new Set<TokenType>();
  for (const item of raw.split(",")) {
    const t = TOKEN_TYPES.find((x) => x === item.trim().toLowerCase());
    if (t === undefined) throw new ConfigError(name, raw, `a comma list of ${TOKEN_TYPES.join(", ")}`);
    picked.add(t);
  }
  // Keep the canonical order so equal settings compare equal.
  return TOKEN_TYPES.filter((t) => picked.has(t));
}

/** Reads the CLAUDE_GAUGE_* variables; throws {@link ConfigError} on the first bad one. */
export function parseConfig(env: Env): GaugeConfig {
  return {
    ceiling5hTokens: tokens(env, "CLAUDE_GAUGE_5H_CEILING"),
    ceiling7dTokens: tokens(env, "CLAUDE_GAUGE_7D_CEILING"),
    tachRedlineTokensPerMin: tokens(env, "CLAUDE_GAUGE_TACH_REDLINE"),
    stallMs: stallMs(env),
    warnPct: warnPct(env),
    mode5h: oneOf(env, "CLAUDE_GAUGE_5H_MODE", ["block", "rolling"], DEFAULT_CONFIG.mode5h),
    mode7d: oneOf(env, "CLAUDE_GAUGE_7D_MODE", ["rolling", "weekly"], DEFAULT_CONFIG.mode7d),
    weekAnchor: weekAnchor(env),
    weekTimeZone: weekTimeZone(env),
    count: count(env),
  };
}
