import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { PARALLEL_MIN_BYTES, ScanThread, secondThreadWanted, type ScanDone } from "./scan-thread.js";

// The thread's life around real worker threads. The workers here are small scripts that keep the
// protocol (wait for one order, take units from the shared counter, post a message per unit);
// the real scan worker runs in the e2e tests (scan-thread.e2e.test.ts, the differential suite).

const dir = mkdtempSync(join(tmpdir(), "cg-scan-thread-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function workerFile(name: string, body: string): string {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(path, `import { workerData } from "node:worker_threads";\nconst { port } = workerData;\n${body}\n`);
  return path;
}

/** Takes units until the counter runs out, posting each index; exits when done. */
const TAKER = workerFile(
  "taker",
  `port.once("message", ({ units, next }) => {
  for (let i = Atomics.add(next, 0, 1); i < units.length; i = Atomics.add(next, 0, 1)) port.postMessage({ i, scan: units[i] });
  port.close();
});`,
);

const units = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `/p${i}`, project: "p", session: "s", start: 0, stop: 1, align: false }));

async function until(ok: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.runIf(availableParallelism() >= 2)("ScanThread", () => {
  it("runs one order: every unit it takes reaches the caller, and it ends without a problem", async () => {
    const t = ScanThread.start(TAKER)!;
    expect(t).not.toBeNull();
    const got: number[] = [];
    const next = new Int32Array(new SharedArrayBuffer(4));
    const problem = await t.run({ units: units(50), next }, (d: ScanDone) => got.push(d.i));
    t.drain((d) => got.push(d.i));
    t.stop();
    expect(problem).toBeNull();
    expect(got.sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(() => t.run({ units: [], next }, () => undefined)).toThrow(/one scan/);
  });

  it("a worker that fails before it is given work is heard when it is: no unhandled error, the first line of its message", async () => {
    const marker = join(dir, "failed-early");
    const file = workerFile(
      "fails-early",
      `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "");\nthrow new Error("broken bundle\\nsecond line");`,
    );
    const t = ScanThread.start(file)!;
    await until(() => existsSync(marker));
    // the error event arrives while nobody has asked the thread for anything
    await new Promise((r) => setTimeout(r, 300));
    const problem = await t.run({ units: units(3), next: new Int32Array(new SharedArrayBuffer(4)) }, () => undefined);
    t.stop();
    expect(problem).toBe("broken bundle");
  });

  it("a worker that exits with a code says so", async () => {
    const t = ScanThread.start(workerFile("exits", `port.once("message", () => process.exit(7));`))!;
    expect(await t.run({ units: units(2), next: new Int32Array(new SharedArrayBuffer(4)) }, () => undefined)).toBe("exited with 7");
    t.stop();
  });

  it("an idle thread never holds the process open (a report that fails before it scans still exits)", async () => {
    const script = join(dir, "idle.ts");
    const mod = fileURLToPath(new URL("./scan-thread.ts", import.meta.url));
    writeFileSync(script, `import { ScanThread } from ${JSON.stringify(mod)};\nif (ScanThread.start(${JSON.stringify(TAKER)}) === null) process.exit(9);\n`);
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], { timeout: 20_000 });
    expect(stdout).toBe("");
  }, 30_000);
});

it("no thread when the worker file is missing (run from source)", () => {
  expect(ScanThread.start(join(dir, "absent.js"))).toBeNull();
});

it("a second thread from PARALLEL_MIN_BYTES, unless CLAUDE_GAUGE_SCAN_THREADS says 1 (never) or 2 (for anything to scan)", () => {
  const at = (bytes: number, setting?: string) => secondThreadWanted(bytes, setting === undefined ? {} : { CLAUDE_GAUGE_SCAN_THREADS: setting });
  expect([at(PARALLEL_MIN_BYTES - 1), at(PARALLEL_MIN_BYTES)]).toEqual([false, true]);
  expect([at(PARALLEL_MIN_BYTES, "1"), at(1, "2"), at(0, "2")]).toEqual([false, true, false]);
  // anything else is the default
  expect([at(PARALLEL_MIN_BYTES - 1, "3"), at(PARALLEL_MIN_BYTES, "two"), at(PARALLEL_MIN_BYTES, "")]).toEqual([false, true, true]);
});
