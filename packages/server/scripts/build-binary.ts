// `npm run build:binary`: claude-gauge as one executable file (Bun's --compile), the browser
// cluster embedded, so it serves everything with nothing beside it. Run after `npm run build` (the
// web page comes from dist/web). Prints the file's size and its start-up time.
//   node --import tsx packages/server/scripts/build-binary.ts [--out FILE]
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFINE } from "./build-defines.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const SERVER = here("../");
const WEB = join(SERVER, "dist", "web");
export const DEFAULT_BINARY = join(SERVER, "dist", "binary", "claude-gauge");
const BUN = join(SERVER, "..", "..", "node_modules", ".bin", "bun");

/** Builds the executable at `outfile`; the web build must exist. */
export function buildBinary(outfile: string = DEFAULT_BINARY): void {
  if (!existsSync(join(WEB, "index.html"))) throw new Error(`${WEB} is missing: run npm run build first`);
  const files = Object.fromEntries(readdirSync(WEB).map((f) => [f, readFileSync(join(WEB, f)).toString("base64")]));
  // The entry is generated beside the output: first the embedded page, then the CLI from source,
  // so both share one web-routes module and the page is set before any command runs.
  const gen = mkdtempSync(join(tmpdir(), "cg-binary-"));
  const src = (p: string) => JSON.stringify(join(SERVER, "src", p));
  writeFileSync(join(gen, "embed-web.ts"), `import { embedWebAssets } from ${src("http/web-routes.ts")};\nembedWebAssets(${JSON.stringify(files)});\n`);
  writeFileSync(join(gen, "main.ts"), `import "./embed-web.ts";\nimport ${src("cli.ts")};\n`);
  mkdirSync(dirname(outfile), { recursive: true });
  try {
    // the same constants as the npm bundles: without the fingerprints the binary's scan cache would outlive an upgrade
    const defines = Object.entries(DEFINE).flatMap(([k, v]) => ["--define", `${k}=${v}`]);
    execFileSync(BUN, ["build", "--compile", join(gen, "main.ts"), "--outfile", outfile, ...defines], {
      stdio: ["ignore", "pipe", "inherit"],
      cwd: SERVER,
    });
  } finally {
    rmSync(gen, { recursive: true, force: true });
  }
}

/** ms from spawn to the daemon's "serving" line, on an empty transcript tree and a free port. */
export function startupMs(binary: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const home = mkdtempSync(join(tmpdir(), "cg-binary-home-"));
    const p = spawn(binary, ["serve", "--port", "0"], {
      env: { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: home, XDG_STATE_HOME: home },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    p.stderr.setEncoding("utf8");
    p.stderr.on("data", (d: string) => {
      err += d;
      if (/serving http:/.test(err)) {
        const ms = performance.now() - t0;
        p.kill("SIGTERM");
        resolve(ms);
      }
    });
    p.once("exit", (code) => reject(new Error(`exited with ${code} before serving: ${err}`)));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  const out = values.out ?? DEFAULT_BINARY;
  buildBinary(out);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) runs.push(await startupMs(out));
  runs.sort((a, b) => a - b);
  console.log(
    `built ${out}: ${(statSync(out).size / 1e6).toFixed(1)} MB; serve start-up (spawn → listening, empty tree) median ${Math.round(runs[2]!)} ms over 5 runs`,
  );
}
