import type { StatuslineEnv } from "./state-file.js";

/** Joins our line and the chained command's. */
export const CHAIN_SEPARATOR = " │ ";

const firstLine = (s: string): string => s.split(/\r?\n/, 1)[0] ?? "";

/** Runs the user's previous statusLine command with the same stdin; its first line, or null. */
export async function runChained(command: string, stdin: string, env: StatuslineEnv, timeoutMs: number): Promise<string | null> {
  // loaded only when chaining, to keep the common path's start-up small
  const { spawn } = await import("node:child_process");
  return new Promise((resolve) => {
    let out = "";
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const line = firstLine(out).trimEnd();
      resolve(line === "" ? null : line);
    };
    let child: ReturnType<typeof spawn>;
    try {
      // its own process group, so a timeout also ends whatever the shell started
      child = spawn(command, { shell: true, detached: true, stdio: ["pipe", "pipe", "ignore"], env: { ...env } });
    } catch {
      resolve(null);
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      finish();
    }, timeoutMs);
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (d: string) => {
      out += d;
    });
    child.on("error", finish);
    child.on("close", finish);
    // a command that never reads its stdin closes the pipe early
    child.stdin?.on("error", () => {});
    child.stdin?.end(stdin);
  });
}
