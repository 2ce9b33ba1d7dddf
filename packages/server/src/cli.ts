// The `claude-gauge` entry. It loads nothing but what it needs before deciding: a report asked
// again on unchanged transcripts is printed from its saved answer, without loading the CLI, core
// or zod (their load is most of a warm report's time); everything else goes to the dispatcher.
import { isTerminal, writeOut } from "./commands/direct-output.js";
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

// no top-level await: the entry is also built as CommonJS (see tsup.config.ts)
void answered().then(async (done) => {
  if (!done) process.exitCode = await (await import("./commands/dispatch.js")).main(argv, listing);
});
