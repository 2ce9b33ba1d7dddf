import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/**
 * Where the caches of transcript scans live and which build they belong to: kept apart from the
 * scan cache itself so that a report answered from a saved answer loads no scanner code.
 */

declare const __SCAN_FINGERPRINT__: string | undefined;
declare const __PRICING_FINGERPRINT__: string | undefined;
declare const __LEDGER_FINGERPRINT__: string | undefined;
declare const __BUILD_FINGERPRINT__: string | undefined;
/**
 * The scanner and decoder this build carries: a hash of their sources, set at build time (a new
 * release that changes what a line yields never reads an older release's cache).
 */
export const SCAN_FINGERPRINT: string = typeof __SCAN_FINGERPRINT__ === "string" ? __SCAN_FINGERPRINT__ : "source";

/** The bundled price table this build carries (saved ledgers hold costs, so they are keyed by it). */
export const PRICING_FINGERPRINT: string = typeof __PRICING_FINGERPRINT__ === "string" ? __PRICING_FINGERPRINT__ : "source";

/** The deduplication rules and the segments they are saved in: a saved ledger is keyed by them too. */
export const LEDGER_FINGERPRINT: string = typeof __LEDGER_FINGERPRINT__ === "string" ? __LEDGER_FINGERPRINT__ : "source";

/**
 * Every source of core and the server: a saved report answer depends on all of it (reports,
 * tables, prices). Null when run from source, where no build names the code.
 */
export const BUILD_FINGERPRINT: string | null = typeof __BUILD_FINGERPRINT__ === "string" ? __BUILD_FINGERPRINT__ : null;

/** $XDG_CACHE_HOME/claude-gauge, else ~/.cache/claude-gauge (a relative XDG path is ignored, per the spec). */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  const xdg = env["XDG_CACHE_HOME"];
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache"), "claude-gauge");
}

/**
 * `scan-<hash of the roots>`: the caches of one set of transcript roots start with this. A name,
 * not a check (each cache holds its roots and compares them): two FNV-1a lanes, because loading
 * node:crypto costs a saved answer ~5 ms.
 */
export function cacheStem(roots: readonly string[]): string {
  const text = JSON.stringify([...roots].sort());
  return `scan-${fnv1a(text, 0x811c9dc5)}${fnv1a(text, 0x050c5d1f)}`;
}

/** FNV-1a over UTF-16 code units from `seed`, as 8 hex digits: a name, not a check (no crypto to load). */
export function fnv1a(text: string, seed: number): string {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** The scan cache of these roots in `dir`. */
export function scanCachePath(dir: string, roots: readonly string[]): string {
  return join(dir, `${cacheStem(roots)}.bin`);
}

/** `<stem><ANSWERS_SUFFIX>`: the saved report answers beside a scan cache (see commands/report-answer.ts). */
export const ANSWERS_SUFFIX = ".answers.json";
