import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCorpus } from "./corpus/corpus-lib.js";
import { CLI } from "./helpers/server-process.js";

// The scan's second thread failing in the middle of a cold scan, for real: a copy of the built CLI
// whose bundled scan worker takes a piece from the shared counter, as the real one does, and then
// fails. The first thread must scan that piece and the rest: the report equals the real build's.
// A cold report of this tree starts its thread before the CLI loads (scan-head-start.ts), from
// either entry: the ES module (dist/cli.js) and the CommonJS one the command runs (dist/cli.cjs).

const run = promisify(execFile);

/** Waits for its order, takes the next piece, then throws or exits (FAULT), never posting its scan. */
const FAULTY_WORKER = `import { workerData } from "node:worker_threads";
workerData.port.once("message", ({ next }) => {
  Atomics.add(next, 0, 1);
  if (process.env.FAULT === "exit") process.exit(3);
  throw new Error("a fault in the second thread");
});
`;

let tree = "";
let build = "";
beforeAll(async () => {
  tree = mkdtempSync(join(tmpdir(), "cg-thread-tree-"));
  // scanned on two threads (CLAUDE_GAUGE_SCAN_THREADS=2 below: the tree is under PARALLEL_MIN_BYTES)
  await generateCorpus({ outDir: tree, seed: 31, sizeMb: 30, days: 6 });
  build = mkdtempSync(join(tmpdir(), "cg-thread-build-"));
  cpSync(dirname(CLI), join(build, "dist"), { recursive: true });
  writeFileSync(join(build, "package.json"), '{ "type": "module" }\n');
  symlinkSync(join(dirname(CLI), "..", "..", "..", "node_modules"), join(build, "node_modules"));
  writeFileSync(join(build, "dist", "scan-worker.js"), FAULTY_WORKER);
}, 120_000);
afterAll(() => {
  for (const d of [tree, build]) if (d) rmSync(d, { recursive: true, force: true });
});

async function report(cli: string, fault = ""): Promise<{ out: unknown; err: string }> {
  const { stdout, stderr } = await run(process.execPath, [cli, "report", "daily", "--json", "--no-cache", "--timezone", "UTC"], {
    env: { ...process.env, CLAUDE_CONFIG_DIR: tree, FAULT: fault, CLAUDE_GAUGE_SCAN_THREADS: "2" },
    maxBuffer: 1 << 26,
  });
  return { out: JSON.parse(stdout) as unknown, err: stderr };
}

describe.runIf(availableParallelism() >= 2)("a second scan thread that fails mid-scan", () => {
  it.each([
    ["throws", "throw", "cli.js", /the second scan thread failed \(a fault in the second thread\); the first scanned its part/],
    ["exits", "exit", "cli.js", /the second scan thread failed \(exited with 3\); the first scanned its part/],
    ["throws", "throw", "cli.cjs", /the second scan thread failed \(a fault in the second thread\); the first scanned its part/],
  ])(
    "when it %s (FAULT=%s, dist/%s), the first thread scans the piece it took and the rest: the report is the real build's",
    async (_how, fault, entry, note) => {
      const want = await report(CLI);
      expect(want.err).not.toMatch(/scan thread/);
      const got = await report(join(build, "dist", entry), fault);
      expect(got.out).toEqual(want.out);
      // the same notes (the corpus's bad lines), and the failure said once
      const lines = got.err.split("\n");
      expect(lines.filter((l) => note.test(l))).toHaveLength(1);
      expect(lines.filter((l) => !note.test(l)).join("\n")).toBe(want.err);
    },
  );
});
