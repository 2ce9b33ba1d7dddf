import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { defineConfig } from "tsup";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const WEB_SRC = here("./web/");
const WEB_OUT = here("./dist/web/");
/** the budget for everything the page loads, gzipped (bytes) */
const PAGE_BUDGET_GZIP_BYTES = 100 * 1024;

/**
 * The browser cluster: one script and one stylesheet, bundled from web/ into dist/web/, plus the
 * static files. Core comes from source so only the modules the page uses are bundled (core is
 * side-effect free); the build fails if zod slips in or the page outgrows its budget.
 */
async function buildWeb(): Promise<void> {
  mkdirSync(WEB_OUT, { recursive: true });
  const result = await build({
    entryPoints: [
      { in: `${WEB_SRC}main.ts`, out: "app" },
      { in: `${WEB_SRC}style.css`, out: "app" },
    ],
    outdir: WEB_OUT,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome109", "firefox115", "safari16"],
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    alias: { "@claude-gauge/core": here("../core/src/index.ts") },
  });
  // what ended up in the output (metafile.inputs also lists modules tree-shaking dropped)
  const inputs = Object.values(result.metafile.outputs).flatMap((o) => Object.keys(o.inputs).filter((p) => o.inputs[p]!.bytesInOutput > 0));
  const foreign = inputs.filter((p) => p.includes("node_modules"));
  if (foreign.length > 0) throw new Error(`web bundle pulled in dependencies: ${foreign.slice(0, 5).join(", ")}`);
  for (const f of ["index.html", "favicon.svg"]) copyFileSync(`${WEB_SRC}${f}`, `${WEB_OUT}${f}`);
  let gz = 0;
  for (const f of readdirSync(WEB_OUT)) if (!f.endsWith(".map")) gz += gzipSync(readFileSync(`${WEB_OUT}${f}`), { level: 9 }).length;
  if (gz > PAGE_BUDGET_GZIP_BYTES) throw new Error(`web page is ${gz} bytes gzipped, over the ${PAGE_BUDGET_GZIP_BYTES} byte budget`);
  console.log(`web: dist/web ${(gz / 1024).toFixed(1)} kB gzipped (${inputs.length} modules)`);
}

/**
 * What a transcript line yields is decided by these sources; the scan cache is keyed by their
 * hash, so a release that changes any of them never reads an older release's cache.
 */
const SCAN_SOURCES = [
  "../core/src/decode-line.ts",
  "../core/src/usage-event.ts",
  "../core/src/usage-columns.ts",
  "./src/sources/jsonl/files.ts",
  "./src/sources/jsonl/line-scan.ts",
  "./src/sources/jsonl/usage-bytes.ts",
  "./src/sources/jsonl/file-scan.ts",
  "./src/sources/jsonl/column-pack.ts",
  "./src/sources/jsonl/scan-cache.ts",
];
const scanHash = createHash("sha1");
for (const f of SCAN_SOURCES) scanHash.update(readFileSync(here(f)));
const SCAN_FINGERPRINT = scanHash.digest("hex").slice(0, 16);
/** Saved ledgers hold costs: keyed by the price table's sources. */
const PRICING_FINGERPRINT = createHash("sha1")
  .update(readFileSync(here("../core/src/pricing.ts")))
  .update(readFileSync(here("../core/src/cost.ts")))
  .digest("hex")
  .slice(0, 16);

export default defineConfig({
  // flat names: the bundles find each other (and web/) next to themselves via import.meta.url
  entry: { cli: "src/cli.ts", "scan-worker": "src/sources/jsonl/scan-worker.ts", "statusline-main": "src/statusline/main.ts" },
  format: ["esm"],
  clean: true,
  sourcemap: true,
  target: "node20",
  // Core is bundled from source: it is side-effect free, so each entry keeps only the modules it
  // uses (a report never loads zod; the statusline entry stays ~11 kB).
  noExternal: ["@claude-gauge/core"],
  esbuildOptions(options) {
    options.alias = { "@claude-gauge/core": here("../core/src/index.ts") };
    options.define = {
      ...options.define,
      __SCAN_FINGERPRINT__: JSON.stringify(SCAN_FINGERPRINT),
      __PRICING_FINGERPRINT__: JSON.stringify(PRICING_FINGERPRINT),
    };
  },
  banner: { js: "#!/usr/bin/env node" },
  onSuccess: buildWeb,
});
