import type { IncomingMessage } from "node:http";
import { createGunzip } from "node:zlib";

/** A body refused before any route sees it: 400 unreadable, 413 too large, 415 wrong type or encoding. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = "BodyError";
  }
}

export interface BodyRule {
  /** largest body accepted, bytes (after decompression) */
  maxBytes: number;
  /** media types accepted, lower case ("application/json"); anything else is 415 */
  types: readonly string[];
  /** accept `Content-Encoding: gzip` (OTLP exporters may compress); default identity only */
  gzip?: boolean;
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(header: string | undefined): string | null {
  if (header === undefined) return null;
  return header.split(";", 1)[0]!.trim().toLowerCase() || null;
}

/**
 * Reads a request body under a rule. The type is checked before a byte is read, so a form or
 * `text/plain` post (what a foreign page can send without a CORS preflight) never reaches JSON.parse.
 */
export function readBody(req: IncomingMessage, rule: BodyRule): Promise<{ body: Buffer; type: string }> {
  const type = mediaType(req.headers["content-type"]);
  if (type === null || !rule.types.includes(type)) {
    return Promise.reject(new BodyError(415, `Content-Type: expected ${rule.types.join(" or ")}`));
  }
  const encoding = String(req.headers["content-encoding"] ?? "identity")
    .trim()
    .toLowerCase();
  if (encoding !== "identity" && !(encoding === "gzip" && rule.gzip)) {
    return Promise.reject(new BodyError(415, `Content-Encoding: expected identity${rule.gzip ? " or gzip" : ""}`));
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > rule.maxBytes) {
    return Promise.reject(new BodyError(413, `body: larger than ${rule.maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const stream = encoding === "gzip" ? req.pipe(createGunzip()) : req;
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (e: BodyError): void => {
      if (done) return;
      done = true;
      // Stop decompressing; the socket is left for the answer (the server closes it after 413).
      if (stream !== req) stream.destroy();
      reject(e);
    };
    stream.on("data", (d: Buffer) => {
      if (done) return;
      size += d.length;
      if (size > rule.maxBytes) fail(new BodyError(413, `body: larger than ${rule.maxBytes} bytes${encoding === "gzip" ? " (decompressed)" : ""}`));
      else parts.push(d);
    });
    stream.on("end", () => {
      if (done) return;
      done = true;
      resolve({ body: Buffer.concat(parts), type });
    });
    stream.on("error", () => fail(new BodyError(400, encoding === "gzip" ? "body: not valid gzip" : "body: the upload broke off")));
    req.on("aborted", () => fail(new BodyError(400, "body: the upload broke off")));
  });
}
