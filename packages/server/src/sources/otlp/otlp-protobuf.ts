import protobuf from "protobufjs/light.js";
import { OTLP_DESCRIPTOR } from "./otlp-descriptor.js";
import type { Obj } from "./otlp-values.js";

export type Signal = "logs" | "metrics";

interface Codec {
  request: protobuf.Type;
  response: protobuf.Type;
}

let codecs: Record<Signal, Codec> | null = null;

/** The export messages, built from the descriptor on the first protobuf export (not at start-up). */
function codec(signal: Signal): Codec {
  if (codecs === null) {
    const root = protobuf.Root.fromJSON(OTLP_DESCRIPTOR);
    const pair = (pkg: string, name: string): Codec => ({
      request: root.lookupType(`opentelemetry.proto.collector.${pkg}.v1.Export${name}ServiceRequest`),
      response: root.lookupType(`opentelemetry.proto.collector.${pkg}.v1.Export${name}ServiceResponse`),
    });
    codecs = { logs: pair("logs", "Logs"), metrics: pair("metrics", "Metrics") };
  }
  return codecs[signal];
}

/**
 * An `application/x-protobuf` export as the plain object the OTLP/JSON encoding would give
 * (lowerCamelCase fields, 64-bit integers as decimal strings, enums as numbers, unset fields
 * absent), so one walker reads both encodings. An error (for a 400) when the bytes are not the
 * message: protobufjs throws on a truncated field, a wrong wire type or a nesting deeper than
 * the stack.
 */
export function decodeProtobuf(signal: Signal, body: Uint8Array): Obj | string {
  const { request } = codec(signal);
  try {
    return request.toObject(request.decode(body), { longs: String, enums: Number, bytes: String });
  } catch {
    return `body: not a protobuf Export${signal === "logs" ? "Logs" : "Metrics"}ServiceRequest`;
  }
}

/** The protobuf answer: an empty message, or `partial_success` when records were dropped. */
export function encodeProtobufResponse(signal: Signal, rejected: number, error: string | null): Uint8Array {
  const { response } = codec(signal);
  if (rejected === 0) return response.encode(response.create({})).finish();
  const partialSuccess = { [signal === "logs" ? "rejectedLogRecords" : "rejectedDataPoints"]: rejected, errorMessage: error ?? "" };
  return response.encode(response.fromObject({ partialSuccess })).finish();
}
