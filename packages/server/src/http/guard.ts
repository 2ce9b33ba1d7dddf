import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

export interface GuardOptions {
  /** when set, every route needs `Authorization: Bearer <token>` (or `?token=` for browsers and the WebSocket) */
  token?: string;
  /** Host names answered besides IP literals and localhost (lower case, without port): `--allow-host` */
  allowHosts?: readonly string[];
}

/** Why a request is refused, as the status and a message that names the header, never its value. */
export interface Refusal {
  status: 401 | 403;
  error: string;
  headers?: Record<string, string>;
}

/** The host name of a Host header ("[::1]:8080" → "::1", "Example.COM." → "example.com"); null when malformed. */
export function hostName(host: string): string | null {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end > 1 ? h.slice(1, end) : null;
  }
  const name = h.replace(/:\d*$/, "").replace(/\.$/, "");
  return name === "" || /[^a-z0-9.-]/.test(name) ? null : name;
}

/**
 * Whether a Host names this daemon rather than some domain a page controls. A page can point its
 * own domain at 127.0.0.1 (DNS rebinding) and then read every route as "same origin"; the Host
 * header it sends still carries its domain. IP literals and localhost cannot be rebound.
 */
export function hostAllowed(host: string | undefined, allow: readonly string[] = []): boolean {
  // HTTP/1.0 clients (the ESP32, scripts) may send none; browsers always do.
  if (host === undefined) return true;
  const name = hostName(host);
  if (name === null) return false;
  return isIP(name) !== 0 || name === "localhost" || name.endsWith(".localhost") || allow.includes(name);
}

/**
 * A request a page on another origin made: its Origin (sent on every cross-origin POST, CORS fetch
 * and WebSocket) is not this daemon's own, or the browser marks it cross-site. Top-level
 * navigation (a link or a bookmark) is allowed: the page that links cannot read the answer.
 */
function crossOrigin(req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  const mode = req.headers["sec-fetch-mode"];
  const navigation = mode === "navigate" && (req.method === "GET" || req.method === "HEAD");
  if ((site === "cross-site" || site === "same-site") && !navigation) return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  if (navigation && origin === "null") return false;
  // The ESP32's WebSocket library (links2004/WebSockets) always sends this fixed Origin. No browser
  // can: a page's Origin is its own scheme and host (file pages send "null"), and scripts cannot set it.
  if (origin === "file://" && site === undefined) return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return true;
  }
  return o.protocol !== "http:" || o.host !== String(req.headers.host ?? "").toLowerCase();
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

/**
 * The checks every request and WebSocket upgrade passes before any route sees it: Host (DNS
 * rebinding), Origin and Sec-Fetch-Site (foreign pages), then the token. Null when allowed.
 */
export function refuse(req: IncomingMessage, url: URL, opts: GuardOptions): Refusal | null {
  if (!hostAllowed(req.headers.host, opts.allowHosts)) {
    return { status: 403, error: "Host: not a name this daemon answers to (IP addresses, localhost, or --allow-host)" };
  }
  if (crossOrigin(req)) return { status: 403, error: "Origin: requests from other sites are refused" };
  if (!tokenOk(req, url, opts.token)) {
    return { status: 401, error: "missing or wrong bearer token", headers: { "www-authenticate": "Bearer" } };
  }
  return null;
}
