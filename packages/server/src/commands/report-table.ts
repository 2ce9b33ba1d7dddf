/**
 * The reports as tables for people, laid out like ccusage's (`ccusage claude daily` without --json):
 * one row per day, session or block, the models as a list in their cell, numbers right-aligned with
 * thousands separators, a Total row. Colour only when the output is a terminal.
 */
import type { BlockRow, DailyRow, ReportTotals, SessionRow } from "@claude-gauge/core/reports";
import Table from "cli-table3";
import pc from "picocolors";

type Colors = ReturnType<typeof pc.createColors>;

/** Colour when writing to a terminal, unless NO_COLOR; FORCE_COLOR turns it on anywhere. */
export function wantsColor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  // set and not empty, as no-color.org asks; FORCE_COLOR=0 forces it off
  if (env["NO_COLOR"]) return false;
  if (env["FORCE_COLOR"]) return env["FORCE_COLOR"] !== "0";
  return stream.isTTY === true && env["TERM"] !== "dumb";
}

const num = (n: number) => Math.round(n).toLocaleString("en-US");
const usd = (n: number) => `$${n.toFixed(2)}`;

/** "claude-opus-4-5-20251101" → "opus-4-5", as ccusage lists them. */
function shortModel(model: string): string {
  return model.replace(/^claude-/, "").replace(/-\d{8}(?=$|-)/, "");
}

function modelList(models: readonly string[]): string {
  if (models.length === 0) return "-";
  return [...new Set(models.map(shortModel))]
    .sort()
    .map((m) => `- ${m}`)
    .join("\n");
}

const TOKEN_HEADS = ["Input", "Output", "Cache Create", "Cache Read", "Total Tokens", "Cost (USD)"];

function tokenCells(t: ReportTotals): string[] {
  return [num(t.inputTokens), num(t.outputTokens), num(t.cacheCreationTokens), num(t.cacheReadTokens), num(t.totalTokens), usd(t.totalCost)];
}

function render(c: Colors, head: string[], aligns: ("left" | "right")[], rows: string[][], total: string[]): string {
  const table = new Table({
    head: head.map((h) => c.cyan(h)),
    colAligns: aligns,
    // our own colours (or none): cli-table3's defaults colour even when piped
    style: { head: [], border: [] },
  });
  for (const r of rows) table.push(r);
  table.push(total.map((cell) => c.yellow(cell)));
  return table.toString();
}

const RIGHT6: ("left" | "right")[] = ["right", "right", "right", "right", "right", "right"];

export function dailyTable(r: { daily: DailyRow[]; totals: ReportTotals }, color: boolean): string {
  const c = pc.createColors(color);
  return render(
    c,
    ["Date", "Models", ...TOKEN_HEADS],
    ["left", "left", ...RIGHT6],
    r.daily.map((d) => [d.date, modelList(d.modelsUsed), ...tokenCells(d)]),
    ["Total", "", ...tokenCells(r.totals)],
  );
}

export function sessionTable(r: { sessions: SessionRow[]; totals: ReportTotals }, color: boolean, timeZone: string): string {
  const c = pc.createColors(color);
  const day = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  return render(
    c,
    ["Session", "Models", ...TOKEN_HEADS, "Last Activity"],
    ["left", "left", ...RIGHT6, "left"],
    r.sessions.map((s) => [s.sessionId, modelList(s.modelsUsed), ...tokenCells(s), day.format(Date.parse(s.lastActivity))]),
    ["Total", "", ...tokenCells(r.totals), ""],
  );
}

function duration(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60_000));
  return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m`;
}

export function blocksTable(r: { blocks: BlockRow[] }, color: boolean, timeZone: string, now: number): string {
  const c = pc.createColors(color);
  const at = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const when = (iso: string) => at.format(Date.parse(iso)).replace(",", "");
  const rows = r.blocks.map((b) => {
    const start = Date.parse(b.startTime);
    if (b.isGap) {
      return [c.gray(`${when(b.startTime)} – ${when(b.endTime)} (${duration(Date.parse(b.endTime) - start)} gap)`), c.gray("(inactive)"), "-", "-", "-"];
    }
    const end = b.actualEndTime === null ? start : Date.parse(b.actualEndTime);
    const status = b.isActive ? c.green(`ACTIVE, ${duration(Date.parse(b.endTime) - now)} left`) : "";
    return [`${when(b.startTime)} (${duration(end - start)})`, status, modelList(b.models), num(b.totalTokens), usd(b.costUSD)];
  });
  const real = r.blocks.filter((b) => !b.isGap);
  const total = [`Total (${real.length} blocks)`, "", "", num(real.reduce((n, b) => n + b.totalTokens, 0)), usd(real.reduce((n, b) => n + b.costUSD, 0))];
  return render(c, ["Block Start", "Duration/Status", "Models", "Tokens", "Cost (USD)"], ["left", "left", "left", "right", "right"], rows, total);
}
