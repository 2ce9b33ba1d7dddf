import type { Signal } from "./otlp-protobuf.js";
import { isObj, type Obj } from "./otlp-values.js";

/**
 * Deepest nesting of objects and arrays taken. OTLP/JSON of the 100 message levels protobuf
 * allows (protoc's and protobufjs's limit) stays well within it; deeper text is refused before
 * JSON.parse, which takes seconds on megabytes of `[[[[…` and leaves a value nothing can stringify.
 */
export const MAX_JSON_DEPTH = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Whether the text nests objects and arrays deeper than `limit` (strings are skipped). */
function nestsDeeper(body: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * An `application/json` export (OTLP/JSON: the proto3 JSON mapping with integer enums and 64-bit
 * integers as strings or numbers). Only the top level is checked here; the walkers read the rest.
 */
export function decodeJson(body: Buffer): Obj | string {
  if (nestsDeeper(body, MAX_JSON_DEPTH)) return `body: nested deeper than ${MAX_JSON_DEPTH} levels`;
  let v: unknown;
  try {
    v = JSON.parse(body.toString("utf8"));
  } catch {
    return "body: not valid JSON";
  }
  return isObj(v) ? v : "body: expected a JSON object";
}

/** The JSON answer: `{}`, or `partialSuccess` when records were dropped (int64 as a decimal string). */
export function encodeJsonResponse(signal: Signal, rejected: number, error: string | null): string {
  if (rejected === 0) return "{}";
  const key = signal === "logs" ? "rejectedLogRecords" : "rejectedDataPoints";
  return JSON.stringify({ partialSuccess: { [key]: String(rejected), errorMessage: error ?? "" } });
}
