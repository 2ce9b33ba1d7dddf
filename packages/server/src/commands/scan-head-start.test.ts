import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scanCachePath } from "../sources/jsonl/cache-keys.js";
import { findTranscriptRoots } from "../sources/jsonl/roots.js";
import { PARALLEL_MIN_BYTES } from "../sources/jsonl/scan-thread.js";
import { reportHeadStart } from "./scan-head-start.js";

// When a report starts its second scan thread before the CLI loads: real trees (sparse files of
// the sizes that matter), a real cache folder, real worker threads (a script that waits for its
// order, as the scan worker does).

const dir = mkdtempSync(join(tmpdir(), "cg-head-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORKER = join(dir, "worker.mjs");
writeFileSync(WORKER, 'import { workerData } from "node:worker_threads";\nworkerData.port.once("message", () => workerData.port.close());\n');

/** A config dir whose one transcript is `bytes` long (sparse), and a cache home of its own. */
function tree(name: string, bytes: number) {
  const config = join(dir, name);
  mkdirSync(join(config, "projects", "-p"), { recursive: true });
  const file = join(config, "projects", "-p", "s.jsonl");
  writeFileSync(file, "");
  truncateSync(file, bytes);
  const env = { HOME: dir, CLAUDE_CONFIG_DIR: config, XDG_CACHE_HOME: join(dir, `${name}-cache`) };
  return { env, cacheFile: scanCachePath(join(env.XDG_CACHE_HOME, "claude-gauge"), findTranscriptRoots(env).roots) };
}

describe.runIf(availableParallelism() >= 2)("reportHeadStart", () => {
  const big = tree("big", PARALLEL_MIN_BYTES);
  const small = tree("small", PARALLEL_MIN_BYTES - 1);

  it("starts the thread for a report that scans a large tree from scratch, and hands on its walk", async () => {
    for (const args of [["daily", "--json"], ["session"], ["blocks", "--no-cache"]]) {
      const h = await reportHeadStart(args, big.env, undefined, WORKER);
      expect(h.scanThread).toBeDefined();
      h.scanThread!.stop();
      expect(h.listing?.files.map((f) => f.identity.size)).toEqual([PARALLEL_MIN_BYTES]);
    }
  });

  it("starts none below PARALLEL_MIN_BYTES, but hands on the walk", async () => {
    const h = await reportHeadStart(["daily"], small.env, undefined, WORKER);
    expect(h.scanThread).toBeUndefined();
    expect(h.listing?.files).toHaveLength(1);
  });

  it("starts none when a scan cache of these roots exists, unless --no-cache; walks only when it starts one", async () => {
    mkdirSync(join(big.cacheFile, ".."), { recursive: true });
    writeFileSync(big.cacheFile, "");
    try {
      expect(await reportHeadStart(["daily"], big.env, undefined, WORKER)).toEqual({ listing: undefined });
      const h = await reportHeadStart(["daily", "--no-cache"], big.env, undefined, WORKER);
      expect(h.scanThread).toBeDefined();
      h.scanThread!.stop();
    } finally {
      rmSync(big.cacheFile);
    }
  });

  it("follows CLAUDE_GAUGE_SCAN_THREADS: 1 starts none, 2 starts one for any tree", async () => {
    expect((await reportHeadStart(["daily"], { ...big.env, CLAUDE_GAUGE_SCAN_THREADS: "1" }, undefined, WORKER)).scanThread).toBeUndefined();
    const h = await reportHeadStart(["daily"], { ...small.env, CLAUDE_GAUGE_SCAN_THREADS: " 2 " }, undefined, WORKER);
    expect(h.scanThread).toBeDefined();
    h.scanThread!.stop();
  });

  it("uses the answer lookup's walk instead of walking again", async () => {
    const listing = { roots: findTranscriptRoots(big.env).roots, files: [], problems: [] };
    expect(await reportHeadStart(["daily"], big.env, listing, WORKER)).toEqual({ listing, scanThread: undefined });
  });

  it("does nothing for what is not a report of a kind, or asks for help", async () => {
    for (const args of [[], ["weekly"], ["daily", "--help"], ["session", "-h"]]) {
      expect(await reportHeadStart(args, big.env, undefined, WORKER)).toEqual({ listing: undefined });
    }
  });
});
