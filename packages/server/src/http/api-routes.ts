import type { Registry } from "prom-client";
import type { StatsWindow } from "@claude-gauge/core";
import type { Route } from "./server.js";
import { send, sendError, sendJson } from "./respond.js";
import type { SnapshotFeed } from "./snapshot-feed.js";

/** What the API routes read; every value is prepared outside the request path where it can be. */
export interface Api {
  feed: SnapshotFeed;
  schemaJson: string;
  stats(window: StatsWindow): unknown;
  history(hours: number): unknown;
  health(): { ok: boolean };
  registry: Registry;
  /** POST /statusline: null when taken, else an error naming the bad field */
  statusline?: (body: unknown) => string | null;
}

/** A statusline reading is a few hundred bytes; anything much larger is not one (bytes). */
export const STATUSLINE_MAX_BODY = 16 << 10;

/** GET /usage, /usage/schema.json, /healthz, /metrics, /stats, /history and POST /statusline. */
export function apiRoutes(api: Api): Route[] {
  const routes: Route[] = [
    {
      method: "GET",
      path: "/usage",
      handle: ({ req, res }) => {
        const f = api.feed.current;
        if (req.headers["if-none-match"] === f.etag) {
          res.writeHead(304, { etag: f.etag, "cache-control": "no-store" });
          res.end();
          return;
        }
        send(res, 200, f.json, undefined, { etag: f.etag });
      },
    },
    { method: "GET", path: "/usage/schema.json", handle: ({ res }) => send(res, 200, api.schemaJson, "application/schema+json; charset=utf-8") },
    {
      method: "GET",
      path: "/healthz",
      handle: ({ res }) => {
        const h = api.health();
        sendJson(res, h.ok ? 200 : 503, h);
      },
    },
    { method: "GET", path: "/metrics", handle: async ({ res }) => send(res, 200, await api.registry.metrics(), api.registry.contentType) },
    {
      method: "GET",
      path: "/stats",
      handle: ({ res, url }) => {
        const w = url.searchParams.get("window") ?? "day";
        if (w !== "day" && w !== "week" && w !== "all") return sendError(res, 400, "window: expected day, week or all");
        sendJson(res, 200, api.stats(w));
      },
    },
    {
      method: "GET",
      path: "/history",
      handle: ({ res, url }) => {
        const hours = Number(url.searchParams.get("hours") ?? "24");
        if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 7) return sendError(res, 400, "hours: expected an integer 1..168");
        sendJson(res, 200, api.history(hours));
      },
    },
  ];
  const statusline = api.statusline;
  if (statusline) {
    routes.push({
      method: "POST",
      path: "/statusline",
      // application/json only: a foreign page cannot send it without a CORS preflight, which fails.
      body: { maxBytes: STATUSLINE_MAX_BODY, types: ["application/json"] },
      handle: ({ res, body }) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString("utf8"));
        } catch {
          return sendError(res, 400, "body: not valid JSON");
        }
        const error = statusline(parsed);
        if (error !== null) return sendError(res, 400, error);
        // the snapshot with the reading taken: the status line needs no second request for it
        const f = api.feed.current;
        send(res, 200, f.json, undefined, { etag: f.etag });
      },
    });
  }
  return routes;
}
