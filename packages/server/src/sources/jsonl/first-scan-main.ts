/**
 * The daemon's first start on a long history scans here, in a process of its own, to fill the
 * scan cache; the daemon then starts from the cache as a restart does. What a cold scan leaves
 * behind goes with this process: glibc keeps memory freed by it inside its arenas for the life of
 * the process (after a 1 GiB history a first start held ~20 MB more than a restart).
 * Arguments: the roots as JSON, the cache folder, "show-projects" when the daemon names project
 * folders (its notes name files as the daemon's log does). Exits 0 once the cache is written.
 */
import { pathLabeler, projectLabeler } from "../project-label.js";
import { backfillTranscripts } from "./load.js";

const say = (msg: string) => process.stderr.write(`claude-gauge: ${msg}\n`);
// A daemon killed mid-scan closes its end of our stdin. This thread's part of the scan runs
// without turning the event loop, so the process ends at its first turn after that part (a
// daemon that exits normally kills it at once).
process.stdin.on("end", () => process.exit(1));
process.stdin.on("error", () => process.exit(1));
process.stdin.resume();

const [rootsJson = "[]", dir = "", projects = ""] = process.argv.slice(2);
const roots = JSON.parse(rootsJson) as string[];
const label = pathLabeler(() => roots, projectLabeler(projects === "show-projects"));
const ignore = () => {};
backfillTranscripts(roots, { now: Date.now(), cache: { dir }, progress: say, label }, { usageRows: ignore, limit: ignore, badLine: ignore }).then(
  () => process.exit(0),
  (e: unknown) => {
    // an error's message may hold a path: its code or name only
    say(`the first scan's process failed (${(e as NodeJS.ErrnoException)?.code ?? (e as Error)?.name ?? "error"}); the daemon scans itself`);
    process.exit(1);
  },
);
