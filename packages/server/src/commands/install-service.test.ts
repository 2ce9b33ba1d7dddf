import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parsePlist } from "plist";
import { describe, expect, it } from "vitest";
import { UsageError } from "./args.js";
import { installService, uninstallService, type ServiceContext } from "./install-service.js";
import type { RunResult } from "./service-manager.js";
import { parseSystemdUnit, systemdUnit } from "./service-unit.js";
import { formatStatus, statusReport } from "./status.js";

/*
 * systemctl and launchctl cannot run here (no user manager, no macOS), so their calls go to a fake
 * that records them; the files are real, in a scratch HOME. The unit itself is checked by
 * systemd-analyze and run for real in test/service.e2e.test.ts.
 */

const PROGRAM = ["/usr/bin/node", "/opt/claude gauge/dist/cli.js"];

function context(platform: NodeJS.Platform, answers: Record<string, RunResult> = {}) {
  const home = mkdtempSync(join(tmpdir(), "cg-service-"));
  const calls: string[] = [];
  const out: string[] = [];
  const ctx: ServiceContext = {
    platform,
    env: { HOME: home, CLAUDE_CONFIG_DIR: "/data/claude", CLAUDE_GAUGE_5H_CEILING: "900000", PATH: "/usr/bin", SECRET_THING: "x" },
    run: async (program, args) => {
      const call = [program, ...args].join(" ");
      calls.push(call);
      return answers[call] ?? { code: 0, stdout: "", stderr: "" };
    },
    out: (l) => out.push(l),
    program: PROGRAM,
  };
  return { ctx, home, calls, out };
}

describe("install-service on Linux (systemd user unit)", () => {
  it("writes the unit, then reloads systemd and enables it now and at login", async () => {
    const { ctx, home, calls } = context("linux");
    expect(await installService(ctx, ["--port", "8181"], { enable: true, dryRun: false })).toBe(0);
    const file = join(home, ".config", "systemd", "user", "claude-gauge.service");
    const unit = parseSystemdUnit(readFileSync(file, "utf8"));
    expect(unit.get("Service")?.get("ExecStart")).toEqual(['/usr/bin/node "/opt/claude gauge/dist/cli.js" serve --port 8181']);
    expect(unit.get("Service")?.get("Restart")).toEqual(["on-failure"]);
    expect(unit.get("Service")?.get("Environment")).toEqual([
      "MALLOC_ARENA_MAX=2",
      "MALLOC_MMAP_THRESHOLD_=131072",
      "CLAUDE_CONFIG_DIR=/data/claude",
      "CLAUDE_GAUGE_5H_CEILING=900000",
    ]);
    expect(unit.get("Install")?.get("WantedBy")).toEqual(["default.target"]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(calls).toEqual(["systemctl --user daemon-reload", "systemctl --user enable --now claude-gauge.service"]);
  });

  it("--no-enable and --dry-run touch no manager; --dry-run writes nothing", async () => {
    const a = context("linux");
    expect(await installService(a.ctx, [], { enable: false, dryRun: false })).toBe(0);
    expect(a.calls).toEqual([]);
    expect(existsSync(join(a.home, ".config", "systemd", "user", "claude-gauge.service"))).toBe(true);
    expect(a.out.at(-1)).toContain("systemctl --user enable --now claude-gauge.service");

    const b = context("linux");
    expect(await installService(b.ctx, [], { enable: true, dryRun: true })).toBe(0);
    expect(b.calls).toEqual([]);
    expect(existsSync(join(b.home, ".config"))).toBe(false);
    expect(b.out.join("\n")).toContain("would run: systemctl --user enable --now claude-gauge.service");
  });

  it("says so and exits 1 when systemd refuses (no user session)", async () => {
    const { ctx, out } = context("linux", {
      "systemctl --user daemon-reload": { code: 1, stdout: "", stderr: "Failed to connect to bus: No medium found\n" },
    });
    expect(await installService(ctx, [], { enable: true, dryRun: false })).toBe(1);
    expect(out.join("\n")).toContain("failed (exit 1): Failed to connect to bus: No medium found");
    expect(out.at(-1)).toContain("written but not running");
  });

  it("checks the serve options and the settings it copies first, and refuses an npx cache", async () => {
    const a = context("linux");
    await expect(installService(a.ctx, ["--timezone", "Mars/Base"], { enable: true, dryRun: false })).rejects.toThrow(UsageError);
    await expect(installService({ ...a.ctx, env: { ...a.ctx.env, CLAUDE_GAUGE_5H_CEILING: "lots" } }, [], { enable: true, dryRun: false })).rejects.toThrow(
      /CLAUDE_GAUGE_5H_CEILING/,
    );
    expect(existsSync(join(a.home, ".config"))).toBe(false);
    const b = context("linux");
    await expect(
      installService({ ...b.ctx, program: ["/usr/bin/node", "/home/u/.npm/_npx/1f/node_modules/claude-gauge/dist/cli.js"] }, [], {
        enable: true,
        dryRun: false,
      }),
    ).rejects.toThrow(/npm install -g claude-gauge/);
  });

  it("uninstall stops it, removes the unit and reloads; a second time has nothing to do", async () => {
    const { ctx, home, calls, out } = context("linux");
    await installService(ctx, [], { enable: true, dryRun: false });
    calls.length = 0;
    expect(await uninstallService(ctx, { dryRun: false })).toBe(0);
    expect(calls).toEqual(["systemctl --user disable --now claude-gauge.service", "systemctl --user daemon-reload"]);
    expect(existsSync(join(home, ".config", "systemd", "user", "claude-gauge.service"))).toBe(false);
    calls.length = 0;
    expect(await uninstallService(ctx, { dryRun: false })).toBe(0);
    expect(calls).toEqual([]);
    expect(out.at(-1)).toContain("no claude-gauge service installed");
  });

  it("quotes what systemd would expand (%, $, spaces, quotes)", () => {
    const unit = systemdUnit({ argv: ["/opt/a b/node", "--token", 'p%c$HOME"x'], env: {} });
    expect(parseSystemdUnit(unit).get("Service")?.get("ExecStart")).toEqual(['"/opt/a b/node" --token "p%%c$$HOME\\"x"']);
  });
});

describe("install-service on macOS (launchd agent)", () => {
  it("writes a plist launchd can read: label, program, login start, restart on failure", async () => {
    const { ctx, home, calls } = context("darwin");
    expect(await installService(ctx, ["--port", "8181", "--token", "a<b&c"], { enable: true, dryRun: false })).toBe(0);
    const file = join(home, "Library", "LaunchAgents", "dev.claude-gauge.plist");
    const text = readFileSync(file, "utf8");
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN"')).toBe(true);
    const p = parsePlist(text) as Record<string, unknown>;
    expect(p).toEqual({
      Label: "dev.claude-gauge",
      ProgramArguments: [...PROGRAM, "serve", "--port", "8181", "--token", "a<b&c"],
      EnvironmentVariables: { CLAUDE_CONFIG_DIR: "/data/claude", CLAUDE_GAUGE_5H_CEILING: "900000" },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 5,
      ProcessType: "Background",
      StandardOutPath: join(home, "Library", "Logs", "claude-gauge.log"),
      StandardErrorPath: join(home, "Library", "Logs", "claude-gauge.log"),
    });
    const uid = process.getuid?.() ?? 0;
    expect(calls).toEqual([`launchctl enable gui/${uid}/dev.claude-gauge`, `launchctl bootstrap gui/${uid} ${file}`]);
    calls.length = 0;
    await uninstallService(ctx, { dryRun: false });
    expect(calls).toEqual([`launchctl bootout gui/${uid}/dev.claude-gauge`]);
    expect(existsSync(file)).toBe(false);
  });

  it("refuses where there is no manager it knows", async () => {
    const { ctx } = context("win32");
    await expect(installService(ctx, [], { enable: true, dryRun: false })).rejects.toThrow(/no login service manager we know on win32/);
  });
});

describe("status", () => {
  it("shows the installed service, the manager's word on it, and the port it serves on", async () => {
    const { ctx, home } = context("linux", {
      "systemctl --user is-active claude-gauge.service": { code: 0, stdout: "active\n", stderr: "" },
      "systemctl --user is-enabled claude-gauge.service": { code: 0, stdout: "enabled\n", stderr: "" },
    });
    await installService(ctx, ["--port", "1"], { enable: false, dryRun: false });
    const r = await statusReport("linux", ctx.env, ctx.run, null);
    expect(r.service).toEqual({
      kind: "systemd",
      file: join(home, ".config", "systemd", "user", "claude-gauge.service"),
      installed: true,
      state: "active (enabled)",
      runs: "/usr/bin/node /opt/claude gauge/dist/cli.js serve --port 1",
    });
    // port 1: nothing of ours listens there
    expect(r.daemon.url).toBe("http://127.0.0.1:1");
    expect(r.daemon.answering).toBe(false);
    expect(r.transcripts).toEqual({ roots: [], lookedIn: ["/data/claude"] });
    const text = formatStatus(r);
    expect(text).toContain("service      systemd");
    expect(text).toContain("none found; looked in /data/claude — set CLAUDE_CONFIG_DIR");
  });
});
