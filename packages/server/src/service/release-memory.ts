import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * One full garbage collection, now. The daemon's cold start leaves its garbage behind (read
 * buffers, the scan cache file, decoded lines: tens of MB on a long history), and an idle daemon
 * allocates too little to trigger a collection for hours; collected, the large buffers go back to
 * the system at once. Node exposes no collector without --expose-gc, which can still be set at
 * run time; Bun has its own. Where neither works, the memory goes back at the next collection.
 */
export function collectGarbage(): void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  try {
    if (bun !== undefined) {
      bun.gc(true);
      return;
    }
    setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
  } catch {
    // no collector to call on this runtime
  }
}
