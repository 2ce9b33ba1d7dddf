#!/usr/bin/env node
// Builds core, the CLI and the web page only when a source is newer than the build (or the build is
// missing), so `npm run once` and `npm start` start at once on an unchanged tree. The build's own
// output is shown only when it fails. `--check` only says whether a build is needed (exit 1 if so).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const at = (p) => join(root, p);
const SOURCES = [
  "packages/core/src",
  "packages/core/package.json",
  "packages/core/tsup.config.ts",
  "packages/server/src",
  "packages/server/web",
  "packages/server/package.json",
  "packages/server/tsup.config.ts",
];
const OUTPUTS = [
  "packages/core/dist/index.js",
  "packages/server/dist/cli.js",
  "packages/server/dist/cli.cjs",
  "packages/server/dist/dispatch.cjs",
  "packages/server/dist/statusline-main.js",
  "packages/server/dist/web/index.html",
];

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let m = s.mtimeMs;
  for (const e of readdirSync(path)) m = Math.max(m, newest(join(path, e)));
  return m;
}

function oldestOutput() {
  try {
    return Math.min(...OUTPUTS.map((p) => statSync(at(p)).mtimeMs));
  } catch {
    return -Infinity;
  }
}

const changed = Math.max(...SOURCES.map((p) => newest(at(p))));
const stale = changed > oldestOutput();
if (stale && process.argv.includes("--check")) {
  process.stderr.write("claude-gauge: the build is older than its sources\n");
  process.exit(1);
}
if (stale) {
  process.stderr.write("claude-gauge: building (sources changed since the last build)…\n");
  const r = spawnSync("npm", ["run", "build", "--silent"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout}${r.stderr}`);
    process.exit(r.status ?? 1);
  }
}
