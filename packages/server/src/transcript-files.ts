import { readdir, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";

export interface TranscriptFile {
  path: string;
  /** the `projects/` folder it was found under */
  root: string;
  /** first folder below projects/: Claude Code's encoded cwd */
  project: string;
  /** file name without .jsonl (the session id for top-level files, agent-<id> for subagents) */
  name: string;
  size: number;
  mtimeMs: number;
}

export interface WalkProblem {
  path: string;
  error: string;
}

/**
 * All *.jsonl below each root, including `<session>/subagents/` folders. Follows symlinks once
 * (real paths are remembered, so a loop ends), and reports unreadable entries instead of failing.
 */
export async function listTranscriptFiles(
  roots: readonly string[],
  problems: WalkProblem[] = [],
): Promise<TranscriptFile[]> {
  const out: TranscriptFile[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();

  async function walk(dir: string, root: string): Promise<void> {
    let real: string;
    try {
      real = await realpath(dir);
    } catch (e) {
      problems.push({ path: dir, error: (e as Error).message });
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      problems.push({ path: dir, error: (e as Error).message });
      return;
    }
    for (const ent of entries) {
      const p = join(dir, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          const s = await stat(p);
          isDir = s.isDirectory();
          isFile = s.isFile();
        } catch (e) {
          problems.push({ path: p, error: (e as Error).message });
          continue;
        }
      }
      if (isDir) {
        await walk(p, root);
      } else if (isFile && ent.name.endsWith(".jsonl")) {
        try {
          const s = await stat(p);
          const realFile = await realpath(p);
          if (seenFiles.has(realFile)) continue;
          seenFiles.add(realFile);
          const rel = relative(root, p).split(sep);
          out.push({
            path: p,
            root,
            project: rel.length > 1 ? (rel[0] ?? "") : "",
            name: ent.name.slice(0, -".jsonl".length),
            size: s.size,
            mtimeMs: s.mtimeMs,
          });
        } catch (e) {
          problems.push({ path: p, error: (e as Error).message });
        }
      }
    }
  }

  for (const root of roots) await walk(root, root);
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}
