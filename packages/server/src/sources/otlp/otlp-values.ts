/**
 * Reading OTLP's building blocks (KeyValue lists, AnyValue, nanosecond times) from the plain
 * object both decoders produce: the JSON body as parsed, or protobufjs's `toObject` with 64-bit
 * integers as decimal strings. Field names are lowerCamelCase (the proto3 JSON mapping); the
 * original snake_case names are accepted too, as proto3 JSON parsers must. Errors name the field,
 * never its value.
 */

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `o.fooBar`, else `o.foo_bar`. */
export function field(o: Obj, camel: string): unknown {
  const v = o[camel];
  return v !== undefined ? v : o[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

/** A repeated field: absent is empty; anything but an array is an error (null). */
export function list(o: Obj, camel: string): unknown[] | null {
  const v = field(o, camel);
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : null;
}

/** ms since epoch of 2020-01-01: an earlier time is a bug or an attack, not usage. */
export const EARLIEST_MS = Date.UTC(2020, 0, 1);
/** how far a sender's clock may run ahead of the daemon's (ms); later times stay out of the windows */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** A KeyValue list as a map of key → AnyValue (the last of repeated keys wins). */
export function attributeMap(v: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!Array.isArray(v)) return out;
  for (const kv of v) {
    if (!isObj(kv)) continue;
    const key = kv["key"];
    if (typeof key === "string") out.set(key, kv["value"]);
  }
  return out;
}

/** The string of an AnyValue's `stringValue`; null for any other kind. */
export function anyString(v: unknown): string | null {
  if (!isObj(v)) return null;
  const s = field(v, "stringValue");
  return typeof s === "string" ? s : null;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The number an AnyValue holds: `doubleValue`, `intValue` (a JSON number or a decimal string) or
 * a `stringValue` holding a decimal (Claude Code has sent all three). Undefined when the value is
 * absent, NaN when it is there but not a finite number.
 */
export function anyNumber(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) return Number.NaN;
  for (const kind of ["doubleValue", "intValue", "stringValue"]) {
    const x = field(v, kind);
    if (x === undefined || x === null) continue;
    if (typeof x === "number") return Number.isFinite(x) ? x : Number.NaN;
    if (typeof x === "string") return DECIMAL.test(x.trim()) ? Number(x) : Number.NaN;
    return Number.NaN;
  }
  // An AnyValue with no value set is "empty" in OTLP: the attribute says nothing.
  return Object.keys(v).length === 0 ? undefined : Number.NaN;
}

/** A count of tokens: a non-negative integer that a double holds exactly. */
export function isTokenCount(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER;
}

/** An amount in USD (or any non-negative measure) we can add up. */
export function isAmount(n: number): boolean {
  return Number.isFinite(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER;
}

const NANOS = /^\d{1,20}$/;

/**
 * A `fixed64` time in ns since epoch (a decimal string, or a JSON number) as ms; null when absent
 * or zero (OTLP's "unset"), NaN when malformed.
 */
export function nanosToMs(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  let ms: number;
  if (typeof v === "string" && NANOS.test(v)) ms = Number(BigInt(v) / 1_000_000n);
  else if (typeof v === "number" && Number.isFinite(v) && v >= 0) ms = Math.floor(v / 1e6);
  else return Number.NaN;
  return ms === 0 ? null : ms;
}

/**
 * Why a usage time (ms) cannot be counted, or null when it can: before 2020, or further ahead of
 * the daemon's clock than a sender's clock may drift (such a time would stay "newest" and hold
 * the windows).
 */
export function badTime(ms: number, now: number): string | null {
  if (!Number.isFinite(ms)) return "not a time";
  if (ms < EARLIEST_MS) return "before 2020";
  if (ms > now + CLOCK_SKEW_MS) return "in the future";
  return null;
}
