import type { LimitNotice, Speed, TurnSignal, TurnSignalKind, UsageEvent } from "./usage-event.js";

/**
 * One transcript line, reduced to what the gauges need. Message text never leaves this function:
 * only counts, ids, model names, timestamps and block types are copied out.
 */
export type DecodedLine =
  | { kind: "usage"; event: UsageEvent; signal: TurnSignal | null; limit: LimitNotice | null }
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
  /** session id from the file name; used when the line carries none */
  sessionId?: string;
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
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    const trimmed = line.trim();
    if (trimmed === "") return { kind: "skip" };
    return { kind: "error", error: `malformed JSON (${line.length} bytes)` };
  }
  if (!isObject(obj)) return { kind: "error", error: "line is not a JSON object" };
  return decodeObject(obj, hasUsage, opts);
}

/** Second half of decodeLine, for callers that already hold the parsed object. */
export function decodeObject(obj: Json, hasUsage: boolean, opts: DecodeOptions = {}): DecodedLine {
  const type = obj["type"];
  const sessionId = typeof obj["sessionId"] === "string" ? obj["sessionId"] : (opts.sessionId ?? "");
  const message = obj["message"];

  if (type === "user") {
    if (!opts.signals) return { kind: "skip" };
    const timestamp = parseTime(obj["timestamp"]);
    const kind = userSignal(message);
    if (timestamp === null || kind === null) return { kind: "skip" };
    return { kind: "signal", signal: { timestamp, sessionId, kind } };
  }
  if (type !== "assistant" || !isObject(message)) return { kind: "skip" };

  const timestamp = parseTime(obj["timestamp"]);
  const usage = message["usage"];
  if (!hasUsage || !isObject(usage)) {
    if (timestamp === null) return { kind: "skip" };
    const resetAt = obj["isApiErrorMessage"] === true ? limitReset(message["content"]) : null;
    if (resetAt !== null) return { kind: "limit", limit: { timestamp, resetAt } };
    if (!opts.signals) return { kind: "skip" };
    const kind = firstBlockKind(message["content"]);
    return kind === null ? { kind: "skip" } : { kind: "signal", signal: { timestamp, sessionId, kind } };
  }
  if (timestamp === null) {
    return { kind: "error", error: `timestamp: expected an ISO date, got ${JSON.stringify(obj["timestamp"])}` };
  }

  const input = count(usage, "input_tokens", "message.usage");
  if (typeof input === "string") return { kind: "error", error: input };
  const output = count(usage, "output_tokens", "message.usage");
  if (typeof output === "string") return { kind: "error", error: output };
  const cacheCreation = count(usage, "cache_creation_input_tokens", "message.usage");
  if (typeof cacheCreation === "string") return { kind: "error", error: cacheCreation };
  const cacheRead = count(usage, "cache_read_input_tokens", "message.usage");
  if (typeof cacheRead === "string") return { kind: "error", error: cacheRead };

  // The TTL split is kept as logged (pricing uses it when present, even if it disagrees with the
  // flat total); without a split every write counts as 5 min.
  let cacheCreation5m = cacheCreation;
  let cacheCreation1h = 0;
  const split = usage["cache_creation"];
  if (isObject(split)) {
    const m5 = count(split, "ephemeral_5m_input_tokens", "message.usage.cache_creation");
    if (typeof m5 === "string") return { kind: "error", error: m5 };
    const h1 = count(split, "ephemeral_1h_input_tokens", "message.usage.cache_creation");
    if (typeof h1 === "string") return { kind: "error", error: h1 };
    if (m5 + h1 > 0) {
      cacheCreation5m = m5;
      cacheCreation1h = h1;
    }
  }

  const model = typeof message["model"] === "string" ? message["model"] : "unknown";
  const rawSpeed = usage["speed"];
  const speed: Speed | null = rawSpeed === "fast" || rawSpeed === "standard" ? rawSpeed : null;
  const blockKind = firstBlockKind(message["content"]);
  const cwd = obj["cwd"];

  const event: UsageEvent = {
    timestamp,
    messageId: typeof message["id"] === "string" ? message["id"] : null,
    requestId: typeof obj["requestId"] === "string" ? obj["requestId"] : null,
    model,
    sessionId,
    project: opts.project ?? (typeof cwd === "string" ? cwd : ""),
    isSidechain: obj["isSidechain"] === true,
    speed,
    thinking: blockKind === "thinking",
    input,
    output,
    cacheCreation,
    cacheRead,
    cacheCreation5m,
    cacheCreation1h,
  };
  const resetAt = obj["isApiErrorMessage"] === true ? limitReset(message["content"]) : null;
  return {
    kind: "usage",
    event,
    signal: blockKind === null ? null : { timestamp, sessionId, kind: blockKind },
    limit: resetAt === null ? null : { timestamp, resetAt },
  };
}
