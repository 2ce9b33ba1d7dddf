/**
 * The built statusline entry (dist/statusline-main.js): Claude Code's `statusLine` command.
 * A separate bundle from the CLI so start-up only loads node:http/fs and the statusline module.
 * Always prints a line and exits 0: a failing status line command is shown to the user as an error.
 */
import { parseStatuslineArgs, readStdin, statusline, STATUSLINE_FALLBACK } from "./statusline.js";

/** How long to wait for stdin to close; Claude Code closes it at once, a terminal never does (ms). */
const STDIN_CAP_MS = 200;
/** Hard stop whatever is still pending: the chained command's cap plus margin (ms). */
const DEADLINE_MS = 1500;

let printed = false;
function print(line: string): void {
  if (printed) return;
  printed = true;
  process.stdout.write(`${line}\n`, () => process.exit(0));
}

process.on("uncaughtException", () => print(STATUSLINE_FALLBACK));
process.on("unhandledRejection", () => print(STATUSLINE_FALLBACK));
setTimeout(() => {
  // stdout is synchronous for pipes, files and terminals, so the line is out before we exit
  print(STATUSLINE_FALLBACK);
  process.exit(0);
}, DEADLINE_MS);

const args = parseStatuslineArgs(process.argv.slice(2));
readStdin(process.stdin, STDIN_CAP_MS)
  .then((stdin) => statusline(stdin, process.env, args))
  .then(print, () => print(STATUSLINE_FALLBACK));
