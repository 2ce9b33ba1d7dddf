/**
 * The status line command as Claude Code runs it, whichever way it is started (the installed copy
 * of dist/statusline-main, or `claude-gauge statusline`): read stdin, print one line, exit 0.
 * Always prints a line and exits 0: a failing status line command is shown to the user as an error.
 */
import { fstatSync, writeSync } from "node:fs";
import { bunRuntime } from "./bun-runtime.js";
import { parseStatuslineArgs, readStdin, statusline, STATUSLINE_FALLBACK } from "./statusline.js";

/** How long to wait for stdin to close; Claude Code closes it at once, a terminal never does (ms). */
const STDIN_CAP_MS = 200;
/** Hard stop whatever is still pending: the chained command's cap plus margin (ms). */
const DEADLINE_MS = 1500;

/**
 * Stdin as text; nothing from a terminal (nobody pipes into one: no need to wait for it). On Bun,
 * its own reader, which gives the text only once stdin closes: "" after the cap.
 */
function stdinText(): Promise<string> {
  try {
    if (fstatSync(0).isCharacterDevice()) return Promise.resolve("");
  } catch {
    return Promise.resolve(""); // no stdin at all
  }
  const bun = bunRuntime();
  if (bun === null) return readStdin(process.stdin, STDIN_CAP_MS);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(""), STDIN_CAP_MS);
    bun.stdin.text().then(
      (text) => {
        clearTimeout(timer);
        resolve(text);
      },
      () => resolve(""),
    );
  });
}

/** Runs the command with the words after it; ends the process. */
export function runStatusline(argv: readonly string[]): void {
  let printed = false;
  const print = (line: string): void => {
    if (printed) return;
    printed = true;
    // written straight to the descriptor: process.stdout would build a stream first (a few ms)
    try {
      writeSync(1, `${line}\n`);
    } catch (e) {
      // a stdout left non-blocking and full: the stream waits for room (else nobody is reading)
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") {
        process.stdout.write(`${line}\n`, () => process.exit(0));
        return;
      }
    }
    // a stdin that never closed must not hold the process
    process.exit(0);
  };
  process.on("uncaughtException", () => print(STATUSLINE_FALLBACK));
  process.on("unhandledRejection", () => print(STATUSLINE_FALLBACK));
  setTimeout(() => print(STATUSLINE_FALLBACK), DEADLINE_MS);
  const args = parseStatuslineArgs(argv);
  stdinText()
    .then((stdin) => statusline(stdin, process.env, args))
    .then(print, () => print(STATUSLINE_FALLBACK));
}
