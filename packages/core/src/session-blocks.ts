import { formatIsoMillis } from "./timestamp.js";
import { TokenSum } from "./token-sum.js";
import { SYNTHETIC_MODEL } from "./usage-event.js";
import type { TokenCounts, WideCounts } from "./usage-event.js";
import { addCounts, totalTokens, ZERO_COUNTS } from "./usage-event.js";
import { type BlockState, check, checkCounts, isArray, isCount, isFiniteNumber, isTime } from "./windows-state.js";

/** Length of a ccusage session block and of the silence that ends one, ms (5 h). */
export const BLOCK_DURATION_MS = 5 * 60 * 60 * 1000;

const HOUR_MS = 60 * 60 * 1000;

/** What a block needs of one entry; a UsageDelta fits as is, a PricedEntry maps in one line. */
export interface BlockEntry {
  /** ms since epoch */
  timestamp: number;
  model: string;
  /** tokens; `wide` holds exact counts above 2^53 (reports sum those exactly) */
  counts: TokenCounts & { wide?: WideCounts };
  /** USD */
  costUsd: number;
}

/** One ccusage session block (or a gap block covering a silence longer than 5 h). */
export interface SessionBlock {
  /** ISO start time; gap blocks: "gap-" + ISO start time (ccusage's ids) */
  id: string;
  /** ms since epoch; entry blocks start at their first entry floored to the UTC hour */
  startMs: number;
  /** ms since epoch; entry blocks: start + 5 h; gap blocks: the next entry's time */
  endMs: number;
  /** ms since epoch of the first / last entry (last = ccusage's actualEndTime); null for gaps */
  firstEntryMs: number | null;
  lastEntryMs: number | null;
  isActive: boolean;
  isGap: boolean;
  entryCount: number;
  /** tokens per type, summed over the entries */
  counts: TokenCounts;
  /** input + output + cacheCreation + cacheRead; exact (saturating at 2^64 − 1) for report blocks */
  totalTokens: number;
  /** USD, summed in entry order */
  costUsd: number;
  /** distinct model ids in first-seen order, without "<synthetic>" (as ccusage 20 lists them) */
  models: string[];
}

export function floorToUtcHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/**
 * ccusage's split rule (strict `>` on both, verified in its source and against the 20.0.24 binary):
 * an entry exactly 5 h after the block start or after the previous entry stays in the block.
 */
export function startsNewBlock(blockStartMs: number, lastEntryMs: number, entryMs: number, durationMs: number): boolean {
  return entryMs - blockStartMs > durationMs || entryMs - lastEntryMs > durationMs;
}

/** ccusage's activity test: recent last entry and the block not yet over. */
export function isBlockActive(endMs: number, lastEntryMs: number, now: number, durationMs: number): boolean {
  return now - lastEntryMs < durationMs && now < endMs;
}

/** The gap block between two entries, or null when the silence is not longer than the duration. */
function gapBlock(lastEntryMs: number, nextEntryMs: number, durationMs: number): SessionBlock | null {
  if (nextEntryMs - lastEntryMs <= durationMs) return null;
  const startMs = lastEntryMs + durationMs;
  return {
    id: `gap-${formatIsoMillis(startMs)}`,
    startMs,
    endMs: nextEntryMs,
    firstEntryMs: null,
    lastEntryMs: null,
    isActive: false,
    isGap: true,
    entryCount: 0,
    counts: { ...ZERO_COUNTS },
    totalTokens: 0,
    costUsd: 0,
    models: [],
  };
}

function blockOf(startMs: number, entries: readonly BlockEntry[], now: number, durationMs: number): SessionBlock {
  const counts: TokenCounts = { ...ZERO_COUNTS };
  const exact = new TokenSum();
  let costUsd = 0;
  const models = new Set<string>();
  for (const e of entries) {
    addCounts(counts, e.counts);
    exact.add(e.counts);
    costUsd += e.costUsd;
    if (e.model !== SYNTHETIC_MODEL) models.add(e.model);
  }
  const first = entries[0]?.timestamp ?? startMs;
  const last = entries[entries.length - 1]?.timestamp ?? startMs;
  const endMs = startMs + durationMs;
  return {
    id: formatIsoMillis(startMs),
    startMs,
    endMs,
    firstEntryMs: first,
    lastEntryMs: last,
    isActive: isBlockActive(endMs, last, now, durationMs),
    isGap: false,
    entryCount: entries.length,
    counts: { ...counts, input: exact.input, output: exact.output, cacheCreation: exact.cacheCreation, cacheRead: exact.cacheRead },
    totalTokens: exact.total,
    costUsd,
    models: [...models],
  };
}

/**
 * ccusage's session blocks of `entries` (any order) as seen at `now` (ms since epoch).
 * Blocks come out ordered by start time with ties kept in creation order, as the 20.0.24 binary
 * prints them: a gap that starts after the next block's hour-floored start follows that block.
 */
export function identifySessionBlocks(entries: readonly BlockEntry[], now: number, durationMs: number = BLOCK_DURATION_MS): SessionBlock[] {
  const sorted = [...entries].sort((a, b) => a.timestamp - b.timestamp);
  const blocks: SessionBlock[] = [];
  let current: BlockEntry[] = [];
  let startMs = 0;
  for (const e of sorted) {
    const prev = current[current.length - 1];
    if (prev === undefined) {
      startMs = floorToUtcHour(e.timestamp);
      current = [e];
      continue;
    }
    if (!startsNewBlock(startMs, prev.timestamp, e.timestamp, durationMs)) {
      current.push(e);
      continue;
    }
    blocks.push(blockOf(startMs, current, now, durationMs));
    const gap = gapBlock(prev.timestamp, e.timestamp, durationMs);
    if (gap !== null) blocks.push(gap);
    startMs = floorToUtcHour(e.timestamp);
    current = [e];
  }
  if (current.length > 0) blocks.push(blockOf(startMs, current, now, durationMs));
  return blocks.sort((a, b) => a.startMs - b.startMs);
}

const NOTHING_CLOSED: readonly SessionBlock[] = Object.freeze([]);

/**
 * The same blocks, built one entry at a time with constant state per open block (sums, bounds and
 * the distinct model ids), for live windows that must not keep history. Fed entries in time order
 * it yields exactly what {@link identifySessionBlocks} returns (in creation order, not sorted).
 *
 * A late entry (older than the newest fed) that still falls inside the open block is added to it;
 * an older one belongs to a closed block and is only counted in {@link droppedLate}, because
 * re-opening history would need the entries this tracker does not keep.
 */
export class BlockTracker {
  private startMs = 0;
  private firstMs = 0;
  private lastMs = 0;
  private entryCount = 0;
  private counts: TokenCounts = { ...ZERO_COUNTS };
  private costUsd = 0;
  private models = new Set<string>();
  private late = 0;

  constructor(readonly durationMs: number = BLOCK_DURATION_MS) {}

  /**
   * Adds one entry; returns the blocks it closed (the finished block, then a gap block when the
   * silence exceeded the duration). Closed blocks are inactive for any `now` at or after the entry.
   */
  add(e: BlockEntry): readonly SessionBlock[] {
    const t = e.timestamp;
    if (this.entryCount === 0) {
      this.open(e);
      return NOTHING_CLOSED;
    }
    if (t < this.lastMs) {
      if (t < this.startMs) {
        this.late += 1;
        return NOTHING_CLOSED;
      }
      this.absorb(e);
      if (t < this.firstMs) this.firstMs = t;
      return NOTHING_CLOSED;
    }
    if (!startsNewBlock(this.startMs, this.lastMs, t, this.durationMs)) {
      this.absorb(e);
      this.lastMs = t;
      return NOTHING_CLOSED;
    }
    const closed = [this.snapshot(false)];
    const gap = gapBlock(this.lastMs, t, this.durationMs);
    if (gap !== null) closed.push(gap);
    this.open(e);
    return closed;
  }

  /** The open block as seen at `now` (ms since epoch), or null before the first entry. */
  current(now: number): SessionBlock | null {
    if (this.entryCount === 0) return null;
    return this.snapshot(isBlockActive(this.startMs + this.durationMs, this.lastMs, now, this.durationMs));
  }

  /** The open block's sums as JSON data, for a restart (see WindowsState). */
  state(): BlockState {
    return {
      startMs: this.startMs,
      firstMs: this.firstMs,
      lastMs: this.lastMs,
      entries: this.entryCount,
      counts: { ...this.counts },
      costUsd: this.costUsd,
      models: [...this.models],
      late: this.late,
    };
  }

  /** A tracker that goes on as the one whose state() this was; RangeError naming `part` when it does not hold. */
  static resume(state: BlockState, part: string): BlockTracker {
    const s = state as unknown as Record<string, unknown>;
    check(typeof s === "object" && s !== null, part);
    const { startMs, firstMs, lastMs, entries, costUsd, models, late } = s;
    check(isTime(startMs) && isTime(firstMs) && isTime(lastMs) && isFiniteNumber(costUsd), part);
    check(isCount(entries) && isCount(late), part);
    // a block starts at its first entry's hour; a late entry inside it moves its first entry back, never before the start
    check(entries === 0 || (startMs <= firstMs && firstMs <= lastMs), part);
    check(isArray(models) && models.every((m) => typeof m === "string"), part);
    const t = new BlockTracker();
    t.startMs = startMs;
    t.firstMs = firstMs;
    t.lastMs = lastMs;
    t.entryCount = entries;
    t.counts = checkCounts(s["counts"], part);
    t.costUsd = costUsd;
    t.models = new Set(models as string[]);
    t.late = late;
    return t;
  }

  /** Entries that arrived after their block had closed (not counted in any block). */
  get droppedLate(): number {
    return this.late;
  }

  private open(e: BlockEntry): void {
    this.startMs = floorToUtcHour(e.timestamp);
    this.firstMs = e.timestamp;
    this.lastMs = e.timestamp;
    this.entryCount = 0;
    this.counts = { ...ZERO_COUNTS };
    this.costUsd = 0;
    this.models = new Set();
    this.absorb(e);
  }

  private absorb(e: BlockEntry): void {
    this.entryCount += 1;
    addCounts(this.counts, e.counts);
    this.costUsd += e.costUsd;
    if (e.model !== SYNTHETIC_MODEL) this.models.add(e.model);
  }

  private snapshot(isActive: boolean): SessionBlock {
    return {
      id: formatIsoMillis(this.startMs),
      startMs: this.startMs,
      endMs: this.startMs + this.durationMs,
      firstEntryMs: this.firstMs,
      lastEntryMs: this.lastMs,
      isActive,
      isGap: false,
      entryCount: this.entryCount,
      counts: { ...this.counts },
      totalTokens: totalTokens(this.counts),
      costUsd: this.costUsd,
      models: [...this.models],
    };
  }
}
