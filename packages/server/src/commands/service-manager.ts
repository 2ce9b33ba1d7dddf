/**
 * Where the login service lives and how the platform's manager is told about it: systemd's user
 * instance on Linux (`systemctl --user`), launchd's per-user domain on macOS (`launchctl`). The
 * commands run through a Runner so tests can check them without touching the real manager.
 */
import { execFile } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";
import { LAUNCHD_LABEL, launchdPlist, systemdUnit, SYSTEMD_UNIT, type ServiceDefinition } from "./service-unit.js";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program (no shell) and reports how it ended; never throws for a non-zero exit. */
export type Runner = (program: string, args: readonly string[]) => Promise<RunResult>;

export const realRunner: Runner = (program, args) =>
  new Promise((resolve) => {
    execFile(program, [...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 127;
      resolve({ code, stdout: String(stdout), stderr: err !== null && stderr === "" ? err.message : String(stderr) });
    });
  });

export interface ServiceManager {
  kind: "systemd" | "launchd";
  /** the unit or agent file */
  file: string;
  /** the file's text for this definition */
  render(def: ServiceDefinition): string;
  /** [program, args] to run after writing the file: load it, start it now and at every login */
  enable(): [string, string[]][];
  /** [program, args] to run before removing the file: stop it and forget it */
  disable(): [string, string[]][];
  /** what runs now, in the manager's words, e.g. "active (enabled)" or "running, pid 4242" */
  state(run: Runner): Promise<string>;
}

type Env = Readonly<Record<string, string | undefined>>;

function systemd(env: Env): ServiceManager {
  const config = env["XDG_CONFIG_HOME"]?.trim() || join(env["HOME"] ?? homedir(), ".config");
  const file = join(config, "systemd", "user", SYSTEMD_UNIT);
  return {
    kind: "systemd",
    file,
    render: systemdUnit,
    enable: () => [
      ["systemctl", ["--user", "daemon-reload"]],
      ["systemctl", ["--user", "enable", "--now", SYSTEMD_UNIT]],
    ],
    disable: () => [["systemctl", ["--user", "disable", "--now", SYSTEMD_UNIT]]],
    async state(run) {
      const active = await run("systemctl", ["--user", "is-active", SYSTEMD_UNIT]);
      const enabled = await run("systemctl", ["--user", "is-enabled", SYSTEMD_UNIT]);
      const word = (r: RunResult) => r.stdout.trim() || r.stderr.trim().split("\n")[0] || `exit ${r.code}`;
      return `${word(active)} (${word(enabled)})`;
    },
  };
}

function launchd(env: Env, uid: number): ServiceManager {
  const home = env["HOME"] ?? homedir();
  const file = join(home, "Library", "LaunchAgents", `${LAUNCHD_LABEL}.plist`);
  const domain = `gui/${uid}`;
  return {
    kind: "launchd",
    file,
    render: (def) => launchdPlist(def, join(home, "Library", "Logs", "claude-gauge.log")),
    enable: () => [
      ["launchctl", ["enable", `${domain}/${LAUNCHD_LABEL}`]],
      ["launchctl", ["bootstrap", domain, file]],
    ],
    disable: () => [["launchctl", ["bootout", `${domain}/${LAUNCHD_LABEL}`]]],
    async state(run) {
      const r = await run("launchctl", ["print", `${domain}/${LAUNCHD_LABEL}`]);
      if (r.code !== 0) return "not loaded";
      const state = /^\s*state = (.+)$/m.exec(r.stdout)?.[1] ?? "loaded";
      const pid = /^\s*pid = (\d+)$/m.exec(r.stdout)?.[1];
      return pid ? `${state}, pid ${pid}` : state;
    },
  };
}

/** The manager of this platform, or null where we have none (then: run `claude-gauge serve` from your own). */
export function serviceManager(platform: NodeJS.Platform, env: Env, uid: number = process.getuid?.() ?? 0): ServiceManager | null {
  if (platform === "linux") return systemd(env);
  if (platform === "darwin") return launchd(env, uid);
  return null;
}
