import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../packages/server/dist/cli.js", import.meta.url));
/** what the installed `claude-gauge` runs: the package's bin, a CommonJS entry (dist/cli.cjs) for the same code */
export const COMMAND = fileURLToPath(new URL("../../packages/server/bin/claude-gauge.cjs", import.meta.url));

export interface RunningServer {
  proc: ChildProcess;
  url: string;
  port: number;
  /** everything the process wrote to stderr so far */
  logs(): string;
  stop(): Promise<number | null>;
}

/** Starts the built CLI's `serve` on a free port and resolves once it prints its URL. */
export async function startServer(
  configDir: string,
  args: string[] = [],
  env: Record<string, string> = {},
  /** the command that runs the CLI: [node, cli.js] by default, or a compiled executable */
  runtime: string[] = [process.execPath, CLI],
): Promise<RunningServer> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const [cmd, ...pre] = runtime;
  const proc = spawn(cmd!, [...pre, "serve", "--port", "0", ...args], {
    // A fresh state dir: the daemon must never read the statusline readings of the machine's user.
    env: { ...process.env, XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "cg-state-")), CLAUDE_CONFIG_DIR: configDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr!.setEncoding("utf8");
  proc.stderr!.on("data", (d: string) => {
    stderr += d;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 30_000);
    proc.stderr!.on("data", () => {
      const m = /serving http:\/\/[^:]+:(\d+)\//.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    logs: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        // a process killed by a signal has no exit code, only a signal code
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        proc.once("exit", (code) => resolve(code));
        proc.kill("SIGTERM");
      }),
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 5000, what = "condition"): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
