import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import type { OfficialLimit } from "@claude-gauge/core";
import type { StatuslineSample } from "./sample.js";

export type StatuslineEnv = Readonly<Record<string, string | undefined>>;

/** Lines the state file keeps after trimming; it may grow 25 % past this before the next trim. */
export const STATE_KEEP_LINES = 200;

export function statePath(env: StatuslineEnv): string {
  const xdg = env["XDG_STATE_HOME"];
  // the XDG spec says to ignore relative paths here
  const base = xdg && isAbsolute(xdg) ? xdg : join(env["HOME"] || homedir(), ".local", "state");
  return join(base, "claude-gauge", "official.jsonl");
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * Appends a sample unless its rate limits equal the last line's: Claude Code repeats the same values
 * on every refresh, and the fit only learns from new readings. Trims to the newest
 * STATE_KEEP_LINES by an atomic rewrite once the file is 25 % longer, so most calls only append.
 */
export function appendStateSample(file: string, sample: StatuslineSample, keep = STATE_KEEP_LINES): "appended" | "unchanged" | "trimmed" {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // missing or unreadable: start afresh
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const last = lines.at(-1);
  if (last !== undefined) {
    try {
      const prev = JSON.parse(last) as { rateLimits?: unknown };
      if (JSON.stringify(prev.rateLimits) === JSON.stringify(sample.rateLimits)) return "unchanged";
    } catch {
      // a torn or foreign line: append after it
    }
  }
  const line = JSON.stringify(sample);
  mkdirSync(dirname(file), { recursive: true });
  if (lines.length + 1 <= Math.ceil(keep * 1.25)) {
    // after a torn write, start a fresh line rather than glue onto it
    appendFileSync(file, `${text === "" || text.endsWith("\n") ? "" : "\n"}${line}\n`);
    return "appended";
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${[...lines.slice(-(keep - 1)), line].join("\n")}\n`);
  renameSync(tmp, file);
  return "trimmed";
}

function limitOf(v: unknown): OfficialLimit | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  const usedPct = num(o["usedPct"]);
  const resetsAt = num(o["resetsAt"]);
  return usedPct !== null && resetsAt !== null && usedPct >= 0 && usedPct <= 1 ? { usedPct, resetsAt } : null;
}

/**
 * The samples kept in the state file, oldest first, for the daemon to replay on start. Lines that
 * are torn or of another shape are skipped; a missing file is an empty list.
 */
export function readStateSamples(file: string): StatuslineSample[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: StatuslineSample[] = [];
  for (const line of text.split("\n")) {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    const o = v as Record<string, unknown>;
    const at = num(o["at"]);
    const rl = o["rateLimits"];
    if (at === null || typeof rl !== "object" || rl === null) continue;
    const fiveHour = limitOf((rl as Record<string, unknown>)["fiveHour"]);
    const sevenDay = limitOf((rl as Record<string, unknown>)["sevenDay"]);
    if (!fiveHour && !sevenDay) continue;
    const sessionId = typeof o["sessionId"] === "string" ? o["sessionId"] : null;
    out.push({ at, sessionId, rateLimits: { fiveHour, sevenDay } });
  }
  return out;
}
