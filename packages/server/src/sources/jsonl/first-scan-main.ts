/**
 * The daemon's first start on a long history scans here, in a process of its own, to fill the
 * scan cache; the daemon then starts from the cache as a restart does. What a cold scan leaves
 * behind goes with this process: glibc keeps memory freed by it inside its arenas for the life of
 * the process (after a 1 GiB history a first start held ~20 MB more than a restart).
 * Arguments: the roots as JSON, the cache folder. Exits 0 once the cache is written.
 */
import { backfillTranscripts } from "./load.js";

const say = (msg: string) => process.stderr.write(`claude-gauge: ${msg}\n`);
// A daemon killed mid-scan closes its end of our stdin. This thread's part of the scan runs
// without turning the event loop, so the process ends at its first turn after that part (a
// daemon that exits normally kills it at once).
process.stdin.on("end", () => process.exit(1));
process.stdin.on("error", () => process.exit(1));
process.stdin.resume();

const [rootsJson = "[]", dir = ""] = process.argv.slice(2);
const roots = JSON.parse(rootsJson) as string[];
const ignore = () => {};
backfillTranscripts(roots, { now: Date.now(), cache: { dir }, progress: say }, { usageRows: ignore, limit: ignore, badLine: ignore }).then(
  () => process.exit(0),
  (e: unknown) => {
    say(`the first scan's process failed: ${String((e as Error)?.message ?? e).split("\n", 1)[0]}`);
    process.exit(1);
  },
);
