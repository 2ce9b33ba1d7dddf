import type { ServerResponse } from "node:http";

/**
 * On every answer: no MIME sniffing, and no other origin may embed or read our responses through
 * no-cors loads (`<script src>`, `<img>`): the numbers are the user's, the page is ours.
 */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "cross-origin-resource-policy": "same-origin",
};

export function send(
  res: ServerResponse,
  status: number,
  body: string | Uint8Array,
  type = "application/json; charset=utf-8",
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...BASE_HEADERS, "content-type": type, "cache-control": "no-store", "content-length": Buffer.byteLength(body), ...extra });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

export function sendJson(res: ServerResponse, status: number, v: unknown, extra: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(v), undefined, extra);
}

/** An error answer: `{"error": "..."}`; the message names a field or header, never a value sent. */
export function sendError(res: ServerResponse, status: number, error: string, extra: Record<string, string> = {}): void {
  sendJson(res, status, { error }, extra);
}
