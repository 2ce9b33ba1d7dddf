import { parseArgs, type ParseArgsConfig } from "node:util";
import { assertTimeZone } from "@claude-gauge/core/reports";

/** A usage mistake on the command line: one line naming the command, exit code 2. */
export class UsageError extends Error {}

export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/** One command of the CLI: its options, its help text and how many words follow it. */
export interface CommandSpec {
  name: string;
  /** the words after `claude-gauge <name>` in the usage line */
  synopsis: string;
  summary: string;
  options: OptionSpecs;
  /** `[flags, what it does]`, in the order shown by --help */
  optionHelp: readonly (readonly [string, string])[];
  /** most positional words accepted (default 0) */
  maxPositionals?: number;
}

export type ParsedCommand =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "run"; values: Record<string, string | boolean | undefined>; positionals: string[] };

const HELP_AND_VERSION: OptionSpecs = { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } };

/** The first `'…'` quoted word of node's parseArgs messages (the option or argument at fault). */
function quoted(message: string): string {
  return /'([^']+)'/.exec(message)?.[1] ?? message;
}

/**
 * Parses one command's arguments the same way for every command: `--help`/`-h` and `--version`/`-v`
 * win over anything else, unknown options and stray words are refused with one line naming them.
 */
export function parseCommand(spec: CommandSpec, args: readonly string[]): ParsedCommand {
  // a lenient pass first, so `--token -h` stays a token while `--bogus --help` still shows the help
  const { tokens } = parseArgs({ args: [...args], options: { ...spec.options, ...HELP_AND_VERSION }, strict: false, allowPositionals: true, tokens: true });
  const asked = new Set(tokens.flatMap((t) => (t.kind === "option" ? [t.name] : [])));
  if (asked.has("help")) return { kind: "help" };
  if (asked.has("version")) return { kind: "version" };
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: spec.options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown option ${quoted(err.message)}`);
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const name = quoted(err.message).split(" ")[0];
      throw new UsageError(spec.options[name?.replace(/^-+/, "") ?? ""]?.type === "boolean" ? `${name} takes no value` : `${name} needs a value`);
    }
    throw new UsageError(err.message.split(". ")[0] ?? err.message);
  }
  if (parsed.positionals.length > (spec.maxPositionals ?? 0)) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[spec.maxPositionals ?? 0])}`);
  }
  return { kind: "run", values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

/** `--help` text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const width = Math.max(...spec.optionHelp.map(([f]) => f.length), "-h, --help".length);
  const lines = [...spec.optionHelp, ["-h, --help", "this help"] as const, ["-v, --version", "the version"] as const];
  return [
    `Usage: claude-gauge ${spec.name}${spec.synopsis ? ` ${spec.synopsis}` : ""}`,
    "",
    spec.summary,
    "",
    "Options:",
    ...lines.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`),
  ].join("\n");
}

export interface CommonFlags {
  json: boolean;
  quiet: boolean;
  timezone: string;
  since: string | undefined;
  until: string | undefined;
  /** row order of daily and blocks reports, as ccusage's --order (session ignores it, as ccusage does) */
  order: "asc" | "desc";
  /** read and update the scan cache (--no-cache: read every file, leave the cache alone) */
  cache: boolean;
}

/** ccusage takes YYYYMMDD; we also accept YYYY-MM-DD. Returns YYYY-MM-DD. */
function parseDateFlag(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v);
  if (!m) throw new UsageError(`--${name}: expected YYYYMMDD or YYYY-MM-DD, got ${JSON.stringify(v)}`);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function parseOrder(v: string | undefined): "asc" | "desc" {
  if (v === undefined || v === "asc" || v === "desc") return v ?? "asc";
  throw new UsageError(`--order: expected asc or desc, got ${JSON.stringify(v)}`);
}

/** The zone named by --timezone (checked now, before any work), else the system's. */
export function parseTimeZone(v: string | undefined): string {
  if (v === undefined) return Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    assertTimeZone(v);
  } catch {
    throw new UsageError(`--timezone: unknown time zone ${JSON.stringify(v)} (expected an IANA name such as Europe/Berlin or UTC)`);
  }
  return v;
}

/** once, report and calibrate share these; a command that has no use for one leaves it unset. */
export function commonFlags(v: Record<string, string | boolean | undefined>): CommonFlags {
  const str = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  return {
    json: v["json"] === true,
    quiet: v["quiet"] === true,
    timezone: parseTimeZone(str("timezone")),
    since: parseDateFlag("since", str("since")),
    until: parseDateFlag("until", str("until")),
    order: parseOrder(str("order")),
    cache: v["no-cache"] !== true,
  };
}
