import type { LimitNotice, Speed, TurnSignal, TurnSignalKind, UsageEvent } from "./usage-event.js";

/**
 * One transcript line, reduced to what the gauges need. Message text never leaves this function:
 * only counts, ids, model names, timestamps and block types are copied out.
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
const LIMIT_PREFIX = "usage limit reached|";
const INTERRUPT_TEXT = "[Request interrupted by user";

export interface DecodeOptions {
  /** also decode user/assistant lines without usage into turn signals (live tail); default false */
  signals?: boolean;
  /** project folder the file lives in; used when the line carries no cwd */
  project?: string;
  /** the session the file belongs to (from its path); used when the line carries none */
  sessionId?: string;
}

/**
 * ccusage drops a usage line whose raw text holds `"<key>":null` for any of these keys, anywhere
 * in the line; we drop the same lines so totals stay equal (docs/ccusage-semantics.md §2).
 */
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
const SEMVER_PREFIX = /^\d+\.\d+\.\d+/;

function hasDisqualifyingNull(line: string): boolean {
  for (let at = line.indexOf('":null'); at !== -1; at = line.indexOf('":null', at + 6)) {
    if (line.charCodeAt(at - 1) === 92) continue; // an escaped quote: text inside a string
    const open = line.lastIndexOf('"', at - 1);
    if (open < 0 || line.charCodeAt(open - 1) === 92) continue;
    const key = line.slice(open + 1, at);
    if (!NULL_KEYS.has(key)) continue;
    // `"model":null` inside usage.iterations[] is exempt.
    if (key === "model") {
      const it = line.lastIndexOf('"iterations":[', at);
      if (it !== -1 && line.indexOf("]", it) > at) continue;
    }
    return true;
  }
  return false;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function count(usage: Json, key: string, path: string): number | string {
  const v = usage[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    return `${path}.${key}: expected a non-negative number, got ${typeof v === "string" ? JSON.stringify(v.slice(0, 20)) : String(v)}`;
  }
  return v;
}

function firstBlockKind(content: unknown): TurnSignalKind | null {
  if (!Array.isArray(content) || content.length === 0) return null;
  const block: unknown = content[0];
  if (!isObject(block)) return null;
  switch (block["type"]) {
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

function parseTime(v: unknown): number | null {
  if (typeof v !== "string") return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
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
      // Limit notices need their text block, which the cut removed.
      if (isObject(obj) && obj["isApiErrorMessage"] !== true && hasUsageShape(obj)) return obj;
    } catch {
      // fall through to the full parse
    }
  }
  return JSON.parse(line);
}

function hasUsageShape(obj: Json): boolean {
  const message = obj["message"];
  if (isObject(message) && isObject(message["usage"])) return true;
  const data = obj["data"];
  const nested = isObject(data) ? data["message"] : undefined;
  return isObject(nested) && isObject(nested["message"]) && isObject(nested["message"]["usage"]);
}

/** Reset time from "Claude AI usage limit reached|<unix seconds>" without copying any other text. */
function limitReset(content: unknown): number | null {
  if (!Array.isArray(content)) return null;
  for (const block of content) {
    if (!isObject(block) || typeof block["text"] !== "string") continue;
    const text = block["text"];
    const at = text.indexOf(LIMIT_PREFIX);
    if (at < 0) continue;
    const seconds = Number.parseInt(text.slice(at + LIMIT_PREFIX.length, at + LIMIT_PREFIX.length + 12), 10);
    if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  }
  return null;
}

function userSignal(message: unknown): TurnSignalKind | null {
  if (!isObject(message)) return null;
  const content = message["content"];
  if (typeof content === "string") return content.startsWith(INTERRUPT_TEXT) ? "interrupt" : "prompt";
  if (!Array.isArray(content) || content.length === 0) return null;
  const block: unknown = content[0];
  if (!isObject(block)) return null;
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
  const hasUsage = line.includes(USAGE_MARKER);
  if (!hasUsage && !line.includes(LIMIT_PREFIX) && !(opts.signals && (line.includes('"type":"user"') || line.includes('"type":"assistant"')))) {
    return { kind: "skip" };
  }
  if (hasUsage && hasDisqualifyingNull(line)) return { kind: "skip" };
  let obj: unknown;
  try {
    obj = hasUsage ? parseUsageLine(line) : JSON.parse(line);
  } catch {
    const trimmed = line.trim();
    if (trimmed === "") return { kind: "skip" };
    return { kind: "error", error: `malformed JSON (${line.length} bytes)` };
  }
  if (!isObject(obj)) return { kind: "error", error: "line is not a JSON object" };
  return decodeObject(obj, hasUsage, opts);
}

function countField(usage: Json, key: string): number | string {
  const v = usage[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    return `message.usage.${key}: expected a non-negative integer, got ${v === undefined ? "nothing" : typeof v === "string" ? JSON.stringify(v.slice(0, 20)) : String(v)}`;
  }
  return v;
}

/** ccusage's validity rules for fields it does not count: an empty id or a non-semver version drops the line. */
function invalidIdentity(line: Json, message: Json): boolean {
  const version = line["version"];
  if (version !== undefined && (typeof version !== "string" || !SEMVER_PREFIX.test(version))) return true;
  for (const v of [line["sessionId"], line["requestId"], message["id"], message["model"]]) if (v === "") return true;
  return false;
}

/** The usage event of an assistant-shaped line (`line` holds timestamp/ids, `message` the API message). */
function usageEvent(line: Json, message: Json, usage: Json, opts: DecodeOptions, sessionId: string, progress: boolean): DecodedLine {
  const timestamp = parseTime(line["timestamp"]);
  if (timestamp === null) {
    return { kind: "error", error: `timestamp: expected an ISO date, got ${JSON.stringify(line["timestamp"])}` };
  }
  if (invalidIdentity(line, message)) return { kind: "skip" };
  const input = countField(usage, "input_tokens");
  if (typeof input === "string") return { kind: "error", error: input };
  const output = countField(usage, "output_tokens");
  if (typeof output === "string") return { kind: "error", error: output };
  const flatCreation = count(usage, "cache_creation_input_tokens", "message.usage");
  if (typeof flatCreation === "string") return { kind: "error", error: flatCreation };
  const cacheRead = count(usage, "cache_read_input_tokens", "message.usage");
  if (typeof cacheRead === "string") return { kind: "error", error: cacheRead };

  // With a TTL split, the split is the count (ccusage ignores the flat total then, even when they
  // disagree); without one every write is a 5 min write.
  let cacheCreation5m = flatCreation;
  let cacheCreation1h = 0;
  const split = usage["cache_creation"];
  if (isObject(split)) {
    const m5 = count(split, "ephemeral_5m_input_tokens", "message.usage.cache_creation");
    if (typeof m5 === "string") return { kind: "error", error: m5 };
    const h1 = count(split, "ephemeral_1h_input_tokens", "message.usage.cache_creation");
    if (typeof h1 === "string") return { kind: "error", error: h1 };
    cacheCreation5m = m5;
    cacheCreation1h = h1;
  }

  const rawSpeed = usage["speed"];
  const speed: Speed | null = rawSpeed === "fast" || rawSpeed === "standard" ? rawSpeed : null;
  const blockKind = firstBlockKind(message["content"]);
  const cwd = line["cwd"];
  const logged = line["costUSD"];
  const event: UsageEvent = {
    timestamp,
    messageId: typeof message["id"] === "string" ? message["id"] : null,
    requestId: typeof line["requestId"] === "string" ? line["requestId"] : null,
    model: typeof message["model"] === "string" ? message["model"] : "",
    sessionId,
    fileSession: opts.sessionId ?? sessionId,
    project: opts.project ?? (typeof cwd === "string" ? cwd : ""),
    isSidechain: line["isSidechain"] === true,
    progress,
    loggedCostUsd: typeof logged === "number" && Number.isFinite(logged) ? logged : null,
    speed,
    thinking: blockKind === "thinking",
    input,
    output,
    cacheCreation: cacheCreation5m + cacheCreation1h,
    cacheRead,
    cacheCreation5m,
    cacheCreation1h,
  };
  const resetAt = line["isApiErrorMessage"] === true ? limitReset(message["content"]) : null;
  return {
    kind: "usage",
    event,
    signal: blockKind === null || progress ? null : { timestamp, sessionId, kind: blockKind },
    limit: resetAt === null ? null : { timestamp, resetAt },
    extras: advisorEvents(event, usage["iterations"]),
  };
}

/**
 * `usage.iterations` repeats the call's own counts (never added on top), except an
 * `advisor_message` with a model: another model's work inside the same call, which ccusage 20
 * counts as an entry of its own, keyed `<message.id>:advisor:<index>`.
 */
function advisorEvents(event: UsageEvent, iterations: unknown): UsageEvent[] {
  if (!Array.isArray(iterations) || event.messageId === null) return [];
  const out: UsageEvent[] = [];
  iterations.forEach((it: unknown, i) => {
    if (!isObject(it) || it["type"] !== "advisor_message" || typeof it["model"] !== "string") return;
    const n = (k: string): number => {
      const v = it[k];
      return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0;
    };
    const cacheCreation = n("cache_creation_input_tokens");
    out.push({
      ...event,
      messageId: `${event.messageId}:advisor:${i}`,
      model: it["model"],
      speed: null,
      thinking: false,
      loggedCostUsd: null,
      input: n("input_tokens"),
      output: n("output_tokens"),
      cacheCreation,
      cacheRead: n("cache_read_input_tokens"),
      cacheCreation5m: cacheCreation,
      cacheCreation1h: 0,
    });
  });
  return out;
}

/** Second half of decodeLine, for callers that already hold the parsed object. */
export function decodeObject(obj: Json, hasUsage: boolean, opts: DecodeOptions = {}): DecodedLine {
  const type = obj["type"];
  const sessionId = typeof obj["sessionId"] === "string" && obj["sessionId"] !== "" ? obj["sessionId"] : (opts.sessionId ?? "");
  const message = obj["message"];

  if (hasUsage && type === "progress") {
    // A subagent's message nested in its parent's log: ids and time from the nested line, the
    // session from the outer one.
    const data = obj["data"];
    const nested = isObject(data) ? data["message"] : undefined;
    if (!isObject(nested) || !isObject(nested["message"]) || !isObject(nested["message"]["usage"])) return { kind: "skip" };
    return usageEvent(nested, nested["message"], nested["message"]["usage"], opts, sessionId, true);
  }
  if (hasUsage && isObject(message) && isObject(message["usage"])) {
    // ccusage does not look at `type`: any line with message.usage counts.
    return usageEvent(obj, message, message["usage"], opts, sessionId, false);
  }

  const timestamp = parseTime(obj["timestamp"]);
  if (timestamp === null) return { kind: "skip" };
  if (type === "user") {
    if (!opts.signals) return { kind: "skip" };
    const kind = userSignal(message);
    return kind === null ? { kind: "skip" } : { kind: "signal", signal: { timestamp, sessionId, kind } };
  }
  if (type !== "assistant" || !isObject(message)) return { kind: "skip" };
  const resetAt = obj["isApiErrorMessage"] === true ? limitReset(message["content"]) : null;
  if (resetAt !== null) return { kind: "limit", limit: { timestamp, resetAt } };
  if (!opts.signals) return { kind: "skip" };
  const kind = firstBlockKind(message["content"]);
  return kind === null ? { kind: "skip" } : { kind: "signal", signal: { timestamp, sessionId, kind } };
}
