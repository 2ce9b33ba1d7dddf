import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  chainCommand,
  dataDir,
  defaultSettingsPath,
  describeInstall,
  installStatusline,
  parseOurCommand,
  preferredRuntime,
  SettingsError,
  statuslineCommand,
  shellQuote,
  unquoteShellWord,
} from "./install-statusline.js";

const OURS = "claude-gauge statusline";
const NOW = Date.parse("2026-11-26T14:05:07Z");

let dir: string;
let settings: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-install-"));
  settings = join(dir, ".claude", "settings.json");
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const read = (): Record<string, unknown> => JSON.parse(readFileSync(settings, "utf8")) as Record<string, unknown>;
const write = (v: unknown): void => {
  mkdirSync(join(dir, ".claude"), { recursive: true });
  writeFileSync(settings, `${JSON.stringify(v, null, 2)}\n`);
};
const backups = (): string[] => readdirSync(join(dir, ".claude")).filter((f) => f.includes(".claude-gauge-backup-"));

describe("shell words", () => {
  it("quotes only when needed and reads back what it wrote", () => {
    expect(shellQuote("ccusage")).toBe("ccusage");
    expect(shellQuote("echo hi")).toBe("'echo hi'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("")).toBe("''");
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(unquoteShellWord(shellQuote(s))).toBe(s);
      }),
    );
  });

  it("survives a real shell", () => {
    const old = `printf '%s\\n' "it's $HOME" | tr a-z A-Z`;
    const echoed = execFileSync("/bin/sh", ["-c", `printf '%s' ${shellQuote(old)}`], { encoding: "utf8" });
    expect(echoed).toBe(old);
  });

  it("reads double quotes and backslashes, and rejects more than one word", () => {
    expect(unquoteShellWord(`"a \\"b\\" \\$c"`)).toBe(`a "b" $c`);
    expect(unquoteShellWord(`a\\ b`)).toBe("a b");
    expect(unquoteShellWord(`'a' b`)).toBeNull();
    expect(unquoteShellWord(`'open`)).toBeNull();
  });

  it("recognises our command, chained or not, also from another path", () => {
    expect(parseOurCommand(OURS, OURS)).toEqual({ chain: null });
    expect(parseOurCommand(chainCommand(OURS, "echo 'x'"), OURS)).toEqual({ chain: "echo 'x'" });
    expect(parseOurCommand("node /opt/cg/dist/statusline-main.js --chain 'ccusage statusline'", OURS)).toEqual({ chain: "ccusage statusline" });
    expect(parseOurCommand("/usr/local/bin/claude-gauge statusline", OURS)).toEqual({ chain: null });
    const quoted = statuslineCommand("/usr/bin/node", "/opt/my tools/dist/statusline-main.js");
    expect(quoted).toBe("/usr/bin/node '/opt/my tools/dist/statusline-main.js'");
    expect(parseOurCommand(`${quoted} --chain 'a b'`, OURS)).toEqual({ chain: "a b" });
    expect(parseOurCommand("npx ccusage statusline", OURS)).toBeNull();
    expect(parseOurCommand("my-claude-gauge-statusline.sh", OURS)).toBeNull();
  });
});

describe("defaults", () => {
  it("points at ~/.claude/settings.json, and keeps its copy of the command in the XDG data folder", () => {
    expect(defaultSettingsPath("/home/u")).toBe("/home/u/.claude/settings.json");
    expect(dataDir({ HOME: "/home/u" })).toBe("/home/u/.local/share/claude-gauge");
    expect(dataDir({ HOME: "/home/u", XDG_DATA_HOME: "/data" })).toBe("/data/claude-gauge");
  });
});

describe("installStatusline", () => {
  it("creates the file (and its directory) when missing", () => {
    const r = installStatusline(settings, OURS, { now: NOW });
    expect(r).toEqual({ action: "installed", changed: true, backup: null, removedFile: false, command: OURS, previous: null });
    expect(read()).toEqual({ statusLine: { type: "command", command: OURS } });
    expect(readFileSync(settings, "utf8")).toBe(`{\n  "statusLine": {\n    "type": "command",\n    "command": "claude-gauge statusline"\n  }\n}\n`);
  });

  it("keeps every other key, in order, and backs up first", () => {
    const before = { model: "opus", permissions: { allow: ["Bash(ls)"] }, env: { FOO: "1" }, hooks: {} };
    write(before);
    const original = readFileSync(settings, "utf8");
    const r = installStatusline(settings, OURS, { now: NOW });
    expect(r.action).toBe("installed");
    expect(r.backup).toBe(`${settings}.claude-gauge-backup-20261126T140507Z`);
    expect(readFileSync(r.backup!, "utf8")).toBe(original);
    const after = read();
    expect(Object.keys(after)).toEqual(["model", "permissions", "env", "hooks", "statusLine"]);
    expect(after).toEqual({ ...before, statusLine: { type: "command", command: OURS } });
  });

  it("is idempotent: a second install changes nothing and writes no backup", () => {
    write({ model: "opus" });
    installStatusline(settings, OURS, { now: NOW });
    const once = readFileSync(settings, "utf8");
    const r = installStatusline(settings, OURS, { now: NOW + 1000 });
    expect(r).toEqual({ action: "unchanged", changed: false, backup: null, removedFile: false, command: OURS, previous: null });
    expect(readFileSync(settings, "utf8")).toBe(once);
    expect(backups()).toHaveLength(1);
  });

  it("chains a different existing command, keeps its other statusLine keys, and stays idempotent", () => {
    const old = `bash -c 'echo "$(whoami) it'\\''s me"'`;
    write({ statusLine: { type: "command", command: old, padding: 0 }, theme: "dark" });
    const r = installStatusline(settings, OURS, { now: NOW });
    expect(r.action).toBe("chained");
    expect(r.previous).toBe(old);
    expect(r.command).toBe(`${OURS} --chain ${shellQuote(old)}`);
    expect(read()).toEqual({ statusLine: { type: "command", command: r.command, padding: 0 }, theme: "dark" });
    const again = installStatusline(settings, OURS, { now: NOW + 1 });
    expect(again).toMatchObject({ action: "unchanged", changed: false, previous: old });
  });

  it("moves an install to a new command path, keeping the chain", () => {
    write({ statusLine: { type: "command", command: "claude-gauge statusline --chain 'ccusage statusline'" } });
    const next = "node /opt/cg/dist/statusline-main.js";
    const r = installStatusline(settings, next, { now: NOW });
    expect(r.action).toBe("updated");
    expect(r.command).toBe(`${next} --chain 'ccusage statusline'`);
  });

  it("uninstall restores the chained command", () => {
    write({ statusLine: { type: "command", command: "npx ccusage statusline", padding: 2 } });
    installStatusline(settings, OURS, { now: NOW });
    const r = installStatusline(settings, OURS, { uninstall: true, now: NOW + 1000 });
    expect(r).toMatchObject({ action: "restored", changed: true, command: "npx ccusage statusline", previous: "npx ccusage statusline" });
    expect(read()).toEqual({ statusLine: { type: "command", command: "npx ccusage statusline", padding: 2 } });
    expect(backups()).toHaveLength(2);
  });

  it("uninstall removes the key when nothing was chained, then has nothing to do", () => {
    write({ model: "opus" });
    installStatusline(settings, OURS, { now: NOW });
    expect(installStatusline(settings, OURS, { uninstall: true, now: NOW }).action).toBe("removed");
    expect(read()).toEqual({ model: "opus" });
    // two changes in the same second: the second backup gets a suffix
    expect(backups().sort()).toEqual(["settings.json.claude-gauge-backup-20261126T140507Z", "settings.json.claude-gauge-backup-20261126T140507Z-1"]);
    const r = installStatusline(settings, OURS, { uninstall: true, now: NOW });
    expect(r).toEqual({ action: "not-installed", changed: false, backup: null, removedFile: false, command: null, previous: null });
  });

  it("uninstall leaves someone else's command alone, and a missing file missing", () => {
    write({ statusLine: { type: "command", command: "npx ccusage statusline" } });
    expect(installStatusline(settings, OURS, { uninstall: true }).action).toBe("not-installed");
    expect(read()).toEqual({ statusLine: { type: "command", command: "npx ccusage statusline" } });
    rmSync(settings);
    expect(installStatusline(settings, OURS, { uninstall: true }).action).toBe("not-installed");
    expect(existsSync(settings)).toBe(false);
  });

  it("refuses invalid JSON, naming the file, and never touches it", () => {
    mkdirSync(join(dir, ".claude"), { recursive: true });
    const broken = `{\n  // a comment\n  "model": "opus",\n}\n`;
    writeFileSync(settings, broken);
    for (const uninstall of [false, true]) {
      let err: unknown;
      try {
        installStatusline(settings, OURS, { uninstall });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SettingsError);
      expect((err as SettingsError).path).toBe(settings);
      expect((err as Error).message).toContain(settings);
      expect((err as Error).message).toContain("not valid JSON");
    }
    expect(readFileSync(settings, "utf8")).toBe(broken);
    expect(backups()).toEqual([]);
  });

  it("refuses a top level that is not an object", () => {
    mkdirSync(join(dir, ".claude"), { recursive: true });
    writeFileSync(settings, "[1, 2]\n");
    expect(() => installStatusline(settings, OURS)).toThrow(/expected a JSON object.*an array/);
    expect(readFileSync(settings, "utf8")).toBe("[1, 2]\n");
  });

  it("treats an empty file as empty settings", () => {
    mkdirSync(join(dir, ".claude"), { recursive: true });
    writeFileSync(settings, "");
    expect(installStatusline(settings, OURS, { now: NOW }).action).toBe("installed");
    expect(read()).toEqual({ statusLine: { type: "command", command: OURS } });
  });

  it("keeps the file's own indentation, mode and missing final newline", () => {
    mkdirSync(join(dir, ".claude"), { recursive: true });
    writeFileSync(settings, `{\n\t"model": "opus"\n}`);
    chmodSync(settings, 0o600);
    installStatusline(settings, OURS, { now: NOW });
    expect(readFileSync(settings, "utf8")).toBe(
      `{\n\t"model": "opus",\n\t"statusLine": {\n\t\t"type": "command",\n\t\t"command": "claude-gauge statusline"\n\t}\n}`,
    );
    expect(statSync(settings).mode & 0o777).toBe(0o600);
  });

  it("writes through a symlink to its target", () => {
    const real = join(dir, "dotfiles-settings.json");
    writeFileSync(real, "{}\n");
    mkdirSync(join(dir, ".claude"), { recursive: true });
    symlinkSync(real, settings);
    installStatusline(settings, OURS, { now: NOW });
    expect(JSON.parse(readFileSync(real, "utf8"))).toEqual({ statusLine: { type: "command", command: OURS } });
    expect(lstatSync(settings).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("preferredRuntime", () => {
  it("never picks a Bun inside node_modules (pruned or moved with its tree)", () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-runtime-"));
    const bin = join(dir, "node_modules", "bun", "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "bun"), Buffer.alloc(1_100_000), { mode: 0o755 });
    expect(preferredRuntime({ PATH: bin }, "/usr/bin/node")).toBe("/usr/bin/node");
  });

  it("takes a real Bun binary from BUN_INSTALL or PATH, and Node otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-runtime-"));
    mkdirSync(join(dir, "bin"));
    const fake = join(dir, "bin", "bun");
    writeFileSync(fake, "#!/bin/sh\n", { mode: 0o755 }); // a placeholder-sized file is not Bun
    expect(preferredRuntime({ BUN_INSTALL: dir, PATH: "" })).not.toBe(fake);
    writeFileSync(fake, Buffer.alloc(1_100_000), { mode: 0o755 });
    expect(preferredRuntime({ BUN_INSTALL: dir, PATH: "" })).toBe(fake);
    expect(preferredRuntime({ PATH: join(dir, "bin") })).toBe(fake);
  });
});

describe("uninstall puts back exactly what was there", () => {
  it("deletes a settings file it created, leaving no {} and no backup", () => {
    const r = installStatusline(settings, OURS, { now: NOW });
    expect(r.action).toBe("installed");
    const u = installStatusline(settings, OURS, { uninstall: true, now: NOW + 1000 });
    expect(u).toMatchObject({ action: "removed", removedFile: true, backup: null });
    expect(existsSync(settings)).toBe(false);
    expect(backups()).toEqual([]);
    expect(describeInstall(u, settings)).toBe(`status line removed: deleted ${settings}, which held nothing else`);
  });

  it("restores the original bytes (formatting, key order, no final newline) after a chain", () => {
    const original = '{"theme":"dark",  "statusLine": {"command": "npx ccusage statusline", "type": "command"}}';
    mkdirSync(join(dir, ".claude"), { recursive: true });
    writeFileSync(settings, original);
    installStatusline(settings, OURS, { now: NOW });
    const u = installStatusline(settings, OURS, { uninstall: true, now: NOW + 1000 });
    expect(u.action).toBe("restored");
    expect(readFileSync(settings, "utf8")).toBe(original);
    expect(describeInstall(u, settings)).toContain("your previous command is back: npx ccusage statusline");
    expect(describeInstall(u, settings)).not.toContain("after ours");
  });

  it("keeps an empty settings file as it was, and keeps what the user added since", () => {
    mkdirSync(join(dir, ".claude"), { recursive: true });
    writeFileSync(settings, "{}\n");
    installStatusline(settings, OURS, { now: NOW });
    installStatusline(settings, OURS, { uninstall: true, now: NOW + 1000 });
    expect(readFileSync(settings, "utf8")).toBe("{}\n");

    rmSync(settings);
    for (const b of backups()) rmSync(join(dir, ".claude", b));
    installStatusline(settings, OURS, { now: NOW });
    write({ ...read(), model: "opus" });
    installStatusline(settings, OURS, { uninstall: true, now: NOW + 2000 });
    expect(read()).toEqual({ model: "opus" });
  });

  it("does not pile up backups over install/uninstall cycles", () => {
    write({ model: "opus" });
    for (let i = 0; i < 4; i++) {
      installStatusline(settings, OURS, { now: NOW + i * 2000 });
      installStatusline(settings, OURS, { uninstall: true, now: NOW + i * 2000 + 1000 });
    }
    expect(read()).toEqual({ model: "opus" });
    // the original, and the file with ours in it
    expect(backups()).toHaveLength(2);
  });

  it("says 'runs after ours' only when something is chained", () => {
    write({ model: "opus" });
    const r = installStatusline(settings, OURS, { now: NOW });
    expect(describeInstall(r, settings)).not.toMatch(/previous|chained|after ours/);
  });
});
