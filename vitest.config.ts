import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import the core from source, so they never run against a stale build.
const core = fileURLToPath(new URL("./packages/core/src/index.ts", import.meta.url));
const coreDecode = fileURLToPath(new URL("./packages/core/src/decode.ts", import.meta.url));
const coreReports = fileURLToPath(new URL("./packages/core/src/reports-entry.ts", import.meta.url));

// One temporary folder per run, the TMPDIR of every test and of every process a test starts:
// whatever a test leaves there (state dirs, trees, profiles) goes when the run ends.
const runTmp = mkdtempSync(join(tmpdir(), "cg-test-run-"));
// passable (not listable) by others: a test runs a script as an unprivileged user from in here
chmodSync(runTmp, 0o711);
const cacheHome = join(runTmp, "cache");
mkdirSync(cacheHome);
process.once("exit", () => rmSync(runTmp, { recursive: true, force: true }));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@claude-gauge\/core$/, replacement: core },
      { find: /^@claude-gauge\/core\/decode$/, replacement: coreDecode },
      { find: /^@claude-gauge\/core\/reports$/, replacement: coreReports },
    ],
  },
  test: {
    // Every CLI and daemon a test starts inherits this: the scan cache of a test run never lands
    // in the user's ~/.cache (a test that studies the cache sets its own).
    env: { TMPDIR: runTmp, XDG_CACHE_HOME: cacheHome },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "codegen/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // e2e tests start real processes and share ports/tmp trees; keep them sequential
          fileParallelism: false,
        },
      },
    ],
  },
});
