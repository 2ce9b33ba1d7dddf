import { fstatSync, writeSync } from "node:fs";

/**
 * A one-shot command's output written straight to its descriptor. Node builds process.stdout or
 * process.stderr on first touch, and for a pipe (how scripts, the bench and Claude Code read
 * us) that loads node:net and a socket stream: ~5 ms, a tenth of a warm report. Reading
 * `isTTY` builds the stream too, so terminals are told apart by the descriptor first.
 */

type Fd = 1 | 2;

/** the descriptors whose stream took over (a write that could not be done at once): later text goes the same way, in order */
const viaStream = new Set<Fd>();

const streamOf = (fd: Fd): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

/** Whether `fd` is a terminal. Only a character device can be one; only then is the stream asked. */
export function isTerminal(fd: Fd): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false; // closed: nothing to colour or rewrite
  }
  return streamOf(fd).isTTY === true;
}

/**
 * Writes `text` to `fd` now. A descriptor left non-blocking that is full (EAGAIN), or any other
 * failure, hands the rest to the stream, which waits for room or reports the error as before.
 */
export function writeOut(fd: Fd, text: string): void {
  if (text === "") return;
  if (viaStream.has(fd)) {
    streamOf(fd).write(text);
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
  } catch {
    viaStream.add(fd);
    streamOf(fd).write(bytes.subarray(done));
  }
}

/** The streams that took over some output (see writeOut); the rest of the output is out already. */
export function streamsInUse(): NodeJS.WriteStream[] {
  return [...viaStream].map(streamOf);
}
