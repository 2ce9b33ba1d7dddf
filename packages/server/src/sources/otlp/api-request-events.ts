import { lookupPricing, type Speed, type UsageEvent } from "@claude-gauge/core";
import { anyNumber, anyString, attributeMap, badTime, field, isAmount, isObj, isTokenCount, list, nanosToMs, type Obj } from "./otlp-values.js";
import { growthEvent } from "../growth-event.js";

/** One `claude_code.api_request` log event: one API request, with its exact counts. */
export interface ApiRequest {
  event: UsageEvent;
  /** the session that sent it ("" when the record names none): the unit logs and metrics are matched by */
  origin: string;
  /**
   * What makes a resent record recognisable: `request_id`, else a fingerprint of the record
   * (an exporter resends a whole batch when it missed the answer).
   */
  key: string;
}

export interface Rejections {
  count: number;
  /** the first reason, naming the record and field (never a value) */
  first: string | null;
}

export interface LogsExport {
  requests: ApiRequest[];
  /** log records read (api requests or not) */
  records: number;
  rejected: Rejections;
}

const EVENT_BODY = "claude_code.api_request";
/** longest model, session or request id taken (characters): longer is not Claude Code's */
const MAX_ID_CHARS = 256;
const TOKEN_ATTRIBUTES = [
  ["input", "input_tokens"],
  ["output", "output_tokens"],
  ["cacheRead", "cache_read_tokens"],
  ["cacheCreation", "cache_creation_tokens"],
] as const;

function isApiRequest(record: Obj, attrs: Map<string, unknown>): boolean {
  if (anyString(field(record, "body")) === EVENT_BODY) return true;
  if (field(record, "eventName") === EVENT_BODY) return true;
  const name = anyString(attrs.get("event.name"));
  return name === "api_request" || name === EVENT_BODY;
}

/** An id-like attribute: absent is null; present, it must be a short printable string. */
function idAttribute(attrs: Map<string, unknown>, key: string): string | null | { error: string } {
  const v = attrs.get(key);
  if (v === undefined) return null;
  const s = anyString(v);
  if (s === null || s.length > MAX_ID_CHARS || /\p{Cc}/u.test(s))
    return { error: `attributes.${key}: expected a string of at most ${MAX_ID_CHARS} printable characters` };
  return s;
}

/** The event's time (ms): `event.timestamp` (ISO, what Claude Code stamps), else the record's own times. */
function eventTime(record: Obj, attrs: Map<string, unknown>): number | { error: string } {
  const stamp = attrs.get("event.timestamp");
  if (stamp !== undefined) {
    const s = anyString(stamp);
    const t = s === null ? Number.NaN : Date.parse(s);
    return Number.isFinite(t) ? t : { error: "attributes.event.timestamp: expected an ISO time" };
  }
  for (const name of ["timeUnixNano", "observedTimeUnixNano"]) {
    const t = nanosToMs(field(record, name));
    if (t === null) continue;
    return Number.isNaN(t) ? { error: `${name}: expected ns since epoch` } : t;
  }
  return { error: "event.timestamp: missing (and no timeUnixNano)" };
}

/** The request, or why it cannot be counted (the field, never its value). */
function apiRequest(record: Obj, attrs: Map<string, unknown>, now: number): ApiRequest | string {
  const t = eventTime(record, attrs);
  if (typeof t !== "number") return t.error;
  const late = badTime(t, now);
  if (late !== null) return `event.timestamp: ${late}`;
  const ids: Record<"model" | "session.id" | "request_id", string | null> = { model: null, "session.id": null, request_id: null };
  for (const key of ["model", "session.id", "request_id"] as const) {
    const v = idAttribute(attrs, key);
    if (v !== null && typeof v === "object") return v.error;
    ids[key] = v;
  }
  const counts = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };
  for (const [name, key] of TOKEN_ATTRIBUTES) {
    const n = anyNumber(attrs.get(key));
    if (n === undefined) continue;
    if (!isTokenCount(n)) return `attributes.${key}: expected a whole number of tokens, 0..2^53`;
    counts[name] = n;
  }
  const cost = anyNumber(attrs.get("cost_usd"));
  if (cost !== undefined && !isAmount(cost)) return "attributes.cost_usd: expected a non-negative amount";
  const model = ids.model ?? "";
  const session = ids["session.id"] ?? "";
  const speedText = anyString(attrs.get("speed"));
  const speed: Speed | null = speedText === "fast" ? "fast" : speedText === null ? null : "standard";
  const sequence = anyNumber(attrs.get("event.sequence"));
  const requestId = ids.request_id;
  return {
    origin: session,
    key:
      requestId !== null
        ? `r:${requestId}`
        : `f:${JSON.stringify([session, sequence ?? null, t, model, counts.input, counts.output, counts.cacheRead, counts.cacheCreation])}`,
    event: {
      // A sender a little ahead of us (within the skew) is dated now: a future time would move the
      // windows' clock. Our own price table (the one transcripts are priced with, per request, tiers
      // included), so one request costs the same whichever source saw it; Claude Code's estimate
      // only for a model the table does not know. OTLP does not say the cache TTL (5 min writes).
      ...growthEvent(Math.min(t, now), session, model, counts, lookupPricing(model) === null ? (cost ?? null) : null),
      requestId,
      speed,
    },
  };
}

/**
 * The api requests of an ExportLogsServiceRequest (other events are read past). A body whose
 * structure is not OTLP's is an error (400, nothing counted); a record that cannot be counted (a
 * negative or fractional token count, a time in the future) is rejected alone and reported back
 * as a partial success.
 */
export function apiRequestsOf(body: Obj, now: number): LogsExport | string {
  const out: LogsExport = { requests: [], records: 0, rejected: { count: 0, first: null } };
  const resources = list(body, "resourceLogs");
  if (resources === null) return "resourceLogs: expected an array";
  for (const [i, rl] of resources.entries()) {
    const scopes = isObj(rl) ? list(rl, "scopeLogs") : null;
    if (scopes === null) return `resourceLogs[${i}].scopeLogs: expected an array`;
    for (const [j, sl] of scopes.entries()) {
      const records = isObj(sl) ? list(sl, "logRecords") : null;
      if (records === null) return `resourceLogs[${i}].scopeLogs[${j}].logRecords: expected an array`;
      for (const [k, record] of records.entries()) {
        const where = `resourceLogs[${i}].scopeLogs[${j}].logRecords[${k}]`;
        if (!isObj(record)) return `${where}: expected an object`;
        out.records++;
        const attrs = attributeMap(field(record, "attributes"));
        if (!isApiRequest(record, attrs)) continue;
        const r = apiRequest(record, attrs, now);
        if (typeof r === "string") {
          out.rejected.count++;
          out.rejected.first ??= `${where}.${r}`;
        } else out.requests.push(r);
      }
    }
  }
  return out;
}
