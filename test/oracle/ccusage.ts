import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export type CcusageReport = "daily" | "session" | "blocks";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The pinned oracle. Going through the npm shim (not PATH) keeps a globally installed ccusage out. */
export const CCUSAGE_BIN = join(repoRoot, "node_modules", ".bin", "ccusage");

/** Reports on big corpora are ~100 MB of JSON at most; the default 1 MB buffer is far too small. */
const MAX_BUFFER = 1024 * 1024 * 1024;

/** Zone used when the caller names none: ccusage would otherwise group days in the machine's zone. */
export const DEFAULT_TIMEZONE = "UTC";

export interface CcusageOptions {
  /** extra environment, e.g. TZ for a run that leaves the zone to the process */
  env?: Record<string, string>;
  /** pass no --timezone at all (the process zone decides), instead of the UTC default */
  processZone?: boolean;
}

/**
 * Runs `ccusage claude <report> --json --offline` against one config dir and returns the parsed JSON.
 * `--offline` keeps cost deterministic (bundled pricing, no network). extraArgs are passed through;
 * unless they hold `--timezone`/`-z` (or opts.processZone is set), `--timezone UTC` is added.
 */
export function runCcusage(configDir: string, report: CcusageReport, extraArgs: readonly string[] = [], opts: CcusageOptions = {}): Promise<unknown> {
  if (!existsSync(CCUSAGE_BIN)) {
    return Promise.reject(new Error(`ccusage oracle not installed at ${CCUSAGE_BIN} (run npm ci)`));
  }
  const hasZone = opts.processZone === true || extraArgs.some((a) => a === "--timezone" || a === "-z" || a.startsWith("--timezone="));
  const args = ["claude", report, "--json", "--offline", ...extraArgs, ...(hasZone ? [] : ["--timezone", DEFAULT_TIMEZONE])];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...opts.env,
    CLAUDE_CONFIG_DIR: configDir,
    // colour codes or progress output must never end up in the JSON we parse
    NO_COLOR: "1",
    LOG_LEVEL: "0",
  };
  delete env["FORCE_COLOR"];
  return new Promise((resolvePromise, reject) => {
    execFile(CCUSAGE_BIN, args, { env, maxBuffer: MAX_BUFFER, encoding: "utf8" }, (error, stdout, stderr) => {
      const cmd = `CLAUDE_CONFIG_DIR=${configDir} ccusage ${args.join(" ")}`;
      if (error) {
        reject(new Error(`${cmd} failed (${error.message.split("\n")[0] ?? ""})\nstderr: ${stderr.trim()}`));
        return;
      }
      try {
        resolvePromise(JSON.parse(stdout) as unknown);
      } catch (parseError) {
        const head = stdout.slice(0, 500);
        reject(new Error(`${cmd} printed invalid JSON (${String(parseError)}): ${head}\nstderr: ${stderr.trim()}`));
      }
    });
  });
}
