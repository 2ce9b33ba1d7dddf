import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** How to start ccusage: a command and the arguments that precede the report's own. */
export interface CcusageCommand {
  cmd: string;
  pre: string[];
  /** for health and logs */
  label: string;
}

/** the most a report may print, bytes (blocks of a year of heavy use are a few MB) */
const MAX_OUTPUT_BYTES = 256 << 20;

/**
 * `CLAUDE_GAUGE_CCUSAGE` (a path) if set; else the ccusage this package was installed with (the
 * pinned devDependency in a checkout), run with this Node; else `ccusage` on PATH.
 */
export function findCcusage(env: Record<string, string | undefined>): CcusageCommand {
  const explicit = env["CLAUDE_GAUGE_CCUSAGE"];
  if (explicit) return { cmd: explicit, pre: [], label: explicit };
  try {
    const pkg = createRequire(import.meta.url).resolve("ccusage/package.json");
    const cli = join(dirname(pkg), "src", "cli.js");
    if (existsSync(cli)) return { cmd: process.execPath, pre: [cli], label: "ccusage (installed package)" };
  } catch {
    // not installed beside us: PATH decides
  }
  return { cmd: "ccusage", pre: [], label: "ccusage (PATH)" };
}

/**
 * Runs one report and resolves with its stdout, or rejects with a short cause (exit code, signal,
 * time limit, missing binary) — never the output, which may hold project paths.
 */
export function runCcusage(c: CcusageCommand, args: readonly string[], timeoutMs: number): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", LOG_LEVEL: "0" };
  delete env["FORCE_COLOR"];
  return new Promise((resolve, reject) => {
    execFile(c.cmd, [...c.pre, ...args], { env, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: MAX_OUTPUT_BYTES, encoding: "utf8" }, (error, stdout) => {
      if (!error) return resolve(stdout);
      const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: string | number };
      if (e.code === "ENOENT") reject(new Error("not found"));
      else if (e.code === "EACCES") reject(new Error("not executable"));
      else if (e.killed && e.signal === "SIGKILL") reject(new Error(`no answer within ${timeoutMs} ms`));
      else if (e.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") reject(new Error(`printed more than ${MAX_OUTPUT_BYTES} bytes`));
      else if (typeof e.code === "number") reject(new Error(`exit code ${e.code}`));
      else reject(new Error(e.signal ? `killed by ${e.signal}` : (e.code ?? "failed")));
    });
  });
}
