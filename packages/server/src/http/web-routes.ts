import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join } from "node:path";
import { gzipSync } from "node:zlib";

/** Content types of what the web build emits; anything else in the folder is not served. */
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".map": "application/json; charset=utf-8",
};
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".svg", ".map"]);

/** Where index.html asks for its assets; replaced by the page's own `?token=` so they pass auth. */
const QUERY_SLOT = "%QUERY%";

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  etag: string;
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  // the page URL may carry the token; nothing the page links to needs to see it
  "referrer-policy": "no-referrer",
};

const PAGE_CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

function etagOf(body: Buffer, variant = ""): string {
  return `"${createHash("sha1").update(body).digest("base64url").slice(0, 20)}${variant}"`;
}

function asset(body: Buffer, ext: string): Asset {
  return {
    body,
    gzip: COMPRESSIBLE.has(ext) ? gzipSync(body, { level: 9 }) : null,
    type: TYPES[ext] ?? "application/octet-stream",
    etag: etagOf(body),
  };
}

/**
 * The web build held in the program itself (the single-file executable embeds it at build time; see
 * scripts/build-binary.ts). When set, it is served instead of the folder.
 */
let embedded: ReadonlyMap<string, Buffer> | null = null;

/** Embeds the web build: file name → base64 of its bytes. Call before the server starts. */
export function embedWebAssets(files: Readonly<Record<string, string>>): void {
  embedded = new Map(Object.entries(files).map(([name, b64]) => [name, Buffer.from(b64, "base64")]));
}

/**
 * Loads the built web cluster (a flat folder, or the embedded copy) into memory. Requests are
 * answered from that map by exact file name, so no request path ever reaches the file system (no
 * traversal to guard). Missing folder = an empty map: `GET /` then explains how to build it.
 */
export function loadWebAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (embedded !== null) {
    for (const [name, body] of embedded) if (TYPES[extname(name)] !== undefined) assets.set(name, asset(body, extname(name)));
    return assets;
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return assets;
  }
  for (const name of names) {
    const ext = extname(name);
    if (TYPES[ext] === undefined || name.startsWith(".")) continue;
    try {
      assets.set(name, asset(readFileSync(join(dir, name)), ext));
    } catch {
      // a folder named like a file, or unreadable: not part of the build
    }
  }
  return assets;
}

function wantsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
}

function respond(req: IncomingMessage, res: ServerResponse, a: Asset, extra: Record<string, string> = {}): void {
  const gz = a.gzip !== null && wantsGzip(req);
  const etag = gz ? `${a.etag.slice(0, -1)}-gz"` : a.etag;
  const headers: Record<string, string | number> = {
    "content-type": a.type,
    // names carry no content hash: always revalidate, the ETag makes that a 304
    "cache-control": "no-cache",
    etag,
    ...(a.gzip !== null ? { vary: "accept-encoding" } : {}),
    ...SECURITY_HEADERS,
    ...extra,
  };
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const body = gz && a.gzip ? a.gzip : a.body;
  res.writeHead(200, { ...headers, ...(gz ? { "content-encoding": "gzip" } : {}), "content-length": body.length });
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * The `Routes.extra` handler for the browser cluster: `/` is the page, the other names are its
 * assets. The page's `?token=` (already checked by the server) is carried into the asset URLs
 * it references, so a page opened as `/?token=T` loads everything it needs.
 */
export type WebRoutes = ((req: IncomingMessage, res: ServerResponse, url: URL) => boolean) & {
  /** whether the page itself is there to serve (else GET / answers 503) */
  readonly hasPage: boolean;
};

/** The start-up line about the page: its address when there is one, and never an address that answers 503. */
export function clusterLine(web: Pick<WebRoutes, "hasPage">, base: string, token: boolean): string {
  if (!web.hasPage) return "no web cluster in this build (GET / answers 503: run `npm run build`); /usage, /ws and /metrics work";
  return `the cluster: ${base}${token ? "?token=<your token>" : ""}`;
}

export function webRoutes(dir: string): WebRoutes {
  const assets = loadWebAssets(dir);
  const index = assets.get("index.html");
  const pages = new Map<string, Asset>();

  function page(token: string | null): Asset | undefined {
    if (index === undefined) return undefined;
    const query = token === null ? "" : `?token=${encodeURIComponent(token)}`;
    let a = pages.get(query);
    if (a === undefined) {
      a = asset(Buffer.from(index.body.toString("utf8").replaceAll(QUERY_SLOT, query)), ".html");
      // tokens are few; keep the map from growing on junk queries that failed auth elsewhere
      if (pages.size < 16) pages.set(query, a);
    }
    return a;
  }

  const handle = (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (url.pathname === "/" || url.pathname === "/index.html") {
      const a = page(url.searchParams.get("token"));
      if (a === undefined) {
        const body = "claude-gauge: the web cluster is not built; run `npm run build`.\n";
        res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), ...SECURITY_HEADERS });
        res.end(req.method === "HEAD" ? undefined : body);
        return true;
      }
      respond(req, res, a, { "content-security-policy": PAGE_CSP });
      return true;
    }
    const a = assets.get(url.pathname.slice(1));
    if (a === undefined) return false;
    respond(req, res, a);
    return true;
  };
  return Object.assign(handle, { hasPage: index !== undefined });
}
