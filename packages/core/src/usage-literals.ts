/**
 * ccusage reads every token count as an unsigned 64-bit integer: a count written `2.5`, `1e3`,
 * `100.0`, `-0` or above 2^64−1 drops the whole line, while 2^53+1 is counted exactly. JSON.parse
 * loses both distinctions (`1e3` and `1000` parse alike, 2^53+1 rounds), so the counts are judged
 * by their literal text. The fast path is one regex over the line from its first `"usage"` key:
 * when no number there is written other than as a plain integer of at most 15 digits (Claude
 * Code's own lines), the parsed values are the literals. Anything else is re-read by a small parser
 * that keeps number literals (see {@link RawNumber}).
 */

/** A number as written in the line (slow path only). */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** 2^64 − 1: the largest count ccusage accepts (tokens). */
export const U64_MAX = 18_446_744_073_709_551_615n;
const U64_MAX_TEXT = "18446744073709551615";
const PLAIN_INTEGER = /^(?:0|[1-9][0-9]*)$/;

/** A count read from its literal: the nearest double, and the exact value when that is not exact. */
export interface CountValue {
  /** tokens (exact up to 2^53) */
  value: number;
  /** exact tokens when above Number.MAX_SAFE_INTEGER, else null */
  wide: bigint | null;
}

/** The literal text of a parsed number: canonical for a JS number (the fast path), as written for a RawNumber. */
export function literalOf(v: unknown): string | null {
  if (typeof v === "number") return String(v);
  if (v instanceof RawNumber) return v.text;
  return null;
}

/** A count as ccusage's u64 reads it, or null when that read fails (the line is dropped). */
export function countFromLiteral(lit: string): CountValue | null {
  if (!PLAIN_INTEGER.test(lit)) return null;
  if (lit.length > 20 || (lit.length === 20 && lit > U64_MAX_TEXT)) return null;
  const value = Number(lit);
  return { value, wide: value > Number.MAX_SAFE_INTEGER ? BigInt(lit) : null };
}

/**
 * Outcome of locating a usage object's text: the view to read counts from (`plain` when every
 * number in it is a plain integer of at most 15 digits, so the parsed values are exact), or none
 * (its key is spelled with \u escapes).
 */
export type UsageView = { ok: true; usage: Record<string, unknown>; plain: boolean } | { ok: false };

/**
 * A number in value position (after a key's colon, or in an array) written other than as a plain
 * integer of at most 15 digits. Text inside strings can match too; that only costs the slow path.
 */
const SUSPECT_NUMBER = /"[ \t\n\r]*:[ \t\n\r]*(?:-|[0-9]+[.eE]|[0-9]{16})|[[,][ \t\n\r]*(?:-|[0-9]+[.eE]|[0-9]{16})/g;

/**
 * The usage object to read counts from. `parsed` must come from JSON.parse of `line` (or of the
 * line minus its content), and `from` is where the line's first `"usage"` key starts: every usage
 * object lies after it, unless its key is spelled with \u escapes (not looked for).
 */
export function usageView(line: string, parsed: Record<string, unknown>, from: number): UsageView {
  SUSPECT_NUMBER.lastIndex = from;
  if (!SUSPECT_NUMBER.test(line)) return { ok: true, usage: parsed, plain: true };
  // Canonical text (JSON.stringify's) means every number reads back as String(n).
  if (line.includes(`"usage":${JSON.stringify(parsed)}`)) return { ok: true, usage: parsed, plain: false };
  for (const m of line.matchAll(USAGE_KEY)) {
    const r = new RawReader(line, (m.index ?? 0) + m[0].length - 1);
    const raw = r.value();
    if (!r.failed && isRecord(raw) && sameValue(raw, parsed)) return { ok: true, usage: raw, plain: false };
  }
  return { ok: false };
}

const USAGE_KEY = /"usage"[ \t\n\r]*:[ \t\n\r]*\{/g;

/** A JSON object as parsed (the slow path's RawNumber is a number, not an object). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof RawNumber);
}

/** Whether a re-read value is the parsed one (numbers compared as JSON.parse would read them). */
function sameValue(raw: unknown, parsed: unknown): boolean {
  if (raw instanceof RawNumber) return typeof parsed === "number" && Number(raw.text) === parsed;
  if (Array.isArray(raw)) return Array.isArray(parsed) && raw.length === parsed.length && raw.every((v, i) => sameValue(v, parsed[i]));
  if (isRecord(raw)) {
    if (!isRecord(parsed)) return false;
    const keys = Object.keys(raw);
    return keys.length === Object.keys(parsed).length && keys.every((k) => Object.hasOwn(parsed, k) && sameValue(raw[k], parsed[k]));
  }
  return raw === parsed;
}

/**
 * A strict JSON reader for one value inside a line, keeping number literals. It only ever reads a
 * usage object (a few hundred bytes), so simplicity beats speed here. A repeated key keeps its
 * last value, as JSON.parse does.
 */
class RawReader {
  failed = false;
  constructor(
    private readonly s: string,
    private at: number,
  ) {}

  value(): unknown {
    this.ws();
    const c = this.s[this.at];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of WORDS) {
      if (this.s.startsWith(word, this.at)) {
        this.at += word.length;
        return v;
      }
    }
    return this.fail();
  }

  private fail(): undefined {
    this.failed = true;
    this.at = this.s.length;
    return undefined;
  }

  private ws(): void {
    while (this.at < this.s.length) {
      const c = this.s.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.at++;
    }
  }

  private object(): unknown {
    const out: Record<string, unknown> = {};
    this.at++;
    this.ws();
    if (this.s[this.at] === "}") {
      this.at++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.at] !== '"') return this.fail();
      const key = this.string();
      if (this.failed) return undefined;
      this.ws();
      if (this.s[this.at] !== ":") return this.fail();
      this.at++;
      const v = this.value();
      if (this.failed) return undefined;
      // defineProperty: a key named __proto__ must stay data, as JSON.parse keeps it
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.s[this.at++];
      if (c === "}") return out;
      if (c !== ",") return this.fail();
    }
  }

  private array(): unknown {
    const out: unknown[] = [];
    this.at++;
    this.ws();
    if (this.s[this.at] === "]") {
      this.at++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      if (this.failed) return undefined;
      this.ws();
      const c = this.s[this.at++];
      if (c === "]") return out;
      if (c !== ",") return this.fail();
    }
  }

  private string(): string {
    const start = this.at;
    this.at++;
    while (this.at < this.s.length) {
      const c = this.s[this.at];
      if (c === "\\") this.at += 2;
      else if (c === '"') {
        this.at++;
        try {
          return JSON.parse(this.s.slice(start, this.at)) as string;
        } catch {
          this.fail();
          return "";
        }
      } else this.at++;
    }
    this.fail();
    return "";
  }

  private number(): RawNumber | undefined {
    NUMBER.lastIndex = this.at;
    const m = NUMBER.exec(this.s);
    if (m === null) return this.fail();
    this.at += m[0].length;
    return new RawNumber(m[0]);
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORDS: [string, unknown][] = [
  ["true", true],
  ["false", false],
  ["null", null],
];
