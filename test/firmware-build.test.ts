import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BUILD_SH = join(ROOT, "firmware", "host", "build.sh");
const THIRD_PARTY = join(ROOT, "..", "shared", "third_party");

/** build.sh alone in a checkout of its own, with `libs` (names) beside it in ../shared/third_party. */
function isolatedBuild(libs: string[]): { status: number | null; stderr: string } {
  const root = mkdtempSync(join(tmpdir(), "cg-fwbuild-"));
  const host = join(root, "claude-gauge", "firmware", "host");
  mkdirSync(host, { recursive: true });
  cpSync(BUILD_SH, join(host, "build.sh"));
  if (libs.length > 0) mkdirSync(join(root, "shared", "third_party"), { recursive: true });
  for (const lib of libs) symlinkSync(join(THIRD_PARTY, lib), join(root, "shared", "third_party", lib));
  const r = spawnSync("bash", [join(host, "build.sh")], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

describe("the firmware's host build (firmware/host/build.sh)", () => {
  it("has no fallback: without ArduinoJson it stops and says where it looked", () => {
    const r = isolatedBuild([]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("ArduinoJson not found: expected ../shared/third_party/ArduinoJson");
  });

  it("names SwitecX25 when only it is missing", () => {
    const r = isolatedBuild(["ArduinoJson"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("SwitecX25 not found: expected ../shared/third_party/SwitecX25");
  });
});
