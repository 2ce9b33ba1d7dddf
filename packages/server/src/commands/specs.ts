import type { CommandSpec, OptionSpecs } from "./args.js";
import { SERVE_SPEC } from "./serve-flags.js";

const JSON_OPT = { json: { type: "boolean", short: "j" } } satisfies OptionSpecs;
const QUIET_OPT = { quiet: { type: "boolean", short: "q" } } satisfies OptionSpecs;
const CACHE_OPT = { "no-cache": { type: "boolean" } } satisfies OptionSpecs;
const JSON_HELP = ["-j, --json", "JSON instead of a table"] as const;
const QUIET_HELP = ["-q, --quiet", "no progress or skipped-file notes on stderr"] as const;
const CACHE_HELP = ["--no-cache", "read every transcript; the scan cache (~/.cache/claude-gauge) is neither read nor written"] as const;

const ONCE_SPEC: CommandSpec = {
  name: "once",
  synopsis: "[--json] [-q]",
  summary: "The /usage snapshot now, from a one-off scan of your transcripts (no daemon needed).",
  options: { ...JSON_OPT, ...QUIET_OPT, ...CACHE_OPT },
  optionHelp: [["-j, --json", "the raw contract object"], QUIET_HELP, CACHE_HELP],
};

const REPORT_SPEC: CommandSpec = {
  name: "report",
  synopsis: "daily|session|blocks [options]",
  summary: "ccusage's reports from your transcripts: the same numbers, and with --json the same JSON shapes.",
  options: {
    ...JSON_OPT,
    ...QUIET_OPT,
    timezone: { type: "string", short: "z" },
    since: { type: "string", short: "s" },
    until: { type: "string", short: "u" },
    order: { type: "string", short: "o" },
    // ccusage's flag for its offline price table; ours is always offline
    offline: { type: "boolean", short: "O" },
    ...CACHE_OPT,
  },
  optionHelp: [
    JSON_HELP,
    ["-z, --timezone ZONE", "IANA zone for dates (default: the system's)"],
    ["-s, --since YYYYMMDD", "first day to include"],
    ["-u, --until YYYYMMDD", "last day to include"],
    ["-o, --order asc|desc", "row order of daily and blocks (default asc)"],
    ["-O, --offline", "accepted for ccusage compatibility (prices are always offline)"],
    QUIET_HELP,
    CACHE_HELP,
  ],
  maxPositionals: 1,
};

const CALIBRATE_SPEC: CommandSpec = {
  name: "calibrate",
  synopsis: "[--json] [-q]",
  summary: "Suggested ceilings and tach redline from your history and Claude's own readings, as env lines.",
  options: { ...JSON_OPT, ...QUIET_OPT, ...CACHE_OPT },
  optionHelp: [["-j, --json", "the evidence as JSON"], QUIET_HELP, CACHE_HELP],
};

const STATUSLINE_SPEC: CommandSpec = {
  name: "statusline",
  synopsis: "[--chain CMD]",
  summary:
    "Claude Code's statusLine command: prints a compact status line, hands Claude's rate limits to the daemon.\n" +
    "Reads Claude Code's JSON on stdin. Always prints a line and exits 0.",
  options: { chain: { type: "string" } },
  optionHelp: [["--chain CMD", "also run CMD (your previous status line) and append its first line"]],
};

const INSTALL_STATUSLINE_SPEC: CommandSpec = {
  name: "install-statusline",
  synopsis: "[--uninstall]",
  summary:
    "Makes claude-gauge Claude Code's status line (in ~/.claude/settings.json; --uninstall undoes it).\n" +
    "A backup comes first; an existing command keeps running, chained. The command is copied into your\n" +
    "data folder (~/.local/share/claude-gauge), so it keeps working when this package is moved or removed.",
  options: { uninstall: { type: "boolean" } },
  optionHelp: [["--uninstall", "put back what was there before"]],
};

const SERVICE_OPTS = {
  "no-enable": { type: "boolean" },
  "dry-run": { type: "boolean" },
} satisfies OptionSpecs;

const INSTALL_SERVICE_SPEC: CommandSpec = {
  name: "install-service",
  synopsis: "[serve options] [--no-enable] [--dry-run]",
  summary:
    "Starts the daemon at every login and restarts it when it fails (systemd on Linux, launchd on macOS).\n" +
    "Writes a systemd user unit (~/.config/systemd/user/claude-gauge.service) or a launchd agent\n" +
    "(~/Library/LaunchAgents/dev.claude-gauge.plist). Serve options (--port, --lan, --token, …) are passed on.",
  options: { ...SERVE_SPEC.options, ...SERVICE_OPTS },
  optionHelp: [
    ["--no-enable", "write the unit or agent but do not start it"],
    ["--dry-run", "print what would be written and run; change nothing"],
    ["(serve options)", "see claude-gauge serve --help"],
  ],
};

const UNINSTALL_SERVICE_SPEC: CommandSpec = {
  name: "uninstall-service",
  synopsis: "[--dry-run]",
  summary: "Stops the daemon started by install-service and removes its unit or agent.",
  options: { "dry-run": SERVICE_OPTS["dry-run"] },
  optionHelp: [["--dry-run", "print what would be removed and run; change nothing"]],
};

const STATUS_SPEC: CommandSpec = {
  name: "status",
  synopsis: "[--json] [--port N]",
  summary: "What runs: the daemon on its port, the login service, the status line, where transcripts are read from.",
  options: { ...JSON_OPT, port: { type: "string" } },
  optionHelp: [JSON_HELP, ["--port N", "where to look for the daemon (default: the service's port, else 8080)"]],
};

export const COMMANDS: readonly CommandSpec[] = [
  SERVE_SPEC,
  ONCE_SPEC,
  REPORT_SPEC,
  CALIBRATE_SPEC,
  STATUS_SPEC,
  INSTALL_SERVICE_SPEC,
  UNINSTALL_SERVICE_SPEC,
  STATUSLINE_SPEC,
  INSTALL_STATUSLINE_SPEC,
];
