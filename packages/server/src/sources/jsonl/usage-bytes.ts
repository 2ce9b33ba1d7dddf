import { decodeObject, type DecodedLine, type DecodeOptions } from "@claude-gauge/core";

/**
 * The cold scan's fast path: decodeCandidate's result for a usage line, computed from the read
 * buffer without turning the whole line into a string. Usage lines are mostly message content,
 * which the decoder cuts out before JSON.parse anyway (decode-line.ts, parseUsageLine); here the
 * cut is made on the bytes, so only the few hundred bytes around the content are decoded and
 * parsed, and the object goes to decodeObject, so every counting rule stays in one place.
 * Whenever the line is not plainly the common shape (a null that might disqualify it, no cut
 * point, a syntax error, a limit notice, a kept id that is not ASCII) it returns null and the
 * caller decodes the line as text.
 */

const CONTENT_KEY = Buffer.from('"content":[');
const MESSAGE_KEY = Buffer.from('"message":{');
const CONTENT_END = Buffer.from('],"stop_reason":');
// Searched from its colon: the quote before it is the commonest byte in JSON (a slow search start).
const NULL_VALUE = Buffer.from(":null");
const TYPE_HEAD = Buffer.from('{"type":"');
/** decodeLine matches the first block's type within this many characters after `"content":[` */
const FIRST_TYPE_WINDOW = 40;

/** decodeLine drops a usage line holding `"<key>":null` for these keys; such lines take the slow path. */
const NULL_KEYS = new Set([
  "id",
  "cwd",
  "model",
  "speed",
  "costUSD",
  "version",
  "sessionId",
  "requestId",
  "isApiErrorMessage",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
]);

const NON_ASCII = /[^\x00-\x7e]/;

/** Scratch space for the cut line (prefix + first block type + suffix), grown on demand. */
let scratch = Buffer.allocUnsafe(64 << 10);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function hasUsageShape(obj: Record<string, unknown>): boolean {
  const message = obj["message"];
  if (isObject(message) && isObject(message["usage"])) return true;
  const data = obj["data"];
  const nested = isObject(data) ? data["message"] : undefined;
  return isObject(nested) && isObject(nested["message"]) && isObject(nested["message"]["usage"]);
}

/**
 * Whether the line holds `"<key>":null` for a key decodeLine drops lines for (wherever it sits;
 * decodeLine's finer reading of escapes and of the iterations exemption is left to it).
 */
function mayHoldDisqualifyingNull(line: Buffer): boolean {
  for (let at = line.indexOf(NULL_VALUE, 2); at !== -1; at = line.indexOf(NULL_VALUE, at + NULL_VALUE.length)) {
    const close = at - 1;
    if (line[close] !== 0x22) continue;
    const limit = Math.max(0, close - 1 - LONGEST_NULL_KEY);
    let open = close - 1;
    while (open >= limit && line[open] !== 0x22) open--;
    if (open >= limit && NULL_KEYS.has(line.toString("latin1", open + 1, close))) return true;
  }
  return false;
}

const LONGEST_NULL_KEY = Math.max(...[...NULL_KEYS].map((k) => k.length));

/**
 * decodeLine cuts at the last `],"stop_reason":` of the line. Claude Code writes it a few hundred
 * bytes before the end, so it is looked for backwards over the tail only; -1 when it is not in
 * that tail (the caller then leaves the line to decodeLine).
 */
function lastContentEnd(line: Buffer): number {
  const first = CONTENT_END[0]!;
  const stop = Math.max(0, line.length - CONTENT_END_WINDOW);
  outer: for (let i = line.length - CONTENT_END.length; i >= stop; i--) {
    if (line[i] !== first) continue;
    for (let k = 1; k < CONTENT_END.length; k++) if (line[i + k] !== CONTENT_END[k]) continue outer;
    return i;
  }
  return -1;
}

/** bytes from the line's end searched for the content's end */
const CONTENT_END_WINDOW = 8192;

/** Length of the first block's type name after `"content":[` (decodeLine's FIRST_TYPE), or -1. */
function firstTypeLength(line: Buffer, at: number): number {
  const window = Math.min(line.length, at + FIRST_TYPE_WINDOW);
  if (at + TYPE_HEAD.length > window) return -1;
  for (let i = 0; i < TYPE_HEAD.length; i++) if (line[at + i] !== TYPE_HEAD[i]) return -1;
  let i = at + TYPE_HEAD.length;
  const nameStart = i;
  while (i < window && ((line[i]! >= 0x61 && line[i]! <= 0x7a) || line[i] === 0x5f)) i++;
  if (i === nameStart || i >= window || line[i] !== 0x22) return -1;
  return i - nameStart;
}

/**
 * decodeLine's result for a line that holds the usage marker, computed from its bytes, or null
 * when the caller must decode the line as text (see the file comment for when).
 */
export function decodeUsageBytes(line: Buffer, opts: DecodeOptions): DecodedLine | null {
  if (mayHoldDisqualifyingNull(line)) return null;
  const c = line.indexOf(CONTENT_KEY);
  const m = line.indexOf(MESSAGE_KEY);
  const e = lastContentEnd(line);
  if (!(m !== -1 && c > m && e > c)) return null;
  const typeAt = c + CONTENT_KEY.length;
  const typeLen = firstTypeLength(line, typeAt);
  // prefix + `"content":[` + `{"type":"<first>"}` + `],"stop_reason":…`
  const head = typeLen < 0 ? 0 : TYPE_HEAD.length + typeLen + 2;
  const size = typeAt + head + (line.length - e);
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  line.copy(scratch, 0, 0, typeAt);
  if (typeLen >= 0) {
    line.copy(scratch, typeAt, typeAt, typeAt + TYPE_HEAD.length + typeLen + 1);
    scratch[typeAt + head - 1] = 0x7d; // }
  }
  line.copy(scratch, typeAt + head, e);
  let obj: unknown;
  try {
    // latin1, as decodeCandidate's text: JSON.parse is fastest on one-byte strings
    obj = JSON.parse(scratch.toString("latin1", 0, size));
  } catch {
    return null;
  }
  // decodeLine parses the whole line for these (limit notices need their text).
  if (!isObject(obj) || obj["isApiErrorMessage"] === true || !hasUsageShape(obj)) return null;
  const d = decodeObject(obj, true, opts);
  if (d.kind === "usage") {
    // decodeCandidate decodes the line again as UTF-8 when a kept id is not ASCII
    const e = d.event;
    if (NON_ASCII.test(e.model) || NON_ASCII.test(e.sessionId) || NON_ASCII.test(e.messageId ?? "") || NON_ASCII.test(e.requestId ?? "")) return null;
  }
  return d;
}
