import type { IncomingMessage } from "node:http";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hostAllowed, hostName, refuse } from "./guard.js";

function req(headers: Record<string, string>, method = "GET"): IncomingMessage {
  return { method, headers } as unknown as IncomingMessage;
}
const url = (q = "") => new URL(`http://localhost/usage${q}`);

describe("Host (DNS rebinding)", () => {
  it("answers IP literals, localhost and names the user allowed, with or without a port", () => {
    for (const h of [
      "127.0.0.1",
      "127.0.0.1:8080",
      "[::1]:8080",
      "[::1]",
      "localhost:8080",
      "LOCALHOST",
      "gauge.localhost:1",
      "192.168.1.20:8080",
      "localhost.",
    ]) {
      expect(hostAllowed(h), h).toBe(true);
    }
    expect(hostAllowed("desk.lan:8080", ["desk.lan"])).toBe(true);
    expect(hostAllowed(undefined)).toBe(true);
  });

  it("refuses every other name, and malformed headers", () => {
    for (const h of [
      "evil.example",
      "evil.example:8080",
      "127.0.0.1.nip.io",
      "localhost.evil.example",
      "desk.lan",
      "",
      "[",
      "[]",
      "a b",
      "évil.example",
      "127.0.0.1@evil",
    ]) {
      expect(hostAllowed(h), h).toBe(false);
    }
    expect(hostName("[::1]:80")).toBe("::1");
    expect(hostName("Example.COM.:80")).toBe("example.com");
  });

  it("never throws on any header", () => {
    fc.assert(fc.property(fc.string(), (h) => typeof hostAllowed(h) === "boolean"));
  });
});

describe("refuse", () => {
  it("lets same-origin pages, navigations and header-less clients through", () => {
    expect(refuse(req({ host: "127.0.0.1:8080" }), url(), {})).toBeNull();
    expect(refuse(req({ host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080", "sec-fetch-site": "same-origin" }), url(), {})).toBeNull();
    expect(refuse(req({ host: "localhost:8080", origin: "http://localhost:8080" }, "POST"), url(), {})).toBeNull();
    expect(refuse(req({ host: "127.0.0.1:8080", "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" }), url(), {})).toBeNull();
    expect(refuse(req({ host: "127.0.0.1:8080", "sec-fetch-site": "none", "sec-fetch-mode": "navigate" }), url(), {})).toBeNull();
    expect(refuse(req({}), url(), {})).toBeNull();
    // the ESP32's WebSocket client sends this fixed Origin; no browser can send it
    expect(refuse(req({ host: "192.168.1.20:8080", origin: "file://" }), url(), {})).toBeNull();
  });

  it("refuses foreign origins and cross-site fetches (403) before the token (401)", () => {
    const cases: Record<string, string>[] = [
      { host: "127.0.0.1:8080", origin: "http://evil.example" },
      { host: "127.0.0.1:8080", origin: "http://127.0.0.1:9999" },
      { host: "127.0.0.1:8080", origin: "https://127.0.0.1:8080" },
      { host: "127.0.0.1:8080", origin: "null" },
      { host: "127.0.0.1:8080", origin: "file://", "sec-fetch-site": "cross-site", "sec-fetch-mode": "websocket" },
      { host: "127.0.0.1:8080", origin: "not a url" },
      { host: "127.0.0.1:8080", "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors" },
      { host: "127.0.0.1:8080", "sec-fetch-site": "same-site", "sec-fetch-mode": "cors" },
      { host: "127.0.0.1:8080", "sec-fetch-site": "cross-site", "sec-fetch-mode": "websocket" },
      { host: "evil.example:8080", origin: "http://evil.example:8080", "sec-fetch-site": "same-origin" },
    ];
    for (const h of cases) expect(refuse(req(h, "POST"), url(), { token: "t" })?.status, JSON.stringify(h)).toBe(403);
    // a cross-site POST that claims navigation (a form) is still refused
    expect(refuse(req({ host: "127.0.0.1:8080", "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" }, "POST"), url(), {})?.status).toBe(403);
  });

  it("needs the token by header or query, compared in full", () => {
    const h = { host: "127.0.0.1:8080" };
    expect(refuse(req(h), url(), { token: "sekret" })?.status).toBe(401);
    expect(refuse(req({ ...h, authorization: "Bearer sekret" }), url(), { token: "sekret" })).toBeNull();
    expect(refuse(req(h), url("?token=sekret"), { token: "sekret" })).toBeNull();
    expect(refuse(req({ ...h, authorization: "Bearer sekre" }), url(), { token: "sekret" })?.status).toBe(401);
    expect(refuse(req({ ...h, authorization: "Basic sekret" }), url(), { token: "sekret" })?.status).toBe(401);
  });

  it("names the header, never what was sent", () => {
    const r = refuse(req({ host: "evil-marker.example" }), url(), {});
    expect(r?.error).toMatch(/^Host:/);
    expect(r?.error).not.toContain("evil-marker");
  });
});
