import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * One full, compacting garbage collection, now. The daemon's cold start leaves its garbage behind
 * (read buffers, the scan cache file, decoded lines: tens of MB on a long history), and an idle
 * daemon allocates too little to trigger a collection for hours; collected, the large buffers go
 * back to the system at once, and the survivors are moved onto as few pages as they fill. Node
 * exposes no collector without --expose-gc, which can still be set at run time (as can
 * compaction); Bun has its own. Where neither works, the memory goes back at the next collection.
 */
export function collectGarbage(): void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  try {
    if (bun !== undefined) {
      bun.gc(true);
      return;
    }
    setFlagsFromString("--expose-gc");
    // compacting: a cold start leaves the old generation's pages sparsely filled (on a restart
    // from the scan cache, 74 MB of pages for 40 MB of objects) and a plain collection keeps them
    setFlagsFromString("--compact-on-every-full-gc");
    try {
      (runInNewContext("gc") as () => void)();
    } finally {
      setFlagsFromString("--no-compact-on-every-full-gc");
    }
  } catch {
    // no collector to call on this runtime
  }
}
