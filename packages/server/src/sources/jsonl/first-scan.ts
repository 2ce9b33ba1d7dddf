import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The built child program beside the bundle (absent when running from source or as one executable). */
const MAIN = fileURLToPath(new URL("./first-scan-main.js", import.meta.url));

/**
 * From this many bytes to read, a first start scans in a process of its own (first-scan-main.ts):
 * starting it and reading the cache it wrote back costs ~0.2 s more; below this, what malloc keeps
 * is a few MB.
 */
export const FIRST_SCAN_MIN_BYTES = 64 << 20;

/**
 * Fills the scan cache for `roots` in a child process and resolves once it exited: true when it
 * wrote the cache, false when it could not run or failed (the daemon then scans itself). Its
 * progress lines go to our stderr. It is killed when we exit; killed ourselves, we close its stdin
 * and it ends (see first-scan-main.ts).
 */
export function scanInChildProcess(roots: readonly string[], cacheDir: string, showProjects: boolean): Promise<boolean> {
  if (!existsSync(MAIN)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const args = [...process.execArgv, MAIN, JSON.stringify(roots), cacheDir, showProjects ? "show-projects" : ""];
    const child = spawn(process.execPath, args, { stdio: ["pipe", "ignore", "inherit"] });
    const gone = () => child.kill();
    process.once("exit", gone);
    child.once("error", () => resolve(false));
    child.once("exit", (code) => {
      process.off("exit", gone);
      resolve(code === 0);
    });
  });
}
