import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { civilDate } from "@claude-gauge/core";
import type { StatuslineSample } from "./sample.js";

export type StatuslineEnv = Readonly<Record<string, string | undefined>>;

/** Days of readings kept: the 7 d window's fit needs a week, plus a day of slack. */
export const STATE_KEEP_DAYS = 8;
/** Enough of a file's end to hold its last line (bytes); a reading is ~150. */
const TAIL_BYTES = 4096;
const DAY_FILE = /^official-(\d{4}-\d{2}-\d{2})\.jsonl$/;
/** the single file of earlier releases, still read until it ages out */
const LEGACY_FILE = "official.jsonl";

/** `$XDG_STATE_HOME/claude-gauge` (else ~/.local/state/claude-gauge): where readings are kept. */
export function stateDir(env: StatuslineEnv): string {
  const xdg = env["XDG_STATE_HOME"];
  // the XDG spec says to ignore relative paths here
  const base = xdg && isAbsolute(xdg) ? xdg : join(env["HOME"] || homedir(), ".local", "state");
  return join(base, "claude-gauge");
}

/** The file a reading taken at `at` (ms since epoch) goes to: one per UTC day. */
export function dayFile(dir: string, at: number): string {
  // arithmetic, not Date: a process's first toISOString costs ~1 ms, a hundredth of this command
  return join(dir, `official-${civilDate(at)}.jsonl`);
}

/** The end of a file: its last complete line (null when none), and whether a torn line follows it. */
function fileEnd(file: string): { last: string | null; torn: boolean } | null {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return null;
  }
  try {
    const size = statSync(file).size;
    const len = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString("utf8").split("\n");
    const torn = lines.pop() !== "";
    // the first piece of a cut window may be a partial line
    if (size > len) lines.shift();
    return { last: lines.pop() ?? null, torn };
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends a reading to its day's file unless its rate limits equal that file's last line (Claude
 * Code repeats the same values on every refresh; the fit only learns from new readings).
 *
 * Files are only ever appended to, never rewritten: the status line runs after every response,
 * often several at once, and a read-modify-write trim loses whatever another run appends in
 * between. Old days are deleted whole instead.
 */
export function appendStateSample(dir: string, sample: StatuslineSample): "appended" | "unchanged" {
  const file = dayFile(dir, sample.at);
  const end = fileEnd(file);
  if (end?.last) {
    try {
      const prev = JSON.parse(end.last) as { rateLimits?: unknown };
      if (JSON.stringify(prev.rateLimits) === JSON.stringify(sample.rateLimits)) return "unchanged";
    } catch {
      // a foreign line: append after it
    }
  }
  const fresh = end === null;
  if (fresh) mkdirSync(dir, { recursive: true });
  // One write with O_APPEND: concurrent runs interleave whole lines, never bytes of them. After a
  // torn write, start a fresh line rather than glue onto it.
  appendFileSync(file, `${end?.torn ? "\n" : ""}${JSON.stringify(sample)}\n`);
  if (fresh) pruneStateFiles(dir, sample.at);
  return "appended";
}

/** Deletes day files older than STATE_KEEP_DAYS before `now` (ms), and the legacy file once it is that old. */
export function pruneStateFiles(dir: string, now: number): void {
  const oldest = civilDate(now - STATE_KEEP_DAYS * 86_400_000);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const day = DAY_FILE.exec(name)?.[1];
    const path = join(dir, name);
    try {
      if (day !== undefined ? day < oldest : name === LEGACY_FILE && statSync(path).mtimeMs < now - STATE_KEEP_DAYS * 86_400_000) unlinkSync(path);
    } catch {
      // another run deleted it first, or it is not ours to delete
    }
  }
}

/**
 * Every reading kept, oldest first, each line parsed by `parse` (the daemon's one validator);
 * lines it refuses (torn, foreign, out of range) are skipped. A missing folder is an empty list.
 */
export function readStateSamples(dir: string, parse: (v: unknown) => StatuslineSample | string): StatuslineSample[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => DAY_FILE.test(n) || n === LEGACY_FILE);
  } catch {
    return [];
  }
  const out: StatuslineSample[] = [];
  for (const name of names) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        continue;
      }
      const s = parse(v);
      if (typeof s !== "string") out.push(s);
    }
  }
  return out.sort((a, b) => a.at - b.at);
}
