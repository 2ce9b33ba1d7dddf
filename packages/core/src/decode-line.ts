import { parseTimestamp } from "./timestamp.js";
import type { LimitNotice, Speed, TurnSignal, TurnSignalKind, UsageEvent, WideCounts } from "./usage-event.js";
import { countFromLiteral, isRecord, literalOf, U64_MAX, usageView, type CountValue } from "./usage-literals.js";

/**
 * One transcript line, reduced to what the gauges need. Message text never leaves this function:
 * only counts, ids, model names, timestamps and block types are copied out, and errors name a
 * field and what is wrong with it, never its value.
 */
export type DecodedLine =
  | {
      kind: "usage";
      event: UsageEvent;
      signal: TurnSignal | null;
      limit: LimitNotice | null;
      /** advisor iterations of the same API call, each its own entry (ccusage 20 counts them so) */
      extras: UsageEvent[];
    }
  | { kind: "signal"; signal: TurnSignal }
  | { kind: "limit"; limit: LimitNotice }
  | { kind: "skip" }
  | { kind: "error"; error: string };

/** Compact-JSON key that every usage-bearing line contains (Claude Code never pretty-prints). */
export const USAGE_MARKER = '"usage":{';
/** ccusage's limit notice marker; the reset (unix seconds) follows the first `|` after it. */
const LIMIT_MARKER = "Claude AI usage limit reached";
const INTERRUPT_TEXT = "[Request interrupted by user";

export interface DecodeOptions {
  /** also decode user/assistant lines without usage into turn signals (live tail); default false */
  signals?: boolean;
  /** project folder the file lives in; used when the line carries no cwd */
  project?: string;
  /** the session the file belongs to (from its path); used when the line carries none */
  sessionId?: string;
  /**
   * the caller already cut the message content down to its first block's type, as
   * parseUsageLine would (a scanner that cuts on bytes): cutting it again gives the same text
   */
  contentCut?: boolean;
}

/**
 * ccusage drops a usage line whose raw text holds `"<key>":null` (or `"<key>" : null`) for any of
 * these keys, anywhere in the line; we drop the same lines so totals stay equal
 * (docs/ccusage-semantics.md §2). Exported for scanners that pre-filter raw bytes.
 */
export const NULL_DROP_KEYS: ReadonlySet<string> = new Set([
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
/** ccusage skips a line whose version does not start so (exported for scanners that read bytes) */
export const SEMVER_PREFIX = /^\d+\.\d+\.\d+/;

const isJsonSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Whether the raw line holds `"<key>":null` (JSON whitespace allowed around the colon) for a key above. */
function hasDisqualifyingNull(line: string): boolean {
  for (let at = line.indexOf("null"); at !== -1; at = line.indexOf("null", at + 4)) {
    let i = at - 1;
    while (i >= 0 && isJsonSpace(line.charCodeAt(i))) i--;
    if (line.charCodeAt(i) !== 58) continue; // not after a colon: not a member's value
    i--;
    while (i >= 0 && isJsonSpace(line.charCodeAt(i))) i--;
    // the key's closing quote; an escaped one is text inside a string
    if (line.charCodeAt(i) !== 34 || line.charCodeAt(i - 1) === 92) continue;
    const open = line.lastIndexOf('"', i - 1);
    if (open < 0 || line.charCodeAt(open - 1) === 92) continue;
    const key = line.slice(open + 1, i);
    if (!NULL_DROP_KEYS.has(key)) continue;
    // `"model":null` inside usage.iterations[] is exempt.
    if (key === "model") {
      const it = line.lastIndexOf('"iterations":[', at);
      if (it !== -1 && line.indexOf("]", it) > at) continue;
    }
    return true;
  }
  return false;
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * ccusage's JSON parser rejects an escaped UTF-16 surrogate that is not half of a pair (`\ud83d`
 * alone: Claude Code writes one when it cuts text inside an emoji), anywhere in the line.
 */
function hasLoneSurrogateEscape(line: string): boolean {
  if (!line.includes("\\u") || !SURROGATE_ESCAPE.test(line)) return false;
  // In valid JSON every backslash starts an escape, so stepping escape by escape stays aligned.
  for (let i = line.indexOf("\\"); i !== -1; i = line.indexOf("\\", i)) {
    if (line[i + 1] !== "u") {
      i += 2;
      continue;
    }
    const code = Number.parseInt(line.slice(i + 2, i + 6), 16);
    if (code >= 0xdc00 && code <= 0xdfff) return true;
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = line[i + 6] === "\\" && line[i + 7] === "u" ? Number.parseInt(line.slice(i + 8, i + 12), 16) : Number.NaN;
      if (!(low >= 0xdc00 && low <= 0xdfff)) return true;
      i += 12;
      continue;
    }
    i += 6;
  }
  return false;
}

type Json = Record<string, unknown>;

function firstBlockKind(content: unknown): TurnSignalKind | null {
  if (!Array.isArray(content) || content.length === 0) return null;
  const block: unknown = content[0];
  return isRecord(block) ? blockTypeKind(block["type"]) : null;
}

/** What a content block's `type` says of a turn (exported for scanners that read the type from bytes). */
export function blockTypeKind(type: unknown): TurnSignalKind | null {
  switch (type) {
    case "thinking":
    case "redacted_thinking":
      return "thinking";
    case "tool_use":
    case "server_tool_use":
      return "tool_use";
    case "text":
      return "text";
    default:
      return null;
  }
}

function timeOf(v: unknown): number | null {
  return typeof v === "string" ? parseTimestamp(v) : null;
}

const CONTENT_KEY = '"content":[';
const CONTENT_END = '],"stop_reason":';
const FIRST_TYPE = /^\{"type":"([a-z_]+)"/;

/**
 * Parses a usage line without its message content (most of its bytes, and none of what we keep
 * but the first block's type). Claude Code writes `stop_reason` right after `content`; when the
 * line is shaped otherwise, or the cut text does not give a message with usage, the whole line is
 * parsed instead, so the result is always what JSON.parse of the line would yield for our fields.
 */
function parseUsageLine(line: string): unknown {
  const c = line.indexOf(CONTENT_KEY);
  const m = line.indexOf('"message":{');
  // The content's end is searched from the line's end: the usage tail after it is short.
  const e = line.lastIndexOf(CONTENT_END);
  if (m !== -1 && c > m && e > c) {
    const first = FIRST_TYPE.exec(line.slice(c + CONTENT_KEY.length, c + CONTENT_KEY.length + 40))?.[1];
    const head = first === undefined ? CONTENT_KEY : `${CONTENT_KEY}{"type":"${first}"}`;
    try {
      const obj: unknown = JSON.parse(line.slice(0, c) + head + line.slice(e));
      if (isRecord(obj) && hasUsageShape(obj)) return obj;
    } catch {
      // fall through to the full parse
    }
  }
  return JSON.parse(line);
}

function hasUsageShape(obj: Json): boolean {
  const message = obj["message"];
  if (isRecord(message) && isRecord(message["usage"])) return true;
  const data = obj["data"];
  const nested = isRecord(data) ? data["message"] : undefined;
  return isRecord(nested) && isRecord(nested["message"]) && isRecord(nested["message"]["usage"]);
}

/**
 * Claude's reset time from a limit notice, by ccusage's rule: in the raw line, the digits after
 * the first `|` that follows "Claude AI usage limit reached", as unix seconds > 0. Resets past
 * 2^53 ms (year ~287,000) are ignored: no clock or calendar here can hold them exactly.
 */
function limitReset(line: string): number | null {
  const at = line.indexOf(LIMIT_MARKER);
  if (at < 0) return null;
  const bar = line.indexOf("|", at + LIMIT_MARKER.length);
  if (bar < 0) return null;
  let end = bar + 1;
  while (end < line.length && line.charCodeAt(end) >= 48 && line.charCodeAt(end) <= 57) end++;
  const seconds = Number(line.slice(bar + 1, end));
  if (end === bar + 1 || !(seconds > 0) || seconds > Number.MAX_SAFE_INTEGER / 1000) return null;
  return seconds * 1000;
}

function userSignal(message: unknown): TurnSignalKind | null {
  if (!isRecord(message)) return null;
  const content = message["content"];
  if (typeof content === "string") return content.startsWith(INTERRUPT_TEXT) ? "interrupt" : "prompt";
  if (!Array.isArray(content) || content.length === 0) return null;
  const block: unknown = content[0];
  if (!isRecord(block)) return null;
  if (block["type"] === "tool_result") return "tool_result";
  if (block["type"] === "text" && typeof block["text"] === "string") {
    return block["text"].startsWith(INTERRUPT_TEXT) ? "interrupt" : "prompt";
  }
  return null;
}

/**
 * Decodes one JSONL line. Lines that cannot carry usage are rejected by a substring test before any
 * parse (unless `signals` is on, when user lines are parsed for the turn state).
 * Errors name the field; the caller adds file:line.
 */
export function decodeLine(line: string, opts: DecodeOptions = {}): DecodedLine {
  // The first "usage" key, however spaced, is where the count check of the usage objects starts.
  const usageKeyAt = line.indexOf('"usage"');
  const hasUsage = usageKeyAt !== -1 && (line.startsWith(":{", usageKeyAt + 7) || line.includes(USAGE_MARKER, usageKeyAt + 7));
  if (!hasUsage && !line.includes(LIMIT_MARKER) && !(opts.signals && (line.includes('"type":"user"') || line.includes('"type":"assistant"')))) {
    return { kind: "skip" };
  }
  if (hasUsage && hasDisqualifyingNull(line)) return { kind: "skip" };
  let obj: unknown;
  try {
    obj = hasUsage && !opts.contentCut ? parseUsageLine(line) : JSON.parse(line);
  } catch {
    const trimmed = line.trim();
    if (trimmed === "") return { kind: "skip" };
    return { kind: "error", error: `malformed JSON (${line.length} bytes)` };
  }
  if (!isRecord(obj)) return { kind: "error", error: "line is not a JSON object" };
  if (hasUsage && hasLoneSurrogateEscape(line)) return { kind: "error", error: "unpaired UTF-16 surrogate escape" };
  return decodeObject({ text: line, usageKeyAt }, obj, hasUsage, opts);
}

/** The raw line and where its first `"usage"` key starts (for the count literal check). */
interface RawLine {
  text: string;
  usageKeyAt: number;
}

/** Where a usage line keeps what ccusage reads: a direct line, or a progress line's nested message. */
interface UsageParts {
  /** the line itself (its sessionId is the entry's) */
  outer: Json;
  /** the object holding timestamp, ids and costUSD: the line, or `data.message` of a progress line */
  inner: Json;
  message: Json;
  usage: Json;
  progress: boolean;
}

/** ccusage's types for the fields it reads: a wrong type drops the line; null counts as absent. */
const isString = (v: unknown): boolean => v === undefined || v === null || typeof v === "string";
const isBool = (v: unknown): boolean => v === undefined || v === null || typeof v === "boolean";
const isFiniteNumber = (v: unknown): boolean => v === undefined || v === null || (typeof v === "number" && Number.isFinite(v));

function fieldTypeError(p: UsageParts): string | null {
  if (!isString(p.outer["sessionId"])) return "sessionId: expected a string";
  // a progress line's nested message has no version or isApiErrorMessage in ccusage's reading
  if (!p.progress && !isString(p.inner["version"])) return "version: expected a string";
  if (!p.progress && !isBool(p.inner["isApiErrorMessage"])) return "isApiErrorMessage: expected a boolean";
  if (!isString(p.inner["requestId"])) return "requestId: expected a string";
  if (!isBool(p.inner["isSidechain"])) return "isSidechain: expected a boolean";
  if (!isFiniteNumber(p.inner["costUSD"])) return "costUSD: expected a finite number";
  if (!isString(p.message["model"])) return "message.model: expected a string";
  if (!isString(p.message["id"])) return "message.id: expected a string";
  return null;
}

/** ccusage's validity rules for fields it does not count: an empty id or a non-semver version drops the line. */
function invalidIdentity(p: UsageParts): boolean {
  const version = p.progress ? undefined : p.inner["version"];
  if (typeof version === "string" && !SEMVER_PREFIX.test(version)) return true;
  for (const v of [p.outer["sessionId"], p.inner["requestId"], p.message["id"], p.message["model"]]) if (v === "") return true;
  return false;
}

/** A count in tokens: a number when exact, the CountValue when above 2^53 − 1. */
type Count = number | CountValue;

const countNumber = (c: Count): number => (typeof c === "number" ? c : c.value);
const bigOf = (c: Count): bigint => (typeof c === "number" ? BigInt(c) : (c.wide ?? BigInt(c.value)));

/**
 * One count as ccusage's u64 reads it; null when that read fails (ccusage drops the line).
 * `plain`: every number of the usage object is written as a plain integer of at most 15 digits
 * (see usageView), so a parsed number is its literal.
 */
function countAt(v: unknown, required: boolean, plain: boolean): Count | null {
  if (v === undefined) return required ? null : 0;
  if (plain && typeof v === "number") return v;
  const lit = literalOf(v);
  const c = lit === null ? null : countFromLiteral(lit);
  return c === null ? null : c.wide === null ? c.value : c;
}

/** Counts of one usage object (message.usage or an iteration), by the u64 rules. */
interface UsageCounts {
  input: Count;
  output: Count;
  cacheRead: Count;
  cacheCreation5m: Count;
  cacheCreation1h: Count;
  speed: Speed | null;
}

const COUNT_PROBLEM = ": expected an integer in 0..2^64−1";

/** Reads the counts; an error names the field (and never its value). */
function usageCounts(usage: Json, path: string, plain: boolean): UsageCounts | string {
  const input = countAt(usage["input_tokens"], true, plain);
  if (input === null) return `${path}.input_tokens${usage["input_tokens"] === undefined ? ": missing" : COUNT_PROBLEM}`;
  const output = countAt(usage["output_tokens"], true, plain);
  if (output === null) return `${path}.output_tokens${usage["output_tokens"] === undefined ? ": missing" : COUNT_PROBLEM}`;
  const flat = countAt(usage["cache_creation_input_tokens"], false, plain);
  if (flat === null) return `${path}.cache_creation_input_tokens${COUNT_PROBLEM}`;
  const cacheRead = countAt(usage["cache_read_input_tokens"], false, plain);
  if (cacheRead === null) return `${path}.cache_read_input_tokens${COUNT_PROBLEM}`;
  const rawSpeed = usage["speed"];
  if (rawSpeed !== undefined && rawSpeed !== null && rawSpeed !== "standard" && rawSpeed !== "fast") {
    return `${path}.speed: expected "standard" or "fast"`;
  }
  const speed: Speed | null = rawSpeed === "standard" || rawSpeed === "fast" ? rawSpeed : null;
  // With a TTL split, the split is the count (ccusage ignores the flat total then, even when they
  // disagree); without one every write is a 5 min write. serde also reads the split as a
  // [5m, 1h] array.
  const split = usage["cache_creation"];
  if (split === undefined || split === null) return { input, output, cacheRead, cacheCreation5m: flat, cacheCreation1h: 0, speed };
  let m5: unknown;
  let h1: unknown;
  if (isRecord(split)) {
    m5 = split["ephemeral_5m_input_tokens"];
    h1 = split["ephemeral_1h_input_tokens"];
  } else if (Array.isArray(split) && split.length <= 2) {
    [m5, h1] = split;
  } else return `${path}.cache_creation: expected an object`;
  const c5 = countAt(m5, false, plain);
  if (c5 === null) return `${path}.cache_creation.ephemeral_5m_input_tokens${COUNT_PROBLEM}`;
  const c1 = countAt(h1, false, plain);
  if (c1 === null) return `${path}.cache_creation.ephemeral_1h_input_tokens${COUNT_PROBLEM}`;
  return { input, output, cacheRead, cacheCreation5m: c5, cacheCreation1h: c1, speed };
}

/** Sets the count fields of `e` from `u`, with exact values when any exceeds 2^53 − 1. */
function setCounts(e: UsageEvent, u: UsageCounts): UsageEvent {
  e.input = countNumber(u.input);
  e.output = countNumber(u.output);
  e.cacheRead = countNumber(u.cacheRead);
  e.cacheCreation5m = countNumber(u.cacheCreation5m);
  e.cacheCreation1h = countNumber(u.cacheCreation1h);
  e.cacheCreation = e.cacheCreation5m + e.cacheCreation1h;
  if (Math.max(e.input, e.output, e.cacheRead, e.cacheCreation) <= Number.MAX_SAFE_INTEGER) return e;
  // ccusage adds the two TTLs with a saturating u64 add
  let creation = bigOf(u.cacheCreation5m) + bigOf(u.cacheCreation1h);
  if (creation > U64_MAX) creation = U64_MAX;
  e.cacheCreation = Number(creation);
  const wide: WideCounts = { input: bigOf(u.input), output: bigOf(u.output), cacheCreation: creation, cacheRead: bigOf(u.cacheRead) };
  e.wide = wide;
  return e;
}

/** The usage event of a usage line. */
function usageEvent(raw: RawLine, p: UsageParts, opts: DecodeOptions): DecodedLine {
  const line = raw.text;
  const timestamp = timeOf(p.inner["timestamp"]);
  if (timestamp === null) return { kind: "error", error: "timestamp: expected YYYY-MM-DDTHH:MM:SS[.mmm] then Z or ±HH:MM" };
  const typeError = fieldTypeError(p);
  if (typeError !== null) return { kind: "error", error: typeError };
  if (invalidIdentity(p)) return { kind: "skip" };
  const view = usageView(line, p.usage, raw.usageKeyAt);
  // A usage object whose text cannot be found (a key spelled with escapes) is read as parsed.
  const usage = view.ok ? view.usage : p.usage;
  const plain = view.ok && view.plain;
  const counts = usageCounts(usage, "message.usage", plain);
  if (typeof counts === "string") return { kind: "error", error: counts };

  const sid = p.outer["sessionId"];
  const sessionId = typeof sid === "string" && sid !== "" ? sid : (opts.sessionId ?? "");
  const blockKind = firstBlockKind(p.message["content"]);
  const cwd = p.inner["cwd"];
  const logged = p.inner["costUSD"];
  const id = p.message["id"];
  const requestId = p.inner["requestId"];
  const model = p.message["model"];
  const event: UsageEvent = {
    timestamp,
    messageId: typeof id === "string" ? id : null,
    requestId: typeof requestId === "string" ? requestId : null,
    model: typeof model === "string" ? model : "",
    sessionId,
    fileSession: opts.sessionId ?? sessionId,
    project: opts.project ?? (typeof cwd === "string" ? cwd : ""),
    isSidechain: p.inner["isSidechain"] === true,
    progress: p.progress,
    loggedCostUsd: typeof logged === "number" ? logged : null,
    speed: counts.speed,
    thinking: blockKind === "thinking",
    input: 0,
    output: 0,
    cacheCreation: 0,
    cacheRead: 0,
    cacheCreation5m: 0,
    cacheCreation1h: 0,
  };
  setCounts(event, counts);
  const resetAt = !p.progress && p.inner["isApiErrorMessage"] === true ? limitReset(line) : null;
  return {
    kind: "usage",
    event,
    signal: blockKind === null || p.progress ? null : { timestamp, sessionId, kind: blockKind },
    limit: resetAt === null ? null : { timestamp, resetAt },
    // ccusage reads advisors from the line's own message only, never from a progress line's nested one
    extras: p.progress ? [] : advisorEvents(event, usage["iterations"], line, plain),
  };
}

/**
 * `usage.iterations` repeats the call's own counts (never added on top), except an
 * `advisor_message` with a model: another model's work inside the same call, which ccusage 20
 * counts as an entry of its own, keyed `<message.id>:advisor:<index>`. ccusage reads the whole
 * array with the same u64 rules; when any iteration fails them it takes no advisor from the line
 * (the line itself still counts).
 */
function advisorEvents(event: UsageEvent, iterations: unknown, line: string, plain: boolean): UsageEvent[] {
  if (!Array.isArray(iterations) || !line.includes('"advisor_message"')) return [];
  const read: { type: string; model: unknown; counts: UsageCounts }[] = [];
  for (const it of iterations) {
    if (!isRecord(it) || typeof it["type"] !== "string" || !isString(it["model"])) return [];
    const counts = usageCounts(it, "message.usage.iterations[]", plain);
    if (typeof counts === "string") return [];
    read.push({ type: it["type"], model: it["model"], counts });
  }
  const out: UsageEvent[] = [];
  read.forEach(({ type, model, counts }, i) => {
    if (type !== "advisor_message" || typeof model !== "string" || model === "") return;
    const advisor: UsageEvent = {
      ...withoutWide(event),
      messageId: event.messageId === null ? null : `${event.messageId}:advisor:${i}`,
      model,
      speed: null,
      thinking: false,
      loggedCostUsd: null,
    };
    out.push(setCounts(advisor, counts));
  });
  return out;
}

/** The event's fields minus `wide`, so an advisor never inherits its parent's exact counts. */
function withoutWide(e: UsageEvent): Omit<UsageEvent, "wide"> {
  const { wide: _wide, ...rest } = e;
  return rest;
}

/** Second half of decodeLine, on the parsed line (`raw` is its text, for the literal checks). */
function decodeObject(raw: RawLine, obj: Json, hasUsage: boolean, opts: DecodeOptions): DecodedLine {
  const line = raw.text;
  const message = obj["message"];
  if (hasUsage && isRecord(message) && isRecord(message["usage"])) {
    // ccusage does not look at `type`: any line with message.usage counts.
    return usageEvent(raw, { outer: obj, inner: obj, message, usage: message["usage"], progress: false }, opts);
  }
  if (hasUsage) {
    // A subagent's message nested in its parent's log (ccusage's daily report reads these): ids
    // and time from the nested line, the session from the outer one.
    const data = obj["data"];
    const nested = isRecord(data) ? data["message"] : undefined;
    if (isRecord(nested) && isRecord(nested["message"]) && isRecord(nested["message"]["usage"])) {
      return usageEvent(raw, { outer: obj, inner: nested, message: nested["message"], usage: nested["message"]["usage"], progress: true }, opts);
    }
  }

  const timestamp = timeOf(obj["timestamp"]);
  if (timestamp === null) return { kind: "skip" };
  const sid = obj["sessionId"];
  const sessionId = typeof sid === "string" && sid !== "" ? sid : (opts.sessionId ?? "");
  const type = obj["type"];
  if (type === "user") {
    if (!opts.signals) return { kind: "skip" };
    const kind = userSignal(message);
    return kind === null ? { kind: "skip" } : { kind: "signal", signal: { timestamp, sessionId, kind } };
  }
  if (type !== "assistant" || !isRecord(message)) return { kind: "skip" };
  const resetAt = obj["isApiErrorMessage"] === true ? limitReset(line) : null;
  if (resetAt !== null) return { kind: "limit", limit: { timestamp, resetAt } };
  if (!opts.signals) return { kind: "skip" };
  const kind = firstBlockKind(message["content"]);
  return kind === null ? { kind: "skip" } : { kind: "signal", signal: { timestamp, sessionId, kind } };
}
