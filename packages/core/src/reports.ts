import { dateInZone } from "./calendar.js";
import { identifySessionBlocks } from "./session-blocks.js";
import { lookupPricing } from "./pricing.js";
import { formatIsoMillis } from "./timestamp.js";
import { TokenSum } from "./token-sum.js";
import type { KeptMessages } from "./message-ledger.js";
import { SYNTHETIC_MODEL, type LimitNotice, type UsageEvent, type WideCounts } from "./usage-event.js";

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

/** One model's share of a row: exact token sums and cost (USD). */
interface ModelShare {
  modelName: string;
  missingPricing: boolean;
  tokens: TokenSum;
  cost: number;
}

class Bucket {
  /** token sums, exact like ccusage's (see TokenSum) */
  readonly tokens = new TokenSum();
  cost = 0;
  first = Number.POSITIVE_INFINITY;
  last = Number.NEGATIVE_INFINITY;
  readonly models = new Map<string, ModelShare>();

  add(e: ReportRow, cost: number): void {
    this.tokens.add(e);
    this.cost += cost;
    if (e.timestamp < this.first) this.first = e.timestamp;
    if (e.timestamp > this.last) this.last = e.timestamp;
    const name = reportModelName(e);
    if (name === null) return;
    let m = this.models.get(name);
    if (m === undefined) {
      m = { modelName: name, missingPricing: lookupPricing(e.model) === null, tokens: new TokenSum(), cost: 0 };
      this.models.set(name, m);
    }
    m.tokens.add(e);
    m.cost += cost;
  }

  totals(): ReportTotals {
    const t = this.tokens;
    return {
      inputTokens: t.input,
      outputTokens: t.output,
      cacheCreationTokens: t.cacheCreation,
      cacheReadTokens: t.cacheRead,
      totalTokens: t.total,
      totalCost: this.cost,
    };
  }

  /** models in first-seen order */
  modelsUsed(): string[] {
    return [...this.models.keys()];
  }

  /** by cost, highest first; ties keep first-seen order (Array.prototype.sort is stable) */
  breakdowns(): ModelBreakdown[] {
    return [...this.models.values()]
      .sort((a, b) => b.cost - a.cost)
      .map(
        (m): ModelBreakdown => ({
          modelName: m.modelName,
          inputTokens: m.tokens.input,
          outputTokens: m.tokens.output,
          cacheCreationTokens: m.tokens.cacheCreation,
          cacheReadTokens: m.tokens.cacheRead,
          cost: m.cost,
          ...(m.missingPricing ? { missingPricing: true as const } : {}),
        }),
      );
  }
}

/** What a report reads of a counted message. */
type ReportRow = Pick<UsageEvent, "timestamp" | "input" | "output" | "cacheCreation" | "cacheRead" | "model" | "speed" | "project" | "fileSession"> & {
  wide?: WideCounts | undefined;
};

/**
 * Calls `each` with every message and its cost, in order. Kept messages are read from their
 * columns into one reused row (an object per message was a quarter of a report on a saved ledger);
 * `each` must not keep the row.
 */
function forEachRow(source: Iterable<PricedEntry> | KeptMessages, each: (row: ReportRow, cost: number) => void): void {
  if (!("columns" in source)) {
    for (const { event, cost } of source) each(event, cost);
    return;
  }
  const c = source.columns;
  const row: ReportRow = {
    timestamp: 0,
    input: 0,
    output: 0,
    cacheCreation: 0,
    cacheRead: 0,
    model: "",
    speed: null,
    project: "",
    fileSession: "",
    wide: undefined,
  };
  const noWide = c.wide.size === 0;
  for (let i = 0; i < source.size; i++) {
    row.timestamp = c.timestamp[i]!;
    row.input = c.input[i]!;
    row.output = c.output[i]!;
    row.cacheCreation = c.cacheCreation[i]!;
    row.cacheRead = c.cacheRead[i]!;
    row.model = c.strings[c.model[i]!]!;
    row.speed = c.speed(i);
    row.project = c.strings[c.project[i]!]!;
    row.fileSession = c.strings[c.fileSession[i]!]!;
    row.wide = noWide ? undefined : c.wide.get(i);
    each(row, source.cost(i));
  }
}

/** Entries in time order; ties keep the given (first-seen) order. */
export function sortEntries(entries: Iterable<PricedEntry>): PricedEntry[] {
  return [...entries].sort((a, b) => a.event.timestamp - b.event.timestamp);
}

/**
 * Since 1973 every zone's offset is a whole quarter hour, so one formatting per quarter hour is
 * enough; earlier (local mean times such as −4:56:02) and later than the zone data reach, each
 * instant is dated on its own.
 */
const QUARTER_HOUR_SAFE_FROM_MS = Date.UTC(1973, 0, 1);
const QUARTER_HOUR_SAFE_TO_MS = Date.UTC(9999, 11, 30);

function makeDater(timeZone: string): (ms: number) => string {
  const cache = new Map<number, string>();
  return (ms) => {
    if (ms < QUARTER_HOUR_SAFE_FROM_MS || ms > QUARTER_HOUR_SAFE_TO_MS) return dateInZone(ms, timeZone);
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

/** Sums of the rows kept, from their buckets (exact like ccusage's), plus the unpriced models seen. */
function grandTotals(buckets: readonly Bucket[]): GrandTotals {
  const tokens = new TokenSum();
  let totalCost = 0;
  const unpriced = new Set<string>();
  for (const b of buckets) {
    tokens.addSum(b.tokens);
    totalCost += b.cost;
    for (const m of b.breakdowns()) if (m.missingPricing) unpriced.add(m.modelName);
  }
  const t: GrandTotals = {
    inputTokens: tokens.input,
    outputTokens: tokens.output,
    cacheCreationTokens: tokens.cacheCreation,
    cacheReadTokens: tokens.cacheRead,
    totalTokens: tokens.total,
    totalCost,
  };
  if (unpriced.size > 0) t.unpricedModels = [...unpriced];
  return t;
}

/**
 * `report daily`: one row per calendar date in the filter's zone, oldest first. Entries in
 * first-seen order (path order of files, then line order), which orders `modelsUsed`.
 */
export function dailyReport(entries: Iterable<PricedEntry> | KeptMessages, filter: ReportFilter = {}): { daily: DailyRow[]; totals: GrandTotals } {
  const dater = makeDater(filter.timeZone ?? "UTC");
  const days = new Map<string, Bucket>();
  forEachRow(entries, (event, cost) => {
    const date = dater(event.timestamp);
    if (!inRange(date, filter)) return;
    let b = days.get(date);
    if (b === undefined) {
      b = new Bucket();
      days.set(date, b);
    }
    b.add(event, cost);
  });
  const sorted = [...days.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const daily = sorted.map(([date, b]): DailyRow => ({ date, ...b.totals(), modelsUsed: b.modelsUsed(), modelBreakdowns: b.breakdowns() }));
  return { daily, totals: grandTotals(sorted.map(([, b]) => b)) };
}

/**
 * `report session`: one row per (project, session) of the file each kept entry came from
 * (subagent logs belong to their parent session), most expensive first; sessions without tokens
 * are left out.
 */
export function sessionReport(entries: Iterable<PricedEntry> | KeptMessages, filter: ReportFilter = {}): { sessions: SessionRow[]; totals: GrandTotals } {
  const dater = makeDater(filter.timeZone ?? "UTC");
  const sessions = new Map<string, { project: string; session: string; bucket: Bucket }>();
  forEachRow(entries, (event, cost) => {
    if (!inRange(dater(event.timestamp), filter)) return;
    const key = `${event.project}\u0000${event.fileSession}`;
    let s = sessions.get(key);
    if (s === undefined) {
      s = { project: event.project, session: event.fileSession, bucket: new Bucket() };
      sessions.set(key, s);
    }
    s.bucket.add(event, cost);
  });
  const kept = [...sessions.values()]
    .map(({ project, session, bucket }) => ({
      bucket,
      row: {
        sessionId: session,
        projectPath: project,
        firstActivity: formatIsoMillis(bucket.first),
        lastActivity: formatIsoMillis(bucket.last),
        ...bucket.totals(),
        modelsUsed: bucket.modelsUsed(),
        modelBreakdowns: bucket.breakdowns(),
      } satisfies SessionRow,
    }))
    .filter(({ row }) => row.totalTokens > 0)
    .sort((a, b) => b.row.totalCost - a.row.totalCost);
  return { sessions: kept.map((k) => k.row), totals: grandTotals(kept.map((k) => k.bucket)) };
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
    const totalTokens = b.totalTokens;
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
      b.firstEntryMs === null || b.lastEntryMs === null ? undefined : notices.find((n) => n.timestamp >= b.firstEntryMs! && n.timestamp <= b.lastEntryMs!);
    return {
      ...(notice ? { usageLimitResetTime: formatIsoMillis(notice.resetAt) } : {}),
      id: b.id,
      startTime: formatIsoMillis(b.startMs),
      endTime: formatIsoMillis(b.endMs),
      actualEndTime: b.lastEntryMs === null ? null : formatIsoMillis(b.lastEntryMs),
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
