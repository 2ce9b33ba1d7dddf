import { readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../files/write-atomic.js";
import { ANSWERS_SUFFIX, BUILD_FINGERPRINT, cacheStem, defaultCacheDir } from "../sources/jsonl/cache-keys.js";
import { listTranscriptFiles, type Listing, type TranscriptFile, type WalkProblem } from "../sources/jsonl/files.js";
import { findTranscriptRoots } from "../sources/jsonl/roots.js";
import { VERSION } from "../version.js";

/**
 * Saved answers of `report daily` and `report session`: the exact output of recent runs, kept
 * beside the scan cache together with everything that output depends on — the build, the
 * arguments, what shapes the output from outside (the system's zone, colour) and the identity of
 * every transcript file. Asked again on unchanged transcripts, the entry prints the saved answer
 * before the CLI, core or the scan cache are loaded: what is left is Node's start-up, a walk of
 * the tree and one small read. Blocks depend on the clock and are never saved; neither is a run
 * that could not read a folder or file (the next run may see more).
 */

const FORMAT = 1;
/** answers kept per set of roots (argument and output variants of the same files) */
const KEEP_ANSWERS = 8;
/**
 * Characters of output kept per set of roots, newest answers first: every lookup reads the whole
 * file, so older variants make way before it costs more to read than a report costs to compute.
 */
const MAX_ANSWERS_CHARS = 2 << 20;

export interface ReportOutput {
  stdout: string;
  stderr: string;
}

interface Answer extends ReportOutput {
  args: string[];
  context: string;
}

interface AnswerFile {
  format: number;
  build: string;
  roots: string[];
  /** every transcript file with its identity (see filesText) */
  files: string;
  answers: Answer[];
}

/** What a report's output hangs on besides its arguments and files. */
export interface OutputSetting {
  env: Readonly<Record<string, string | undefined>>;
  stdoutIsTTY: boolean;
}

const build = () => `${VERSION} ${BUILD_FINGERPRINT}`;

/**
 * The zone a report defaults to, the runtime and the colour decision, as a string to compare. ICU takes the
 * zone from TZ, else /etc/localtime (a link to a zone file, or a copy of one), else
 * /etc/timezone; asking Intl instead would load ICU's zone data (~20 ms) on every answer.
 */
function contextOf(s: OutputSetting): string {
  const zone = [s.env["TZ"] ?? null, fileSign("/etc/localtime"), fileSign("/etc/timezone")];
  if (zone[1] === null && zone[2] === null) zone.push(Intl.DateTimeFormat().resolvedOptions().timeZone);
  return JSON.stringify([zone, runtime(), s.env["NO_COLOR"] ?? null, s.env["FORCE_COLOR"] ?? null, s.env["TERM"] ?? null, s.stdoutIsTTY]);
}

/** Node or Bun and their ICU and time-zone data: another runtime may put a date near a changed offset on another day. */
function runtime(): string {
  const v = process.versions as Record<string, string | undefined>;
  return `node ${v["node"]} bun ${v["bun"] ?? "-"} icu ${v["icu"] ?? "-"} tz ${v["tz"] ?? "-"}`;
}

function fileSign(path: string): string | null {
  try {
    return `link:${readlinkSync(path)}`;
  } catch {
    try {
      return `file:${readFileSync(path).toString("base64")}`;
    } catch {
      return null;
    }
  }
}

/** Paths and identities of every file, in listing order: equal strings, the same transcripts. */
function filesText(files: readonly TranscriptFile[]): string {
  return files.map(({ path, identity: i }) => `${path}\u0000${i.dev}:${i.ino}:${i.size}:${i.mtime}:${i.ctime}`).join("\n");
}

function answersPath(dir: string, roots: readonly string[]): string {
  return join(dir, `${cacheStem(roots)}${ANSWERS_SUFFIX}`);
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/** The answers file of these roots as written by this build, or null (none, another build's, or not one). */
function readAnswers(path: string, roots: readonly string[]): AnswerFile | null {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (o["format"] !== FORMAT || o["build"] !== build() || typeof o["files"] !== "string") return null;
  if (!isStrings(o["roots"]) || o["roots"].join("\n") !== roots.join("\n") || !Array.isArray(o["answers"])) return null;
  const answers = (o["answers"] as unknown[]).filter((a): a is Answer => {
    if (typeof a !== "object" || a === null) return false;
    const x = a as Record<string, unknown>;
    return isStrings(x["args"]) && typeof x["context"] === "string" && typeof x["stdout"] === "string" && typeof x["stderr"] === "string";
  });
  return { format: FORMAT, build: o["build"], roots: o["roots"], files: o["files"], answers };
}

const size = (o: ReportOutput) => o.stdout.length + o.stderr.length;

/** The first answers that fit KEEP_ANSWERS and MAX_ANSWERS_CHARS (the list is newest first). */
function newest(answers: readonly Answer[]): Answer[] {
  const kept: Answer[] = [];
  let chars = 0;
  for (const a of answers) {
    if (kept.length === KEEP_ANSWERS || chars + size(a) > MAX_ANSWERS_CHARS) break;
    kept.push(a);
    chars += size(a);
  }
  return kept;
}

const sameArgs = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The saved output of `report <args>` when nothing it depends on has changed since it was saved,
 * else null (the report runs). `args` are the words after `report`, exactly as given. A walk of
 * the tree that did not match goes to `walked`, so the report need not walk it again.
 */
export async function savedAnswer(args: readonly string[], setting: OutputSetting, walked?: (l: Listing) => void): Promise<ReportOutput | null> {
  if (BUILD_FINGERPRINT === null || args.includes("--no-cache")) return null;
  const { roots } = findTranscriptRoots(setting.env);
  if (roots.length === 0) return null;
  const saved = readAnswers(answersPath(defaultCacheDir(setting.env), roots), roots);
  const context = contextOf(setting);
  const answer = saved?.answers.find((a) => sameArgs(a.args, args) && a.context === context);
  if (saved == null || answer === undefined) return null;
  const problems: WalkProblem[] = [];
  const files = await listTranscriptFiles(roots, problems);
  if (problems.length > 0 || filesText(files) !== saved.files) {
    walked?.({ roots, files, problems });
    return null;
  }
  return { stdout: answer.stdout, stderr: answer.stderr };
}

/**
 * Keeps the output of a finished `report <args>` for the next identical run. `files` are the
 * files as listed before they were read (a file written meanwhile has another identity next time,
 * so the answer is not used). Best effort: a cache that cannot be written is no error.
 */
export function saveAnswer(
  args: readonly string[],
  setting: OutputSetting,
  roots: readonly string[],
  files: readonly TranscriptFile[],
  out: ReportOutput,
): void {
  if (BUILD_FINGERPRINT === null || roots.length === 0 || size(out) > MAX_ANSWERS_CHARS) return;
  const path = answersPath(defaultCacheDir(setting.env), roots);
  const text = filesText(files);
  const context = contextOf(setting);
  const before = readAnswers(path, roots);
  const others = before !== null && before.files === text ? before.answers.filter((a) => !(sameArgs(a.args, args) && a.context === context)) : [];
  const next: AnswerFile = {
    format: FORMAT,
    build: build(),
    roots: [...roots],
    files: text,
    answers: newest([{ args: [...args], context, ...out }, ...others]),
  };
  try {
    writeFileAtomic(path, JSON.stringify(next), { mode: 0o600, dirMode: 0o700 });
  } catch {
    // read-only or full cache folder: the next run computes the report again
  }
}
