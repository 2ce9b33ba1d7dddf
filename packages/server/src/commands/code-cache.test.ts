import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CodeCache } from "./code-cache.js";

// Real V8 code caches of real files: bundles written here, loaded, cached, changed and broken.
// Each run that matters is a process of its own: within one, V8 answers a second compile of the
// same source from memory and never looks at the cache.

const dir = mkdtempSync(join(tmpdir(), "cg-code-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUN = join(dir, "run.ts");
writeFileSync(
  RUN,
  `import { CodeCache } from ${JSON.stringify(fileURLToPath(new URL("./code-cache.ts", import.meta.url)))};
const [cacheDir, command, bundle] = process.argv.slice(2);
const c = new CodeCache(cacheDir, command);
const m = c.require(bundle);
process.stdout.write(String(m.answer() + m.helper.twice(1)));
c.write();
`,
);
/** One run in a fresh process: the bundle's answer + 2, its cache written at the end. */
const run = (cache: string, command: string, bundle: string) =>
  Number(execFileSync(process.execPath, ["--import", "tsx", RUN, cache, command, bundle], { encoding: "utf8" })) - 2;

let n = 0;
/** A folder with a bundle that requires a sibling bundle and a Node module, and an empty cache folder. */
function setup(answer = 42) {
  const root = join(dir, `case-${n++}`);
  mkdirSync(root);
  const bundle = join(root, "main.cjs");
  writeFileSync(
    bundle,
    `"use strict";\nconst { join } = require("node:path");\nconst helper = require("./helper.cjs");\nmodule.exports = { answer: () => ${answer}, joined: join("a", "b"), helper, file: __filename };\n`,
  );
  writeFileSync(join(root, "helper.cjs"), `exports.twice = (x) => 2 * x;\n`);
  return { bundle, cache: join(root, "code") };
}

type Main = { answer(): number; joined: string; helper: { twice(x: number): number }; file: string };
const cacheFiles = (cache: string) => readdirSync(cache).sort();

describe("CodeCache", () => {
  it("loads a bundle as require() would, its siblings through the cache too, and saves both", () => {
    const { bundle, cache } = setup();
    const c = new CodeCache(cache, "report");
    const m = c.require(bundle) as Main;
    expect([m.answer(), m.joined, m.helper.twice(4), m.file]).toEqual([42, join("a", "b"), 8, bundle]);
    expect(c.require(bundle)).toBe(m);
    c.write();
    expect(cacheFiles(cache)).toEqual([
      expect.stringMatching(/^helper\.cjs-report-[0-9a-f]{8}\.bin$/),
      expect.stringMatching(/^main\.cjs-report-[0-9a-f]{8}\.bin$/),
    ]);
  });

  it("a later run takes the saved code and leaves it as it is", () => {
    const { bundle, cache } = setup();
    expect(run(cache, "report", bundle)).toBe(42);
    const saved = cacheFiles(cache).map((f) => readFileSync(join(cache, f)));
    expect(saved).toHaveLength(2);
    expect(run(cache, "report", bundle)).toBe(42);
    // V8 refusing it would have made this run write its own
    expect(cacheFiles(cache).map((f) => readFileSync(join(cache, f)))).toEqual(saved);
  });

  it("a bundle changed at the same length runs as changed (V8 alone would take the old code)", () => {
    const { bundle, cache } = setup(42);
    expect(run(cache, "report", bundle)).toBe(42);
    writeFileSync(bundle, readFileSync(bundle, "utf8").replace("=> 42", "=> 24"));
    utimesSync(bundle, new Date(), new Date(Date.now() + 5_000));
    expect(run(cache, "report", bundle)).toBe(24);
  });

  it("a broken or cut cache file is refused, the bundle still loads, and a good one replaces it", () => {
    for (const damage of [
      (b: Buffer) => b.subarray(0, b.length - 100),
      (b: Buffer) => Buffer.concat([b.subarray(0, b.indexOf(10) + 1), Buffer.alloc(400, 7)]),
    ]) {
      const { bundle, cache } = setup();
      run(cache, "report", bundle);
      const file = join(cache, cacheFiles(cache).find((f) => f.startsWith("main"))!);
      const damaged = damage(readFileSync(file));
      writeFileSync(file, damaged);
      expect(run(cache, "report", bundle)).toBe(42);
      const rewritten = readFileSync(file);
      expect(rewritten.equals(damaged)).toBe(false);
      // and the run after takes the new one
      run(cache, "report", bundle);
      expect(readFileSync(file)).toEqual(rewritten);
    }
  });

  it.runIf(process.getuid !== undefined)("a cache file others may write is not run, and a private one replaces it", () => {
    const { bundle, cache } = setup();
    run(cache, "report", bundle);
    const file = join(cache, cacheFiles(cache).find((f) => f.startsWith("main"))!);
    chmodSync(file, 0o666);
    expect(run(cache, "report", bundle)).toBe(42);
    // refused, so written anew, private again
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("keeps one cache per command, names an odd command word 'other', and bounds the folder", () => {
    const { bundle, cache } = setup();
    for (const command of ["report", "serve", "../../x", ""]) {
      const c = new CodeCache(cache, command);
      c.require(bundle);
      c.write();
    }
    expect(cacheFiles(cache).filter((f) => f.startsWith("main"))).toEqual([
      expect.stringMatching(/^main\.cjs-other-/),
      expect.stringMatching(/^main\.cjs-report-/),
      expect.stringMatching(/^main\.cjs-serve-/),
    ]);
    for (let i = 0; i < 20; i++) writeFileSync(join(cache, `old-${i}.bin`), "x");
    const past = new Date(Date.now() - 60_000);
    for (let i = 0; i < 20; i++) utimesSync(join(cache, `old-${i}.bin`), past, past);
    const c = new CodeCache(cache, "status");
    c.require(bundle);
    c.write();
    const kept = cacheFiles(cache);
    expect(kept).toHaveLength(16);
    expect(kept.filter((f) => !f.startsWith("old-"))).toHaveLength(8);
  });

  it("a cache folder that cannot be made costs nothing but the cache", () => {
    const { bundle } = setup();
    const blocker = join(dir, `blocker-${n++}`);
    writeFileSync(blocker, "");
    const c = new CodeCache(join(blocker, "code"), "report");
    expect((c.require(bundle) as Main).answer()).toBe(42);
    expect(() => c.write()).not.toThrow();
  });
});
