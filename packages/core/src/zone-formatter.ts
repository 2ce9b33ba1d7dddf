/** The Intl shapes the calendar code reads a zone through; one formatter per shape and zone. */
const SHAPES = {
  /** YYYY-MM-DD (en-CA's order) */
  date: ["en-CA", { year: "numeric", month: "2-digit", day: "2-digit" }],
  /** every field, 24 h */
  wall: ["en-US", { hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }],
  /** every field with the era, for years before 1 */
  era: ["en-US", { hourCycle: "h23", era: "short", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }],
} as const satisfies Record<string, readonly [string, Intl.DateTimeFormatOptions]>;

const cache = new Map<string, Intl.DateTimeFormat>();

/** A cached formatter (building one is the slow part); throws a RangeError for an unknown zone. */
export function zoneFormatter(shape: keyof typeof SHAPES, timeZone: string): Intl.DateTimeFormat {
  const key = `${shape} ${timeZone}`;
  let f = cache.get(key);
  if (f === undefined) {
    const [locale, options] = SHAPES[shape];
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    cache.set(key, f);
  }
  return f;
}
