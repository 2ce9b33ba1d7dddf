import { ConfigError } from "@claude-gauge/core";
import { parseCommon, UsageError } from "./commands/args.js";

const USAGE = `claude-gauge — Claude Code usage as gauges

  claude-gauge serve [--port 8080] [--host 127.0.0.1] [--lan] [--token T] [--show-projects]
                     [--demo [--demo-speed N]]
                                             the live daemon: the cluster at GET /, /usage, /ws, /metrics,
                                             /stats, /history; --demo replays a generated session
  claude-gauge once [--json]                 the /usage snapshot now
  claude-gauge report daily|session|blocks [--json] [--since YYYYMMDD] [--until YYYYMMDD] [--timezone ZONE] [--order asc|desc]
  claude-gauge calibrate [--json]            suggested ceilings from your history, as env lines
  claude-gauge statusline [--chain CMD]      Claude Code's statusLine command: hands Claude's own rate
                                             limits to the daemon and prints a compact status line
  claude-gauge install-statusline [--uninstall]
                                             set it up in ~/.claude/settings.json (backup, keeps yours chained)

Transcripts are read from CLAUDE_CONFIG_DIR (comma list), else ~/.config/claude and ~/.claude.
Options: -q/--quiet (no progress on stderr), --no-cache (read every transcript; the scan cache in
$XDG_CACHE_HOME/claude-gauge, else ~/.cache/claude-gauge, is neither read nor written)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      // Commands load their modules on demand: a report starts without the daemon, zod or prom-client.
      case "serve":
        await (await import("./commands/serve.js")).serve(rest);
        return 0;
      case "statusline": {
        // Claude Code shows a failing status command as an error: always print a line, exit 0.
        const { parseStatuslineArgs, readStdin, statusline, STATUSLINE_FALLBACK } = await import("./statusline/statusline.js");
        let line = STATUSLINE_FALLBACK;
        try {
          line = await statusline(await readStdin(process.stdin, 200), process.env, parseStatuslineArgs(rest));
        } catch {
          // keep the fallback line
        }
        process.stdout.write(`${line}\n`);
        return 0;
      }
      case "install-statusline": {
        const uninstall = rest.includes("--uninstall");
        const { defaultSettingsPath, defaultStatuslineCommand, installStatusline, SettingsError } = await import("./commands/install-statusline.js");
        try {
          const r = installStatusline(defaultSettingsPath(), defaultStatuslineCommand(), { uninstall });
          process.stdout.write(
            `claude-gauge: ${r.action} ${defaultSettingsPath()}${r.backup ? ` (backup: ${r.backup})` : ""}${r.previous ? `; your command runs after ours: ${r.previous}` : ""}\n`,
          );
          return 0;
        } catch (e) {
          if (e instanceof SettingsError) {
            process.stderr.write(`claude-gauge: ${e.message}\n`);
            return 1;
          }
          throw e;
        }
      }
      case "once":
        await (await import("./commands/once.js")).once(parseCommon(rest).flags);
        return 0;
      case "calibrate":
        await (await import("./commands/calibrate.js")).calibrate(parseCommon(rest).flags);
        return 0;
      case "report": {
        const { flags, positionals } = parseCommon(rest);
        await (await import("./commands/report.js")).report(positionals[0], flags);
        return 0;
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`claude-gauge: ${e.message}\n`);
      return 2;
    }
    if (e instanceof UsageError || e instanceof RangeError) {
      process.stderr.write(`claude-gauge: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
