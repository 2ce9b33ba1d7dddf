import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { UsageSnapshotSchema, type UsageSnapshot } from "@claude-gauge/core";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll } from "vitest";
import { buildBinary } from "../packages/server/scripts/build-binary.js";
import { CLI, startServer, waitFor, type RunningServer } from "./helpers/server-process.js";
import { assistantLine, userLine } from "./helpers/transcript-lines.js";

const SECRET = "CG_SECRET_MARKER";
const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

function tree() {
  const dir = mkdtempSync(join(tmpdir(), "cg-e2e-"));
  const proj = join(dir, "projects", "-home-u-app");
  mkdirSync(proj, { recursive: true });
  return { dir, proj, file: join(proj, "s1.jsonl") };
}

const BUN = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url));
const COMPILED = join(mkdtempSync(join(tmpdir(), "cg-bin-")), "claude-gauge");

/** The same suite runs on Node, on Bun, and as Bun's single-file executable. */
const RUNTIMES: [string, () => string[]][] = [
  ["node", () => [process.execPath, CLI]],
  ["bun", () => [BUN, CLI]],
  ["bun --compile", () => [COMPILED]],
];
let runtime: string[] = [];

beforeAll(() => {
  // what `npm run build:binary` makes: the page embedded
  buildBinary(COMPILED);
});

async function start(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  const s = await startServer(dir, args, env, runtime);
  running.push(s);
  return s;
}

async function usage(s: RunningServer): Promise<UsageSnapshot> {
  const r = await fetch(`${s.url}/usage`);
  expect(r.status).toBe(200);
  return UsageSnapshotSchema.parse(await r.json());
}

const ago = (ms: number) => new Date(Date.now() - ms);

describe.each(RUNTIMES)("claude-gauge serve on %s (real process, real files)", (_name, cmd) => {
  beforeAll(() => {
    runtime = cmd();
  });

  it("serves the cold-scan numbers, then follows appends by delta, over HTTP and WebSocket", async () => {
    const t = tree();
    writeFileSync(t.file, `${assistantLine({ id: "a", ts: ago(60 * 60_000), input: 100, output: 50, cacheRead: 1000 })}\n`);
    const s = await start(t.dir);
    expect((await usage(s)).window_5h_tokens).toBe(1150);

    const ws = new WebSocket(`${s.url.replace("http", "ws")}/ws`);
    const frames: UsageSnapshot[] = [];
    ws.on("message", (m) => frames.push(UsageSnapshotSchema.parse(JSON.parse(m.toString()))));
    await waitFor(() => (frames.length > 0 ? true : undefined), 5000, "first frame");
    expect(frames[0]?.window_5h_tokens).toBe(1150);

    // one message written as three block lines, output growing: counted once, at 300
    const now = new Date();
    appendFileSync(t.file, `${assistantLine({ id: "b", ts: now, input: 10, output: 5, cacheRead: 2000, block: "thinking" })}\n`);
    appendFileSync(t.file, `${assistantLine({ id: "b", ts: now, input: 10, output: 120, cacheRead: 2000 })}\n`);
    appendFileSync(t.file, `${assistantLine({ id: "b", ts: now, input: 10, output: 300, cacheRead: 2000, block: "tool_use" })}\n`);
    const expected = 1150 + 10 + 300 + 2000;
    await waitFor(() => (frames.at(-1)?.window_5h_tokens === expected ? true : undefined), 5000, "pushed frame");
    const u = await usage(s);
    expect(u.window_5h_tokens).toBe(expected);
    expect(u.rate_1m).toBe(2310);
    expect(u.last_model).toBe("sonnet");
    ws.close();
  });

  it("holds a half-written line until its newline, and counts it once", async () => {
    const t = tree();
    writeFileSync(t.file, "");
    const s = await start(t.dir);
    const line = assistantLine({ id: "p", ts: new Date(), input: 7, output: 3 });
    appendFileSync(t.file, line.slice(0, 40));
    // a marker written after the half line: once it counts, the half line has been looked at
    writeFileSync(join(t.proj, "marker.jsonl"), `${assistantLine({ id: "m1", ts: new Date(), input: 100 })}\n`);
    await waitFor(async () => ((await usage(s)).window_5h_tokens >= 100 ? true : undefined), 5000, "the first marker");
    expect((await usage(s)).window_5h_tokens).toBe(100);
    appendFileSync(t.file, `${line.slice(40)}\n`);
    await waitFor(async () => ((await usage(s)).window_5h_tokens === 110 ? true : undefined));
    appendFileSync(t.file, `${line}\n`); // a repeat (resumed session) changes nothing
    appendFileSync(t.file, `${assistantLine({ id: "m2", ts: new Date(), input: 1000 })}\n`); // read after the repeat
    await waitFor(async () => ((await usage(s)).window_5h_tokens >= 1110 ? true : undefined), 5000, "the second marker");
    expect((await usage(s)).window_5h_tokens).toBe(1110);
  });

  it("re-reads a truncated file without double counting and picks up a new subagent log", async () => {
    const t = tree();
    writeFileSync(t.file, `${assistantLine({ id: "a", ts: ago(60_000), input: 1, output: 1 })}\n`);
    const s = await start(t.dir);
    truncateSync(t.file, 0);
    appendFileSync(
      t.file,
      `${assistantLine({ id: "a", ts: ago(60_000), input: 1, output: 1 })}\n${assistantLine({ id: "c", ts: new Date(), input: 5, output: 5 })}\n`,
    );
    await waitFor(async () => ((await usage(s)).window_5h_tokens === 12 ? true : undefined), 5000, "truncation");
    const sub = join(t.proj, "s1", "subagents");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "agent-1.jsonl"), `${assistantLine({ id: "d", ts: new Date(), input: 100, output: 0 })}\n`);
    await waitFor(async () => ((await usage(s)).window_5h_tokens === 112 ? true : undefined), 5000, "subagent");
  });

  it("gives the same numbers after a restart", async () => {
    const t = tree();
    const lines = [0, 1, 2, 3].map((i) => assistantLine({ id: `r${i}`, ts: ago((40 - i) * 60_000), input: 10 * i, output: 100 + i, cacheRead: 5000 }));
    writeFileSync(t.file, `${lines.join("\n")}\n`);
    // Fixed ceilings: a suggested ceiling may legitimately move as minutes complete.
    const env = { CLAUDE_GAUGE_5H_CEILING: "1M", CLAUDE_GAUGE_7D_CEILING: "10M", CLAUDE_GAUGE_TACH_REDLINE: "50k" };
    const a = await start(t.dir, [], env);
    appendFileSync(t.file, `${assistantLine({ id: "r9", ts: ago(30_000), input: 1, output: 999 })}\n`);
    await waitFor(async () => ((await usage(a)).window_5h_tokens === 20_466 + 1000 ? true : undefined));
    const before = await usage(a);
    await a.stop();
    running.splice(running.indexOf(a), 1);
    const b = await start(t.dir, [], env);
    const after = await usage(b);
    const strip = ({ updated_at: _u, rate_1m: _r, tach_pos: _t, ...rest }: UsageSnapshot) => rest;
    expect(strip(after)).toEqual(strip(before));
  });

  it("keeps serving through garbage, a dangling link, a 50 MB line and a deleted folder, and says so", async () => {
    const t = tree();
    writeFileSync(t.file, `${assistantLine({ id: "g1", ts: new Date(), input: 1, output: 1 })}\n`);
    const s = await start(t.dir);
    appendFileSync(t.file, '{"type":"assistant","message":{"usage":{"input_tokens":"many"}\n{{{{ not json\n');
    appendFileSync(t.file, `{"type":"user","x":"${"y".repeat(50 << 20)}"}\n`);
    appendFileSync(t.file, `${assistantLine({ id: "g2", ts: new Date(), input: 2, output: 2 })}\n`);
    await waitFor(async () => ((await usage(s)).window_5h_tokens === 6 ? true : undefined), 10_000, "line after the 50 MB line");
    expect((await usage(s)).source_ok).toBe(true);

    const other = join(t.dir, "projects", "-home-u-other");
    mkdirSync(other);
    writeFileSync(join(other, "x.jsonl"), `${assistantLine({ id: "o1", ts: new Date(), input: 4, output: 0 })}\n`);
    await waitFor(async () => ((await usage(s)).window_5h_tokens === 10 ? true : undefined));
    rmSync(other, { recursive: true });
    symlinkSync(join(t.dir, "nowhere.jsonl"), join(t.proj, "dangling.jsonl"));
    await waitFor(async () => ((await usage(s)).source_ok === false ? true : undefined), 5000, "source_ok=false");
    const h = await fetch(`${s.url}/healthz`).then((r) => r.json());
    expect(h).toMatchObject({ ok: true, source_ok: false });
    expect((await usage(s)).window_5h_tokens).toBe(10); // deleted transcripts keep their counted tokens
    expect(s.logs()).toContain("dangling.jsonl");
    expect(s.logs()).toMatch(/s1\.jsonl:1\b|s1\.jsonl:2\b/);
  });

  it("never shows message text: a planted secret appears in no endpoint and no log", async () => {
    const t = tree();
    const n = new Date();
    writeFileSync(
      t.file,
      [
        userLine(ago(5000), `please ${SECRET} now`),
        assistantLine({ id: "t", ts: n, output: 10, block: "thinking", text: `thinking about ${SECRET}` }),
        assistantLine({ id: "t", ts: n, output: 20, block: "tool_use", text: `cat ${SECRET}` }),
        userLine(n, `result ${SECRET}`, "s1", true),
        `{"type":"assistant","bad":"${SECRET}","message":{"usage":{"input_tokens":"${SECRET}"}}}`,
        "",
      ].join("\n"),
    );
    const s = await start(t.dir, ["--show-projects"]);
    appendFileSync(t.file, `${userLine(new Date(), `again ${SECRET}`)}\n`);
    // the marker: a line after the planted one; once it counts, the planted line has been read
    const counted = (await usage(s)).window_5h_tokens;
    appendFileSync(t.file, `${assistantLine({ id: "marker", ts: new Date(), input: 1000 })}\n`);
    await waitFor(async () => ((await usage(s)).window_5h_tokens === counted + 1000 ? true : undefined), 5000, "the marker");
    const bodies = await Promise.all(
      ["/usage", "/usage/schema.json", "/healthz", "/metrics", "/stats?window=day", "/stats?window=all", "/history?hours=2", "/nope"].map((p) =>
        fetch(`${s.url}${p}`).then((r) => r.text()),
      ),
    );
    for (const b of bodies) expect(b).not.toContain(SECRET);
    expect(bodies[4]).toContain("-home-u-app"); // names only with --show-projects
    await s.stop();
    expect(s.logs()).not.toContain(SECRET);
  });

  it("hashes project names by default and enforces the bearer token when set", async () => {
    const t = tree();
    writeFileSync(t.file, `${assistantLine({ id: "a", ts: new Date(), input: 1, output: 1 })}\n`);
    const s = await start(t.dir, ["--token", "sekret"]);
    expect((await fetch(`${s.url}/usage`)).status).toBe(401);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    const ok = await fetch(`${s.url}/stats?window=day`, { headers: { authorization: "Bearer sekret" } });
    expect(ok.status).toBe(200);
    const text = await ok.text();
    expect(text).not.toContain("-home-u-app");
    expect(text).toMatch(/project-[0-9a-f]{8}/);
    const rejected = new WebSocket(`${s.url.replace("http", "ws")}/ws`);
    await new Promise<void>((resolve) => rejected.on("error", () => resolve()));
    const allowed = new WebSocket(`${s.url.replace("http", "ws")}/ws?token=sekret`);
    await new Promise<void>((resolve, reject) => {
      allowed.on("message", () => resolve());
      allowed.on("error", reject);
    });
    allowed.close();
  });

  it("serves the cluster page and its assets, and its start-up line names the page it serves", async () => {
    const s = await start(tree().dir);
    const page = await fetch(`${s.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toContain('src="app.js"');
    for (const asset of ["app.js", "app.css", "favicon.svg"]) expect((await fetch(`${s.url}/${asset}`)).status, asset).toBe(200);
    expect(s.logs()).toContain(`the cluster: ${s.url}/`);
  });

  it("ends with one line naming the port, exit code 1, when the port is taken", async () => {
    const s = await start(tree().dir);
    const [cmd, ...pre] = runtime;
    const r = spawnSync(cmd!, [...pre, "serve", "--port", String(s.port)], {
      env: { ...process.env, CLAUDE_CONFIG_DIR: tree().dir, XDG_STATE_HOME: tree().dir },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toBe(
      `claude-gauge serve: port ${s.port} is already in use (127.0.0.1:${s.port}): another claude-gauge may be running (claude-gauge status), or pick another with --port N`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a LAN address without --lan or a token", async () => {
    const t = tree();
    await expect(startServer(t.dir, ["--host", "0.0.0.0"], {}, runtime)).rejects.toThrow(/refusing to listen on 0\.0\.0\.0/);
  });
});
