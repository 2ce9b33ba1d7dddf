import type { Signal } from "./otlp-protobuf.js";
import { isObj, type Obj } from "./otlp-values.js";

/**
 * An `application/json` export (OTLP/JSON: the proto3 JSON mapping with integer enums and 64-bit
 * integers as strings or numbers). Only the top level is checked here; the walkers read the rest.
 */
export function decodeJson(body: Buffer): Obj | string {
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
