import { execFile } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCorpus } from "./corpus/corpus-lib.js";
import { CLI } from "./helpers/server-process.js";

const run = promisify(execFile);

let dir = "";
let cacheHome = "";
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-cache-e2e-"));
  cacheHome = mkdtempSync(join(tmpdir(), "cg-cache-e2e-home-"));
  await generateCorpus({ outDir: dir, seed: 5, sizeMb: 4, days: 6 });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(cacheHome, { recursive: true, force: true });
});

async function report(kind: string, extra: string[] = []): Promise<{ out: string; err: string }> {
  const { stdout, stderr } = await run(process.execPath, [CLI, "report", kind, "--json", "--timezone", "UTC", ...extra], {
    env: { ...process.env, CLAUDE_CONFIG_DIR: dir, XDG_CACHE_HOME: cacheHome },
    maxBuffer: 1 << 30,
  });
  return { out: stdout, err: stderr };
}

const cacheFiles = () => readdirSync(join(cacheHome, "claude-gauge"));

describe("scan cache shared by reports running at once", () => {
  it("eight reports at once, all writing the cache: each right, and the cache left whole", async () => {
    const want = { daily: (await report("daily", ["--no-cache"])).out, session: (await report("session", ["--no-cache"])).out };
    const kinds = ["daily", "session", "daily", "session", "daily", "session", "daily", "session"] as const;
    const outs = await Promise.all(kinds.map((k) => report(k)));
    for (const [i, o] of outs.entries()) expect(o.out).toBe(want[kinds[i]!]);
    // one cache, no temporary files left behind (nor of the compiled code, which all of them wrote)
    expect(cacheFiles().filter((n) => n.endsWith(".tmp"))).toEqual([]);
    expect(readdirSync(join(cacheHome, "claude-gauge", "code")).filter((n) => !n.endsWith(".bin"))).toEqual([]);
    expect(cacheFiles().filter((n) => n.endsWith(".bin"))).toHaveLength(1);
    // the cache that won is whole: read without a note about it, and right
    const again = await report("daily");
    expect(again.out).toBe(want.daily);
    expect(again.err).not.toMatch(/scan cache/);
  });

  it("reports while a transcript grows: each right for what it read, the last right for all of it", async () => {
    const file = join(dir, "projects", readdirSync(join(dir, "projects"))[0]!);
    const session = readdirSync(file).find((n) => n.endsWith(".jsonl"))!;
    const path = join(file, session);
    const lines = readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l.includes('"usage":{'));
    const growing = (async () => {
      for (let i = 0; i < 20; i++) {
        appendFileSync(path, `${lines[i % lines.length]!.replace(/"output_tokens":(\d+)/, (_m, n: string) => `"output_tokens":${Number(n) + i + 1}`)}\n`);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const during = await Promise.all([report("daily"), report("session"), report("daily")]);
    await growing;
    for (const d of during) expect(JSON.parse(d.out)).toHaveProperty("totals");
    expect((await report("daily")).out).toBe((await report("daily", ["--no-cache"])).out);
    expect((await report("session")).out).toBe((await report("session", ["--no-cache"])).out);
  });
});

describe("the dispatcher's compiled code", () => {
  it("is kept per command after a run, the next run takes it as it is and prints the same, and --no-cache uses none", async () => {
    const home = mkdtempSync(join(tmpdir(), "cg-code-e2e-"));
    const project = join(dir, "projects", readdirSync(join(dir, "projects"))[0]!);
    const transcript = join(project, readdirSync(project).find((n) => n.endsWith(".jsonl"))!);
    try {
      const once = async (...extra: string[]) => {
        // a blank line: the saved answer no longer holds, so the run loads the dispatcher
        appendFileSync(transcript, "\n");
        const { stdout } = await run(process.execPath, [CLI, "report", "daily", "--json", "--timezone", "UTC", ...extra], {
          env: { ...process.env, CLAUDE_CONFIG_DIR: dir, XDG_CACHE_HOME: home },
          maxBuffer: 1 << 30,
        });
        return stdout;
      };
      const code = join(home, "claude-gauge", "code");
      const first = await once("--no-cache");
      expect(existsSync(code)).toBe(false);
      expect(await once()).toBe(first);
      const files = readdirSync(code);
      expect(files).toEqual([expect.stringMatching(/^dispatch\.cjs-report-[0-9a-f]{8}\.bin$/)]);
      const saved = readFileSync(join(code, files[0]!));
      // the first line names the Node that compiled it
      expect(saved.toString("latin1", 0, saved.indexOf(10))).toMatch(new RegExp(`^${process.version} ${process.arch} `));
      expect(await once()).toBe(first);
      // refused, it would have been written anew
      expect(readFileSync(join(code, files[0]!))).toEqual(saved);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
