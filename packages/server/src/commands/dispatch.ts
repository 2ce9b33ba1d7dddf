import { commandHelp, commonFlags, parseCommand, UsageError, type CommandSpec } from "./args.js";
import { streamsInUse } from "./direct-output.js";
import { exitWhenWritten } from "./exit-when-written.js";
import { listenErrorLine } from "./listen-error.js";
import { isReportKind } from "./report-kinds.js";
import { serveFlagsFrom } from "./serve-flags.js";
import { COMMANDS } from "./specs.js";
import type { HeadStart } from "./scan-head-start.js";
import { VERSION } from "../version.js";

const USAGE = `claude-gauge ${VERSION} — Claude Code usage as gauges

Usage: claude-gauge <command> [options]      (claude-gauge-server [options] = claude-gauge serve)

${COMMANDS.map((c) => `  ${c.name.padEnd(19)} ${c.summary.split("\n")[0]}`).join("\n")}

Run 'claude-gauge <command> --help' for a command's options.`;

type Values = Record<string, string | boolean | undefined>;

/**
 * `args` are the command's own words (serve and install-service hand them on verbatim); `ahead`
 * is what the entry got ready before dispatching (a report's walk and second scan thread).
 */
async function run(spec: CommandSpec, values: Values, positionals: string[], args: string[], ahead: HeadStart): Promise<number> {
  switch (spec.name) {
    // Commands load their modules on demand: a report starts without the daemon, zod or prom-client.
    case "serve": {
      // every option is checked before the daemon module is even loaded
      const flags = serveFlagsFrom(values, process.env);
      try {
        await (await import("./serve.js")).serve(args);
      } catch (e) {
        const line = listenErrorLine(e, flags);
        if (line === null) throw e;
        // the tail and timers started before listen() failed: leave at once, after the line is out
        process.stderr.write(`claude-gauge serve: ${line}\n`, () => process.exit(1));
        return new Promise<number>(() => {});
      }
      return 0;
    }
    case "statusline":
      // prints its line and ends the process (always with 0: Claude Code shows a failure as an error)
      (await import("../statusline/command.js")).runStatusline(args);
      return new Promise<number>(() => undefined);
    case "install-statusline":
      return (await import("./install-statusline-command.js")).installStatuslineCommand(values["uninstall"] === true);
    case "install-service":
    case "uninstall-service": {
      const { serviceCommand } = await import("./install-service.js");
      return serviceCommand(spec.name, values, args);
    }
    case "status":
      return (await import("./status.js")).status(values);
    case "once":
      await (await import("./once.js")).once(commonFlags(values));
      return exitWhenWritten(0);
    case "calibrate":
      await (await import("./calibrate.js")).calibrate(commonFlags(values));
      return exitWhenWritten(0);
    case "report": {
      const kind = positionals[0];
      if (!isReportKind(kind)) throw new UsageError(`expected daily, session or blocks, got ${JSON.stringify(kind ?? "")}`);
      const flags = commonFlags(values);
      await (await import("./report.js")).report(kind, flags, args, ahead);
      return exitWhenWritten(0, streamsInUse);
    }
  }
  throw new Error(`no handler for ${spec.name}`);
}

/** Runs `claude-gauge <argv>`; the exit code. */
export async function main(argv: string[], ahead: HeadStart = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (name === "version" || name === "--version" || name === "-v") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const spec = COMMANDS.find((c) => c.name === name);
  if (spec === undefined) {
    process.stderr.write(`claude-gauge: unknown command ${JSON.stringify(name)}\nRun 'claude-gauge --help' for the list.\n`);
    return 2;
  }
  try {
    const p = parseCommand(spec, rest);
    if (p.kind === "help") {
      process.stdout.write(`${commandHelp(spec)}\n`);
      return 0;
    }
    if (p.kind === "version") {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    return await run(spec, p.values, p.positionals, rest, ahead);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`claude-gauge ${spec.name}: ${e.message}\nRun 'claude-gauge ${spec.name} --help' for its options.\n`);
      return 2;
    }
    // core (and zod with it) is loaded only now: a report never needs it
    if (e instanceof (await import("@claude-gauge/core")).ConfigError) {
      process.stderr.write(`claude-gauge: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
