import type { UsageSnapshot } from "@claude-gauge/core";

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const num = (x: number) => Math.round(x).toLocaleString("en-US");
const usd = (x: number) => `$${x.toFixed(2)}`;

function bar(pos: number, width = 20): string {
  const filled = Math.round((pos / 1000) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}

function until(iso: string | null, now: number): string {
  if (iso === null) return "—";
  const ms = Date.parse(iso) - now;
  if (ms <= 0) return `${iso} (now)`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  return `${iso} (in ${h >= 24 ? `${Math.floor(h / 24)}d ${h % 24}h` : `${h}h ${m}m`})`;
}

/** The snapshot as a short human table (the JSON is the contract; this is for eyes). */
export function formatOnce(s: UsageSnapshot, now: number): string {
  const lamps = (["hot", "warn", "stall", "idle", "limit_hit"] as const).filter((k) => s[k]).map((k) => k.toUpperCase());
  const rows: [string, string][] = [
    ["5h fuel", `${bar(s.fuel_5h_pos)} ${pct(s.window_5h_pct)} used, ${num(s.window_5h_tokens)} tokens, ${usd(s.cost_5h_usd)}`],
    ["  resets", until(s.window_5h_reset_at, now)],
    ["tach", `${bar(s.tach_pos)} ${num(s.rate_1m)} tokens/min`],
    ["7d fuel", `${bar(s.fuel_7d_pos)} ${pct(s.window_7d_pct)} used, ${num(s.window_7d_tokens)} tokens, ${usd(s.cost_7d_usd)}`],
    ["  resets", until(s.window_7d_reset_at, now)],
    ["model", s.last_model ?? "—"],
    ["cache hit", pct(s.cache_hit_rate)],
    ["thinking", pct(s.thinking_ratio)],
    ["lamps", lamps.length ? lamps.join(" ") : "—"],
    ["source", `${s.source} ${s.source_ok ? "ok" : "FAILING"}`],
  ];
  return rows.map(([k, v]) => `${k.padEnd(10)} ${v}`).join("\n");
}
