/** Display formatting: compact token counts, money, shares and countdowns. */

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 4213456 → "4.2M", 812345 → "812k", 950 → "950" */
export function compactTokens(n: number): string {
  const a = Math.abs(n);
  const fmt = (v: number, unit: string) =>
    `${v >= 100 ? Math.round(v) : v >= 10 ? v.toFixed(1).replace(/\.0$/, "") : v.toFixed(2).replace(/\.?0+$/, "")}${unit}`;
  if (a >= 1e9) return fmt(n / 1e9, "B");
  if (a >= 1e6) return fmt(n / 1e6, "M");
  if (a >= 1e3) return fmt(n / 1e3, "k");
  return String(Math.round(n));
}

/** 4213456 → "4,213,456" */
export function fullNumber(n: number): string {
  return int.format(n);
}

export function usd(n: number): string {
  return n >= 1000 ? `$${int.format(Math.round(n))}` : `$${n.toFixed(2)}`;
}

/** 0.923 → "92 %" */
export function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

/** ms → "2 h 14 m", "3 d 4 h", "45 s" */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} m`;
  if (m > 0) return `${m} m ${String(s % 60).padStart(2, "0")} s`;
  return `${s} s`;
}

/** A reset moment in the viewer's zone: "19:00" today, "Sat 14:00" later. */
export function clockTime(ms: number, nowMs: number): string {
  const d = new Date(ms);
  const hm = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
  const sameDay = new Date(nowMs).toDateString() === d.toDateString();
  return sameDay ? hm : `${d.toLocaleDateString(undefined, { weekday: "short" })} ${hm}`;
}
