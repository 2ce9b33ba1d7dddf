import { readdirSync, realpathSync, statSync, type Stats } from "node:fs";
import { sep } from "node:path";

/**
 * What the file system says about a file; any change but growth means a full rescan. Times are
 * Node's mtimeMs and ctimeMs as text: milliseconds with their fraction, to a quarter of a
 * microsecond, finer than the clock file systems stamp with. Statted without bigint, which took
 * twice as long: the walk is most of a repeated report's own time.
 */
export interface FileIdentity {
  dev: string;
  ino: string;
  /** bytes */
  size: number;
  mtime: string;
  ctime: string;
}

function identityFrom(s: Stats): FileIdentity {
  return { dev: String(s.dev), ino: String(s.ino), size: s.size, mtime: String(s.mtimeMs), ctime: String(s.ctimeMs) };
}

export interface TranscriptFile {
  path: string;
  /** the `projects/` folder it was found under */
  root: string;
  /** the project the file belongs to: the encoded-cwd folder below projects/ (ccusage's rule) */
  project: string;
  /** the session the file belongs to: `P/S.jsonl` and `P/S/subagents/*.jsonl` both belong to S */
  name: string;
  size: number;
  mtimeMs: number;
  /** as stat'ed when listed (the scan cache and saved answers are keyed by it) */
  identity: FileIdentity;
}

/** `dir`/`name` (join() without its normalising: names from readdir hold no separator). */
export const below = (dir: string, name: string) => (dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`);

export interface WalkProblem {
  path: string;
  error: string;
}

/** A walk of some roots: what a later step of the same run can take instead of walking again. */
export interface Listing {
  roots: readonly string[];
  files: TranscriptFile[];
  problems: WalkProblem[];
}

/**
 * An fs error without the path Node puts in its message ("EACCES: permission denied, open '…'"):
 * the caller names the path itself, and paths below projects/ carry project names.
 */
export function fsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === "string") return err.message.split(",", 1)[0] ?? err.code;
  return "unreadable";
}

/**
 * Session and project of a transcript from its path below projects/, as ccusage groups them:
 * `P/S.jsonl` → S in P; `P/S/subagents/X.jsonl` → S in P; deeper files → their folder in the
 * folders above it; a file directly in projects/ → itself in "Unknown Project".
 */
export function sessionOfPath(parts: readonly string[]): { project: string; session: string } {
  const n = parts.length;
  const file = parts[n - 1] ?? "";
  if (n <= 1) return { project: "Unknown Project", session: file };
  if (n === 2) return { project: parts[0] ?? "", session: file.slice(0, -".jsonl".length) };
  if (n === 4 && parts[2] === "subagents") return { project: parts[0] ?? "", session: parts[1] ?? "" };
  return { project: parts.slice(0, n - 2).join("/"), session: parts[n - 2] ?? "" };
}

/**
 * All *.jsonl below each root, including `<session>/subagents/` folders. Follows symlinks once
 * (real paths are remembered, so a loop ends), and reports unreadable entries instead of failing.
 * Synchronous inside: one-shot commands and the daemon's backfill walk the tree once, and a
 * thousand awaited stats cost ~100 ms of round trips where the calls themselves take a few.
 */
export async function listTranscriptFiles(roots: readonly string[], problems: WalkProblem[] = []): Promise<TranscriptFile[]> {
  const out: TranscriptFile[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();

  /**
   * `real` is the folder's real path when known (reached through no symlink from a folder whose
   * real path is known): resolving every folder and file costs more than the rest of the walk.
   * `parts` are the names below the root (project and session come from them).
   */
  function walk(dir: string, root: string, known: string | null, parts: readonly string[]): void {
    let real = known;
    if (real === null) {
      try {
        real = realpathSync.native(dir);
      } catch (e) {
        problems.push({ path: dir, error: fsError(e) });
        return;
      }
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      problems.push({ path: dir, error: fsError(e) });
      return;
    }
    for (const ent of entries) {
      const p = below(dir, ent.name);
      const link = ent.isSymbolicLink();
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (link) {
        try {
          const s = statSync(p);
          isDir = s.isDirectory();
          isFile = s.isFile();
        } catch (e) {
          problems.push({ path: p, error: fsError(e) });
          continue;
        }
      }
      if (isDir) {
        walk(p, root, link ? null : below(real, ent.name), [...parts, ent.name]);
      } else if (isFile && ent.name.endsWith(".jsonl")) {
        try {
          const s = statSync(p);
          const realFile = link ? realpathSync.native(p) : below(real, ent.name);
          if (seenFiles.has(realFile)) continue;
          seenFiles.add(realFile);
          const { project, session } = sessionOfPath([...parts, ent.name]);
          out.push({
            path: p,
            root,
            project,
            name: session,
            size: s.size,
            mtimeMs: s.mtimeMs,
            identity: identityFrom(s),
          });
        } catch (e) {
          problems.push({ path: p, error: fsError(e) });
        }
      }
    }
  }

  for (const root of roots) walk(root, root, null, []);
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}
