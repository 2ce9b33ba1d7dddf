import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { BodyError, readBody, type BodyRule } from "./body.js";
import { refuse, type GuardOptions } from "./guard.js";
import { sendError } from "./respond.js";
import type { WsPush } from "./ws-push.js";

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** POST routes: the body, read and checked against the route's rule */
  body: Buffer;
  /** POST routes: the body's media type (one of the rule's) */
  type: string;
}

/** One route of the daemon. GET routes answer HEAD too. */
export interface Route {
  method: "GET" | "POST";
  path: string;
  /** POST routes only: size, media types and encodings accepted */
  body?: BodyRule;
  handle(ctx: RouteContext): void | Promise<void>;
}

export interface HttpOptions extends GuardOptions {
  routes: readonly Route[];
  /** the web cluster's assets: answers a GET it knows and returns true */
  assets?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
  /** `/ws` */
  ws: WsPush;
}

/**
 * The daemon's one HTTP edge. Every request and WebSocket upgrade passes the same guard (Host,
 * Origin, token) before a route runs; POST bodies are read under their route's rule; a route
 * that throws answers 500 and the daemon goes on.
 */
export function createHttpServer(opts: HttpOptions): Server {
  const byPath = new Map<string, Route[]>();
  for (const r of opts.routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);

  const server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      sendError(res, 400, "request target: not a valid path");
      return;
    }
    const refused = refuse(req, url, opts);
    if (refused) {
      sendError(res, refused.status, refused.error, refused.headers);
      return;
    }
    const method = req.method === "HEAD" ? "GET" : req.method;
    const routes = byPath.get(url.pathname);
    const route = routes?.find((r) => r.method === method);
    if (route === undefined) {
      if (routes === undefined && method === "GET" && opts.assets?.(req, res, url)) return;
      if (routes !== undefined) sendError(res, 405, `${req.method} not allowed on ${url.pathname}`, { allow: allowed(routes) });
      else sendError(res, 404, `no route ${url.pathname}`);
      return;
    }
    void run(route, req, res, url).catch((e: unknown) => {
      if (e instanceof BodyError) {
        // Unread bytes may follow a refused body; do not keep the connection for the next request.
        sendError(res, e.status, e.message, { connection: "close" });
        return;
      }
      if (!res.headersSent) sendError(res, 500, "internal error");
      else res.destroy();
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL | null = null;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      // answered below
    }
    const refused = url === null ? { status: 400, error: "bad request" } : refuse(req, url, opts);
    if (refused || url?.pathname !== "/ws") {
      const status = refused?.status ?? 404;
      const reason = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found" }[status] ?? "Error";
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    opts.ws.handleUpgrade(req, socket, head);
  });
  server.on("clientError", (_e, socket: Duplex) => {
    // Malformed requests (bad headers, oversized header block) get a bare 400, never a crash.
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  // A slow or idle HTTP client must not pin a socket forever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

function allowed(routes: readonly Route[]): string {
  return routes.flatMap((r) => (r.method === "GET" ? ["GET", "HEAD"] : [r.method])).join(", ");
}

async function run(route: Route, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (route.body === undefined) {
    await route.handle({ req, res, url, body: Buffer.alloc(0), type: "" });
    return;
  }
  const { body, type } = await readBody(req, route.body);
  await route.handle({ req, res, url, body, type });
}
