import { decodeLine, NULL_DROP_KEYS, type DecodedLine, type DecodeOptions, type UsageEvent } from "@claude-gauge/core/decode";
import { isJsonSpace, readUsageFields } from "./usage-fields.js";

/**
 * The cold scan's fast path: decodeCandidate's result for a usage line, computed from the read
 * buffer without turning the whole line into a string. Usage lines are mostly message content,
 * which the decoder cuts out before it parses (decode-line.ts, parseUsageLine); here the cut is
 * made on the bytes, and decodeLine runs on the cut line — prefix, first block type, suffix — so
 * every counting rule stays in one place. The cut line decodes exactly as the whole line when the
 * content holds nothing decodeLine looks for in the raw text (a usage key or limit notice, a \u
 * escape, a disqualifying null); otherwise, and whenever the result is not a usage entry or a kept
 * id is not ASCII, it returns null and the caller decodes the whole line as text.
 */

const CONTENT_KEY = Buffer.from('"content":[');
const MESSAGE_KEY = Buffer.from('"message":{');
const CONTENT_END = Buffer.from('],"stop_reason":');
const NULL_WORD = Buffer.from("null");
/** in `"usage"` keys and in "Claude AI usage limit reached" */
const USAGE_WORD = Buffer.from("usage");
const UNICODE_ESCAPE = Buffer.from("\\u");
const TYPE_HEAD = Buffer.from('{"type":"');
/** decodeLine matches the first block's type within this many characters after `"content":[` */
const FIRST_TYPE_WINDOW = 40;

/** any character past "~" (0x7e) */
const NON_ASCII = /[\u007f-\uffff]/;

/**
 * A line decoded from latin1 text keeps its ids right only when they are ASCII; otherwise it must
 * be decoded again as UTF-8.
 */
export function keptIdsAscii(e: UsageEvent): boolean {
  return !(NON_ASCII.test(e.model) || NON_ASCII.test(e.sessionId) || NON_ASCII.test(e.messageId ?? "") || NON_ASCII.test(e.requestId ?? ""));
}

/** Scratch space for the cut line (prefix + first block type + suffix), grown on demand. */
let scratch = Buffer.allocUnsafe(64 << 10);

/**
 * Whether `part` may hold `"<key>":null` (any spacing) for a key decodeLine drops usage lines for;
 * it errs towards yes (escapes and the iterations exemption are left to decodeLine).
 */
function mayHoldDisqualifyingNull(part: Buffer): boolean {
  for (let at = part.indexOf(NULL_WORD); at !== -1; at = part.indexOf(NULL_WORD, at + NULL_WORD.length)) {
    let i = at - 1;
    while (isJsonSpace(part[i])) i--;
    if (part[i] !== 0x3a) continue;
    i--;
    while (isJsonSpace(part[i])) i--;
    if (part[i] !== 0x22) continue;
    const limit = Math.max(0, i - 1 - LONGEST_NULL_KEY);
    let open = i - 1;
    while (open >= limit && part[open] !== 0x22) open--;
    if (open >= limit && NULL_DROP_KEYS.has(part.toString("latin1", open + 1, i))) return true;
  }
  return false;
}

const LONGEST_NULL_KEY = Math.max(...[...NULL_DROP_KEYS].map((k) => k.length));

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

/** `opts` telling decodeLine the content is cut already; one object per scan's options, not per line. */
let lastCut: { from: DecodeOptions; cut: DecodeOptions } | null = null;
function cutOptions(opts: DecodeOptions): DecodeOptions {
  if (lastCut?.from !== opts) lastCut = { from: opts, cut: { ...opts, contentCut: true } };
  return lastCut.cut;
}

/**
 * decodeCandidate's result for a usage line, from its bytes, or null when the caller must decode
 * the line as text (see the file comment for when).
 */
export function decodeUsageBytes(line: Buffer, opts: DecodeOptions): DecodedLine | null {
  const size = cutUsageLine(line);
  if (size < 0) return null;
  // Claude Code's own shape is read from the bytes; anything else is parsed as latin1 text, as
  // decodeCandidate's (JSON.parse is fastest on one-byte strings)
  const d = readUsageFields(scratch, size, opts) ?? decodeLine(scratch.toString("latin1", 0, size), cutOptions(opts));
  if (d.kind !== "usage") return null;
  // decodeCandidate decodes the line again as UTF-8 when a kept id is not ASCII
  return keptIdsAscii(d.event) ? d : null;
}

/**
 * Cuts a usage line's content down to its first block's type, as decodeLine would, into the
 * scratch buffer; the cut line's length, or -1 when the line must be decoded whole as text.
 */
function cutUsageLine(line: Buffer): number {
  const c = line.indexOf(CONTENT_KEY);
  const m = line.indexOf(MESSAGE_KEY);
  const e = lastContentEnd(line);
  if (!(m !== -1 && c > m && e > c)) return -1;
  const typeAt = c + CONTENT_KEY.length;
  // what decodeLine reads in the raw text, anywhere: it must not sit in the content cut out
  const content = line.subarray(typeAt, e);
  if (content.indexOf(USAGE_WORD) !== -1 || content.indexOf(UNICODE_ESCAPE) !== -1 || mayHoldDisqualifyingNull(content)) return -1;
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
  return size;
}

/** The cut line of a usage line (a copy), or null when it is decoded whole (for tests of what reads it). */
export function cutOf(line: Buffer): Buffer | null {
  const size = cutUsageLine(line);
  return size < 0 ? null : Buffer.from(scratch.subarray(0, size));
}
