import { dateInZone } from "./calendar.js";
import type { UsageColumns } from "./usage-columns.js";
import { SYNTHETIC_MODEL } from "./usage-event.js";

export type StatsWindow = "day" | "week" | "all";

/** Token and cost sums of one group (tokens; USD). */
export interface StatsTotals {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  total: number;
  costUsd: number;
  messages: number;
}

export interface UsageStats {
  window: StatsWindow;
  /** ms since epoch; inclusive start of the window (null for all) */
  fromMs: number | null;
  toMs: number;
  totals: StatsTotals;
  byModel: ({ model: string } & StatsTotals)[];
  byProject: ({ project: string } & StatsTotals)[];
  /** calendar days in the stats zone, oldest first */
  byDay: ({ date: string } & StatsTotals)[];
}

export interface StatsOptions {
  /** IANA zone for calendar days; default UTC */
  timeZone?: string;
  /** maps the project folder name to what may be shown (e.g. a hash); default identity */
  projectLabel?: (project: string) => string;
}

const DAY_MS = 86_400_000;

function empty(): StatsTotals {
  return { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, total: 0, costUsd: 0, messages: 0 };
}

/** Counted messages by column with their cost: a MessageLedger is one. */
export interface PricedRows {
  readonly columns: UsageColumns;
  /** USD of row `i` */
  cost(i: number): number;
}

function add(t: StatsTotals, c: UsageColumns, i: number, cost: number): void {
  const input = c.input[i]!;
  const output = c.output[i]!;
  const cacheCreation = c.cacheCreation[i]!;
  const cacheRead = c.cacheRead[i]!;
  t.input += input;
  t.output += output;
  t.cacheCreation += cacheCreation;
  t.cacheRead += cacheRead;
  t.total += input + output + cacheCreation + cacheRead;
  t.costUsd += cost;
  t.messages += 1;
}

function group<K extends string>(m: Map<string, StatsTotals>, key: K): ({ [P in K]: string } & StatsTotals)[] {
  return [...m.entries()].map(([k, t]) => ({ [key]: k, ...t }) as { [P in K]: string } & StatsTotals).sort((a, b) => b.total - a.total);
}

/**
 * Aggregates for the usage page and /stats: "day" = the last 24 h, "week" = the last 7 days,
 * "all" = everything held. `now` is ms since epoch. One pass over the columns, no object per
 * message (a daemon holding a long history answers this in a few ms).
 */
export function computeStats(rows: PricedRows | readonly PricedRows[], window: StatsWindow, now: number, opts: StatsOptions = {}): UsageStats {
  const fromMs = window === "day" ? now - DAY_MS : window === "week" ? now - 7 * DAY_MS : null;
  const tz = opts.timeZone ?? "UTC";
  const label = opts.projectLabel ?? ((p: string) => p);
  const totals = empty();
  const byModel = new Map<string, StatsTotals>();
  const byProject = new Map<string, StatsTotals>();
  const byDay = new Map<string, StatsTotals>();
  const get = (m: Map<string, StatsTotals>, k: string) => {
    let t = m.get(k);
    if (t === undefined) {
      t = empty();
      m.set(k, t);
    }
    return t;
  };
  for (const set of Array.isArray(rows) ? (rows as readonly PricedRows[]) : [rows as PricedRows]) {
    const c = set.columns;
    const labels = new Map<number, string>();
    for (let i = 0; i < c.length; i++) {
      const ts = c.timestamp[i]!;
      if ((fromMs !== null && ts < fromMs) || ts > now) continue;
      const cost = set.cost(i);
      add(totals, c, i, cost);
      const model = c.strings[c.model[i]!]!;
      if (model !== SYNTHETIC_MODEL) add(get(byModel, model), c, i, cost);
      const ref = c.project[i]!;
      let shown = labels.get(ref);
      if (shown === undefined) {
        shown = label(c.strings[ref]!);
        labels.set(ref, shown);
      }
      add(get(byProject, shown), c, i, cost);
      add(get(byDay, dateInZone(ts, tz)), c, i, cost);
    }
  }
  return {
    window,
    fromMs,
    toMs: now,
    totals,
    byModel: group(byModel, "model"),
    byProject: group(byProject, "project"),
    byDay: group(byDay, "date").sort((a, b) => (a.date < b.date ? -1 : 1)),
  };
}

/** The usage page's colour bands: below 50 % green, then yellow, orange from 80 %, red from 95 %. */
export type ThresholdLevel = "ok" | "50" | "80" | "95";

export function thresholdLevel(pct: number): ThresholdLevel {
  if (pct >= 0.95) return "95";
  if (pct >= 0.8) return "80";
  if (pct >= 0.5) return "50";
  return "ok";
}
