import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/cli.ts", "src/scan-worker.ts"],
  format: ["esm"],
  clean: true,
  sourcemap: true,
  target: "node20",
  // core is bundled in so the CLI starts from one file (fast start-up for statusline use)
  noExternal: ["@claude-gauge/core"],
  banner: { js: "#!/usr/bin/env node" },
});
