// Injected into the CommonJS bundles, dist/cli.cjs and dist/dispatch.cjs (tsup.config.ts): their
// import.meta.url is the bundle's own file, so every path a module finds beside itself resolves in
// dist/ as in the ES module build.
export const importMetaUrl = require("node:url").pathToFileURL(__filename).href;
