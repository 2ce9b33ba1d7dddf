/*
 * URLs of the page's own server. A page opened as `/?token=T` passes T on every request (browsers
 * cannot set an Authorization header on a WebSocket, and the query works for both).
 */

const token = new URLSearchParams(location.search).get("token");

/** `path` on this server, with the page's token when it has one. */
export function apiUrl(path: string): string {
  if (token === null) return path;
  return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

export function wsUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${apiUrl("/ws")}`;
}

/** GET JSON with a deadline (ms); throws on network errors, timeouts and non-2xx answers. */
export async function getJson(path: string, timeoutMs = 3000): Promise<unknown> {
  const r = await fetch(apiUrl(path), { cache: "no-store", signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}
