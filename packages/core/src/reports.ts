import { dateInZone } from "./calendar.js";
import { identifySessionBlocks } from "./session-blocks.js";
import { lookupPricing } from "./pricing.js";
import { SYNTHETIC_MODEL, type LimitNotice, type UsageEvent } from "./usage-event.js";

/** One counted message as batch reports see it: the kept line and its cost (USD). */
export interface PricedEntry {
  event: UsageEvent;
  cost: number;
}

/** Token totals with ccusage's field names, so scripts written for ccusage can switch. */
export interface ReportTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number;
}

export interface ModelBreakdown {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  cost: number;
  /** present (true) when the bundled price table does not know the model; its cost is 0 */
  missingPricing?: true;
}

/**
 * The name a report lists an entry under, as ccusage does: fast-mode messages as `<model>-fast`;
 * null for `<synthetic>` and model-less lines, which count tokens but are never listed.
 */
export function reportModelName(e: Pick<UsageEvent, "model" | "speed">): string | null {
  if (e.model === "" || e.model === SYNTHETIC_MODEL) return null;
  return e.speed === "fast" ? `${e.model}-fast` : e.model;
}

export interface DailyRow extends ReportTotals {
  date: string;
  modelsUsed: string[];
  modelBreakdowns: ModelBreakdown[];
}

export interface SessionRow extends ReportTotals {
  sessionId: string;
  projectPath: string;
  firstActivity: string;
  lastActivity: string;
  modelsUsed: string[];
  modelBreakdowns: ModelBreakdown[];
}

export interface ReportFilter {
  /** IANA zone for calendar dates; default UTC */
  timeZone?: string;
  /** inclusive YYYY-MM-DD bounds on the entry's date in timeZone */
  since?: string;
  until?: string;
}


class Bucket {
  input = 0;
  output = 0;
  cacheCreation = 0;
  cacheRead = 0;
  cost = 0;
  first = Number.POSITIVE_INFINITY;
  last = Number.NEGATIVE_INFINITY;
  readonly models = new Map<string, ModelBreakdown>();

  add(e: UsageEvent, cost: number): void {
    this.input += e.input;
    this.output += e.output;
    this.cacheCreation += e.cacheCreation;
    this.cacheRead += e.cacheRead;
    this.cost += cost;
    if (e.timestamp < this.first) this.first = e.timestamp;
    if (e.timestamp > this.last) this.last = e.timestamp;
    const name = reportModelName(e);
    if (name === null) return;
    let m = this.models.get(name);
    if (m === undefined) {
      m = { modelName: name, inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, cost: 0 };
      if (lookupPricing(e.model) === null) m.missingPricing = true;
      this.models.set(name, m);
    }
    m.inputTokens += e.input;
    m.outputTokens += e.output;
    m.cacheCreationTokens += e.cacheCreation;
    m.cacheReadTokens += e.cacheRead;
    m.cost += cost;
  }

  totals(): ReportTotals {
    return {
      inputTokens: this.input,
      outputTokens: this.output,
      cacheCreationTokens: this.cacheCreation,
      cacheReadTokens: this.cacheRead,
      totalTokens: this.input + this.output + this.cacheCreation + this.cacheRead,
      totalCost: this.cost,
    };
  }

  /** models in first-seen order */
  modelsUsed(): string[] {
    return [...this.models.keys()];
  }

  /** by cost, highest first; ties keep first-seen order (Array.prototype.sort is stable) */
  breakdowns(): ModelBreakdown[] {
    return [...this.models.values()].sort((a, b) => b.cost - a.cost);
  }
}

/** Entries in time order; ties keep the given (first-seen) order. */
export function sortEntries(entries: Iterable<PricedEntry>): PricedEntry[] {
  return [...entries].sort((a, b) => a.event.timestamp - b.event.timestamp);
}

function makeDater(timeZone: string): (ms: number) => string {
  // Zone offsets are whole quarter hours, so one formatting per quarter hour is enough.
  const cache = new Map<number, string>();
  return (ms) => {
    const q = Math.floor(ms / 900_000);
    let d = cache.get(q);
    if (d === undefined) {
      d = dateInZone(ms, timeZone);
      cache.set(q, d);
    }
    return d;
  };
}

function inRange(date: string, f: ReportFilter): boolean {
  return (f.since === undefined || date >= f.since) && (f.until === undefined || date <= f.until);
}

export interface GrandTotals extends ReportTotals {
  /** unknown models seen (priced at 0), only when there are any */
  unpricedModels?: string[];
}

function grandTotals(rows: readonly (ReportTotals & { modelBreakdowns: ModelBreakdown[] })[]): GrandTotals {
  const t: GrandTotals = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 0, totalCost: 0 };
  const unpriced = new Set<string>();
  for (const r of rows) for (const m of r.modelBreakdowns) if (m.missingPricing) unpriced.add(m.modelName);
  if (unpriced.size > 0) t.unpricedModels = [...unpriced];
  for (const r of rows) {
    t.inputTokens += r.inputTokens;
    t.outputTokens += r.outputTokens;
    t.cacheCreationTokens += r.cacheCreationTokens;
    t.cacheReadTokens += r.cacheReadTokens;
    t.totalTokens += r.totalTokens;
    t.totalCost += r.totalCost;
  }
  return t;
}

/**
 * `report daily`: one row per calendar date in the filter's zone, oldest first. Entries in
 * first-seen order (path order of files, then line order), which orders `modelsUsed`.
 */
export function dailyReport(entries: Iterable<PricedEntry>, filter: ReportFilter = {}): { daily: DailyRow[]; totals: GrandTotals } {
  const dater = makeDater(filter.timeZone ?? "UTC");
  const days = new Map<string, Bucket>();
  for (const { event, cost } of entries) {
    const date = dater(event.timestamp);
    if (!inRange(date, filter)) continue;
    let b = days.get(date);
    if (b === undefined) {
      b = new Bucket();
      days.set(date, b);
    }
    b.add(event, cost);
  }
  const daily = [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, b]): DailyRow => {
      return { date, ...b.totals(), modelsUsed: b.modelsUsed(), modelBreakdowns: b.breakdowns() };
    });
  return { daily, totals: grandTotals(daily) };
}

/**
 * `report session`: one row per (project, session) of the file each kept entry came from
 * (subagent logs belong to their parent session), most expensive first; sessions without tokens
 * are left out.
 */
export function sessionReport(
  entries: Iterable<PricedEntry>,
  filter: ReportFilter = {},
): { sessions: SessionRow[]; totals: GrandTotals } {
  const dater = makeDater(filter.timeZone ?? "UTC");
  const sessions = new Map<string, { project: string; session: string; bucket: Bucket }>();
  for (const { event, cost } of entries) {
    if (!inRange(dater(event.timestamp), filter)) continue;
    const key = `${event.project}\u0000${event.fileSession}`;
    let s = sessions.get(key);
    if (s === undefined) {
      s = { project: event.project, session: event.fileSession, bucket: new Bucket() };
      sessions.set(key, s);
    }
    s.bucket.add(event, cost);
  }
  const rows = [...sessions.values()]
    .map(({ project, session, bucket }): SessionRow => ({
      sessionId: session,
      projectPath: project,
      firstActivity: new Date(bucket.first).toISOString(),
      lastActivity: new Date(bucket.last).toISOString(),
      ...bucket.totals(),
      modelsUsed: bucket.modelsUsed(),
      modelBreakdowns: bucket.breakdowns(),
    }))
    .filter((r) => r.totalTokens > 0)
    .sort((a, b) => b.totalCost - a.totalCost);
  return { sessions: rows, totals: grandTotals(rows) };
}

export interface BlockRow {
  id: string;
  startTime: string;
  endTime: string;
  actualEndTime: string | null;
  isActive: boolean;
  isGap: boolean;
  entries: number;
  models: string[];
  tokenCounts: { inputTokens: number; outputTokens: number; cacheCreationInputTokens: number; cacheReadInputTokens: number };
  totalTokens: number;
  costUSD: number;
  burnRate: { tokensPerMinute: number; tokensPerMinuteForIndicator: number; costPerHour: number } | null;
  projection: { totalTokens: number; totalCost: number; remainingMinutes: number } | null;
  /** Claude's announced reset, from the earliest limit notice inside the block */
  usageLimitResetTime?: string;
}

/** `report blocks`: ccusage's 5 h session blocks as seen at `now` (ms since epoch), gaps included. */
export function blocksReport(
  sorted: readonly PricedEntry[],
  now: number,
  filter: ReportFilter = {},
  limits: readonly LimitNotice[] = [],
): { blocks: BlockRow[] } {
  const dater = makeDater(filter.timeZone ?? "UTC");
  const entries = sorted
    .filter(({ event }) => inRange(dater(event.timestamp), filter))
    .map(({ event, cost }) => ({ timestamp: event.timestamp, model: reportModelName(event) ?? SYNTHETIC_MODEL, counts: event, costUsd: cost }));
  const notices = [...limits].sort((a, b) => a.timestamp - b.timestamp);
  const blocks = identifySessionBlocks(entries, now).map((b): BlockRow => {
    const c = b.counts;
    const totalTokens = c.input + c.output + c.cacheCreation + c.cacheRead;
    let burnRate: BlockRow["burnRate"] = null;
    let projection: BlockRow["projection"] = null;
    const minutes = b.firstEntryMs !== null && b.lastEntryMs !== null ? (b.lastEntryMs - b.firstEntryMs) / 60_000 : 0;
    // ccusage only projects the active block, and needs a span to measure a rate over.
    if (b.isActive && minutes > 0) {
      burnRate = {
        tokensPerMinute: totalTokens / minutes,
        tokensPerMinuteForIndicator: (c.input + c.output) / minutes,
        costPerHour: (b.costUsd / minutes) * 60,
      };
      const remaining = Math.max(0, (b.endMs - now) / 60_000);
      projection = {
        totalTokens: Math.round(totalTokens + burnRate.tokensPerMinute * remaining),
        totalCost: Math.round((b.costUsd + (burnRate.costPerHour / 60) * remaining) * 100) / 100,
        remainingMinutes: Math.round(remaining),
      };
    }
    const notice =
      b.firstEntryMs === null || b.lastEntryMs === null
        ? undefined
        : notices.find((n) => n.timestamp >= b.firstEntryMs! && n.timestamp <= b.lastEntryMs!);
    return {
      ...(notice ? { usageLimitResetTime: new Date(notice.resetAt).toISOString() } : {}),
      id: b.id,
      startTime: new Date(b.startMs).toISOString(),
      endTime: new Date(b.endMs).toISOString(),
      actualEndTime: b.lastEntryMs === null ? null : new Date(b.lastEntryMs).toISOString(),
      isActive: b.isActive,
      isGap: b.isGap,
      entries: b.entryCount,
      models: b.models,
      tokenCounts: { inputTokens: c.input, outputTokens: c.output, cacheCreationInputTokens: c.cacheCreation, cacheReadInputTokens: c.cacheRead },
      totalTokens,
      costUSD: b.costUsd,
      burnRate,
      projection,
    };
  });
  return { blocks };
}
