/**
 * `claude-gauge install-statusline [--uninstall]`: points Claude Code's `statusLine` at our command
 * in ~/.claude/settings.json without losing anything. A different existing command is kept by
 * chaining (`<ours> --chain '<old>'`, see statusline/chain.ts) and comes back on uninstall; a change
 * is preceded by a timestamped backup unless an identical one exists; a file that does not parse is
 * never written. Uninstall puts back exactly what was there: the original bytes when the settings
 * equal a backup, no file when the file held nothing but ours.
 */
import { constants, copyFileSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync, unlinkSync } from "node:fs";
import { homedir } from "node:os";
import { basename, delimiter, dirname, join, sep } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { writeFileAtomic } from "../files/write-atomic.js";

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
  /** uninstall: statusLine removed (and the file, when it held nothing else) */
  | "removed"
  /** uninstall: ours was not installed */
  | "not-installed";

export interface InstallResult {
  action: InstallAction;
  changed: boolean;
  /** the copy of the file as it was before the change (new, or an identical earlier one); null when nothing changed or there was no file */
  backup: string | null;
  /** uninstall deleted the settings file: it held nothing but our statusLine */
  removedFile: boolean;
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

/** A path inside some package tree (a clone's or npx's node_modules): gone when that tree is pruned. */
const inNodeModules = (p: string) => p.split(sep).includes("node_modules");

/**
 * The runtime for the statusline: an installed Bun when there is one (it starts in about half of
 * Node's time, and Claude Code runs the command after every response), else this Node binary.
 * Never a copy inside node_modules, which moves or disappears with the tree it belongs to.
 */
export function preferredRuntime(env: Readonly<Record<string, string | undefined>> = process.env, execPath: string = process.execPath): string {
  const candidates = [
    env["BUN_INSTALL"] ? join(env["BUN_INSTALL"], "bin", "bun") : "",
    ...(env["PATH"] ?? "")
      .split(delimiter)
      .filter(Boolean)
      .map((d) => join(d, "bun")),
  ];
  return candidates.find((c) => c !== "" && !inNodeModules(c) && isRealBinary(c)) ?? execPath;
}

/** Where the statusline command is copied: $XDG_DATA_HOME/claude-gauge (~/.local/share/claude-gauge). */
export function dataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const xdg = env["XDG_DATA_HOME"]?.trim();
  return join(xdg ? xdg : join(env["HOME"] ?? homedir(), ".local", "share"), "claude-gauge");
}

/** The command to install: a runtime on the copied, self-contained statusline bundle, both absolute (Claude Code runs it with its own PATH). */
export function statuslineCommand(runtime: string, script: string): string {
  return `${shellQuote(runtime)} ${shellQuote(script)}`;
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
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** This file's backups, oldest first (the names sort by time). */
function backupsOf(path: string): string[] {
  const prefix = `${basename(path)}.claude-gauge-backup-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix))
    .sort()
    .map((n) => join(dirname(path), n));
}

function readOr(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** A copy of `text` (the file now) beside it; an identical earlier copy is reused, so backups do not pile up. */
function backup(path: string, text: string, now: number): string {
  const same = backupsOf(path).find((b) => readOr(b) === text);
  if (same !== undefined) return same;
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

/** The earliest backup whose settings equal `settings` (its bytes restore the file exactly), or null. */
function matchingBackup(path: string, settings: Json): string | null {
  for (const b of backupsOf(path)) {
    const text = readOr(b);
    if (text === null) continue;
    try {
      const parsed: unknown = text.trim() === "" ? {} : JSON.parse(text);
      if (isDeepStrictEqual(parsed, settings)) return text;
    } catch {
      // a backup that does not parse restores nothing
    }
  }
  return null;
}

/** Atomic replace; through a symlink (dotfile managers) to its target, keeping the file mode. */
function writeAtomic(path: string, text: string, exists: boolean): void {
  const target = exists ? realpathSync(path) : path;
  writeFileAtomic(target, text, { mode: exists ? statSync(target).mode & 0o777 : 0o644 });
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
    if (!ours) return { action: "not-installed", changed: false, backup: null, removedFile: false, command: currentCmd, previous: null };
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
      if (unchanged) return { action: "unchanged", changed: false, backup: null, removedFile: false, command: currentCmd, previous };
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

  let backupPath: string | null = null;
  let removedFile = false;
  const restored = opts.uninstall ? matchingBackup(settingsPath, settings) : null;
  if (restored === null && opts.uninstall && Object.keys(settings).length === 0 && !lstatSync(settingsPath).isSymbolicLink()) {
    // it held nothing but ours, and no backup says there was a file before: we made it (nothing to back up)
    unlinkSync(settingsPath);
    removedFile = true;
  } else if (restored !== null) {
    backupPath = backup(settingsPath, text, opts.now ?? Date.now());
    writeAtomic(settingsPath, restored, exists);
  } else {
    backupPath = exists ? backup(settingsPath, text, opts.now ?? Date.now()) : null;
    const trailing = !exists || text === "" || text.endsWith("\n") ? "\n" : "";
    writeAtomic(settingsPath, `${JSON.stringify(settings, null, indentOf(text))}${trailing}`, exists);
  }
  const after = settings["statusLine"];
  return {
    action,
    changed: true,
    backup: backupPath,
    removedFile,
    command: isRecord(after) && typeof after["command"] === "string" ? after["command"] : null,
    previous,
  };
}

/** What the CLI says about a result: one line, no advice that does not apply. */
export function describeInstall(r: InstallResult, settingsPath: string): string {
  const saved = r.backup ? ` (backup: ${r.backup})` : "";
  switch (r.action) {
    case "installed":
      return `status line installed in ${settingsPath}${saved}`;
    case "chained":
      return `status line installed in ${settingsPath}${saved}; your previous command still runs, its line after ours: ${r.previous}`;
    case "updated":
      return `status line updated in ${settingsPath}${saved}${r.previous ? `; still chained: ${r.previous}` : ""}`;
    case "unchanged":
      return `status line already installed in ${settingsPath}`;
    case "restored":
      return `status line removed from ${settingsPath}${saved}; your previous command is back: ${r.previous}`;
    case "removed":
      return r.removedFile ? `status line removed: deleted ${settingsPath}, which held nothing else` : `status line removed from ${settingsPath}${saved}`;
    case "not-installed":
      return `no claude-gauge status line in ${settingsPath}; nothing to do`;
  }
}
