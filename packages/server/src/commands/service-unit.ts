/**
 * The files that make the daemon start at login and come back when it fails: a systemd user unit
 * (Linux) and a launchd agent (macOS). Pure text in, text out; where they go and who loads them is
 * service-manager.ts.
 */

/** What the service runs. */
export interface ServiceDefinition {
  /** absolute program and its arguments, e.g. [node, /…/dist/cli.js, "serve", "--port", "8080"] */
  argv: readonly string[];
  /** environment the daemon needs (CLAUDE_CONFIG_DIR, CLAUDE_GAUGE_*), copied from the installing shell */
  env: Readonly<Record<string, string>>;
}

export const SYSTEMD_UNIT = "claude-gauge.service";
export const LAUNCHD_LABEL = "dev.claude-gauge";
/** seconds before systemd or launchd starts a failed daemon again */
const RESTART_DELAY_S = 5;

/** One ExecStart word: quoted when it must be, with systemd's own specifiers (% and $) escaped. */
function systemdWord(s: string): string {
  const escaped = s.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  return /^[A-Za-z0-9_./:=@+,-]+$/.test(escaped) ? escaped : `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A systemd user unit (~/.config/systemd/user/claude-gauge.service). */
export function systemdUnit(def: ServiceDefinition): string {
  const env = Object.entries(def.env).map(([k, v]) => `Environment=${systemdWord(`${k}=${v}`)}`);
  return [
    "# Written by `claude-gauge install-service`; removed by `claude-gauge uninstall-service`.",
    "[Unit]",
    "Description=claude-gauge: Claude Code usage as gauges (the daemon)",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${def.argv.map(systemdWord).join(" ")}`,
    ...env,
    "Restart=on-failure",
    `RestartSec=${RESTART_DELAY_S}`,
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}

/** Sections → keys → values (a key may repeat, as Environment= does) of a unit file. */
export function parseSystemdUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) {
      current = new Map();
      sections.set(head[1]!, current);
      continue;
    }
    const eq = line.indexOf("=");
    if (current === undefined || eq <= 0) throw new Error(`not a unit file line: ${JSON.stringify(line)}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A launchd agent (~/Library/LaunchAgents/dev.claude-gauge.plist); `logFile` gets stdout and stderr. */
export function launchdPlist(def: ServiceDefinition, logFile: string): string {
  const str = (s: string) => `<string>${xml(s)}</string>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    `  <key>Label</key>${str(LAUNCHD_LABEL)}`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...def.argv.map((a) => `    ${str(a)}`),
    "  </array>",
    "  <key>EnvironmentVariables</key>",
    "  <dict>",
    ...Object.entries(def.env).map(([k, v]) => `    <key>${xml(k)}</key>${str(v)}`),
    "  </dict>",
    "  <key>RunAtLoad</key><true/>",
    // restart when it exits with an error or is killed; a clean exit (uninstall, stop) stays down
    "  <key>KeepAlive</key>",
    "  <dict><key>SuccessfulExit</key><false/></dict>",
    `  <key>ThrottleInterval</key><integer>${RESTART_DELAY_S}</integer>`,
    "  <key>ProcessType</key>",
    "  <string>Background</string>",
    `  <key>StandardOutPath</key>${str(logFile)}`,
    `  <key>StandardErrorPath</key>${str(logFile)}`,
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}

/** The environment a service should carry over from the shell that installs it. */
export function serviceEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (v !== undefined && v !== "" && (k === "CLAUDE_CONFIG_DIR" || k.startsWith("CLAUDE_GAUGE_"))) out[k] = v;
  }
  return out;
}
