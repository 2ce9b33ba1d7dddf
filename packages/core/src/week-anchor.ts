import { zoneFormatter } from "./zone-formatter.js";

/** When the weekly window resets: a local wall-clock time on one day of the week. */
export interface WeekAnchor {
  /** 0 = Sunday … 6 = Saturday (as Date#getUTCDay) */
  weekday: number;
  /** 0..23 */
  hour: number;
  /** 0..59 */
  minute: number;
}

/** Monday 00:00. */
export const DEFAULT_WEEK_ANCHOR: Readonly<WeekAnchor> = Object.freeze({ weekday: 1, hour: 0, minute: 0 });

export interface WeekWindow {
  /** ms since epoch of the anchor at or before `now` */
  startMs: number;
  /** ms since epoch of the next anchor (the reset); 7 d after start ± a DST shift */
  resetMs: number;
}

const DAY_MS = 86_400_000;

/** The canonical IANA name of `timeZone` (e.g. "utc" → "UTC"), or null when Intl does not know it. */
export function canonicalTimeZone(timeZone: string): string | null {
  if (timeZone.trim() === "") return null;
  try {
    return zoneFormatter("wall", timeZone).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The wall clock of `ms` in `timeZone`, encoded as if it were UTC (ms, whole seconds). */
function wallClockAsUtc(ms: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of zoneFormatter("wall", timeZone).formatToParts(ms)) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  return Date.UTC(p["year"] ?? 1970, (p["month"] ?? 1) - 1, p["day"] ?? 1, p["hour"] ?? 0, p["minute"] ?? 0, p["second"] ?? 0);
}

/** Offset of `timeZone` from UTC at instant `ms`, ms (positive east of Greenwich). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallClockAsUtc(whole, timeZone) - whole;
}

/**
 * The instant a local wall-clock time (given encoded as UTC ms) happens in `timeZone`, with
 * Temporal's "compatible" rule: a time skipped by a spring-forward change maps to the same
 * distance after the change (02:30 in a 02:00→03:00 gap is 03:30); a time repeated by a
 * fall-back change maps to its first occurrence.
 */
export function wallClockToInstant(wallAsUtc: number, timeZone: string): number {
  // Zones change offset at most once within a day either side, so these two cover every case.
  const before = zoneOffsetMs(wallAsUtc - DAY_MS, timeZone);
  const after = zoneOffsetMs(wallAsUtc + DAY_MS, timeZone);
  const hits: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = wallAsUtc - offset;
    if (zoneOffsetMs(instant, timeZone) === offset) hits.push(instant);
  }
  if (hits.length > 0) return Math.min(...hits);
  return wallAsUtc - before;
}

/** The weekly window containing `now` (ms since epoch) for `anchor` in `timeZone` (IANA). */
export function weekWindowAt(now: number, anchor: WeekAnchor, timeZone: string): WeekWindow {
  const wall = new Date(wallClockAsUtc(now, timeZone));
  const daysBack = (wall.getUTCDay() - anchor.weekday + 7) % 7;
  const anchorWall = (weeksBack: number): number =>
    Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate() - daysBack - 7 * weeksBack, anchor.hour, anchor.minute);
  let weeksBack = 0;
  let startMs = wallClockToInstant(anchorWall(0), timeZone);
  if (startMs > now) {
    weeksBack = 1;
    startMs = wallClockToInstant(anchorWall(1), timeZone);
  }
  const resetMs = wallClockToInstant(anchorWall(weeksBack - 1), timeZone);
  return { startMs, resetMs };
}
