import {
  blockTypeKind,
  NULL_DROP_KEYS,
  SEMVER_PREFIX,
  parseTimestamp,
  type DecodedLine,
  type DecodeOptions,
  type Speed,
  type TurnSignalKind,
  type UsageEvent,
} from "@claude-gauge/core/decode";

/**
 * decodeLine's result for a cut usage line (see usage-bytes.ts) in Claude Code's own shape, read
 * from its bytes without JSON.parse: one pass that checks the whole line's JSON syntax and keeps
 * only the byte ranges of the fields a usage entry needs, so no object is built for the rest and
 * no string but the kept ids. It declines (null) whatever is not plainly that shape — an escape
 * in a kept string or a key, a `\u` anywhere, a repeated field, a type ccusage would refuse, a
 * count not written as a plain integer of at most 15 digits, any number written with a sign,
 * fraction or exponent, a null under a key ccusage drops lines for (at any depth: its rule is on
 * the raw text), a limit notice, a logged cost, an advisor iteration —
 * and the caller parses the line as before. The fuzzed comparison with decodeLine in
 * usage-bytes.test.ts is what keeps the two equal.
 */

const NONE = 0;
const STRING = 1;
const NUMBER = 2;
const TRUE = 3;
const FALSE = 4;
const NULL = 5;
/** an object or an array */
const OTHER = 6;

/** Where one wanted value sits: its kind and bytes (a string's without its quotes). */
interface Slot {
  kind: number;
  start: number;
  end: number;
  /** the members read inside it when it is an object (set once, below) */
  nested: Names | null;
}

const slot = (): Slot => ({ kind: NONE, start: 0, end: 0, nested: null });

// One line at a time (a scan is synchronous): the line and what was found in it live here.
let b: Buffer = Buffer.alloc(0);
let end = 0;
/** the line is not one this reader answers for */
let declined = false;
/** the last string read held a backslash */
let escaped = false;

const top = {
  sessionId: slot(),
  version: slot(),
  isApiErrorMessage: slot(),
  requestId: slot(),
  isSidechain: slot(),
  costUSD: slot(),
  timestamp: slot(),
  message: slot(),
  data: slot(),
};
/** `data` of a progress line */
const data = { message: slot() };
/** `data.message` of a progress line: an agent's assistant line nested in its parent's log */
const inner = { requestId: slot(), isSidechain: slot(), costUSD: slot(), timestamp: slot(), message: slot() };
const msg = { id: slot(), model: slot(), content: slot(), usage: slot() };
const use = {
  input_tokens: slot(),
  output_tokens: slot(),
  cache_creation_input_tokens: slot(),
  cache_read_input_tokens: slot(),
  cache_creation: slot(),
  speed: slot(),
  iterations: slot(),
};
const split = { ephemeral_5m_input_tokens: slot(), ephemeral_1h_input_tokens: slot() };
/** the first content block's type */
const block = { type: slot() };

const ALL_SLOTS = [top, data, inner, msg, use, split, block].flatMap((o) => Object.values(o));

const name = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/**
 * The wanted members of one object by key length (most keys are ruled out by it): per length,
 * the keys and their slots side by side.
 */
type Names = readonly ({ keys: Uint8Array[]; firsts: number[]; slots: Slot[] } | undefined)[];
function names(o: Record<string, Slot>): Names {
  const byLength: { keys: Uint8Array[]; firsts: number[]; slots: Slot[] }[] = [];
  for (const [k, s] of Object.entries(o)) {
    const at = byLength[k.length] ?? { keys: [], firsts: [], slots: [] };
    byLength[k.length] = at;
    at.keys.push(name(k));
    at.firsts.push(k.charCodeAt(0));
    at.slots.push(s);
  }
  return byLength;
}
const TOP = names(top);
const DATA = names(data);
const INNER = names(inner);
const MESSAGE = names(msg);
const USAGE = names(use);
const SPLIT = names(split);
const BLOCK = names(block);
// the members read inside a wanted member that is an object
top.message.nested = MESSAGE;
top.data.nested = DATA;
data.message.nested = INNER;
inner.message.nested = MESSAGE;
msg.usage.nested = USAGE;
use.cache_creation.nested = SPLIT;
const NULL_KEYS = [...NULL_DROP_KEYS].map(name);

/** Whether b[from, to) spells a key ccusage drops lines for when it holds null. */
function isNullKey(from: number, to: number): boolean {
  for (const w of NULL_KEYS) if (same(w, from, to)) return true;
  return false;
}

/** nesting beyond this is left to JSON.parse */
const MAX_DEPTH = 64;

/** JSON's white space (a byte past either end of a buffer is none) */
export const isJsonSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

function ws(i: number): number {
  // Claude Code writes none: one test, then the loop only for hand-made lines
  if (i >= end || b[i]! > 0x20) return i;
  while (i < end && isJsonSpace(b[i])) i++;
  return i;
}

/** A string at `i` (its opening quote); the offset after its closing quote, or -1 when it is not valid JSON. */
function str(i: number): number {
  escaped = false;
  const buf = b;
  const n = end;
  for (i++; i < n; i++) {
    const c = buf[i]!;
    if (c > 0x22 && c !== 0x5c) continue;
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c !== 0x5c) continue;
    escaped = true;
    const e = b[++i];
    if (e === 0x75) {
      // \u: a lone surrogate is an error for ccusage, decided on the text (decodeLine's rule)
      declined = true;
      if (!(i + 4 < end && isHex(b[i + 1]!) && isHex(b[i + 2]!) && isHex(b[i + 3]!) && isHex(b[i + 4]!))) return -1;
      i += 4;
    } else if (!(e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) return -1;
  }
  return -1;
}

/** A number at `i`; the offset after it, or -1. Anything but a plain integer of ≤ 15 digits declines the line. */
function num(i: number): number {
  const start = i;
  if (b[i] === 0x2d) {
    declined = true;
    i++;
  }
  if (b[i] === 0x30) i++;
  else if (i < end && b[i]! >= 0x31 && b[i]! <= 0x39) while (i < end && isDigit(b[i]!)) i++;
  else return -1;
  if (b[i] === 0x2e) {
    declined = true;
    i++;
    if (!(i < end && isDigit(b[i]!))) return -1;
    while (i < end && isDigit(b[i]!)) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    declined = true;
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (!(i < end && isDigit(b[i]!))) return -1;
    while (i < end && isDigit(b[i]!)) i++;
  }
  if (i - start > 15) declined = true;
  return i;
}

function word(i: number, w: Uint8Array): number {
  if (i + w.length > end) return -1;
  for (let k = 0; k < w.length; k++) if (b[i + k] !== w[k]) return -1;
  return i + w.length;
}
const W_TRUE = name("true");
const W_FALSE = name("false");
const W_NULL = name("null");

/**
 * A value at `i` (after white space); the offset after it, or -1 when the line is not valid JSON
 * there. Into `into` goes its kind and bytes; an object is read against `names` when given.
 */
function value(i: number, depth: number, into: Slot | null, names: Names | null): number {
  const c = b[i];
  let kind: number;
  let start = i;
  let stop: number;
  if (c === 0x22) {
    kind = STRING;
    stop = str(i);
    start = i + 1;
    if (into !== null && escaped) declined = true;
  } else if (c === 0x7b) {
    kind = OTHER;
    stop = object(i, depth + 1, names);
  } else if (c === 0x5b) {
    kind = OTHER;
    stop = array(i, depth + 1, into === msg.content);
  } else if (c === 0x74) {
    kind = TRUE;
    stop = word(i, W_TRUE);
  } else if (c === 0x66) {
    kind = FALSE;
    stop = word(i, W_FALSE);
  } else if (c === 0x6e) {
    kind = NULL;
    stop = word(i, W_NULL);
  } else if (c === 0x2d || (c !== undefined && isDigit(c))) {
    kind = NUMBER;
    stop = num(i);
  } else return -1;
  if (into !== null && stop !== -1) {
    if (into.kind !== NONE) declined = true; // a repeated field: JSON.parse keeps the last, left to it
    into.kind = kind;
    into.start = start;
    into.end = kind === STRING ? stop - 1 : stop;
  }
  return stop;
}

const same = (w: Uint8Array, from: number, to: number): boolean => {
  if (w.length !== to - from) return false;
  for (let k = 0; k < w.length; k++) if (b[from + k] !== w[k]) return false;
  return true;
};

function slotOf(names: Names | null, from: number, to: number): Slot | null {
  const alike = names === null ? undefined : names[to - from];
  if (alike === undefined) return null;
  // most keys of the same length differ in their first byte
  const first = b[from];
  for (let k = 0; k < alike.keys.length; k++) if (alike.firsts[k] === first && same(alike.keys[k]!, from, to)) return alike.slots[k]!;
  return null;
}

/** The object at `i`; its wanted members go to the slots of `names`. */
function object(i: number, depth: number, names: Names | null): number {
  if (depth > MAX_DEPTH) {
    declined = true;
    return -1;
  }
  i = ws(i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    if (b[i] !== 0x22) return -1;
    const keyStart = i;
    const keyEnd = str(i);
    if (keyEnd === -1) return -1;
    // an escaped key may spell a wanted one
    if (escaped && names !== null) declined = true;
    const into = escaped ? null : slotOf(names, i + 1, keyEnd - 1);
    i = ws(keyEnd);
    if (b[i] !== 0x3a) return -1;
    i = ws(i + 1);
    const at = i;
    i = value(i, depth, into, into === null ? null : into.nested);
    if (i === -1) return -1;
    if (b[at] === 0x6e && isNullKey(keyStart + 1, keyEnd - 1)) declined = true;
    i = ws(i);
    if (b[i] === 0x7d) return i + 1;
    if (b[i] !== 0x2c) return -1;
    i = ws(i + 1);
  }
}

/** The array at `i`; for the message content, its first element is read for the block type. */
function array(i: number, depth: number, content: boolean): number {
  if (depth > MAX_DEPTH) {
    declined = true;
    return -1;
  }
  i = ws(i + 1);
  if (b[i] === 0x5d) return i + 1;
  for (let first = content; ; first = false) {
    i = value(i, depth, null, first ? BLOCK : null);
    if (i === -1) return -1;
    i = ws(i);
    if (b[i] === 0x5d) return i + 1;
    if (b[i] !== 0x2c) return -1;
    i = ws(i + 1);
  }
}

const text = (s: Slot) => b.toString("latin1", s.start, s.end);

/** A kept string: absent or null is null, a string is itself; anything else, or not ASCII, declines. */
function keptString(s: Slot): string | null {
  if (s.kind === NONE || s.kind === NULL) return null;
  if (s.kind !== STRING) {
    declined = true;
    return null;
  }
  const buf = b;
  for (let i = s.start; i < s.end; i++) if (buf[i]! >= 0x80) declined = true;
  if (s.end === s.start) declined = true; // ccusage skips lines with an empty id (decodeLine says so)
  return text(s);
}

/** A count: absent is 0 (or declines when `required`), a plain integer is its value; anything else declines. */
function count(s: Slot, required: boolean): number {
  if (s.kind === NONE && !required) return 0;
  if (s.kind !== NUMBER) {
    declined = true;
    return 0;
  }
  let v = 0;
  for (let i = s.start; i < s.end; i++) v = v * 10 + (b[i]! - 0x30);
  return v;
}

/** A boolean field: absent or null is false. */
function flag(s: Slot): boolean {
  if (s.kind === TRUE) return true;
  if (!(s.kind === NONE || s.kind === NULL || s.kind === FALSE)) declined = true;
  return false;
}

const isObject = (x: Slot): boolean => x.kind === OTHER && b[x.start] === 0x7b;

const blockKind = (): TurnSignalKind | null => (block.type.kind === STRING ? blockTypeKind(text(block.type)) : null);

const ADVISOR = name('"advisor_message"');

const holds = (w: Uint8Array): boolean => b.subarray(0, end).indexOf(w) !== -1;

/**
 * decodeLine's result for `line[0, size)`, a cut usage line (decodeLine's with contentCut), or
 * null when the line is not one this reader answers for.
 */
export function readUsageFields(line: Buffer, size: number, opts: DecodeOptions): DecodedLine | null {
  if (opts.project === undefined) return null;
  b = line;
  end = size;
  declined = false;
  for (const s of ALL_SLOTS) s.kind = NONE;
  const i = ws(0);
  if (b[i] !== 0x7b) return null;
  const stop = object(i, 1, TOP);
  if (stop === -1 || declined || ws(stop) !== end) return null;
  // a line of the main conversation, or a progress line's nested one (decodeObject's two shapes)
  const progress = top.message.kind === NONE;
  if (progress ? !(isObject(top.data) && isObject(data.message) && isObject(inner.message)) : !isObject(top.message)) return null;
  if (!isObject(msg.usage)) return null;
  const at = progress ? inner : top;
  // a limit notice or a logged cost: the general path
  if (top.isApiErrorMessage.kind === TRUE || !(at.costUSD.kind === NONE || at.costUSD.kind === NULL)) return null;
  if (!progress && use.iterations.kind !== NONE && use.iterations.kind !== NULL && holds(ADVISOR)) return null;
  if (at.timestamp.kind !== STRING) return null;
  const timestamp = parseTimestamp(text(at.timestamp));
  if (timestamp === null) return null;
  const version = top.version.kind === STRING ? text(top.version) : null;
  if (!(top.version.kind === NONE || top.version.kind === NULL || (version !== null && SEMVER_PREFIX.test(version)))) return null;
  const sid = keptString(top.sessionId);
  const requestId = keptString(at.requestId);
  const messageId = keptString(msg.id);
  const model = keptString(msg.model);
  const isSidechain = flag(at.isSidechain);
  flag(top.isApiErrorMessage);
  const input = count(use.input_tokens, true);
  const output = count(use.output_tokens, true);
  const flat = count(use.cache_creation_input_tokens, false);
  const cacheRead = count(use.cache_read_input_tokens, false);
  let m5 = flat;
  let h1 = 0;
  if (use.cache_creation.kind === OTHER) {
    if (b[use.cache_creation.start] !== 0x7b) return null; // the [5m, 1h] array form
    m5 = count(split.ephemeral_5m_input_tokens, false);
    h1 = count(split.ephemeral_1h_input_tokens, false);
  } else if (use.cache_creation.kind !== NONE && use.cache_creation.kind !== NULL) return null;
  let speed: Speed | null = null;
  if (use.speed.kind === STRING) {
    const s = text(use.speed);
    if (s !== "standard" && s !== "fast") return null;
    speed = s;
  } else if (use.speed.kind !== NONE && use.speed.kind !== NULL) return null;
  if (declined) return null;
  const kind = blockKind();
  const sessionId = sid ?? opts.sessionId ?? "";
  const event: UsageEvent = {
    timestamp,
    messageId,
    requestId,
    model: model ?? "",
    sessionId,
    fileSession: opts.sessionId ?? sessionId,
    project: opts.project,
    isSidechain,
    progress,
    loggedCostUsd: null,
    speed,
    thinking: kind === "thinking",
    input,
    output,
    cacheCreation: m5 + h1,
    cacheRead,
    cacheCreation5m: m5,
    cacheCreation1h: h1,
  };
  return { kind: "usage", event, signal: kind === null || progress ? null : { timestamp, sessionId, kind }, limit: null, extras: [] };
}
