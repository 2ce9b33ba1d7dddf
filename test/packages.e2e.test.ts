import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

/*
 * The two packages as a stranger gets them: `npm pack` tarballs, linted by publint and
 * arethetypeswrong, installed into an empty folder from the tarballs alone (their own
 * dependencies come from the registry or npm's cache; ours are never looked up), then the CLI, the
 * daemon and the library run under Node and Bun.
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin");
const BUN = join(BIN, "bun");
const RUNTIMES = [
  ["node", process.execPath],
  ["bun", BUN],
] as const;

interface Packed {
  name: string;
  filename: string;
  version: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

let packs: Record<string, Packed>;
let tarballs: string;
let app: string;
let config: string;
const killers: (() => void)[] = [];
afterEach(() => {
  for (const k of killers.splice(0)) k();
});

beforeAll(() => {
  tarballs = mkdtempSync(join(tmpdir(), "cg-packs-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", tarballs, "-w", "@claude-gauge/core", "-w", "claude-gauge"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  packs = Object.fromEntries((JSON.parse(out) as Packed[]).map((p) => [p.name, p]));

  app = mkdtempSync(join(tmpdir(), "cg-consumer-"));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  execFileSync(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      join(tarballs, packs["@claude-gauge/core"]!.filename),
      join(tarballs, packs["claude-gauge"]!.filename),
    ],
    { cwd: app, encoding: "utf8", stdio: "pipe" },
  );

  config = mkdtempSync(join(tmpdir(), "cg-consumer-claude-"));
  mkdirSync(join(config, "projects", "-home-u-app"), { recursive: true });
  writeFileSync(
    join(config, "projects", "-home-u-app", "s.jsonl"),
    `${assistantLine({ id: "a", ts: new Date(Date.now() - 60_000), input: 100, output: 200, cacheRead: 700 })}\n`,
  );
}, 300_000);

const env = () => ({ ...process.env, CLAUDE_CONFIG_DIR: config, HOME: app, XDG_STATE_HOME: join(app, "state") });

describe("the tarballs", () => {
  it("hold what a user needs and nothing else: no source maps, no binary, README and LICENSE", () => {
    const server = packs["claude-gauge"]!.files.map((f) => f.path);
    const core = packs["@claude-gauge/core"]!.files.map((f) => f.path);
    for (const f of [
      "LICENSE",
      "README.md",
      "package.json",
      "bin/claude-gauge.cjs",
      "bin/claude-gauge-server.cjs",
      "dist/cli.cjs",
      "dist/cli.js",
      "dist/dispatch.cjs",
      "dist/zod.cjs",
      "dist/statusline-main.js",
      "dist/web/index.html",
    ]) {
      expect(server).toContain(f);
    }
    // the entries share code chunks and declaration chunks, named by their content's hash
    const shape = (f: string) =>
      f.replace(/^dist\/chunk-[A-Za-z0-9_-]+\.js$/, "dist/chunk-*.js").replace(/^dist\/[a-z-]+-[A-Za-z0-9_-]{8}\.(d\.c?ts)$/, "dist/*-HASH.$1");
    expect([...new Set(core.map(shape))].sort()).toEqual([
      "LICENSE",
      "README.md",
      "decode/package.json",
      "dist/*-HASH.d.cts",
      "dist/*-HASH.d.ts",
      "dist/chunk-*.js",
      "dist/decode.cjs",
      "dist/decode.d.cts",
      "dist/decode.d.ts",
      "dist/decode.js",
      "dist/index.cjs",
      "dist/index.d.cts",
      "dist/index.d.ts",
      "dist/index.js",
      "dist/reports.cjs",
      "dist/reports.d.cts",
      "dist/reports.d.ts",
      "dist/reports.js",
      "package.json",
      "reports/package.json",
    ]);
    for (const f of [...server, ...core]) expect(f).not.toMatch(/\.map$|^dist\/binary|\.test\./);
    console.log(
      `tarballs: claude-gauge ${(packs["claude-gauge"]!.size / 1024).toFixed(0)} kB (${(packs["claude-gauge"]!.unpackedSize / 1e6).toFixed(2)} MB unpacked), ` +
        `@claude-gauge/core ${(packs["@claude-gauge/core"]!.size / 1024).toFixed(0)} kB`,
    );
  });

  it("pass publint (strict) and arethetypeswrong", () => {
    for (const p of Object.values(packs)) {
      const r = spawnSync(join(BIN, "publint"), ["run", "--strict", join(tarballs, p.filename)], { encoding: "utf8" });
      expect(r.status, `${p.name}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    // the CLI package exports no modules; its library is @claude-gauge/core
    const attw = spawnSync(join(BIN, "attw"), [join(tarballs, packs["@claude-gauge/core"]!.filename), "--format", "json"], { encoding: "utf8" });
    expect(attw.status, attw.stdout).toBe(0);
  });

  it("claude-gauge needs no unpublished package: its dependencies are on the registry, core and zod bundled", async () => {
    const manifest = (await import(join(app, "node_modules", "claude-gauge", "package.json"), { with: { type: "json" } })).default as Record<string, unknown>;
    expect(Object.keys(manifest["dependencies"] as object).filter((d) => d.startsWith("@claude-gauge/"))).toEqual([]);
    for (const m of [
      manifest,
      (await import(join(app, "node_modules", "@claude-gauge", "core", "package.json"), { with: { type: "json" } })).default as Record<string, unknown>,
    ]) {
      expect(m).toMatchObject({ license: "MIT", engines: { node: ">=20" }, repository: { type: "git" } });
      expect((m["keywords"] as string[]).length).toBeGreaterThan(0);
    }
  });
});

describe.each(RUNTIMES)("installed from the tarballs, on %s", (_name, runtime) => {
  const bin = (name: string) => join(app, "node_modules", ".bin", name);

  it("claude-gauge answers --version and reports the transcripts", () => {
    expect(execFileSync(runtime, [bin("claude-gauge"), "--version"], { encoding: "utf8" })).toBe(`${packs["claude-gauge"]!.version}\n`);
    const daily = JSON.parse(execFileSync(runtime, [bin("claude-gauge"), "report", "daily", "--json", "-q"], { env: env(), encoding: "utf8" })) as {
      totals: { totalTokens: number };
    };
    expect(daily.totals.totalTokens).toBe(1000);
  });

  it("claude-gauge-server is the daemon: /usage and the page", async () => {
    const p = spawn(runtime, [bin("claude-gauge-server"), "--port", "0"], { env: env(), stdio: ["ignore", "ignore", "pipe"] });
    killers.push(() => p.kill("SIGTERM"));
    let log = "";
    p.stderr.on("data", (d: Buffer) => {
      log += d.toString();
    });
    const port = await waitFor(() => /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(log)?.[1], 30_000, "the daemon");
    const usage = (await (await fetch(`http://127.0.0.1:${port}/usage`)).json()) as { window_5h_tokens: number };
    expect(usage.window_5h_tokens).toBe(1000);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it.each([
    ["ESM import", "check.mjs", 'import { costOf, dailyReport, decodeLine, MessageLedger, UsageSnapshotSchema } from "@claude-gauge/core";'],
    ["CommonJS require", "check.cjs", 'const { costOf, dailyReport, decodeLine, MessageLedger, UsageSnapshotSchema } = require("@claude-gauge/core");'],
  ])("@claude-gauge/core by %s", (_kind, file, head) => {
    const line = assistantLine({ id: "m", ts: new Date("2026-11-26T10:00:00Z"), input: 1, output: 2, cacheRead: 3 });
    writeFileSync(
      join(app, file),
      [
        head,
        // the README's example
        "const ledger = new MessageLedger(costOf);",
        `for (const l of ${JSON.stringify([line, "not json", ""])}) { const d = decodeLine(l); if (d.kind === "usage") for (const e of [d.event, ...d.extras]) ledger.add(e); }`,
        'const r = dailyReport(ledger.entries(), { timeZone: "UTC" });',
        "console.log(JSON.stringify([r.daily[0].date, r.totals.totalTokens, typeof UsageSnapshotSchema.parse]));",
      ].join("\n"),
    );
    expect(JSON.parse(execFileSync(runtime, [join(app, file)], { cwd: app, encoding: "utf8" }))).toEqual(["2026-11-26", 6, "function"]);
  });

  it.each([
    ["ESM import", "decode.mjs", 'import { decodeLine, NULL_DROP_KEYS } from "@claude-gauge/core/decode";'],
    ["CommonJS require", "decode.cjs", 'const { decodeLine, NULL_DROP_KEYS } = require("@claude-gauge/core/decode");'],
  ])("@claude-gauge/core/decode (the scanner's subset, no zod) by %s", (_kind, file, head) => {
    const line = assistantLine({ id: "m", ts: new Date("2026-11-26T10:00:00Z"), input: 1, output: 2, cacheRead: 3 });
    writeFileSync(
      join(app, file),
      [
        head,
        `const d = decodeLine(${JSON.stringify(line)});`,
        'console.log(JSON.stringify([d.kind, d.event.input + d.event.output + d.event.cacheRead, NULL_DROP_KEYS.has("model")]));',
      ].join("\n"),
    );
    expect(JSON.parse(execFileSync(runtime, [join(app, file)], { cwd: app, encoding: "utf8" }))).toEqual(["usage", 6, true]);
  });

  it.each([
    ["ESM import", "reports.mjs", 'import { costOf, dailyReport, MessageLedger } from "@claude-gauge/core/reports";'],
    ["CommonJS require", "reports.cjs", 'const { costOf, dailyReport, MessageLedger } = require("@claude-gauge/core/reports");'],
  ])("@claude-gauge/core/reports (reports and their ledger, no zod) by %s", (_kind, file, head) => {
    const line = assistantLine({ id: "m", ts: new Date("2026-11-26T10:00:00Z"), input: 1, output: 2, cacheRead: 3 });
    writeFileSync(
      join(app, file),
      [
        head,
        'import("@claude-gauge/core/decode").then(({ decodeLine }) => {',
        "  const ledger = new MessageLedger(costOf);",
        `  const d = decodeLine(${JSON.stringify(line)});`,
        "  ledger.add(d.event);",
        '  const r = dailyReport(ledger.entries(), { timeZone: "UTC" });',
        // CommonJS shows what was loaded; for ES modules the import graph below is checked instead
        '  const zod = typeof require === "function" && Object.keys(require.cache).some((p) => /[\\/]zod[\\/]/.test(p));',
        "  console.log(JSON.stringify([r.daily[0].date, r.totals.totalTokens, zod]));",
        "});",
      ].join("\n"),
    );
    expect(JSON.parse(execFileSync(runtime, [join(app, file)], { cwd: app, encoding: "utf8" }))).toEqual(["2026-11-26", 6, false]);
    // the ES module entry's own import graph reaches no zod
    const dist = join(app, "node_modules", "@claude-gauge", "core", "dist");
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      const src = readFileSync(join(dist, f), "utf8");
      expect(src, f).not.toMatch(/from ['"]zod['"]/);
      for (const m of src.matchAll(/from ['"]\.\/([^'"]+)['"]|import ['"]\.\/([^'"]+)['"]/g)) visit(m[1] ?? m[2]!);
    };
    visit("reports.js");
    expect(seen.size).toBeGreaterThan(1);
  });
});
