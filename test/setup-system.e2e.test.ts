import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/*
 * test/setup-system.sh as an unprivileged user: with everything present it needs no root and says
 * nothing; with something missing and no way to install it, it names what is missing and stops.
 */

const SCRIPT = fileURLToPath(new URL("./setup-system.sh", import.meta.url));
const IS_ROOT = process.getuid?.() === 0;
const which = (tool: string) => spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
const SETPRIV = which("setpriv");
const BASH = which("bash");

/** Runs `script` as nobody (from root), or as ourselves when we are not root. */
function asUser(script: string, path = process.env["PATH"] ?? "") {
  const cmd = IS_ROOT && SETPRIV ? [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", BASH, script] : [BASH, script];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { env: { PATH: path, HOME: tmpdir() }, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the script with one more need that can never be met (as another engineer would append one). */
function withImpossibleNeed(): string {
  const dir = mkdtempSync(join(tmpdir(), "cg-setup-"));
  const copy = join(dir, "setup-system.sh");
  const text = readFileSync(SCRIPT, "utf8").replace("# ---- end of the list ----", "need cg-no-such-package false\n# ---- end of the list ----");
  expect(text).toContain("need cg-no-such-package false");
  writeFileSync(copy, text);
  chmodSync(copy, 0o755);
  chmodSync(dir, 0o755);
  return copy;
}

describe("test/setup-system.sh", () => {
  it("needs no root and prints nothing when every tool is present", () => {
    expect(asUser(SCRIPT)).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("names what is missing when it cannot install it (no root, no sudo)", () => {
    const r = asUser(withImpossibleNeed());
    expect(r.code).toBe(1);
    if (IS_ROOT && SETPRIV)
      expect(r.stderr).toBe("setup-system: missing cg-no-such-package; install them as root (sudo apt-get install cg-no-such-package), then run again\n");
    expect(r.stderr).not.toMatch(/command not found/);
  });

  it("names what is missing where there is no apt-get at all", () => {
    const bin = mkdtempSync(join(tmpdir(), "cg-setup-bin-"));
    for (const tool of ["id", "sudo"]) if (which(tool)) symlinkSync(which(tool), join(bin, tool));
    chmodSync(bin, 0o755);
    const r = asUser(withImpossibleNeed(), bin);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^setup-system: missing .*cg-no-such-package \(Debian package names\), and there is no apt-get here: install them with your package manager, then run again\n$/,
    );
    expect(r.stderr).not.toMatch(/command not found/);
  });
});
