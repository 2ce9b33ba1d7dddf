import { UsageColumns, type UsageColumnParts } from "@claude-gauge/core/decode";
import { sliceColumns } from "./column-pack.js";
import { idHash, MessageLedger, type CostFn, type KeptMessages, type LedgerMode, type SavedMessages } from "@claude-gauge/core/reports";

/**
 * A saved ledger cut by file, so that a report after appends updates it instead of folding every
 * line again. The ledger's rows are in first-seen order, which is file order: the rows first seen
 * in file j form one run, its segment. Its rules only ever relate lines that share a message id
 * (request keys, session keys and sidechain replays all include it), so lines appended to file k
 * whose message ids no other file holds change nothing outside k's segment: they update the rows
 * of their own ids and add rows at the segment's end, exactly where a fold of every line puts them.
 */
export interface LedgerSegment {
  /** the rows first seen in the file, with their final values */
  saved: SavedMessages;
  /**
   * hashes (idHash) of the message ids the file's lines hold, ascending, without repeats. Two ids
   * that collide only make an update look like it reaches another file, which then folds every line.
   */
  seen: Uint32Array;
}

/** The hashes of the message ids in `columns` and of `also`, ascending, without repeats. */
export function seenIds(columns: readonly UsageColumns[], also: Uint32Array = EMPTY): Uint32Array {
  let n = also.length;
  for (const c of columns) n += c.length;
  const all = new Uint32Array(n);
  all.set(also);
  let k = also.length;
  for (const c of columns) {
    for (let i = 0; i < c.length; i++) {
      const id = c.messageIds[i];
      if (id !== null && id !== undefined) all[k++] = idHash(id);
    }
  }
  const sorted = all.subarray(0, k).sort();
  let u = 0;
  for (let i = 0; i < sorted.length; i++) if (u === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i]!;
  return sorted.slice(0, u);
}

const EMPTY = new Uint32Array(0);

/** Rows shared by consecutive segments: a fold's whole ledger, or a block of a saved one. */
export interface RowSource {
  /** rows [from, to); without `ids`, ids may be null (for a report, which reads none) */
  rows(ids: boolean, from: number, to: number): SegmentRows;
}

/** A segment whose rows are rows [from, to) of a source it shares with its neighbours. */
export interface RangeSegment {
  range: { source: RowSource; from: number; to: number };
  seen: Uint32Array;
}

/**
 * The segments of a ledger that folded the files in order: file j's rows end at `ends[j]`; `seen[j]`
 * its id hashes. Ranges of one copy of the ledger's rows, so a saved ledger writes them as one block.
 */
export function segmentsOf(kept: KeptMessages, ends: readonly number[], seen: readonly Uint32Array[]): RangeSegment[] {
  const n = ends.at(-1) ?? 0;
  const cost = new Float64Array(n);
  const thinking = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    cost[i] = kept.cost(i);
    thinking[i] = kept.thinkingOutput(i);
  }
  const all: SegmentRows = { parts: kept.columns.parts(0, n), cost, thinking };
  const source: RowSource = { rows: (_ids, from, to) => sliceRows(all, from, to) };
  const out: RangeSegment[] = [];
  let from = 0;
  for (const [j, to] of ends.entries()) {
    out.push({ range: { source, from, to }, seen: seen[j]! });
    from = to;
  }
  return out;
}

/** A segment's rows to join: its columns as parts (a stored block unpacked, or a segment made now) and its values. */
export interface SegmentRows {
  parts: UsageColumnParts;
  cost: Float64Array;
  thinking: Float64Array;
}

/** A segment made now, as rows to join. */
function rowsOfSegment(g: LedgerSegment): SegmentRows {
  return { parts: g.saved.columns.parts(), cost: g.saved.cost, thinking: g.saved.thinking };
}

/** Rows [from, to) of `r` (views on its columns, no copies). */
export function sliceRows(r: SegmentRows, from: number, to: number): SegmentRows {
  const p = r.parts;
  if (from === 0 && to === p.length) return r;
  return {
    parts: {
      ...sliceColumns(p, from, to),
      length: to - from,
      messageIds: p.messageIds.slice(from, to),
      requestIds: p.requestIds.slice(from, to),
      strings: p.strings,
    },
    cost: r.cost.subarray(from, to),
    thinking: r.thinking.subarray(from, to),
  };
}

/**
 * The rows of segments in order, as few runs as they allow: consecutive segments that are
 * consecutive rows of one source are one run (after a full count, the whole ledger is one).
 */
export function rowRuns(segments: readonly (LedgerSegment | RangeSegment)[], ids: boolean): SegmentRows[] {
  const out: SegmentRows[] = [];
  for (let i = 0; i < segments.length; ) {
    const g = segments[i++]!;
    if (!("range" in g)) {
      out.push(rowsOfSegment(g));
      continue;
    }
    const { source, from } = g.range;
    let to = g.range.to;
    for (let next = segments[i]; next !== undefined && "range" in next && next.range.source === source && next.range.from === to; next = segments[++i]) {
      to = next.range.to;
    }
    out.push(source.rows(ids, from, to));
  }
  return out;
}

/** All segments as one ledger's kept messages, in order (what reports read); throws RangeError when a segment's parts disagree. */
export function joinSegments(segments: readonly SegmentRows[]): SavedMessages {
  const columns = UsageColumns.concat(segments.map((g) => g.parts));
  const n = columns.length;
  const cost = new Float64Array(n);
  const thinking = new Float64Array(n);
  let o = 0;
  for (const { parts, cost: c, thinking: t } of segments) {
    if (c.length < parts.length || t.length < parts.length) throw new RangeError("saved ledger: value columns shorter than the rows");
    cost.set(c.subarray(0, parts.length), o);
    thinking.set(t.subarray(0, parts.length), o);
    o += parts.length;
  }
  return { columns, cost, thinking };
}

/**
 * File k's segment after lines were appended to it, or null when they reach beyond it (a message
 * id that another file holds, by `elsewhere(idHash(id))`) or the segment and the file's lines
 * disagree: then every line must be folded again. `before`: the file's lines the segment was made
 * from; `added`: the lines since. Only the lines of the added lines' ids are folded again.
 */
export function extendSegment(
  segment: LedgerSegment,
  before: readonly UsageColumns[],
  added: readonly UsageColumns[],
  elsewhere: (hash: number) => boolean,
  cost: CostFn,
  mode: LedgerMode,
): LedgerSegment | null {
  const ids = new Set<string>();
  for (const c of added) {
    for (let i = 0; i < c.length; i++) {
      const id = c.messageIds[i];
      if (id !== null && id !== undefined) ids.add(id);
    }
  }
  const hashes = new Uint32Array(ids.size);
  let h = 0;
  for (const id of ids) {
    hashes[h] = idHash(id);
    if (elsewhere(hashes[h++]!)) return null;
  }
  const mini = new MessageLedger(cost, mode);
  for (const c of before) {
    for (let i = 0; i < c.length; i++) {
      const id = c.messageIds[i];
      if (id !== null && id !== undefined && ids.has(id)) mini.addFrom(c, i);
    }
  }
  const madeBefore = mini.size;
  for (const c of added) for (let i = 0; i < c.length; i++) mini.addFrom(c, i);
  // each id's rows from the lines before, in the order they were made: the segment holds the same
  const rowsOfId = new Map<string, number[]>();
  for (let i = 0; i < madeBefore; i++) {
    const id = mini.columns.messageIds[i]!;
    const rows = rowsOfId.get(id);
    if (rows === undefined) rowsOfId.set(id, [i]);
    else rows.push(i);
  }
  const old = segment.saved;
  const n = old.columns.length + mini.size - madeBefore;
  const columns = new UsageColumns(n);
  const costs = new Float64Array(n);
  const thinking = new Float64Array(n);
  let o = 0;
  const put = (from: SavedMessages | MessageLedger, i: number) => {
    if (from instanceof MessageLedger) {
      columns.pushFrom(from.columns, i);
      costs[o] = from.cost(i);
      thinking[o++] = from.thinkingOutput(i);
    } else {
      columns.pushFrom(from.columns, i);
      costs[o] = from.cost[i]!;
      thinking[o++] = from.thinking[i]!;
    }
  };
  const used = new Map<string, number>();
  for (let r = 0; r < old.columns.length; r++) {
    const id = old.columns.messageIds[r];
    if (id === null || id === undefined || !ids.has(id)) {
      put(old, r);
      continue;
    }
    const rows = rowsOfId.get(id);
    const t = used.get(id) ?? 0;
    if (rows === undefined || t >= rows.length) return null;
    used.set(id, t + 1);
    put(mini, rows[t]!);
  }
  for (const [id, rows] of rowsOfId) if (used.get(id) !== rows.length) return null;
  for (let i = madeBefore; i < mini.size; i++) put(mini, i);
  const seen = new Uint32Array(segment.seen.length + hashes.length);
  seen.set(segment.seen);
  seen.set(hashes, segment.seen.length);
  return { saved: { columns, cost: costs, thinking }, seen: seenIds([], seen) };
}
