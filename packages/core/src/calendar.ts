import { civilDate } from "./timestamp.js";
import { zoneFormatter } from "./zone-formatter.js";

/** Throws a RangeError naming the zone when it is not a valid IANA zone. */
export function assertTimeZone(timeZone: string): void {
  // UTC needs no zone data: a UTC report never starts ICU's time zone machinery (~25 ms)
  if (timeZone === "UTC") return;
  try {
    zoneFormatter("date", timeZone);
  } catch {
    throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}`);
  }
}

/**
 * The latest instant ccusage converts into a zone (its time library's range ends here), ms since
 * epoch; later instants get their UTC date whatever the zone.
 */
const ZONED_MAX_MS = Date.UTC(9999, 11, 30, 22);
/** From here on en-CA prints four-digit years of our era; earlier dates take the exact path. */
const FAST_MIN_MS = Date.UTC(1000, 0, 2);
const DAY_MS = 86_400_000;

/** Offset of `timeZone` at `ms`, ms, from the wall clock Intl prints (era-aware, so years ≤ 0 work). */
function offsetAt(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const p: Record<string, string> = {};
  for (const part of zoneFormatter("era", timeZone).formatToParts(whole)) p[part.type] = part.value;
  const y = Number(p["year"]);
  const wall = new Date(Date.UTC(2000, Number(p["month"]) - 1, Number(p["day"]), Number(p["hour"]), Number(p["minute"]), Number(p["second"])));
  wall.setUTCFullYear(p["era"] === "BC" ? 1 - y : y);
  return wall.getTime() - whole;
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

/** YYYY-MM-DD of `ms` (ms since epoch) in `timeZone`, as ccusage 20 dates entries (years as it prints them). */
export function dateInZone(ms: number, timeZone: string): string {
  if (ms > ZONED_MAX_MS) return civilDate(ms);
  if (ms >= FAST_MIN_MS) {
    const offset = timeZone === "UTC" ? 0 : dayOffset(Math.floor(ms / DAY_MS), timeZone);
    // a day the offset changes on is formatted by Intl itself
    return offset === null ? zoneFormatter("date", timeZone).format(ms) : civilDate(ms + offset);
  }
  return civilDate(ms + offsetAt(ms, timeZone));
}
