/**
 * `claude-gauge statusline --install / --uninstall`: points Claude Code's `statusLine` at our command
 * in ~/.claude/settings.json without losing anything. A different existing command is kept by
 * chaining (`<ours> --chain '<old>'`, see statusline/chain.ts) and comes back on uninstall; every change is
 * preceded by a timestamped backup; a file that does not parse is never written.
 */
import { constants, copyFileSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface InstallOptions {
  uninstall?: boolean;
  /** ms since epoch, for the backup's name; Date.now() by default */
  now?: number;
}

export type InstallAction =
  /** statusLine set to our command (there was none) */
  | "installed"
  /** a different command was there: ours now runs it via --chain */
  | "chained"
  /** ours was there with another base command or type; rewritten, chain kept */
  | "updated"
  /** nothing to do */
  | "unchanged"
  /** uninstall: the chained command is back */
  | "restored"
  /** uninstall: statusLine removed */
  | "removed"
  /** uninstall: ours was not installed */
  | "not-installed";

export interface InstallResult {
  action: InstallAction;
  changed: boolean;
  /** the copy written before the change; null when nothing changed or the file is new */
  backup: string | null;
  /** statusLine.command afterwards; null when there is none */
  command: string | null;
  /** the user's own command (chained, or restored on uninstall); null when none */
  previous: string | null;
}

/** Claude Code's user settings, ~/.claude/settings.json. */
export function defaultSettingsPath(home: string = homedir()): string {
  return join(home, ".claude", "settings.json");
}

function isRealBinary(path: string): boolean {
  try {
    const s = statSync(path);
    // npm's `bun` package ships a small placeholder until its postinstall runs
    return s.isFile() && s.size > 1_000_000 && (s.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * The runtime for the statusline: Bun when one is at hand (it starts in about half of Node's time,
 * and Claude Code runs the command after every response), else this Node binary.
 */
export function preferredRuntime(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const candidates = [
    env["BUN_INSTALL"] ? join(env["BUN_INSTALL"], "bin", "bun") : "",
    ...(env["PATH"] ?? "").split(delimiter).filter(Boolean).map((d) => join(d, "bun")),
    // the repo's own devDependency, beside packages/server/dist/
    fileURLToPath(new URL("../../../node_modules/bun/bin/bun.exe", import.meta.url)),
  ];
  return candidates.find((c) => c !== "" && isRealBinary(c)) ?? process.execPath;
}

/**
 * The command to install: a runtime on the built statusline entry beside this bundle, both
 * absolute, because Claude Code runs it with its own PATH (often without nvm's node) and a bare
 * `claude-gauge statusline` would load the whole CLI. Only meaningful from dist/.
 */
export function defaultStatuslineCommand(
  execPath: string = preferredRuntime(),
  main: string = fileURLToPath(new URL("./statusline-main.js", import.meta.url)),
): string {
  return `${shellQuote(execPath)} ${shellQuote(main)}`;
}

/** settings.json cannot be read or parsed; the message names the file, which is left untouched. */
export class SettingsError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "SettingsError";
  }
}

/** One POSIX shell word that reads back as exactly `s`. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function chainCommand(command: string, previous: string): string {
  return `${command} --chain ${shellQuote(previous)}`;
}

/** The one shell word `s` spells (quotes and backslashes resolved), or null when it is not one word. */
export function unquoteShellWord(s: string): string | null {
  let out = "";
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return null;
      out += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= s.length) return null;
        const d = s[i]!;
        if (d === '"') break;
        if (d === "\\" && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) {
          out += s[i + 1];
          i += 2;
        } else {
          out += d;
          i++;
        }
      }
      i++;
    } else if (c === "\\") {
      if (i + 1 >= s.length) return null;
      out += s[i + 1];
      i += 2;
    } else if (/\s/.test(c)) {
      return null;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Our command in any install (also one made from another path to the binary). */
const OURS = /(?:^|[\s/])(?:claude-gauge\s+statusline|statusline-main\.js'?)(?=\s|$)/;
const CHAIN_FLAG = " --chain ";

/**
 * Whether `current` is our statusline command, and the command it chains (null when none).
 * Returns null when it is someone else's.
 */
export function parseOurCommand(current: string, command: string): { chain: string | null } | null {
  let rest: string;
  if (current === command) return { chain: null };
  if (current.startsWith(`${command}${CHAIN_FLAG}`)) rest = current.slice(command.length + CHAIN_FLAG.length);
  else {
    const m = OURS.exec(current);
    if (!m) return null;
    const at = current.indexOf(CHAIN_FLAG, m.index);
    if (at < 0) return { chain: null };
    rest = current.slice(at + CHAIN_FLAG.length);
  }
  rest = rest.trim();
  // a hand-edited chain that is not one shell word is kept as written
  return { chain: unquoteShellWord(rest) ?? rest };
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

interface Loaded {
  exists: boolean;
  text: string;
  settings: Json;
}

function load(path: string): Loaded {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { exists: false, text: "", settings: {} };
    throw new SettingsError(path, `${path}: cannot read it (${(e as Error).message})`);
  }
  // an empty file holds nothing to lose
  if (text.trim() === "") return { exists: true, text, settings: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SettingsError(path, `${path}: not valid JSON (${(e as Error).message}); left unchanged — fix it or move it away, then run again`);
  }
  if (!isRecord(parsed)) {
    throw new SettingsError(path, `${path}: expected a JSON object at the top, got ${Array.isArray(parsed) ? "an array" : typeof parsed}; left unchanged`);
  }
  return { exists: true, text, settings: parsed };
}

/** The file's own indentation (first indented line), else 2 spaces. */
function indentOf(text: string): string {
  const m = /^([ \t]+)\S/m.exec(text);
  return m?.[1] ?? "  ";
}

/** "20261126T140507Z" */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

function backup(path: string, now: number): string {
  const base = `${path}.claude-gauge-backup-${stamp(now)}`;
  for (let n = 0; ; n++) {
    const name = n === 0 ? base : `${base}-${n}`;
    try {
      copyFileSync(path, name, constants.COPYFILE_EXCL);
      return name;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

/** Atomic replace; through a symlink (dotfile managers) to its target, keeping the file mode. */
function writeAtomic(path: string, text: string, exists: boolean): void {
  let target = path;
  let mode = 0o644;
  if (exists) {
    target = realpathSync(path);
    mode = statSync(target).mode & 0o777;
  } else {
    mkdirSync(dirname(path), { recursive: true });
  }
  const tmp = `${target}.claude-gauge-${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, target);
}

/**
 * Installs `command` as Claude Code's statusLine in `settingsPath` (or uninstalls it). Idempotent.
 * Throws SettingsError, before writing anything, when the file cannot be read or parsed.
 */
export function installStatusline(settingsPath: string, command: string, opts: InstallOptions = {}): InstallResult {
  const { exists, text, settings } = load(settingsPath);
  const current = settings["statusLine"];
  const currentCmd = isRecord(current) && typeof current["command"] === "string" ? current["command"] : null;
  const ours = currentCmd !== null ? parseOurCommand(currentCmd, command) : null;

  let action: InstallAction;
  let previous: string | null = null;
  if (opts.uninstall) {
    if (!ours) return { action: "not-installed", changed: false, backup: null, command: currentCmd, previous: null };
    if (ours.chain !== null) {
      previous = ours.chain;
      settings["statusLine"] = { ...(current as Json), type: "command", command: ours.chain };
      action = "restored";
    } else {
      delete settings["statusLine"];
      action = "removed";
    }
  } else {
    let desired: string;
    if (ours) {
      previous = ours.chain;
      desired = ours.chain !== null ? chainCommand(command, ours.chain) : command;
      const unchanged = currentCmd === desired && isRecord(current) && current["type"] === "command";
      if (unchanged) return { action: "unchanged", changed: false, backup: null, command: currentCmd, previous };
      action = "updated";
    } else if (currentCmd !== null && currentCmd.trim() !== "") {
      previous = currentCmd;
      desired = chainCommand(command, currentCmd);
      action = "chained";
    } else {
      desired = command;
      action = "installed";
    }
    // other statusLine keys (padding, …) stay
    settings["statusLine"] = { ...(isRecord(current) ? current : {}), type: "command", command: desired };
  }

  const trailing = !exists || text === "" || text.endsWith("\n") ? "\n" : "";
  const out = `${JSON.stringify(settings, null, indentOf(text))}${trailing}`;
  const backupPath = exists ? backup(settingsPath, opts.now ?? Date.now()) : null;
  writeAtomic(settingsPath, out, exists);
  const after = settings["statusLine"];
  return {
    action,
    changed: true,
    backup: backupPath,
    command: isRecord(after) && typeof after["command"] === "string" ? after["command"] : null,
    previous,
  };
}
