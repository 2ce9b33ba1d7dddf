import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Builds host targets of the firmware (firmware/host/Makefile) against the real ArduinoJson and
 * SwitecX25, under ASan/UBSan, and returns the binary's path. build.sh fails, naming what is
 * missing, when the libraries are not where it looks.
 */
export function buildFirmwareHost(target: "roundtrip" | "needle-trace" | "firmware-sim"): Promise<string> {
  const out = `build/${target}`;
  return new Promise((resolve, reject) => {
    execFile("bash", ["firmware/host/build.sh", out], { cwd: root, maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`firmware host build of ${target} failed:\n${stderr}`));
      else resolve(`${root}firmware/host/${out}`);
    });
  });
}
