/**
 * `claude-gauge install-service` / `uninstall-service`: the daemon as a login service that restarts
 * when it fails (systemd user unit on Linux, launchd agent on macOS). The serve options given are
 * checked first and written into the unit; `--no-enable` writes without starting, `--dry-run`
 * prints what would be written and run.
 */
import { existsSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { writeFileAtomic } from "../files/write-atomic.js";
import { fileURLToPath } from "node:url";
import { parseConfig } from "@claude-gauge/core";
import { UsageError } from "./args.js";
import { parseServeFlags } from "./serve-flags.js";
import { realRunner, serviceManager, type Runner, type ServiceManager } from "./service-manager.js";
import { serviceEnv, type ServiceDefinition } from "./service-unit.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface ServiceContext {
  platform: NodeJS.Platform;
  env: Env;
  run: Runner;
  out(line: string): void;
  /** the program that runs the daemon: [runtime, cli.js] or [the single-file executable] */
  program: readonly string[];
}

/** The built CLI beside this module; missing in the single-file executable, which is its own program. */
const CLI = fileURLToPath(new URL("./cli.js", import.meta.url));

/**
 * What glibc's allocator reads for a daemon that runs for months: at most two malloc arenas (the
 * default allows eight per core), so memory the backfill's second thread freed is reused instead
 * of kept in an arena of its own (5–10 MiB less resident after a 1 GiB history, bench: rss); and
 * a fixed mmap threshold, so every large buffer goes back to the system when freed (by default
 * freeing one raises the threshold, and later buffers up to its size stay in the arena: a restart
 * on a 1 GiB history held ~16 MiB more). systemd units only: launchd starts programs on macOS's
 * allocator, which does not read them.
 */
export const DAEMON_LINUX_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "131072" };

function currentProgram(): string[] {
  if (!existsSync(CLI)) return [process.execPath];
  return [process.execPath, realpathSync(CLI)];
}

function manager(ctx: ServiceContext): ServiceManager {
  const m = serviceManager(ctx.platform, ctx.env);
  if (m === null) throw new UsageError(`no login service manager we know on ${ctx.platform}: run \`claude-gauge serve\` from your own`);
  return m;
}

const shown = (argv: readonly string[]) => argv.map((a) => (/^[\w./:=@%+,-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");

async function runAll(ctx: ServiceContext, steps: [string, string[]][], dryRun: boolean): Promise<boolean> {
  for (const [program, args] of steps) {
    ctx.out(`${dryRun ? "would run" : "running"}: ${shown([program, ...args])}`);
    if (dryRun) continue;
    const r = await ctx.run(program, args);
    if (r.code !== 0) {
      ctx.out(`  failed (exit ${r.code}): ${r.stderr.trim().split("\n")[0] ?? ""}`);
      return false;
    }
  }
  return true;
}

export async function installService(ctx: ServiceContext, serveArgs: string[], opts: { enable: boolean; dryRun: boolean }): Promise<number> {
  // the daemon's options and settings are checked now, not at the next login (a ConfigError names the variable)
  parseServeFlags(serveArgs, ctx.env);
  parseConfig(ctx.env);
  if (ctx.program.some((p) => p.includes("/_npx/"))) {
    throw new UsageError(
      "this claude-gauge runs from npx's temporary cache, which a service cannot rely on: `npm install -g claude-gauge`, then run install-service again",
    );
  }
  const m = manager(ctx);
  const def: ServiceDefinition = {
    argv: [...ctx.program, "serve", ...serveArgs],
    env: { ...(ctx.platform === "linux" ? DAEMON_LINUX_ENV : {}), ...serviceEnv(ctx.env) },
  };
  const text = m.render(def);
  if (opts.dryRun) {
    ctx.out(`would write ${m.file}:\n${text}`);
  } else {
    // 0600: the unit may carry CLAUDE_GAUGE_TOKEN
    writeFileAtomic(m.file, text, { mode: 0o600 });
    ctx.out(`wrote ${m.file}`);
  }
  ctx.out(`the service runs: ${shown(def.argv)}`);
  if (!opts.enable) {
    ctx.out(
      `not started (--no-enable); to start it: ${m
        .enable()
        .map(([p, a]) => shown([p, ...a]))
        .join(" && ")}`,
    );
    return 0;
  }
  if (!(await runAll(ctx, m.enable(), opts.dryRun))) {
    ctx.out(`the ${m.kind === "systemd" ? "unit" : "agent"} is written but not running; fix the above, then run install-service again`);
    return 1;
  }
  if (!opts.dryRun) ctx.out("the daemon now starts at login and restarts when it fails; `claude-gauge status` shows it");
  return 0;
}

export async function uninstallService(ctx: ServiceContext, opts: { dryRun: boolean }): Promise<number> {
  const m = manager(ctx);
  if (!existsSync(m.file)) {
    ctx.out(`no claude-gauge service installed (${m.file} does not exist)`);
    return 0;
  }
  // stopping fails when it is not loaded; the file goes either way
  await runAll(ctx, m.disable(), opts.dryRun);
  if (opts.dryRun) {
    ctx.out(`would remove ${m.file}`);
    return 0;
  }
  rmSync(m.file, { force: true });
  ctx.out(`removed ${m.file}`);
  if (m.kind === "systemd") await runAll(ctx, [["systemctl", ["--user", "daemon-reload"]]], false);
  return 0;
}

/** The serve options among install-service's arguments (everything but its own two flags). */
function serveArgsOf(args: readonly string[]): string[] {
  return args.filter((a) => a !== "--no-enable" && a !== "--dry-run");
}

export async function serviceCommand(name: string, values: Record<string, string | boolean | undefined>, args: readonly string[]): Promise<number> {
  const ctx: ServiceContext = {
    platform: process.platform,
    env: process.env,
    run: realRunner,
    out: (line) => process.stdout.write(`claude-gauge: ${line}\n`),
    program: currentProgram(),
  };
  const dryRun = values["dry-run"] === true;
  if (name === "uninstall-service") return uninstallService(ctx, { dryRun });
  return installService(ctx, serveArgsOf(args), { enable: values["no-enable"] !== true, dryRun });
}

/** The installed unit or agent's text, or null. */
export function installedServiceText(platform: NodeJS.Platform, env: Env): { file: string; text: string; manager: ServiceManager } | null {
  const m = serviceManager(platform, env);
  if (m === null) return null;
  try {
    return { file: m.file, text: readFileSync(m.file, "utf8"), manager: m };
  } catch {
    return null;
  }
}
