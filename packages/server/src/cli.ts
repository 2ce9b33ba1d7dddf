import {
  assertTimeZone,
  blocksReport,
  ConfigError,
  dailyReport,
  parseConfig,
  sessionReport,
  sortEntries,
  UsageSnapshotSchema,
  type CalibrationSuggestion,
  type CeilingFit,
  type LedgerMode,
  type SeriesEvidence,
} from "@claude-gauge/core";
import { parseCommon, UsageError, type CommonFlags } from "./cli-args.js";
import { engineFromLedger } from "./cold-engine.js";
import { formatOnce } from "./format-once.js";
import { defaultSettingsPath, defaultStatuslineCommand, installStatusline, SettingsError } from "./install-statusline.js";
import { serve } from "./serve.js";
import { OfficialStore } from "./official-store.js";
import { parseStatuslineArgs, readStateSamples, readStdin, statePath, statusline, STATUSLINE_FALLBACK } from "./statusline.js";
import { loadTranscripts, type LoadResult } from "./transcript-load.js";
import { findTranscriptRoots } from "./transcript-roots.js";

const USAGE = `claude-gauge — Claude Code usage as gauges

  claude-gauge serve [--port 8080] [--host 127.0.0.1] [--lan] [--token T] [--show-projects]
                     [--demo [--demo-speed N]]
                                             the live daemon: the cluster at GET /, /usage, /ws, /metrics,
                                             /stats, /history; --demo replays a generated session
  claude-gauge once [--json]                 the /usage snapshot now
  claude-gauge report daily|session|blocks [--json] [--since YYYYMMDD] [--until YYYYMMDD] [--timezone ZONE]
  claude-gauge calibrate [--json]            suggested ceilings from your history, as env lines
  claude-gauge statusline [--chain CMD]      Claude Code's statusLine command: hands Claude's own rate
                                             limits to the daemon and prints a compact status line
  claude-gauge install-statusline [--uninstall]
                                             set it up in ~/.claude/settings.json (backup, keeps yours chained)

Transcripts are read from CLAUDE_CONFIG_DIR (comma list), else ~/.config/claude and ~/.claude.
Options: -q/--quiet (no progress on stderr)`;

async function load(flags: CommonFlags, signals: boolean, now: number, mode: LedgerMode = "session"): Promise<LoadResult> {
  const { roots, missing } = findTranscriptRoots();
  if (roots.length === 0) {
    process.stderr.write(
      `claude-gauge: no transcripts found (looked in ${missing.join(", ") || "nothing"}); reporting zeros\n`,
    );
  }
  const progress = flags.quiet ? undefined : (msg: string) => process.stderr.write(`claude-gauge: ${msg}\n`);
  const result = await loadTranscripts(roots, { now, signals, mode, ...(progress ? { progress } : {}) });
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
  if (kind !== "daily" && kind !== "session" && kind !== "blocks") {
    throw new UsageError(`report: expected daily, session or blocks, got ${JSON.stringify(kind ?? "")}`);
  }
  const now = Date.now();
  // ccusage's daily loader differs from its session/blocks loader in three corners; mirror each.
  const { ledger, limits } = await load(flags, false, now, kind === "daily" ? "daily" : "session");
  switch (kind) {
    case "daily":
      return printJson(dailyReport(ledger.entries(), filter));
    case "session":
      return printJson(sessionReport(ledger.entries(), filter));
    case "blocks":
      return printJson(blocksReport(sortEntries(ledger.entries()), now, filter, limits));
  }
}

async function once(flags: CommonFlags): Promise<void> {
  const config = parseConfig(process.env);
  const now = Date.now();
  const r = await load(flags, true, now);
  const engine = engineFromLedger(config, r.ledger, r.signals, r.limits);
  // Unreadable roots or files make the numbers incomplete; say so in the contract.
  const ok = r.problems.length === 0;
  const snapshot = UsageSnapshotSchema.parse(engine.snapshot(now, { kind: "jsonl", ok }));
  process.stdout.write(flags.json ? `${JSON.stringify(snapshot)}\n` : `${formatOnce(snapshot, now)}\n`);
}

function evidenceLine(name: string, e: SeriesEvidence, unit: string): string {
  if (e.basis === "fallback") {
    return `#   ${name}: ${e.samples} sample(s), fewer than ${e.minSamples}: fallback used${e.max !== null ? ` (largest seen ${Math.round(e.max).toLocaleString("en-US")} ${unit})` : ""}`;
  }
  const f = (x: number | null) => (x === null ? "—" : Math.round(x).toLocaleString("en-US"));
  return `#   ${name}: ${e.samples} samples; p50 ${f(e.p50)}, p90 ${f(e.p90)}, p95 ${f(e.p95)}, max ${f(e.max)} ${unit}`;
}

interface Fits {
  window5h: CeilingFit;
  window7d: CeilingFit;
}

function fitLine(name: string, f: CeilingFit): string {
  if (f.ceilingTokens === null) return `#   fitted to Claude's ${name} %: no usable readings yet (${f.samples} seen; install the statusline)`;
  return `#   fitted to Claude's ${name} %: ${Math.round(f.ceilingTokens).toLocaleString("en-US")} tokens from ${f.used} of ${f.samples} readings (spread ${(f.spread * 100).toFixed(1)} %)`;
}

function formatCalibration(c: CalibrationSuggestion, fits: Fits): string {
  // A ceiling fitted to Claude's own percentages is a measurement; the percentile is a guess.
  const c5 = fits.window5h.ceilingTokens ?? c.ceiling5hTokens;
  const c7 = fits.window7d.ceilingTokens ?? c.ceiling7dTokens;
  return [
    "# claude-gauge calibration from your transcripts",
    "# evidence:",
    evidenceLine("completed 5 h blocks", c.evidence.blocks5h, "tokens"),
    evidenceLine("completed weeks", c.evidence.weeks7d, "tokens"),
    evidenceLine("active minutes", c.evidence.activeMinutes, "tokens/min"),
    fitLine("5 h", fits.window5h),
    fitLine("7 d", fits.window7d),
    `#   P90 guess: 5 h ${Math.round(c.ceiling5hTokens).toLocaleString("en-US")}, 7 d ${Math.round(c.ceiling7dTokens).toLocaleString("en-US")} tokens`,
    `CLAUDE_GAUGE_5H_CEILING=${Math.round(c5)}`,
    `CLAUDE_GAUGE_7D_CEILING=${Math.round(c7)}`,
    `CLAUDE_GAUGE_TACH_REDLINE=${Math.round(c.tachRedlineTokensPerMin)}`,
  ].join("\n");
}

async function calibrate(flags: CommonFlags): Promise<void> {
  const config = parseConfig(process.env);
  const now = Date.now();
  const r = await load(flags, false, now);
  const engine = engineFromLedger(config, r.ledger, [], r.limits);
  const suggestion = engine.calibration(now);
  const store = new OfficialStore();
  for (const sample of readStateSamples(statePath(process.env))) store.add(sample, engine);
  const fits: Fits = { window5h: store.fit("5h"), window7d: store.fit("7d") };
  process.stdout.write(flags.json ? `${JSON.stringify({ ...suggestion, fittedToOfficial: fits }, null, 2)}\n` : `${formatCalibration(suggestion, fits)}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "serve":
        await serve(rest);
        return 0;
      case "statusline": {
        // Claude Code shows a failing status command as an error: always print a line, exit 0.
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
        await once(parseCommon(rest).flags);
        return 0;
      case "calibrate":
        await calibrate(parseCommon(rest).flags);
        return 0;
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
