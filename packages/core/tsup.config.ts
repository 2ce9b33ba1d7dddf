import { defineConfig } from "tsup";

// Published for both module systems: ESM (dist/index.js, index.d.ts) and CommonJS (dist/index.cjs,
// index.d.cts), with `./decode` (the scanner's zod-free subset) and `./reports` (the reports and their ledger, zod-free) beside it, so `require("@claude-gauge/core")` works as well as `import`. No source maps: the
// package ships its readable, unminified output instead.
export default defineConfig({
  entry: { index: "src/index.ts", decode: "src/decode.ts", reports: "src/reports-entry.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "node20",
  treeshake: true,
});
