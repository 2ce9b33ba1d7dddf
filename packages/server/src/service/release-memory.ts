import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Gives back what the daemon's backfill leaves behind, for a process that runs for months: one
 * compacting collection after the first quiet stretch; V8's young generation kept from growing
 * again; and, while it is still larger than it started, a collection after each quiet stretch
 * after that. The cold start grows the young generation to 16 MiB per semi-space (32 MB resident)
 * and V8 shrinks it only at a collection that finds the allocation since the one before slow
 * (under ~1 MB/s), which an idle daemon may not run for minutes; the first quiet collection can
 * still count the start's last burst (the service's history is built in slices after the
 * backfill), so it tries again. The live path allocates too little to notice the extra scavenges
 * of a 1 MiB semi-space. The growth factor is set here, after the backfill, because V8 reads it
 * at each growth but puts its floor of 2 back whenever a thread sets up a heap (the backfill's
 * worker does), and the backfill runs faster with room to grow. Resolves when the young
 * generation is back (or after `tries`).
 */
export async function releaseBackfillMemory(quietMs = 6_000, tries = 5): Promise<void> {
  if (bun === undefined) setFlagsFromString("--semi-space-growth-factor=1");
  const quiet = () => new Promise((resolve) => setTimeout(resolve, quietMs).unref());
  // not at once: a full collection of a long history's leftovers takes ~70 ms, which the first
  // requests after a (re)start would wait for; a quiet moment later it also takes the history's
  // points, computed in slices after the start
  await quiet();
  collectGarbage();
  if (bun !== undefined) return;
  const young = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0;
  for (let i = 0; i < tries && young() > STARTING_YOUNG_BYTES; i++) {
    await quiet();
    collectGarbage(false);
  }
}

/** V8's starting young generation on 64-bit: two semi-spaces of 1 MiB */
const STARTING_YOUNG_BYTES = 2 * 2 ** 20;

/** Bun's global when this runs there: it has a collector of its own and no V8 flags */
const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;

/**
 * One full, compacting garbage collection, now. The daemon's cold start leaves its garbage behind
 * (read buffers, the scan cache file, decoded lines: tens of MB on a long history), and an idle
 * daemon allocates too little to trigger a collection for hours; collected, the large buffers go
 * back to the system at once, and the survivors are moved onto as few pages as they fill. Node
 * exposes no collector without --expose-gc, which can still be set at run time (as can
 * compaction); Bun has its own. Where neither works, the memory goes back at the next collection.
 */
export function collectGarbage(compact = true): void {
  try {
    if (bun !== undefined) {
      bun.gc(true);
      return;
    }
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    if (!compact) {
      gc();
      return;
    }
    // compacting: a cold start leaves the old generation's pages sparsely filled (on a restart
    // from the scan cache, 74 MB of pages for 40 MB of objects) and a plain collection keeps them
    setFlagsFromString("--compact-on-every-full-gc");
    try {
      gc();
    } finally {
      setFlagsFromString("--no-compact-on-every-full-gc");
    }
  } catch {
    // no collector to call on this runtime
  }
}
