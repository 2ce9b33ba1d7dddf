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

/** YYYY-MM-DD of `ms` (ms since epoch) in `timeZone`. */
export function dateInZone(ms: number, timeZone: string): string {
  return formatter(timeZone).format(ms);
}
