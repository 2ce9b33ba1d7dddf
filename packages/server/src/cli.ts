import { assertTimeZone, blocksReport, dailyReport, sessionReport, sortEntries } from "@claude-gauge/core";
import { parseCommon, UsageError, type CommonFlags } from "./cli-args.js";
import { loadTranscripts, type LoadResult } from "./transcript-load.js";
import { findTranscriptRoots } from "./transcript-roots.js";

const USAGE = `claude-gauge — Claude Code usage as gauges

  claude-gauge once [--json]                 the /usage snapshot now
  claude-gauge report daily|session|blocks [--json] [--since YYYYMMDD] [--until YYYYMMDD] [--timezone ZONE]
  claude-gauge calibrate                     suggested ceilings from your history, as env lines

Transcripts are read from CLAUDE_CONFIG_DIR (comma list), else ~/.config/claude and ~/.claude.
Options: -q/--quiet (no progress on stderr)`;

async function load(flags: CommonFlags, signals: boolean, now: number): Promise<LoadResult> {
  const { roots, missing } = findTranscriptRoots();
  if (roots.length === 0) {
    process.stderr.write(
      `claude-gauge: no transcripts found (looked in ${missing.join(", ") || "nothing"}); reporting zeros\n`,
    );
  }
  const progress = flags.quiet ? undefined : (msg: string) => process.stderr.write(`claude-gauge: ${msg}\n`);
  const result = await loadTranscripts(roots, { now, signals, ...(progress ? { progress } : {}) });
  if (!flags.quiet) reportProblems(result);
  return result;
}

function reportProblems(r: LoadResult): void {
  for (const p of r.problems) process.stderr.write(`claude-gauge: skipped ${p.path}: ${p.error}\n`);
  if (r.badLineCount === 0) return;
  process.stderr.write(`claude-gauge: ${r.badLineCount} bad usage line(s) skipped\n`);
  for (const b of r.badLines.slice(0, 10)) process.stderr.write(`  ${b.path}:${b.line}: ${b.error}\n`);
  if (r.badLineCount > 10) process.stderr.write(`  … ${r.badLineCount - 10} more\n`);
}

function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

async function report(kind: string | undefined, flags: CommonFlags): Promise<void> {
  assertTimeZone(flags.timezone);
  const filter = {
    timeZone: flags.timezone,
    ...(flags.since ? { since: flags.since } : {}),
    ...(flags.until ? { until: flags.until } : {}),
  };
  const now = Date.now();
  const { ledger } = await load(flags, false, now);
  const sorted = sortEntries(ledger.entries());
  switch (kind) {
    case "daily":
      return printJson(dailyReport(sorted, filter));
    case "session":
      return printJson(sessionReport(sorted, filter));
    case "blocks":
      return printJson(blocksReport(sorted, now, filter));
    default:
      throw new UsageError(`report: expected daily, session or blocks, got ${JSON.stringify(kind ?? "")}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "report": {
        const { flags, positionals } = parseCommon(rest);
        await report(positionals[0], flags);
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
    if (e instanceof UsageError || e instanceof RangeError) {
      process.stderr.write(`claude-gauge: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
