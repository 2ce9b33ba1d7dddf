/**
 * What the firmware needs to know about a string field's `pattern`: the longest text it admits
 * (for a fixed buffer) and every character it can contain (a cheap check in C, which has no regex
 * engine). Handles the regex subset zod emits for ISO timestamps; anything else throws so the
 * generator never guesses.
 */

export interface PatternBounds {
  /** shortest match (chars) */
  minLength: number;
  /** longest match (chars); Infinity when a quantifier is unbounded */
  maxLength: number;
  /** every character a match can contain, sorted */
  chars: string;
}

interface Piece {
  min: number;
  max: number;
  chars: Set<string>;
}

const DIGITS = "0123456789";
const WORD = `${DIGITS}ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_`;

class Reader {
  i = 0;
  constructor(readonly src: string) {}
  peek(): string | undefined {
    return this.src[this.i];
  }
  next(): string {
    const c = this.src[this.i++];
    if (c === undefined) throw new Error(`regex ended early: /${this.src}/`);
    return c;
  }
  fail(why: string): never {
    throw new Error(`unsupported regex (${why}) at ${this.i} in /${this.src}/`);
  }
}

function escape(r: Reader, inClass: boolean): string {
  const c = r.next();
  if (c === "d") return DIGITS;
  if (c === "w") return WORD;
  if (/[\\/.\-+*?()[\]{}|^$:]/.test(c)) return c;
  if (inClass && c === "b") r.fail("\\b in a class");
  return r.fail(`escape \\${c}`);
}

function charClass(r: Reader): Set<string> {
  const out = new Set<string>();
  if (r.peek() === "^") r.fail("negated class");
  let prev: string | null = null;
  for (;;) {
    const c = r.next();
    if (c === "]") return out;
    if (c === "\\") {
      for (const ch of escape(r, true)) out.add(ch);
      prev = null;
      continue;
    }
    if (c === "-" && prev !== null && r.peek() !== "]") {
      const to = r.next();
      for (let code = prev.charCodeAt(0) + 1; code <= to.charCodeAt(0); code++) out.add(String.fromCharCode(code));
      prev = null;
      continue;
    }
    out.add(c);
    prev = c;
  }
}

/** Repetition bounds of the quantifier at the reader, [1, 1] when there is none. */
function quantifier(r: Reader): [number, number] {
  const c = r.peek();
  if (c === "?" || c === "*" || c === "+") {
    r.next();
    return c === "?" ? [0, 1] : [c === "*" ? 0 : 1, Infinity];
  }
  if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(r.src.slice(r.i));
    if (m === null) return r.fail("malformed {}");
    r.i += m[0].length;
    const lo = Number(m[1]);
    if (m[2] === undefined) return [lo, lo];
    return [lo, m[3] === "" || m[3] === undefined ? Infinity : Number(m[3])];
  }
  return [1, 1];
}

function alternation(r: Reader): Piece {
  const best: Piece = { min: Infinity, max: 0, chars: new Set() };
  for (;;) {
    const seq = sequence(r);
    best.min = Math.min(best.min, seq.min);
    best.max = Math.max(best.max, seq.max);
    for (const c of seq.chars) best.chars.add(c);
    if (r.peek() !== "|") return best;
    r.next();
  }
}

function sequence(r: Reader): Piece {
  const out: Piece = { min: 0, max: 0, chars: new Set() };
  for (;;) {
    const c = r.peek();
    if (c === undefined || c === "|" || c === ")") return out;
    r.next();
    let atom: Piece;
    if (c === "^" || c === "$") continue;
    if (c === "(") {
      if (r.peek() === "?") {
        r.next();
        if (r.next() !== ":") r.fail("lookaround or named group");
      }
      atom = alternation(r);
      if (r.next() !== ")") r.fail("unclosed group");
    } else if (c === "[") {
      atom = { min: 1, max: 1, chars: charClass(r) };
    } else if (c === "\\") {
      atom = { min: 1, max: 1, chars: new Set(escape(r, false)) };
    } else if (c === ".") {
      return r.fail("'.' matches anything");
    } else {
      atom = { min: 1, max: 1, chars: new Set([c]) };
    }
    const [lo, hi] = quantifier(r);
    out.min += atom.min * lo;
    out.max += atom.max === 0 ? 0 : atom.max * hi;
    for (const ch of atom.chars) out.chars.add(ch);
  }
}

export function patternBounds(pattern: string): PatternBounds {
  const r = new Reader(pattern);
  const p = alternation(r);
  if (r.i !== pattern.length) r.fail("unbalanced ')'");
  return { minLength: p.min, maxLength: p.max, chars: [...p.chars].sort().join("") };
}
