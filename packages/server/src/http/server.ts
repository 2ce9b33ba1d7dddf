import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { Registry } from "prom-client";
import type { SnapshotFeed } from "./snapshot-feed.js";
import type { WsPush } from "./ws-push.js";

export type StatsWindow = "day" | "week" | "all";

/** What the routes read; every value is prepared outside the request path where it can be. */
export interface Routes {
  feed: SnapshotFeed;
  schemaJson: string;
  stats(window: StatsWindow): unknown;
  history(hours: number): unknown;
  health(): { ok: boolean; [k: string]: unknown };
  registry: Registry;
  ws: WsPush;
  /** POST /statusline: returns an error naming the bad field, or null when accepted */
  statusline?: (body: unknown) => string | null;
  /** optional extra routes (e.g. the web cluster); return false when not handled */
  extra?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
}

export interface HttpOptions {
  /** when set, every route needs `Authorization: Bearer <token>` (or `?token=` for browsers/WS) */
  token?: string;
}

function tokenOk(req: IncomingMessage, url: URL, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization;
  const given = header?.startsWith("Bearer ") ? header.slice(7) : url.searchParams.get("token");
  if (given === null || given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, body: string, type = "application/json; charset=utf-8", extra: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "content-length": Buffer.byteLength(body), ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, v: unknown): void {
  send(res, status, JSON.stringify(v));
}

/** A statusline reading is a few hundred bytes; anything much larger is not one. */
const STATUSLINE_MAX_BODY = 16 << 10;

function readJsonBody(req: IncomingMessage, max: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (d: Buffer) => {
      size += d.length;
      // Past the limit: answer at once and let the rest drain unread (destroying the socket would
      // leave the client without the answer).
      if (size > max) reject(new Error(`body: larger than ${max} bytes`));
      else parts.push(d);
    });
    req.on("end", () => {
      if (size > max) return;
      try {
        resolve(JSON.parse(Buffer.concat(parts).toString("utf8")) as unknown);
      } catch {
        reject(new Error("body: not valid JSON"));
      }
    });
    req.on("error", reject);
  });
}

export function createHttpServer(routes: Routes, opts: HttpOptions = {}): Server {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!tokenOk(req, url, opts.token)) {
      send(res, 401, JSON.stringify({ error: "missing or wrong bearer token" }), undefined, { "www-authenticate": "Bearer" });
      return;
    }
    if (req.method === "POST" && url.pathname === "/statusline" && routes.statusline) {
      readJsonBody(req, STATUSLINE_MAX_BODY).then(
        (body) => {
          const error = routes.statusline!(body);
          if (error === null) {
            res.writeHead(204, { "cache-control": "no-store" });
            res.end();
          } else sendJson(res, 400, { error });
        },
        (e: unknown) => sendJson(res, 400, { error: (e as Error).message }),
      );
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, JSON.stringify({ error: `${req.method} not allowed` }), undefined, { allow: "GET, HEAD" });
      return;
    }
    void handle(routes, req, res, url).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
      else res.destroy();
    });
  });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/ws" || !tokenOk(req, url, opts.token)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    routes.ws.handleUpgrade(req, socket, head);
  });
  // A slow or idle HTTP client must not pin a socket forever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

async function handle(routes: Routes, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  switch (url.pathname) {
    case "/usage": {
      const f = routes.feed.current;
      if (req.headers["if-none-match"] === f.etag) {
        res.writeHead(304, { etag: f.etag, "cache-control": "no-store" });
        res.end();
        return;
      }
      send(res, 200, f.json, undefined, { etag: f.etag });
      return;
    }
    case "/usage/schema.json":
      send(res, 200, routes.schemaJson, "application/schema+json; charset=utf-8");
      return;
    case "/healthz": {
      const h = routes.health();
      sendJson(res, h.ok ? 200 : 503, h);
      return;
    }
    case "/metrics":
      send(res, 200, await routes.registry.metrics(), routes.registry.contentType);
      return;
    case "/stats": {
      const w = url.searchParams.get("window") ?? "day";
      if (w !== "day" && w !== "week" && w !== "all") {
        sendJson(res, 400, { error: `window: expected day, week or all, got ${JSON.stringify(w)}` });
        return;
      }
      sendJson(res, 200, routes.stats(w));
      return;
    }
    case "/history": {
      const raw = url.searchParams.get("hours") ?? "24";
      const hours = Number(raw);
      if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 7) {
        sendJson(res, 400, { error: `hours: expected an integer 1..168, got ${JSON.stringify(raw)}` });
        return;
      }
      sendJson(res, 200, routes.history(hours));
      return;
    }
    default:
      if (routes.extra?.(req, res, url)) return;
      sendJson(res, 404, { error: `no route ${url.pathname}` });
  }
}
