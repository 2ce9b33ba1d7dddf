import { copyFileSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";
import { defineConfig } from "tsup";
import { DEFINE } from "./scripts/build-defines.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const CORE_SRC = here("../core/src/index.ts");
const CORE_DECODE_SRC = here("../core/src/decode.ts");
const CORE_REPORTS_SRC = here("../core/src/reports-entry.ts");
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
    sourcemap: false,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    alias: { "@claude-gauge/core": CORE_SRC },
  });
  // what ended up in the output (metafile.inputs also lists modules tree-shaking dropped)
  const inputs = Object.values(result.metafile.outputs).flatMap((o) => Object.keys(o.inputs).filter((p) => o.inputs[p]!.bytesInOutput > 0));
  const foreign = inputs.filter((p) => p.includes("node_modules"));
  if (foreign.length > 0) throw new Error(`web bundle pulled in dependencies: ${foreign.slice(0, 5).join(", ")}`);
  for (const f of ["index.html", "favicon.svg"]) copyFileSync(`${WEB_SRC}${f}`, `${WEB_OUT}${f}`);
  let gz = 0;
  for (const f of readdirSync(WEB_OUT)) gz += gzipSync(readFileSync(`${WEB_OUT}${f}`), { level: 9 }).length;
  if (gz > PAGE_BUDGET_GZIP_BYTES) throw new Error(`web page is ${gz} bytes gzipped, over the ${PAGE_BUDGET_GZIP_BYTES} byte budget`);
  console.log(`web: dist/web ${(gz / 1024).toFixed(1)} kB gzipped (${inputs.length} modules)`);
}

/**
 * Claude Code's statusLine command as one self-contained file (no chunks, no packages), so that
 * `install-statusline` can copy it into the user's data folder: the status line keeps working when
 * the package or clone it came from is moved, upgraded or pruned. Built twice: as ESM beside the
 * CLI (dist/ is a module package), and as CommonJS for the copy that Claude Code runs — Node starts
 * a CommonJS file sooner than an ES module (no module graph to link; ~20 ms on a busy 2-core host),
 * and in a folder without package.json an ES module .js is first tried as CommonJS and parsed twice.
 */
async function buildStatusline(): Promise<void> {
  const common = {
    entryPoints: [here("./src/statusline/main.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    define: DEFINE,
    alias: { "@claude-gauge/core": CORE_SRC },
    banner: { js: "#!/usr/bin/env node" },
    logLevel: "warning",
    metafile: false,
  } as const;
  await Promise.all([
    build({ ...common, outfile: here("./dist/statusline-main.js"), format: "esm" }),
    // import() of node:net or node:child_process would start Node's ES module loader (~3 ms of the
    // command's ~75): as CommonJS they are required, still only when used (Bun never needs them)
    build({ ...common, outfile: here("./dist/statusline-main.cjs"), format: "cjs", supported: { "dynamic-import": false } }),
  ]);
}

const PACKAGE = JSON.parse(readFileSync(here("./package.json"), "utf8")) as { dependencies: Record<string, string> };
const CORE_ALIASES = { "@claude-gauge/core": CORE_SRC, "@claude-gauge/core/decode": CORE_DECODE_SRC, "@claude-gauge/core/reports": CORE_REPORTS_SRC };

/** `path` is a file beside the bundle that imports `filter`, required from there. */
const beside = (filter: RegExp, path: string): Plugin => ({
  name: `beside ${path}`,
  setup(b) {
    b.onResolve({ filter }, () => ({ path, external: true }));
  },
});
/** Both entries (dist/cli.cjs and dist/cli.js) load the dispatcher from the one file beside them. */
const DISPATCH_BESIDE = beside(/\/commands\/dispatch\.js$/, "./dispatch.cjs");

/**
 * import.meta.url in the CommonJS bundles: the bundle's own file (scripts/import-meta-url.js), so
 * what a module finds beside itself is in dist/, as in the ES module build.
 */
const IMPORT_META_URL = { define: { ...DEFINE, "import.meta.url": "importMetaUrl" }, inject: [here("./scripts/import-meta-url.js")] };

/**
 * The `claude-gauge` command as one CommonJS file (dist/cli.cjs, what bin/claude-gauge.cjs runs):
 * the entry and the saved-answer lookup, with nothing to link. A repeated report is printed from
 * here without Node's ES module loader or a dozen chunk files (~8 ms of a 40 ms answer); anything
 * else requires the dispatcher beside it (dist/dispatch.cjs).
 */
async function buildCliEntry(): Promise<void> {
  await build({
    entryPoints: [here("./src/cli.ts")],
    outfile: here("./dist/cli.cjs"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    ...IMPORT_META_URL,
    banner: { js: "#!/usr/bin/env node" },
    logLevel: "warning",
    // the dispatcher is required, not imported: no ES module loader
    supported: { "dynamic-import": false },
    plugins: [DISPATCH_BESIDE],
  });
}

/**
 * The dispatcher and every command as one CommonJS file (dist/dispatch.cjs), which both entries
 * load for a report not answered from its saved answer and for every other command: Node loads it
 * sooner than the ES module chunks it replaces (nothing to resolve and link), and a command's
 * modules are still evaluated only when it runs (esbuild wraps each module lazily). zod is a file
 * of its own (dist/zod.cjs), required only by the modules that validate with it: inside, its
 * 0.8 MB made every run parse it and cost more than the bundle saved. The scan worker and the
 * first scan's process stay ES modules with their chunks.
 */
async function buildDispatch(): Promise<void> {
  const common = { bundle: true, platform: "node", format: "cjs", target: "node20", logLevel: "warning" } as const;
  await Promise.all([
    build({
      ...common,
      entryPoints: [here("./src/commands/dispatch.ts")],
      outfile: here("./dist/dispatch.cjs"),
      ...IMPORT_META_URL,
      external: Object.keys(PACKAGE.dependencies),
      alias: CORE_ALIASES,
      supported: { "dynamic-import": false },
      plugins: [beside(/^zod$/, "./zod.cjs")],
    }),
    build({ ...common, stdin: { contents: 'export * from "zod";', resolveDir: here(".") }, outfile: here("./dist/zod.cjs") }),
  ]);
}

export default defineConfig({
  // flat names: the bundles find each other (and web/) next to themselves via import.meta.url
  entry: {
    cli: "src/cli.ts",
    "scan-worker": "src/sources/jsonl/scan-worker.ts",
    "first-scan-main": "src/sources/jsonl/first-scan-main.ts",
  },
  format: ["esm"],
  clean: true,
  // no source maps: they were two thirds of the published package; the bundles are not minified
  sourcemap: false,
  target: "node20",
  define: DEFINE,
  // Core is bundled from source: it is side-effect free, so each entry keeps only the modules it
  // uses (a report never loads zod; the statusline entry stays ~11 kB).
  noExternal: ["@claude-gauge/core"],
  esbuildOptions(options) {
    options.alias = CORE_ALIASES;
  },
  esbuildPlugins: [DISPATCH_BESIDE],
  banner: { js: "#!/usr/bin/env node" },
  onSuccess: async () => {
    await Promise.all([buildWeb(), buildStatusline(), buildCliEntry(), buildDispatch()]);
  },
});
