import { createHash } from "node:crypto";
import { relative, sep } from "node:path";

/**
 * How a project appears outside the daemon (stats, health, logs): its folder name only when the
 * user opted in (`--show-projects`), else a short stable hash — a project folder is the user's
 * working directory, which they may not want on a page or in a log.
 */
export function projectLabeler(show: boolean): (project: string) => string {
  if (show) return (p) => p;
  return (p) => `project-${createHash("sha256").update(p).digest("hex").slice(0, 8)}`;
}

/** A path below one of `roots` with its project folder (the first segment) passed through `label`. */
export function pathLabeler(roots: () => readonly string[], label: (project: string) => string): (path: string) => string {
  return (path) => {
    for (const root of roots()) {
      const rel = relative(root, path);
      if (rel === "" || rel.startsWith("..")) continue;
      const [project, ...rest] = rel.split(sep);
      return [root, label(project ?? ""), ...rest].join(sep);
    }
    return path;
  };
}
