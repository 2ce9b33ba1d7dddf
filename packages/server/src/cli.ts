// The `claude-gauge` entry. It loads nothing but what it needs before deciding: a report asked
// again on unchanged transcripts is printed from its saved answer, without loading the CLI, core
// or zod (their load is most of a warm report's time); everything else goes to the dispatcher.
import { fileURLToPath } from "node:url";
import { isTerminal, writeOut } from "./commands/direct-output.js";
import type * as Dispatch from "./commands/dispatch.js";
import type { HeadStart } from "./commands/scan-head-start.js";
import type { Listing } from "./sources/jsonl/files.js";

const argv = process.argv.slice(2);
/** the tree as the answer lookup walked it, when its answer no longer held (the report reuses it) */
let listing: Listing | undefined;

async function answered(): Promise<boolean> {
  if (argv[0] !== "report") return false;
  let out = null;
  try {
    const { savedAnswer } = await import("./commands/report-answer.js");
    out = await savedAnswer(argv.slice(1), { env: process.env, stdoutIsTTY: isTerminal(1) }, (l) => {
      listing = l;
    });
  } catch {
    // whatever went wrong here, the report itself can still be run
  }
  if (out === null) return false;
  writeOut(2, out.stderr);
  writeOut(1, out.stdout);
  return true;
}

/** A report gets its walk and second scan thread ready before the CLI loads (see scan-head-start.ts). */
async function headStart(): Promise<HeadStart> {
  if (argv[0] !== "report") return { listing };
  try {
    const { reportHeadStart } = await import("./commands/scan-head-start.js");
    // the bundled scan worker beside this entry (dist/cli.cjs or dist/cli.js)
    return await reportHeadStart(argv.slice(1), process.env, listing, fileURLToPath(new URL("./scan-worker.js", import.meta.url)));
  } catch {
    // the report walks and starts its thread itself
    return { listing };
  }
}

/**
 * The dispatcher bundle beside this entry (dist/dispatch.cjs), compiled with the code the runs
 * before compiled (see code-cache.ts). Bun caches its own way; from source or inside Bun's single
 * executable there is no bundle, and a plain import finds the module. `--no-cache` uses no cache
 * file at all, this one included.
 */
async function dispatcher(): Promise<typeof Dispatch> {
  if (process.versions["bun"] === undefined && !argv.includes("--no-cache")) {
    try {
      const [{ CodeCache }, { defaultCacheDir }, { existsSync }, { join }] = await Promise.all([
        import("./commands/code-cache.js"),
        import("./sources/jsonl/cache-keys.js"),
        import("node:fs"),
        import("node:path"),
      ]);
      const file = fileURLToPath(new URL("./dispatch.cjs", import.meta.url));
      if (existsSync(file)) {
        const cache = new CodeCache(join(defaultCacheDir(process.env), "code"), argv[0] ?? "");
        const loaded = cache.require(file) as typeof Dispatch;
        process.once("exit", () => cache.write());
        return loaded;
      }
    } catch {
      // compiled as usual below
    }
  }
  return import("./commands/dispatch.js");
}

// no top-level await: the entry is also built as CommonJS (see tsup.config.ts)
void answered().then(async (done) => {
  if (done) return;
  // the second scan thread boots while the dispatcher compiles
  const head = await headStart();
  process.exitCode = await (await dispatcher()).main(argv, head);
});
