/**
 * Transcript timestamps as ccusage 20 reads and prints them (docs/ccusage-semantics.md §2):
 * exactly `YYYY-MM-DDTHH:MM:SS[.mmm](Z|±HH:MM)`, a real calendar date, a four-digit year. Every
 * other spelling (`Date.parse` would take many: expanded years, other precisions, no zone) drops
 * the line. So every timestamp we count lies in [MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS], which
 * `Date` can always represent.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** 0000-01-01T00:00:00Z, ms since epoch (Date.UTC would read year 0 as 1900) */
export const YEAR_ZERO_MS = -62_167_219_200_000;

/** Earliest instant a transcript line can carry, ms since epoch: 0000-01-01T00:00:00.000+23:59. */
export const MIN_TIMESTAMP_MS = YEAR_ZERO_MS - (23 * 60 + 59) * MINUTE_MS;
/** Latest instant a transcript line can carry, ms since epoch: 9999-12-31T23:59:59.999−23:59. */
export const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999) + (23 * 60 + 59) * MINUTE_MS;

function digits(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** ms since epoch of a transcript timestamp, or null when ccusage would not read it. */
export function parseTimestamp(s: string): number | null {
  const n = s.length;
  let zoneAt: number;
  let millis = 0;
  if ((n === 20 || n === 25) && (s[19] === "Z" || s[19] === "+" || s[19] === "-")) zoneAt = 19;
  else if ((n === 24 || n === 29) && s[19] === ".") {
    millis = digits(s, 20, 23);
    if (millis < 0) return null;
    zoneAt = 23;
  } else return null;
  if (s[4] !== "-" || s[7] !== "-" || s[10] !== "T" || s[13] !== ":" || s[16] !== ":") return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 7);
  const day = digits(s, 8, 10);
  const hour = digits(s, 11, 13);
  const minute = digits(s, 14, 16);
  const second = digits(s, 17, 19);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return null;
  }
  const monthDays = month === 2 && isLeap(year) ? 29 : (MONTH_DAYS[month - 1] ?? 0);
  if (day > monthDays) return null;
  let offsetMinutes = 0;
  if (n - zoneAt === 1) {
    if (s[zoneAt] !== "Z") return null;
  } else {
    const sign = s[zoneAt];
    const oh = digits(s, zoneAt + 1, zoneAt + 3);
    const om = digits(s, zoneAt + 4, zoneAt + 6);
    if ((sign !== "+" && sign !== "-") || s[zoneAt + 3] !== ":" || oh < 0 || oh > 23 || om < 0 || om > 59) return null;
    offsetMinutes = (sign === "+" ? 1 : -1) * (oh * 60 + om);
  }
  // by arithmetic, not Date: one per usage line of a scan (Date.UTC would also read years 0..99 as 19xx)
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1..12), the inverse of civilFromDays. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** A year as ccusage prints it (Rust's `{:04}`: the sign counts towards the width): -1 → "-001". */
function year4(y: number): string {
  return y < 0 ? `-${String(-y).padStart(3, "0")}` : String(y).padStart(4, "0");
}

const pad2 = (v: number): string => String(v).padStart(2, "0");

/** Proleptic Gregorian (year, month 1..12, day) of a day count since 1970-01-01 (Hinnant's algorithm). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** `YYYY-MM-DD` of a wall clock given as ms since epoch (any finite ms; years as ccusage prints them). */
export function civilDate(wallMs: number): string {
  const [y, m, d] = civilFromDays(Math.floor(wallMs / DAY_MS));
  return `${year4(y)}-${pad2(m)}-${pad2(d)}`;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` as ccusage prints instants: like `toISOString` for years 0..9999,
 * but year 10000 is `10000-…` and year −1 is `-001-…` (toISOString: `+010000-…`, `-000001-…`).
 */
export function formatIsoMillis(ms: number): string {
  const t = Math.floor(ms);
  const dayMs = ((t % DAY_MS) + DAY_MS) % DAY_MS;
  const s = Math.floor(dayMs / 1000);
  const frac = String(dayMs % 1000).padStart(3, "0");
  return `${civilDate(t)}T${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}.${frac}Z`;
}
