/*
 * First run: when the daemon follows no transcript at all, the page says so in words — where it
 * looked and how to point it elsewhere — instead of looking like a healthy idle gauge. Read from
 * /healthz; the notice goes away by itself once transcripts appear.
 */

/** One source as /healthz reports it (only the fields the notice reads). */
export interface SourceHealth {
  kind: string;
  files: number;
  /** the projects folders being watched */
  roots: string[];
  /** the config folders searched */
  looked_in: string[];
}

const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === "string");

/** The transcript sources of a /healthz answer; null when it does not have the expected shape. */
export function asSources(x: unknown): SourceHealth[] | null {
  if (typeof x !== "object" || x === null || !Array.isArray((x as { sources?: unknown }).sources)) return null;
  const out: SourceHealth[] = [];
  for (const s of (x as { sources: unknown[] }).sources) {
    if (typeof s !== "object" || s === null) return null;
    const o = s as Record<string, unknown>;
    if (typeof o["kind"] !== "string") return null;
    // sources without transcript folders (a demo, later OTLP) have nothing to find
    if (o["kind"] !== "jsonl") continue;
    if (typeof o["files"] !== "number" || !strings(o["roots"]) || !strings(o["looked_in"])) return null;
    out.push({ kind: o["kind"], files: o["files"], roots: o["roots"], looked_in: o["looked_in"] });
  }
  return out;
}

export interface Notice {
  title: string;
  detail: string;
  /** the folders, each shown as code */
  places: string[];
  hint: string;
}

const HINT = "Point it elsewhere: start it with CLAUDE_CONFIG_DIR=/path/to/claude-config (a comma list works) — the folder that holds projects/.";

/** What to tell the viewer, or null when transcripts are being followed. */
export function firstRunNotice(sources: readonly SourceHealth[]): Notice | null {
  if (sources.length === 0 || sources.some((s) => s.files > 0)) return null;
  const roots = sources.flatMap((s) => s.roots);
  if (roots.length > 0) {
    return {
      title: "No Claude Code transcripts yet",
      detail: "The daemon is watching these folders, and they hold no transcript yet; the gauges move as soon as Claude Code writes one:",
      places: roots,
      hint: HINT,
    };
  }
  return {
    title: "No Claude Code transcripts found",
    detail: "The gauges read zero because the daemon found no projects/ folder of Claude Code's. It looked in:",
    places: sources.flatMap((s) => s.looked_in),
    hint: HINT,
  };
}

/** The notice's element: hidden while transcripts are followed. */
export class FirstRunView {
  readonly root: HTMLElement;
  #shown = "";

  constructor() {
    this.root = document.createElement("section");
    this.root.className = "first-run";
    this.root.setAttribute("role", "status");
    this.root.hidden = true;
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  show(n: Notice | null): void {
    const key = JSON.stringify(n);
    if (key === this.#shown) return;
    this.#shown = key;
    this.root.hidden = n === null;
    if (n === null) {
      this.root.replaceChildren();
      return;
    }
    const title = document.createElement("h2");
    title.textContent = n.title;
    const detail = document.createElement("p");
    detail.textContent = n.detail;
    const list = document.createElement("ul");
    for (const p of n.places) {
      const li = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = p;
      li.append(code);
      list.append(li);
    }
    const hint = document.createElement("p");
    hint.className = "first-run-hint";
    hint.textContent = n.hint;
    this.root.replaceChildren(title, detail, list, hint);
  }
}
