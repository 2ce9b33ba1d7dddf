/**
 * The daemon's edge under attack: a real daemon process, requests a foreign page or a rebinding
 * attacker can make (raw, with the headers browsers send), fuzzed POST bodies and state files, and
 * a hostile page in Debian's Chromium. Invariants: the daemon stays up, nothing foreign is read or
 * changed, every /usage body and WebSocket frame validates against the schema.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { UsageSnapshotSchema, type UsageSnapshot } from "@claude-gauge/core";
import { launchChromium, type Chromium } from "./helpers/browser.js";
import { startServer, type RunningServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

const HOUR = 3_600_000;
const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

function tree(): { dir: string; stateHome: string } {
  const dir = mkdtempSync(join(tmpdir(), "cg-hostile-"));
  const proj = join(dir, "projects", "-home-u-app");
  mkdirSync(proj, { recursive: true });
  writeFileSync(join(proj, "s1.jsonl"), `${assistantLine({ id: "a", ts: new Date(Date.now() - 60_000), input: 100, output: 50 })}\n`);
  return { dir, stateHome: mkdtempSync(join(tmpdir(), "cg-hostile-state-")) };
}

async function start(args: string[] = [], env: Record<string, string> = {}): Promise<RunningServer> {
  const t = tree();
  const s = await startServer(t.dir, args, { XDG_STATE_HOME: t.stateHome, ...env });
  running.push(s);
  return s;
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One request with exactly the headers given (fetch would not let us set Host). */
function raw(s: RunningServer, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = request({ host: "127.0.0.1", port: s.port, method, path, headers, setHost: headers["host"] === undefined }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    r.on("error", reject);
    r.end(body);
  });
}

async function usage(s: RunningServer): Promise<UsageSnapshot> {
  const r = await fetch(`${s.url}/usage`);
  expect(r.status).toBe(200);
  return UsageSnapshotSchema.parse(await r.json());
}

const reading = (patch: Record<string, unknown> = {}) =>
  JSON.stringify({ at: Date.now(), sessionId: null, rateLimits: { fiveHour: { usedPct: 0.5, resetsAt: Date.now() + HOUR }, sevenDay: null, ...patch } });

/** Opens a WebSocket with the given headers; resolves with the first frame, or the refusal's status. */
function wsTry(s: RunningServer, headers: Record<string, string>): Promise<{ frame?: string; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws`, { headers });
    ws.on("message", (d) => {
      resolve({ frame: String(d) });
      ws.close();
    });
    ws.on("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on("error", () => resolve({ status: -1 }));
  });
}

describe("the HTTP edge against a real daemon", () => {
  it("answers only names that cannot be rebound: IP literals and localhost, or what --allow-host adds", async () => {
    const s = await start(["--allow-host", "desk.lan"]);
    for (const path of ["/usage", "/metrics", "/healthz", "/stats", "/history?hours=1", "/", "/app.js", "/nope"]) {
      const a = await raw(s, "GET", path, { host: `evil.example:${s.port}` });
      expect(a.status, path).toBe(403);
      expect(a.body).not.toContain("rate_1m");
    }
    expect((await raw(s, "GET", "/usage", { host: `localhost:${s.port}` })).status).toBe(200);
    expect((await raw(s, "GET", "/usage", { host: `[::1]:${s.port}` })).status).toBe(200);
    expect((await raw(s, "GET", "/usage", { host: `desk.lan:${s.port}` })).status).toBe(200);
    expect(await wsTry(s, { host: `evil.example:${s.port}` })).toEqual({ status: 403 });
  });

  it("refuses foreign origins on every route and the WebSocket; same-origin pages and header-less clients work", async () => {
    const s = await start();
    const host = `127.0.0.1:${s.port}`;
    const foreign = { host, origin: "http://evil.example" };
    expect((await raw(s, "GET", "/usage", foreign)).status).toBe(403);
    expect((await raw(s, "POST", "/statusline", { ...foreign, "content-type": "application/json" }, reading())).status).toBe(403);
    expect(await wsTry(s, foreign)).toEqual({ status: 403 });
    expect(await wsTry(s, { host, origin: "http://127.0.0.1:1" })).toEqual({ status: 403 });
    expect(await wsTry(s, { host, "sec-fetch-site": "cross-site", "sec-fetch-mode": "websocket" })).toEqual({ status: 403 });
    const same = await wsTry(s, { host, origin: `http://${host}` });
    expect(UsageSnapshotSchema.parse(JSON.parse(same.frame ?? "null")).fuel_source).toBe("estimated");
    expect((await raw(s, "GET", "/usage", { host, origin: `http://${host}`, "sec-fetch-site": "same-origin" })).status).toBe(200);
    const taken = await raw(s, "POST", "/statusline", { "content-type": "application/json" }, reading());
    expect(taken.status).toBe(200);
    // the answer is the snapshot with the reading already in it
    expect(UsageSnapshotSchema.parse(JSON.parse(taken.body)).fuel_source).toBe("official");
    expect((await usage(s)).fuel_source).toBe("official");
  });

  it("takes POST /statusline only as application/json: the no-cors text/plain post that once killed it gets 415", async () => {
    const s = await start();
    const killer = reading({ fiveHour: { usedPct: 0.99, resetsAt: 9e15 } });
    for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      expect((await raw(s, "POST", "/statusline", { "content-type": type }, killer)).status, type).toBe(415);
    }
    expect((await raw(s, "POST", "/statusline", {}, killer)).status).toBe(415);
    const bad = await raw(s, "POST", "/statusline", { "content-type": "application/json" }, killer);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ error: "rateLimits.fiveHour.resetsAt: out of range" });
    const u = await usage(s);
    expect(u.fuel_source).toBe("estimated");
    expect(s.proc.exitCode).toBeNull();
  });

  it("refuses out-of-range readings with 400 naming the field, so a bad one never becomes the latest", async () => {
    const s = await start();
    const cases: [Record<string, unknown> | string, string][] = [
      [{ fiveHour: { usedPct: -1, resetsAt: Date.now() + HOUR } }, "rateLimits.fiveHour.usedPct"],
      [{ fiveHour: { usedPct: 1e9, resetsAt: Date.now() + HOUR } }, "rateLimits.fiveHour.usedPct"],
      [{ fiveHour: { usedPct: "abc", resetsAt: Date.now() + HOUR } }, "rateLimits.fiveHour.usedPct"],
      [{ fiveHour: { usedPct: 0.2, resetsAt: 1e15 } }, "rateLimits.fiveHour.resetsAt"],
    ];
    for (const [patch, field] of cases) {
      const a = await raw(s, "POST", "/statusline", { "content-type": "application/json" }, reading(patch as Record<string, unknown>));
      expect(a.status).toBe(400);
      expect((JSON.parse(a.body) as { error: string }).error.startsWith(`${field}:`)).toBe(true);
      expect(a.body).not.toMatch(/abc|1e\+?15|1000000000/);
    }
    const future = JSON.stringify({ at: 1e308, sessionId: null, rateLimits: { fiveHour: { usedPct: 0.9, resetsAt: Date.now() + HOUR }, sevenDay: null } });
    expect(JSON.parse((await raw(s, "POST", "/statusline", { "content-type": "application/json" }, future)).body)).toEqual({ error: "at: out of range" });
    // a genuine reading after all of them is the one the gauge shows
    const genuine = await raw(
      s,
      "POST",
      "/statusline",
      { "content-type": "application/json" },
      reading({ fiveHour: { usedPct: 0.37, resetsAt: Date.now() + HOUR } }),
    );
    expect(genuine.status).toBe(200);
    expect(JSON.parse(genuine.body)).toMatchObject({ fuel_source: "official", window_5h_pct: 0.37 });
    expect(await usage(s)).toMatchObject({ fuel_source: "official", window_5h_pct: 0.37 });
  });

  it("bounds bodies (413), malformed JSON (400), methods (405) and broken requests (400) without stopping", async () => {
    const s = await start();
    const json = { "content-type": "application/json" };
    expect((await raw(s, "POST", "/statusline", json, "x".repeat(17 << 10))).status).toBe(413);
    expect((await raw(s, "POST", "/statusline", { ...json, "content-length": String(1 << 30) }).catch(() => ({ status: 413 }))).status).toBe(413);
    expect((await raw(s, "POST", "/statusline", json, "{")).status).toBe(400);
    expect((await raw(s, "POST", "/statusline", { ...json, "content-encoding": "gzip" }, "x")).status).toBe(415);
    expect((await raw(s, "DELETE", "/usage", {})).status).toBe(405);
    expect((await raw(s, "POST", "/usage", json, "{}")).status).toBe(405);
    expect((await raw(s, "GET", "/stats?window=year", {})).status).toBe(400);
    expect((await raw(s, "GET", "/history?hours=1e9", {})).status).toBe(400);
    expect((await raw(s, "GET", "//%zz", {})).status).toBeLessThan(500);
    await usage(s);
  });

  it("stays up and keeps every /usage valid under fuzzed POST bodies", async () => {
    const s = await start();
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string(),
      fc
        .record({
          at: fc.oneof(fc.double(), fc.constant(Date.now()), fc.string()),
          sessionId: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
          rateLimits: fc.record({
            fiveHour: fc.option(fc.record({ usedPct: fc.oneof(fc.double(), fc.string()), resetsAt: fc.oneof(fc.double(), fc.integer(), fc.string()) })),
            sevenDay: fc.option(fc.record({ usedPct: fc.double(), resetsAt: fc.double() })),
          }),
        })
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const a = await raw(s, "POST", "/statusline", { "content-type": "application/json" }, b);
        expect([200, 400]).toContain(a.status);
        if (a.status === 200) UsageSnapshotSchema.parse(JSON.parse(a.body));
        if (a.status === 400) expect((JSON.parse(a.body) as { error: string }).error).toMatch(/^[A-Za-z.]+: /);
      }),
      { numRuns: 300 },
    );
    const u = await usage(s);
    expect(u.fuel_5h_pos).toBeGreaterThanOrEqual(0);
    expect(s.proc.exitCode).toBeNull();
  });

  it("starts with hostile state files (a 1e300 reset once made every start exit 2)", async () => {
    const t = tree();
    const folder = join(t.stateHome, "claude-gauge");
    mkdirSync(folder, { recursive: true });
    const lines = [
      JSON.stringify({ at: Date.now() - 60_000, sessionId: null, rateLimits: { fiveHour: { usedPct: 0.9, resetsAt: 1e300 }, sevenDay: null } }),
      JSON.stringify({ at: 1e308, sessionId: null, rateLimits: { fiveHour: { usedPct: 0.9, resetsAt: Date.now() + HOUR }, sevenDay: null } }),
      '{"at":',
      "\u0000\u0001garbage",
      "[]",
      JSON.stringify({ at: Date.now() - 30_000, sessionId: "s", rateLimits: { fiveHour: { usedPct: 0.25, resetsAt: Date.now() + HOUR }, sevenDay: null } }),
    ];
    writeFileSync(join(folder, "official.jsonl"), `${lines.join("\n")}\n`);
    writeFileSync(join(folder, `official-${new Date().toISOString().slice(0, 10)}.jsonl`), Buffer.from([0xff, 0xfe, 0x0a, 0x7b]));
    const s = await startServer(t.dir, [], { XDG_STATE_HOME: t.stateHome });
    running.push(s);
    expect(await usage(s)).toMatchObject({ fuel_source: "official", window_5h_pct: 0.25 });
  });
});

describe("a hostile page in Chromium", () => {
  let browser: Chromium;
  let attacker: Server;
  let attackerPort = 0;
  beforeAll(async () => {
    // --host-resolver-rules: evil.test resolves to 127.0.0.1, as a rebinding attacker's domain would
    browser = await launchChromium({ extraArgs: ["--host-resolver-rules=MAP evil.test 127.0.0.1"] });
    attacker = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>evil</title>");
    });
    await new Promise<void>((r) => attacker.listen(0, "127.0.0.1", () => r()));
    attackerPort = (attacker.address() as AddressInfo).port;
  });
  afterAll(async () => {
    attacker?.close();
    await browser?.close();
  });

  it("can neither read nor change anything: no-cors POST, CORS fetch, WebSocket, script include, rebinding", async () => {
    const s = await start();
    const before = await usage(s);
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${attackerPort}/`);
    const results = await page.evaluate(
      async ({ daemon, body }) => {
        const out: Record<string, string> = {};
        // 1. the post that used to move the needles and then kill the daemon
        await fetch(`${daemon}/statusline`, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body }).then(
          () => (out["noCors"] = "sent"),
          () => (out["noCors"] = "failed"),
        );
        // 2. reading /usage with CORS
        out["cors"] = await fetch(`${daemon}/usage`).then(
          (r) => r.text(),
          () => "blocked",
        );
        // 3. the live frames
        out["ws"] = await new Promise<string>((resolve) => {
          const ws = new globalThis.WebSocket(`${daemon.replace("http", "ws")}/ws`);
          ws.onmessage = (m) => resolve(`frame:${String(m.data).slice(0, 20)}`);
          ws.onerror = () => resolve("error");
          ws.onclose = () => resolve("closed");
          setTimeout(() => resolve("timeout"), 5000);
        });
        return out;
      },
      { daemon: `http://127.0.0.1:${s.port}`, body: reading({ fiveHour: { usedPct: 0.99, resetsAt: 9e15 } }) },
    );
    expect(results["cors"]).toBe("blocked");
    expect(results["ws"]).not.toMatch(/^frame:/);
    // a JSON include as a script (CORP: same-origin only)
    const script = await page.addScriptTag({ url: `http://127.0.0.1:${s.port}/usage` }).then(
      () => "loaded",
      () => "blocked",
    );
    expect(script).toBe("blocked");

    // rebinding: a page of evil.test on the daemon's own port, then same-origin requests from it
    await page.route(`http://evil.test:${s.port}/`, (route) =>
      route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>rebound</title>" }),
    );
    await page.goto(`http://evil.test:${s.port}/`);
    const rebound = await page.evaluate(async () => {
      const r = await fetch("/usage").catch(() => null);
      return r === null ? "failed" : `${r.status}:${(await r.text()).slice(0, 40)}`;
    });
    // Chromium's own private-network rules may stop the fetch first; either way nothing is read
    expect(rebound).toMatch(/^(403:|failed$)/);
    // a rebound page reaches the daemon by navigation too, with its own name in Host: refused
    await page.unrouteAll();
    for (const path of ["/usage", "/", "/healthz"]) {
      const nav = await page.goto(`http://evil.test:${s.port}${path}`);
      expect(nav?.status(), path).toBe(403);
      expect(await nav?.text()).not.toContain("rate_1m");
    }
    await page.close();

    // the daemon is alive and nothing changed
    const after = await usage(s);
    expect(after.fuel_source).toBe("estimated");
    expect(after.window_5h_tokens).toBe(before.window_5h_tokens);
    expect(s.logs()).not.toMatch(/RangeError|TypeError/);
  });

  it("still serves the cluster to its own page, at 127.0.0.1 and at localhost", async () => {
    const s = await start();
    for (const origin of [`http://127.0.0.1:${s.port}`, `http://localhost:${s.port}`]) {
      const page = await browser.context.newPage();
      await page.goto(`${origin}/`);
      const got = await page.evaluate(async () => (await fetch("/usage")).status);
      expect(got).toBe(200);
      await page.waitForFunction("document.querySelector('[data-lamp]') !== null", undefined, { timeout: 10_000 });
      await page.close();
    }
  });
});
