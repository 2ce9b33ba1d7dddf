import { statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";

export interface RootsResult {
  /** `<config>/projects` folders that exist */
  roots: string[];
  /** config dirs that were asked for but hold no projects/ folder (reported, not fatal) */
  missing: string[];
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function expandHome(p: string, home: string): string {
  if (p === "~") return home;
  if (p.startsWith("~/")) return join(home, p.slice(2));
  return p;
}

/**
 * Where Claude Code keeps transcripts, the way ccusage finds them: every entry of
 * CLAUDE_CONFIG_DIR (comma list; then no defaults), else $XDG_CONFIG_HOME/claude and ~/.claude.
 */
export function findTranscriptRoots(env: Record<string, string | undefined> = process.env): RootsResult {
  const home = env["HOME"] ?? homedir();
  const configured = env["CLAUDE_CONFIG_DIR"]?.trim();
  const candidates: string[] = [];
  if (configured) {
    for (const raw of configured.split(",")) {
      const p = raw.trim();
      if (p === "") continue;
      const abs = resolve(expandHome(p, home));
      candidates.push(basename(abs) === "projects" ? dirname(abs) : abs);
    }
  } else {
    const xdg = env["XDG_CONFIG_HOME"]?.trim() || join(home, ".config");
    candidates.push(join(xdg, "claude"), join(home, ".claude"));
  }
  const roots: string[] = [];
  const missing: string[] = [];
  for (const c of [...new Set(candidates)]) {
    const projects = join(c, "projects");
    if (isDir(projects)) roots.push(projects);
    else missing.push(c);
  }
  return { roots, missing };
}
