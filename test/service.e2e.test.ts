import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseSystemdUnit } from "../packages/server/src/commands/service-unit.js";
import { CLI, waitFor } from "./helpers/server-process.js";
import { assistantLine } from "./helpers/transcript-lines.js";

/*
 * install-service from the built CLI into a scratch HOME (never the user's): the unit is checked by
 * systemd's own `systemd-analyze verify` where it is installed, and its ExecStart is run for real.
 * `--no-enable` keeps systemctl out: no user manager runs here (see install-service.test.ts for the
 * systemctl and launchctl calls, against a fake).
 */

const killers: (() => void)[] = [];
afterEach(() => {
  for (const k of killers.splice(0)) k();
});

const HAS_SYSTEMD_ANALYZE = spawnSync("systemd-analyze", ["--version"]).status === 0;

function scratch() {
  const home = mkdtempSync(join(tmpdir(), "cg-svc-home-"));
  const config = join(home, "claude");
  mkdirSync(join(config, "projects", "-home-u-app"), { recursive: true });
  writeFileSync(
    join(config, "projects", "-home-u-app", "s.jsonl"),
    `${assistantLine({ id: "a", ts: new Date(Date.now() - 60_000), input: 10, output: 20, cacheRead: 300 })}\n`,
  );
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_STATE_HOME: join(home, "state"), CLAUDE_CONFIG_DIR: config };
  return { home, env, unit: join(home, ".config", "systemd", "user", "claude-gauge.service") };
}

describe("install-service (systemd user unit, real files, real daemon)", () => {
  it("writes a unit systemd accepts, whose ExecStart starts a daemon that serves the transcripts it names", async () => {
    const s = scratch();
    const r = spawnSync(process.execPath, [CLI, "install-service", "--no-enable", "--port", "0"], { env: s.env, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`claude-gauge: wrote ${s.unit}`);
    const text = readFileSync(s.unit, "utf8");
    const unit = parseSystemdUnit(text);
    expect(unit.get("Service")?.get("Restart")).toEqual(["on-failure"]);
    expect(unit.get("Install")?.get("WantedBy")).toEqual(["default.target"]);

    if (HAS_SYSTEMD_ANALYZE) {
      const v = spawnSync("systemd-analyze", ["--user", "verify", s.unit], {
        env: { ...s.env, XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), "cg-rt-")) },
        encoding: "utf8",
      });
      // warnings (unknown keys, bad values) go to stderr with exit 0: both must be clean
      expect(v.stderr).toBe("");
      expect(v.status).toBe(0);
    } else {
      console.log("systemd-analyze not installed: the unit was checked by parsing its keys only");
    }

    // run what systemd would run, with the unit's environment
    const exec = unit.get("Service")!.get("ExecStart")![0]!.split(" ");
    const env = Object.fromEntries((unit.get("Service")?.get("Environment") ?? []).map((e) => e.split(/=(.*)/s).slice(0, 2)));
    // glibc's allocator keeps at most two arenas and a fixed mmap threshold (see DAEMON_LINUX_ENV)
    expect(env).toEqual({ MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "131072", CLAUDE_CONFIG_DIR: s.env.CLAUDE_CONFIG_DIR });
    expect(exec.slice(2)).toEqual(["serve", "--port", "0"]);
    const daemon = spawn(exec[0]!, exec.slice(1), {
      env: { PATH: process.env["PATH"] ?? "", HOME: s.home, XDG_STATE_HOME: s.env.XDG_STATE_HOME, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    killers.push(() => daemon.kill("SIGTERM"));
    let log = "";
    daemon.stderr.on("data", (d: Buffer) => {
      log += d.toString();
    });
    const port = await waitFor(() => /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(log)?.[1], 20_000, "the unit's daemon");
    const usage = (await (await fetch(`http://127.0.0.1:${port}/usage`)).json()) as { window_5h_tokens: number };
    expect(usage.window_5h_tokens).toBe(330);

    // status finds the unit, reads its port and asks that daemon
    const st = spawnSync(process.execPath, [CLI, "status", "--json", "--port", port], { env: s.env, encoding: "utf8" });
    const report = JSON.parse(st.stdout) as { service: { installed: boolean; file: string }; daemon: { answering: boolean } };
    expect(report.service).toMatchObject({ installed: true, file: s.unit });
    expect(report.daemon.answering).toBe(true);
  });

  it("--dry-run prints the unit and writes nothing", () => {
    const s = scratch();
    const r = spawnSync(process.execPath, [CLI, "install-service", "--dry-run", "--no-enable"], { env: s.env, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`would write ${s.unit}:\n# Written by`);
    expect(existsSync(join(s.home, ".config"))).toBe(false);
  });
});
