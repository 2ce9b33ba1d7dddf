/**
 * Progress of a long scan as one line that rewrites itself, on a terminal only: piped or redirected
 * output (scripts, CI logs) gets no progress at all, only the result.
 */
export interface ProgressLine {
  /** shows `msg` in place of the previous one; undefined when progress is off */
  update: ((msg: string) => void) | undefined;
  /** clears the line so that what follows starts on a clean one */
  done(): void;
}

export function progressLine(stream: { isTTY?: boolean; write(s: string): unknown }, quiet: boolean): ProgressLine {
  if (quiet || stream.isTTY !== true) return { update: undefined, done: () => {} };
  const started = Date.now();
  let shown = false;
  return {
    update: (msg) => {
      shown = true;
      // \r + erase line: one line, rewritten, whatever its previous length
      stream.write(`\r\x1b[2Kclaude-gauge: ${msg} ${Math.round((Date.now() - started) / 1000)} s`);
    },
    done: () => {
      if (shown) stream.write("\r\x1b[2K");
    },
  };
}
