/** Calendar dates in an IANA zone, with the formatter cached per zone (formatting is the hot part). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError naming the zone when it is not a valid IANA zone. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch {
    throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}`);
  }
}

const DAY_MS = 86_400_000;
/** years whose YYYY-MM-DD the formatter and Date.UTC arithmetic write alike */
const PLAIN_YEARS_MS = [Date.UTC(1000, 0, 1), Date.UTC(9999, 11, 31)] as const;

const clockFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at `ms`, ms, from the zone's wall clock there (whole seconds). */
function offsetAt(ms: number, timeZone: string): number {
  let f = clockFormatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    clockFormatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== "literal") p[part.type] = Number(part.value);
  const whole = Math.floor(ms / 1000) * 1000;
  return Date.UTC(p["year"]!, p["month"]! - 1, p["day"]!, p["hour"]!, p["minute"]!, p["second"]!) - whole;
}

/**
 * The zone's offset over a whole UTC day, when it is the same at both ends (zones change offset at
 * most once a day, so then it holds all day), else null. Cached per zone and day: a report over a
 * year of history asks Intl a few hundred times instead of once per quarter hour.
 */
const dayOffsets = new Map<string, Map<number, number | null>>();
function dayOffset(day: number, timeZone: string): number | null {
  let days = dayOffsets.get(timeZone);
  if (days === undefined) {
    days = new Map();
    dayOffsets.set(timeZone, days);
  }
  let o = days.get(day);
  if (o === undefined) {
    const first = offsetAt(day * DAY_MS, timeZone);
    o = first === offsetAt(day * DAY_MS + DAY_MS - 1000, timeZone) ? first : null;
    days.set(day, o);
  }
  return o;
}

/** YYYY-MM-DD of `ms` (ms since epoch) in `timeZone`. */
export function dateInZone(ms: number, timeZone: string): string {
  if (ms >= PLAIN_YEARS_MS[0] && ms <= PLAIN_YEARS_MS[1]) {
    const offset = timeZone === "UTC" ? 0 : dayOffset(Math.floor(ms / DAY_MS), timeZone);
    // a day the offset changes on is formatted the slow way
    if (offset !== null) return new Date(ms + offset).toISOString().slice(0, 10);
  }
  return formatter(timeZone).format(ms);
}
