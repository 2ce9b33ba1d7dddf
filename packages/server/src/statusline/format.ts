import type { OfficialLimit, OfficialRateLimits } from "@claude-gauge/core";

/** The parts of GET /usage the line shows; read by hand so zod stays out of this bundle. */
export interface DaemonView {
  /** tokens/min over the last 60 s */
  rate1m: number | null;
  /** estimated used shares, 0..1 */
  pct5h: number | null;
  pct7d: number | null;
  /** ms since epoch */
  reset5h: number | null;
  reset7d: number | null;
  /** lit lamps in cluster order, upper case (OPUS … IDLE, then LIMIT) */
  lamps: string[];
}

const ESC = "\x1b[";
const RESET = `${ESC}0m`;

/** Colour of a used share: green below 50 %, yellow below 80 %, orange below 95 %, red above. */
export function pctColour(pct: number): string {
  if (pct < 0.5) return `${ESC}32m`;
  if (pct < 0.8) return `${ESC}33m`;
  if (pct < 0.95) return `${ESC}38;5;208m`;
  return `${ESC}31m`;
}

/** "2h14m", "3d4h", "9m"; whole minutes rounded up, so "0m" only at the reset itself. */
export function formatCountdown(ms: number): string {
  const min = Math.max(0, Math.ceil(ms / 60_000));
  if (min < 60) return `${min}m`;
  if (min < 24 * 60) return `${Math.floor(min / 60)}h${min % 60}m`;
  return `${Math.floor(min / 1440)}d${Math.floor((min % 1440) / 60)}h`;
}

/** "850", "12.3k", "240k", "1.2M" tokens/min. */
export function formatRate(perMin: number): string {
  const n = Math.max(0, perMin);
  if (n < 1000) return String(Math.round(n));
  if (n < 100_000) return `${(n / 1000).toFixed(1)}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

interface WindowView {
  /** 0..1 */
  pct: number;
  /** ms since epoch, or null when unknown */
  resetAt: number | null;
  /** from the daemon's token estimate, not from Claude */
  estimated: boolean;
}

function formatWindow(label: string, w: WindowView, now: number, colour: boolean): string {
  // floored so "100%" only ever means the limit is reached
  const text = `${w.estimated ? "~" : ""}${Math.floor(w.pct * 100 + 1e-9)}%`;
  const pct = colour ? `${pctColour(w.pct)}${text}${RESET}` : text;
  const reset = w.resetAt !== null ? ` ↺${formatCountdown(w.resetAt - now)}` : "";
  return `${label} ${pct}${reset}`;
}

const LAMP_COLOUR: Readonly<Record<string, string>> = { HOT: `${ESC}31m`, LIMIT: `${ESC}31m`, WARN: `${ESC}38;5;208m`, STALL: `${ESC}33m` };

function officialWindow(l: OfficialLimit | null | undefined, now: number): WindowView | null {
  // a reading from before its reset says nothing about the new window
  return l && now < l.resetsAt ? { pct: l.usedPct, resetAt: l.resetsAt, estimated: false } : null;
}

function estimatedWindow(pct: number | null | undefined, resetAt: number | null | undefined): WindowView | null {
  return typeof pct === "number" ? { pct, resetAt: resetAt ?? null, estimated: true } : null;
}

/** The line for what is known; null when there is nothing to show. */
export function formatStatusline(rateLimits: OfficialRateLimits | null, daemon: DaemonView | null, now: number, colour: boolean): string | null {
  const parts: string[] = [];
  const w5 = officialWindow(rateLimits?.fiveHour, now) ?? estimatedWindow(daemon?.pct5h, daemon?.reset5h);
  const w7 = officialWindow(rateLimits?.sevenDay, now) ?? estimatedWindow(daemon?.pct7d, daemon?.reset7d);
  if (w5) parts.push(formatWindow("5h", w5, now, colour));
  if (w7) parts.push(formatWindow("7d", w7, now, colour));
  if (daemon) {
    if (daemon.rate1m !== null) parts.push(`${formatRate(daemon.rate1m)} tok/min`);
    if (daemon.lamps.length > 0) {
      parts.push(daemon.lamps.map((l) => (colour && LAMP_COLOUR[l] ? `${LAMP_COLOUR[l]}${l}${RESET}` : l)).join(" "));
    }
  }
  return parts.length > 0 ? parts.join(" · ") : null;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function isoMs(v: unknown): number | null {
  if (typeof v !== "string") return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

/** Reads the fields the line shows from a GET /usage body; null when it is not a snapshot. */
export function parseDaemonUsage(body: string): DaemonView | null {
  let u: unknown;
  try {
    u = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof u !== "object" || u === null || Array.isArray(u)) return null;
  const o = u as Record<string, unknown>;
  const lamps: string[] = [];
  const model = o["last_model"];
  if (model === "opus" || model === "sonnet" || model === "haiku") lamps.push(model.toUpperCase());
  for (const k of ["hot", "warn", "stall", "idle", "limit_hit"] as const) {
    if (o[k] === true) lamps.push(k === "limit_hit" ? "LIMIT" : k.toUpperCase());
  }
  return {
    rate1m: num(o["rate_1m"]),
    pct5h: num(o["window_5h_pct"]),
    pct7d: num(o["window_7d_pct"]),
    reset5h: isoMs(o["window_5h_reset_at"]),
    reset7d: isoMs(o["window_7d_reset_at"]),
    lamps,
  };
}
