import type { Route } from "../../http/server.js";
import { send, sendError } from "../../http/respond.js";
import { decodeJson, encodeJsonResponse } from "./otlp-json.js";
import { decodeProtobuf, encodeProtobufResponse, type Signal } from "./otlp-protobuf.js";
import type { OtlpSource } from "./otlp-source.js";

/**
 * Largest export taken, bytes after gzip is undone. A Claude Code batch (≤ 512 log records of
 * about 1 kB) is well under 1 MiB; the limit leaves room for a collector forwarding a team's
 * exports while bounding the time one body holds the event loop.
 */
export const OTLP_MAX_BODY = 8 << 20;

const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";

/**
 * `POST /v1/logs` and `POST /v1/metrics`, the OTLP/HTTP paths an exporter appends to
 * OTEL_EXPORTER_OTLP_ENDPOINT. Both encodings, gzip or not; the answer is in the request's
 * encoding. The edge has already checked Host, Origin and the token, the type (415) and the size
 * (413); a body that does not decode is 400 and changes nothing.
 */
export function otlpRoutes(source: OtlpSource): Route[] {
  return (["logs", "metrics"] as const).map((signal: Signal) => ({
    method: "POST" as const,
    path: `/v1/${signal}`,
    // Neither type is one a foreign page can post without a CORS preflight (which fails here).
    body: { maxBytes: OTLP_MAX_BODY, types: [PROTOBUF, JSON_TYPE], gzip: true },
    handle: ({ res, body, type }) => {
      if (!source.listening) return sendError(res, 503, "otlp source: not started", { "retry-after": "1" });
      const protobuf = type === PROTOBUF;
      const decoded = protobuf ? decodeProtobuf(signal, body) : decodeJson(body);
      const outcome =
        typeof decoded === "string" ? source.refused(signal, decoded) : signal === "logs" ? source.acceptLogs(decoded) : source.acceptMetrics(decoded);
      if (typeof outcome === "string") return sendError(res, 400, outcome);
      const answer = protobuf ? encodeProtobufResponse(signal, outcome.rejected, outcome.error) : encodeJsonResponse(signal, outcome.rejected, outcome.error);
      send(res, 200, answer, type);
    },
  }));
}
