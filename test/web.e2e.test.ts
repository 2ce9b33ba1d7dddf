import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { UsageSnapshotSchema, type UsageSnapshot } from "@claude-gauge/core";
import { launchChromium, type Chromium } from "./helpers/browser.js";
import { startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

/*
 * The browser cluster against a real server process and real transcript files, in Debian's
 * Chromium. Needle angles are read from the SVG transform; the firmware's mapping is
 * round(pos × 944 / 1000) steps of 1/3°, from the zero stop at −157.5°.
 */

type GaugeId = "fuel5h" | "tach" | "fuel7d";
const LAMP_NAMES = ["opus", "sonnet", "haiku", "hot", "warn", "stall", "idle"] as const;

const angleFor = (pos: number) => -157.5 + Math.round((pos * 944) / 1000) / 3;
const ago = (ms: number) => new Date(Date.now() - ms);
const HOUR = 3_600_000;

let browser: Chromium;
const running: RunningServer[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await Promise.all(pages.splice(0).map((p) => p.close()));
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

function tree(files: Record<string, string[]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "cg-web-"));
  const path = (f: string) => join(dir, "projects", f);
  for (const [f, lines] of Object.entries(files)) {
    mkdirSync(join(path(f), ".."), { recursive: true });
    writeFileSync(path(f), lines.map((l) => `${l}\n`).join(""));
  }
  return { dir, append: (f: string, line: string) => appendFileSync(path(f), `${line}\n`) };
}

async function start(dir: string, args: string[] = [], env: Record<string, string> = {}): Promise<RunningServer> {
  const s = await startServer(dir, args, env);
  running.push(s);
  return s;
}

async function open(url: string, setup?: (p: Page) => Promise<void>): Promise<Page> {
  const page = await browser.context.newPage();
  pages.push(page);
  await setup?.(page);
  await page.goto(url);
  return page;
}

async function usage(s: RunningServer): Promise<UsageSnapshot> {
  const r = await fetch(`${s.url}/usage`);
  return UsageSnapshotSchema.parse(await r.json());
}

async function needleAngle(page: Page, id: GaugeId): Promise<number> {
  const t = (await page.locator(`#gauge-${id} .needle`).getAttribute("transform")) ?? "";
  const m = /rotate\((-?[\d.]+) /.exec(t);
  if (!m) throw new Error(`no rotation in ${JSON.stringify(t)}`);
  return Number(m[1]);
}

async function lamps(page: Page): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const n of LAMP_NAMES) out[n] = (await page.locator(`[data-lamp="${n}"]`).getAttribute("data-lit")) === "true";
  return out;
}

const close = (a: number, b: number) => Math.abs(a - b) < 0.01;

/** Waits until all three needles rest where the snapshot's positions put them. */
async function needlesAt(page: Page, pos: Record<GaugeId, number>, ms = 10_000): Promise<void> {
  await waitFor(
    async () => {
      for (const id of ["fuel5h", "tach", "fuel7d"] as const) if (!close(await needleAngle(page, id), angleFor(pos[id]))) return undefined;
      return true;
    },
    ms,
    `needles at ${JSON.stringify(pos)}`,
  );
}

const positions = (u: UsageSnapshot): Record<GaugeId, number> => ({ fuel5h: u.fuel_5h_pos, tach: u.tach_pos, fuel7d: u.fuel_7d_pos });

function lampsOf(u: UsageSnapshot): Record<string, boolean> {
  return {
    opus: u.last_model === "opus",
    sonnet: u.last_model === "sonnet",
    haiku: u.last_model === "haiku",
    hot: u.hot,
    warn: u.warn,
    stall: u.stall,
    idle: u.idle,
  };
}

async function linkState(page: Page): Promise<string | null> {
  return page.locator("body").getAttribute("data-link");
}

const SMALL_TANKS = { CLAUDE_GAUGE_5H_CEILING: "100000", CLAUDE_GAUGE_7D_CEILING: "1000000", CLAUDE_GAUGE_TACH_REDLINE: "20000" };
const OPUS = "claude-opus-4-5-20251101";

describe("the browser cluster (GET /, Debian Chromium, real server and files)", () => {
  it("moves needles and lamps as lines are appended, with screen-reader values", async () => {
    const t = tree({ "-home-u-app/s1.jsonl": [assistantLine({ id: "a", ts: ago(2 * HOUR), input: 1000, output: 1000, cacheRead: 8000 })] });
    const s = await start(t.dir, [], SMALL_TANKS);
    const page = await open(`${s.url}/`);

    // 10k of 100k used, nothing in the last minute: fuel at 900 and 990, tach at rest, IDLE and SONNET lit
    let u = await usage(s);
    expect(positions(u)).toEqual({ fuel5h: 900, tach: 0, fuel7d: 990 });
    await needlesAt(page, positions(u));
    await waitFor(async () => ((await linkState(page)) === "live" ? true : undefined), 5000, "live");
    expect(await lamps(page)).toEqual({ ...lampsOf(u), idle: true, sonnet: true });

    // a 60k-token Opus message now: 60k/min against a 20k redline pins the tach, HOT and OPUS light
    t.append("-home-u-app/s1.jsonl", assistantLine({ id: "b", ts: new Date(), model: OPUS, input: 100, output: 900, cacheRead: 59_000 }));
    await waitFor(async () => ((await usage(s)).tach_pos === 1000 ? true : undefined), 5000, "server saw the line");
    u = await usage(s);
    expect(positions(u)).toEqual({ fuel5h: 300, tach: 1000, fuel7d: 930 });
    await needlesAt(page, positions(u));
    await waitFor(async () => ((await lamps(page))["hot"] ? true : undefined), 5000, "HOT");
    expect(await lamps(page)).toEqual({ opus: true, sonnet: false, haiku: false, hot: true, warn: false, stall: false, idle: false });

    // 15k more: 85 % of the 5 h tank used, past the 80 % warn share
    t.append("-home-u-app/s1.jsonl", assistantLine({ id: "c", ts: new Date(), model: OPUS, input: 10, output: 990, cacheRead: 14_000 }));
    await waitFor(async () => ((await usage(s)).warn ? true : undefined), 5000, "server WARN");
    u = await usage(s);
    expect(u.fuel_5h_pos).toBe(150);
    await needlesAt(page, positions(u));
    await waitFor(async () => ((await lamps(page))["warn"] ? true : undefined), 5000, "WARN");
    expect(await lamps(page)).toEqual(lampsOf(u));

    // what a screen reader hears
    const fuel = page.locator("#gauge-fuel5h");
    expect(await fuel.getAttribute("role")).toBe("meter");
    expect(await fuel.getAttribute("aria-valuenow")).toBe("15");
    expect(await fuel.getAttribute("aria-valuetext")).toContain("15 % of the 5-hour window left");
    expect(await page.locator("#gauge-tach").getAttribute("aria-valuetext")).toContain("above the redline");
    expect(await page.locator('[data-lamp="warn"]').getAttribute("aria-label")).toMatch(/^WARN: lit/);
    expect(await page.locator('[data-lamp="stall"]').getAttribute("aria-label")).toBe("STALL: off");

    // the read-outs under the cluster
    const readout = (k: string) => page.locator(`[data-readout="${k}"] .readout-value`).textContent();
    expect(await readout("cost5h")).toBe(`$${u.cost_5h_usd.toFixed(2)}`);
    expect(await readout("cost7d")).toBe(`$${u.cost_7d_usd.toFixed(2)}`);
    expect(await readout("cache")).toBe(`${Math.round(u.cache_hit_rate * 100)} %`);
    expect(await readout("thinking")).toBe(`${Math.round(u.thinking_ratio * 100)} %`);
    expect(await readout("reset5h")).toMatch(/^\d+ h \d\d m$/);
    expect(await readout("reset7d")).toMatch(/^\d+ d \d+ h$/);
  });

  it("goes offline 10 s after the server dies (needles to zero, STALL lit), and comes back by itself", async () => {
    const t = tree({ "-home-u-app/s1.jsonl": [assistantLine({ id: "a", ts: ago(10 * 60_000), input: 1000, output: 4000, cacheRead: 25_000 })] });
    const s = await start(t.dir, [], SMALL_TANKS);
    const page = await open(`${s.url}/`);
    const u = await usage(s);
    await needlesAt(page, positions(u));
    await waitFor(async () => ((await linkState(page)) === "live" ? true : undefined), 5000, "live");

    const killedAt = Date.now();
    s.proc.kill("SIGKILL");
    await waitFor(async () => ((await linkState(page)) === "reconnecting" ? true : undefined), 5000, "reconnecting");
    // not yet: the hardware, too, waits 10 s before it gives up on the data
    expect((await lamps(page))["stall"]).toBe(false);
    expect(await needleAngle(page, "fuel5h")).toBeCloseTo(angleFor(u.fuel_5h_pos), 2);

    await waitFor(async () => ((await linkState(page)) === "offline" ? true : undefined), 16_000, "offline");
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(9500);
    await needlesAt(page, { fuel5h: 0, tach: 0, fuel7d: 0 });
    expect(await lamps(page)).toEqual({ opus: false, sonnet: false, haiku: false, hot: false, warn: false, stall: true, idle: false });
    expect(await page.locator(".banner").isVisible()).toBe(true);

    // the same server back on the same port: the page reconnects on its own
    await start(t.dir, ["--port", String(s.port)], SMALL_TANKS);
    await waitFor(async () => ((await linkState(page)) === "live" ? true : undefined), 20_000, "live again");
    await needlesAt(page, positions(u));
    expect((await lamps(page))["stall"]).toBe(false);
    expect(await page.locator(".banner").isVisible()).toBe(false);
  });

  it("goes offline 10 s after the last snapshot it could use when the server speaks another contract version, and recovers", async () => {
    const t = tree({ "-home-u-app/s1.jsonl": [assistantLine({ id: "a", ts: ago(10 * 60_000), input: 1000, output: 4000, cacheRead: 25_000 })] });
    const s = await start(t.dir, [], SMALL_TANKS);
    let foreign = false;
    const bump = (text: string) => (foreign ? text.replace('"v":1', '"v":2') : text);
    /** frames forwarded to the page, per socket it opened */
    const framesPerSocket: number[] = [];
    const page = await open(`${s.url}/`, async (p) => {
      // between the page and the real server: frames and poll answers turn into version 2 on demand
      await p.routeWebSocket(/\/ws/, (ws) => {
        const server = ws.connectToServer();
        const i = framesPerSocket.push(0) - 1;
        server.onMessage((m) => {
          ws.send(bump(String(m)));
          framesPerSocket[i] = (framesPerSocket[i] ?? 0) + 1;
        });
      });
      await p.route(/\/usage$/, async (route) => {
        const r = await route.fetch();
        await route.fulfill({ response: r, body: bump(await r.text()) });
      });
    });
    const u = await usage(s);
    await needlesAt(page, positions(u));
    await waitFor(async () => ((await linkState(page)) === "live" ? true : undefined), 5000, "live");

    foreign = true;
    const since = Date.now();
    const sockets = framesPerSocket.length;
    // a pushed frame of the other version, then the quiet socket's probes: none of it is contact
    t.append("-home-u-app/s1.jsonl", assistantLine({ id: "b", ts: new Date(), input: 5, output: 5 }));
    await waitFor(async () => ((await linkState(page)) === "offline" ? true : undefined), 20_000, "offline");
    expect(Date.now() - since).toBeGreaterThanOrEqual(9000);
    expect((await lamps(page))["stall"]).toBe(true);
    await needlesAt(page, { fuel5h: 0, tach: 0, fuel7d: 0 });
    // offline drops the socket; the page reconnects and is greeted with a version-2 snapshot
    await waitFor(async () => (framesPerSocket.length > sockets && (framesPerSocket.at(-1) ?? 0) > 0 ? true : undefined), 20_000, "a greeted new socket");

    // the server speaks version 1 again, but nothing changes, so nothing is pushed: the probe must notice
    foreign = false;
    await waitFor(async () => ((await linkState(page)) === "live" ? true : undefined), 20_000, "live again");
    expect((await lamps(page))["stall"]).toBe(false);
  });

  it("falls back to polling GET /usage once a second when the WebSocket cannot connect", async () => {
    const t = tree({ "-home-u-app/s1.jsonl": [assistantLine({ id: "a", ts: ago(HOUR), input: 1000, output: 1000, cacheRead: 18_000 })] });
    const s = await start(t.dir, [], SMALL_TANKS);
    const usageRequests: number[] = [];
    const page = await open(`${s.url}/`, async (p) => {
      // a proxy that refuses WebSocket upgrades
      await p.addInitScript(
        "window.WebSocket = class { constructor() { setTimeout(() => this.onclose && this.onclose({ code: 1006 }), 0); } close() {} send() {} };",
      );
      p.on("request", (r) => {
        if (new URL(r.url()).pathname === "/usage") usageRequests.push(Date.now());
      });
    });
    await waitFor(async () => ((await linkState(page)) === "polling" ? true : undefined), 5000, "polling");
    await needlesAt(page, positions(await usage(s)));
    t.append("-home-u-app/s1.jsonl", assistantLine({ id: "b", ts: new Date(), input: 10, output: 990, cacheRead: 29_000 }));
    await waitFor(async () => ((await usage(s)).fuel_5h_pos === 500 ? true : undefined), 5000, "server saw the line");
    await needlesAt(page, positions(await usage(s)));
    expect(await linkState(page)).toBe("polling");
    const n = usageRequests.length;
    await page.waitForTimeout(3000);
    // about one a second
    expect(usageRequests.length - n).toBeGreaterThanOrEqual(2);
    expect(usageRequests.length - n).toBeLessThanOrEqual(5);
  });

  it("usage page: totals, per-day bars and tables equal /stats for day, week and all", async () => {
    const sonnet = "claude-sonnet-4-5-20250929";
    const t = tree({
      "-home-u-app/s1.jsonl": [
        assistantLine({ id: "old", ts: ago(30 * 24 * HOUR), input: 5, output: 500, cacheRead: 90_000 }),
        assistantLine({ id: "w1", ts: ago(3 * 24 * HOUR), model: OPUS, input: 20, output: 2000, cacheCreation: 8000, cacheRead: 40_000 }),
        assistantLine({ id: "d1", ts: ago(2 * HOUR), model: sonnet, input: 7, output: 700, cacheCreation: 1200, cacheRead: 33_000 }),
      ],
      "-home-u-lib/s2.jsonl": [
        assistantLine({ id: "w2", ts: ago(5 * 24 * HOUR), input: 3, output: 300, cacheRead: 12_000, session: "s2" }),
        assistantLine({ id: "d2", ts: ago(HOUR), model: OPUS, input: 11, output: 1100, cacheCreation: 500, cacheRead: 21_000, session: "s2" }),
      ],
    });
    const s = await start(t.dir);
    const page = await open(`${s.url}/#usage`);
    for (const w of ["week", "day", "all"] as const) {
      await page.locator(`.switch button[data-window="${w}"]`).click();
      await waitFor(async () => ((await page.locator(".usage").getAttribute("data-window")) === w ? true : undefined), 5000, `window ${w}`);
      const stats = (await (await fetch(`${s.url}/stats?window=${w}`)).json()) as {
        totals: { total: number; messages: number };
        byModel: { model: string; total: number; input: number; output: number; cacheCreation: number; cacheRead: number }[];
        byProject: { project: string; total: number }[];
        byDay: { date: string; total: number }[];
      };
      expect(Number(await page.locator(".big").getAttribute("data-tokens"))).toBe(stats.totals.total);
      expect(Number(await page.locator(".headline-sub").getAttribute("data-messages"))).toBe(stats.totals.messages);
      expect(await page.locator(".big-label").textContent()).toContain(w === "week" ? "this week" : w === "day" ? "last 24 h" : "all");

      const rows = async (table: string) =>
        page.locator(`table[data-table="${table}"] tbody tr[data-name]`).evaluateAll((trs) =>
          trs.map((tr) => {
            const el = tr as unknown as { dataset: Record<string, string>; querySelectorAll(s: string): ArrayLike<{ dataset: Record<string, string> }> };
            return { name: el.dataset["name"], values: Array.from(el.querySelectorAll("td[data-value]"), (td) => Number(td.dataset["value"])) };
          }),
        );
      expect(await rows("model")).toEqual(stats.byModel.map((m) => ({ name: m.model, values: [m.total, m.input, m.output, m.cacheCreation, m.cacheRead] })));
      expect((await rows("project")).map((r) => [r.name, r.values[0]])).toEqual(stats.byProject.map((p) => [p.project, p.total]));
      const days = await page
        .locator(".day-chart g.day")
        .evaluateAll((gs) =>
          gs.map((g) => [
            (g as unknown as { dataset: Record<string, string> }).dataset["date"],
            Number((g as unknown as { dataset: Record<string, string> }).dataset["total"]),
          ]),
        );
      expect(days).toEqual(stats.byDay.map((d) => [d.date, d.total]));
    }
    // four stacked series per day, in the legend's order
    expect(await page.locator(".day-chart g.day").first().locator("rect.seg").count()).toBeGreaterThanOrEqual(3);
  });

  it("usage page: the 5 h band turns green → yellow → orange → red at 50 / 80 / 95 %", async () => {
    const t = tree({ "-home-u-app/s1.jsonl": [assistantLine({ id: "a", ts: ago(HOUR), input: 10, output: 990, cacheRead: 39_000 })] });
    const s = await start(t.dir, [], { CLAUDE_GAUGE_5H_CEILING: "100000", CLAUDE_GAUGE_7D_CEILING: "100000000" });
    const page = await open(`${s.url}/#usage`);
    const colours = { ok: "rgb(46, 158, 91)", "50": "rgb(217, 173, 0)", "80": "rgb(238, 123, 0)", "95": "rgb(215, 38, 61)" } as const;
    const band = page.locator('[data-band="window5h"]');
    const steps: [string, number, keyof typeof colours][] = [
      ["", 0, "ok"], // 40 %
      ["b", 15_000, "50"], // 55 %
      ["c", 30_000, "80"], // 85 %
      ["d", 12_000, "95"], // 97 %
    ];
    for (const [id, tokens, level] of steps) {
      if (id) t.append("-home-u-app/s1.jsonl", assistantLine({ id, ts: new Date(), input: 0, output: 1000, cacheRead: tokens - 1000 }));
      await waitFor(async () => ((await band.getAttribute("data-level")) === level ? true : undefined), 8000, `level ${level}`);
      const stats = (await (await fetch(`${s.url}/stats?window=week`)).json()) as { thresholds: { window5h: { level: string } } };
      expect(stats.thresholds.window5h.level).toBe(level);
      const fill = await band
        .locator(".band-fill")
        .evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor);
      expect(fill).toBe(colours[level]);
      expect(await page.locator('[data-band="window7d"]').getAttribute("data-level")).toBe("ok");
    }
  });

  it("--demo: needles move within seconds, the page says DEMO and /usage says source demo", async () => {
    const s = await start(mkdtempSync(join(tmpdir(), "cg-web-empty-")), ["--demo"]);
    const page = await open(`${s.url}/`);
    await waitFor(async () => ((await page.locator(".badge-demo").isVisible()) ? true : undefined), 5000, "DEMO badge");
    expect((await usage(s)).source).toBe("demo");
    // after the power-on sweep (~1.5 s), the tach follows the replayed session's first minute upward
    await page.waitForTimeout(2500);
    const first = await needleAngle(page, "tach");
    await waitFor(async () => ((await needleAngle(page, "tach")) > first + 2 ? true : undefined), 15_000, "tach moving");
    const u = await usage(s);
    expect(u.rate_1m).toBeGreaterThan(0);
    expect(u.fuel_5h_pos).toBeGreaterThan(0);
    expect(u.fuel_5h_pos).toBeLessThan(1000);
    expect(await page.locator(".readout-value").first().textContent()).not.toBe("—");
  });

  it("loads < 100 kB gzipped, all from the server itself, and passes the page's token along", async () => {
    const t = tree({ "-home-u-app/s1.jsonl": [assistantLine({ id: "a", ts: ago(HOUR), input: 1, output: 1, cacheRead: 1 })] });
    const s = await start(t.dir, ["--token", "T0k3n"]);
    expect((await fetch(`${s.url}/`)).status).toBe(401);
    const requested: string[] = [];
    const bodies: Promise<{ url: string; status: number; gzip: number }>[] = [];
    const page = await open(`${s.url}/?token=T0k3n`, async (p) => {
      p.on("request", (r) => requested.push(r.url()));
      p.on("response", (r) => {
        const path = new URL(r.url()).pathname;
        if (path === "/ws" || path === "/usage" || path === "/stats" || path === "/healthz") return;
        bodies.push(r.body().then((b) => ({ url: r.url(), status: r.status(), gzip: gzipSync(b, { level: 9 }).length })));
      });
    });
    await waitFor(async () => ((await linkState(page)) === "live" ? true : undefined), 5000, "live with the token");
    await page.goto(`${s.url}/?token=T0k3n#usage`);
    await waitFor(async () => ((await page.locator(".usage").getAttribute("data-window")) ? true : undefined), 5000, "stats with the token");

    expect(requested.every((u) => u.startsWith(`${s.url}/`) || u.startsWith(s.url.replace("http", "ws")))).toBe(true);
    const loaded = await Promise.all(bodies);
    for (const b of loaded) expect(b.status, b.url).toBe(200);
    expect(loaded.every((b) => b.url.includes("token=T0k3n"))).toBe(true);
    const paths = new Set(loaded.map((b) => new URL(b.url).pathname));
    expect([...paths].sort()).toEqual(["/", "/app.css", "/app.js", "/favicon.svg"]);
    const perPath = new Map(loaded.map((b) => [new URL(b.url).pathname, b.gzip]));
    const weight = [...perPath.values()].reduce((a, b) => a + b, 0);
    expect(weight).toBeLessThan(100 * 1024);
    console.log(`page weight: ${weight} bytes gzipped (${[...perPath].map(([p, n]) => `${p} ${n}`).join(", ")})`);

    // assets: right types, compressed on request, revalidated by ETag
    const js = await fetch(`${s.url}/app.js?token=T0k3n`, { headers: { "accept-encoding": "gzip" } });
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("content-encoding")).toBe("gzip");
    const etag = js.headers.get("etag");
    const again = await fetch(`${s.url}/app.js?token=T0k3n`, { headers: { "accept-encoding": "gzip", "if-none-match": etag ?? "" } });
    expect(again.status).toBe(304);
    expect((await fetch(`${s.url}/app.css?token=T0k3n`)).headers.get("content-type")).toBe("text/css; charset=utf-8");
    for (const bad of ["/../package.json", "/%2e%2e/package.json", "/..%2fpackage.json", "/web/app.js", "/cli.js"]) {
      expect((await fetch(`${s.url}${bad}${bad.includes("?") ? "&" : "?"}token=T0k3n`)).status, bad).toBe(404);
    }
  });
});

describe("first run, phone width, million scale (Debian Chromium)", () => {
  it("says plainly that no transcripts were found, where it looked and how to point it elsewhere; goes away when they appear", async () => {
    const empty = mkdtempSync(join(tmpdir(), "cg-web-none-"));
    const s = await start(empty);
    const health = (await (await fetch(`${s.url}/healthz`)).json()) as { sources: { kind: string; files: number; looked_in: string[] }[] };
    expect(health.sources[0]).toMatchObject({ kind: "jsonl", files: 0, looked_in: [empty] });
    const page = await open(`${s.url}/`);
    const notice = page.locator(".first-run");
    await notice.waitFor({ state: "visible", timeout: 5000 });
    expect(await notice.locator("h2").textContent()).toBe("No Claude Code transcripts found");
    expect(await notice.locator("code").allTextContents()).toEqual([empty]);
    expect(await notice.textContent()).toContain("CLAUDE_CONFIG_DIR=");
    // also on the usage page
    await page.goto(`${s.url}/#usage`);
    await notice.waitFor({ state: "visible", timeout: 5000 });

    // a projects folder with nothing in it yet: watched, and the notice says which folder
    const t = tree({ "-home-u-app/.keep": [] });
    const s2 = await start(t.dir);
    const page2 = await open(`${s2.url}/`);
    const n2 = page2.locator(".first-run");
    await n2.waitFor({ state: "visible", timeout: 5000 });
    expect(await n2.locator("h2").textContent()).toBe("No Claude Code transcripts yet");
    expect(await n2.locator("code").allTextContents()).toEqual([join(t.dir, "projects")]);
    t.append("-home-u-app/s1.jsonl", assistantLine({ id: "a", ts: new Date(), input: 10, output: 10, cacheRead: 10 }));
    await n2.waitFor({ state: "hidden", timeout: 15_000 });
  });

  it("keeps the usage chart's axis text at 10 px or more on a 360 px wide phone", async () => {
    const t = tree({
      "-home-u-app/s1.jsonl": Array.from({ length: 7 }, (_, d) =>
        assistantLine({ id: `d${d}`, ts: ago(d * 24 * HOUR + HOUR), input: 100, output: 900, cacheRead: 2_000_000 }),
      ),
    });
    const s = await start(t.dir);
    const page = await browser.context.newPage();
    pages.push(page);
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${s.url}/#usage`);
    await page.locator(".day-chart .axis").first().waitFor();
    const sizes = await page.locator(".day-chart").evaluate((svg) => {
      const s = svg as unknown as {
        getBoundingClientRect(): { width: number };
        viewBox: { baseVal: { width: number } };
        querySelectorAll(q: string): ArrayLike<unknown>;
      };
      const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
      const g = globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } };
      return Array.from(s.querySelectorAll(".axis"), (t) => Number.parseFloat(g.getComputedStyle(t).fontSize) * scale);
    });
    expect(sizes.length).toBeGreaterThan(3);
    for (const px of sizes) expect(px).toBeGreaterThanOrEqual(10);
  });

  it.each([1_200_000, 2_400_000, 12_000_000])("tach numerals stay clear of TOKENS / MIN at a %i tokens/min redline", async (redline) => {
    const t = tree({ "-home-u-app/s1.jsonl": [assistantLine({ id: "a", ts: ago(HOUR), input: 1, output: 1, cacheRead: 1 })] });
    const s = await start(t.dir, [], { CLAUDE_GAUGE_TACH_REDLINE: String(redline) });
    for (const width of [1280, 360]) {
      const page = await browser.context.newPage();
      pages.push(page);
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${s.url}/`);
      const numerals = page.locator("#gauge-tach .numeral");
      await waitFor(async () => ((await numerals.allTextContents()).some((n) => n.endsWith("M")) ? true : undefined), 5000, "million scale");
      const title = await page.locator("#gauge-tach .dial-title").boundingBox();
      expect(title).not.toBeNull();
      for (const n of await numerals.all()) {
        const b = (await n.boundingBox())!;
        const apart =
          b.x + b.width + 1 <= title!.x || title!.x + title!.width + 1 <= b.x || b.y + b.height + 1 <= title!.y || title!.y + title!.height + 1 <= b.y;
        expect(apart, `${await n.textContent()} at ${JSON.stringify(b)} vs the title at ${JSON.stringify(title)} (${width} px)`).toBe(true);
      }
    }
  });
});
