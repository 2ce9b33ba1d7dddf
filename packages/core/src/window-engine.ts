import type { CalibrationSuggestion } from "./calibration.js";
import { CalibrationHistory, suggestCalibration } from "./calibration.js";
import type { GaugeConfig } from "./config.js";
import { tokenCounter } from "./config.js";
import type { ModelFamily, SourceKind, UsageSnapshot } from "./contract.js";
import {
  CONTRACT_VERSION,
  MODEL_FAMILIES,
  encodeCount,
  encodeResetTime,
  encodeShare,
  encodeTime,
  encodeUsd,
  MAX_RATE,
  MAX_TOKENS_5H,
  MAX_TOKENS_7D,
  MAX_USD,
} from "./contract.js";
import { computeLamps, LAMP_THRESHOLDS } from "./lamps.js";
import type { SessionTurnState } from "./lamps.js";
import { fuelPosition, tachPosition } from "./needles.js";
import { modelFamily } from "./pricing.js";
import { BLOCK_DURATION_MS, BlockTracker } from "./session-blocks.js";
import { MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from "./timestamp.js";
import type { LimitNotice, TokenCounts, TurnSignal, TurnSignalKind, UsageDelta } from "./usage-event.js";
import { TURN_SIGNAL_KINDS, totalTokens } from "./usage-event.js";
import { weekWindowAt } from "./week-anchor.js";
import { check, checkSuggestion, deltaOfRow, deltaRow, isArray, isFiniteNumber, isTime, isTimeOrNull, type WindowsState } from "./windows-state.js";

/** Tach window, ms: the rate is the tokens of the last 60 s, so tokens/min. */
export const TACH_WINDOW_MS = 60_000;
/** Window of the cache hit rate and the thinking ratio, ms. */
export const RATIO_WINDOW_MS = 5 * 60_000;
/** Rolling 7 d window, ms; kept in 1 min buckets. */
export const WEEK_MS = 7 * 86_400_000;

const MINUTE_MS = 60_000;
/** a week of minutes plus an hour of slack */
const RING_MINUTES = WEEK_MS / MINUTE_MS + 60;

/**
 * How far ahead of `now` a turn signal or limit notice may be stamped and still be taken, ms: a
 * clock a little ahead of ours. Later ones are dropped (a line dated in the future says nothing
 * about the turn open now).
 */
export const SIGNAL_SKEW_MS = 60_000;
/**
 * Deltas dated after `now` wait until their time comes; this many at most (the latest are dropped
 * beyond it), so a tree of lines dated in year 9999 cannot grow the engine.
 */
export const MAX_PENDING_DELTAS = 1024;

/** An instant a transcript line can carry (years 0..10000, see timestamp.ts); NaN is none. */
const isLineTime = (t: number): boolean => t >= MIN_TIMESTAMP_MS && t <= MAX_TIMESTAMP_MS;
/**
 * The caller's clock, kept to the same years: a clock outside them is broken, and the calendar
 * arithmetic behind the weekly window only works inside what Date can hold.
 */
const clampNow = (now: number): number => (Number.isNaN(now) ? MIN_TIMESTAMP_MS : Math.min(MAX_TIMESTAMP_MS, Math.max(MIN_TIMESTAMP_MS, now)));

export interface SourceStatus {
  kind: SourceKind;
  ok: boolean;
}

/**
 * Claude's own view of a fuel window (from the statusline, via official-fuel.ts): when present it
 * replaces the estimated share and reset time of that window.
 */
export interface OfficialOverride {
  /** 0..1 */
  pct: number;
  /** ms since epoch */
  resetAt: number;
}

export interface OfficialWindows {
  window5h?: OfficialOverride | null;
  window7d?: OfficialOverride | null;
}

/** One delta as the short windows need it: `t` in ms since epoch, tokens by type and counted, USD. */
interface DeltaRecord {
  t: number;
  counted: number;
  costUsd: number;
  input: number;
  cacheRead: number;
  cacheCreation: number;
  output: number;
  thinking: number;
}

/** Sorted records, appended at the tail, dropped at the head; a straggler is inserted in place. */
class RecordQueue {
  private items: DeltaRecord[] = [];
  private head = 0;

  insert(r: DeltaRecord): void {
    let i = this.items.length;
    while (i > this.head && (this.items[i - 1]?.t ?? 0) > r.t) i -= 1;
    if (i === this.items.length) this.items.push(r);
    else this.items.splice(i, 0, r);
  }

  /** Drops records at or before `cutoffMs`. */
  dropThrough(cutoffMs: number): void {
    while (this.head < this.items.length && (this.items[this.head]?.t ?? 0) <= cutoffMs) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** The records as numbers, oldest first (8 per record: see WindowsState). */
  state(): number[] {
    const out: number[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const r = this.items[i]!;
      out.push(r.t, r.counted, r.costUsd, r.input, r.cacheRead, r.cacheCreation, r.output, r.thinking);
    }
    return out;
  }

  /** Takes back what state() gave (into an empty queue). */
  fill(v: unknown): void {
    check(isArray(v) && v.length % 8 === 0 && v.every(isFiniteNumber), "records");
    const n = v as number[];
    for (let i = 0; i < n.length; i += 8) {
      check(isTime(n[i]) && (i === 0 || n[i - 8]! <= n[i]!), "records");
      this.items.push({
        t: n[i]!,
        counted: n[i + 1]!,
        costUsd: n[i + 2]!,
        input: n[i + 3]!,
        cacheRead: n[i + 4]!,
        cacheCreation: n[i + 5]!,
        output: n[i + 6]!,
        thinking: n[i + 7]!,
      });
    }
  }

  /** Records newer than `afterMs`, newest first. */
  *newerThan(afterMs: number): Generator<DeltaRecord> {
    for (let i = this.items.length - 1; i >= this.head; i -= 1) {
      const r = this.items[i];
      if (r === undefined || r.t <= afterMs) return;
      yield r;
    }
  }
}

interface Sum {
  /** counted tokens */
  tokens: number;
  /** USD */
  costUsd: number;
  /** ms since epoch of the oldest slot or record holding anything; null when empty */
  oldestMs: number | null;
}

/** Counted tokens and cost per minute over the last week, in a fixed ring (no per-delta memory). */
class MinuteRing {
  private readonly minute = new Float64Array(RING_MINUTES).fill(-1);
  private readonly tokens = new Float64Array(RING_MINUTES);
  private readonly cost = new Float64Array(RING_MINUTES);

  add(t: number, tokens: number, costUsd: number): void {
    const m = Math.floor(t / MINUTE_MS);
    const slot = m % RING_MINUTES;
    const held = this.minute[slot] ?? -1;
    // A slot holding a newer minute means this delta fell out of the week already.
    if (held > m) return;
    if (held < m) {
      this.minute[slot] = m;
      this.tokens[slot] = 0;
      this.cost[slot] = 0;
    }
    this.tokens[slot] = (this.tokens[slot] ?? 0) + tokens;
    this.cost[slot] = (this.cost[slot] ?? 0) + costUsd;
  }

  /** The minutes holding anything as numbers (3 per minute: see WindowsState). */
  state(): number[] {
    const out: number[] = [];
    for (let slot = 0; slot < RING_MINUTES; slot++) if (this.minute[slot]! >= 0) out.push(this.minute[slot]!, this.tokens[slot]!, this.cost[slot]!);
    return out;
  }

  /** Takes back what state() gave (into an empty ring). */
  fill(v: unknown): void {
    check(isArray(v) && v.length % 3 === 0 && v.every(isFiniteNumber), "week");
    const n = v as number[];
    for (let i = 0; i < n.length; i += 3) {
      const m = n[i]!;
      const slot = m % RING_MINUTES;
      check(Number.isSafeInteger(m) && m >= 0 && isTime(m * MINUTE_MS) && this.minute[slot] === -1, "week");
      this.minute[slot] = m;
      this.tokens[slot] = n[i + 1]!;
      this.cost[slot] = n[i + 2]!;
    }
  }

  /** Minutes whose start lies in [fromMs, toMs). */
  sum(fromMs: number, toMs: number): Sum {
    const from = Math.ceil(fromMs / MINUTE_MS);
    const to = Math.ceil(toMs / MINUTE_MS);
    let tokens = 0;
    let costUsd = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (let slot = 0; slot < RING_MINUTES; slot += 1) {
      const m = this.minute[slot] ?? -1;
      if (m < from || m >= to) continue;
      const tk = this.tokens[slot] ?? 0;
      const c = this.cost[slot] ?? 0;
      tokens += tk;
      costUsd += c;
      if ((tk > 0 || c > 0) && m < oldest) oldest = m;
    }
    return { tokens, costUsd, oldestMs: oldest === Number.POSITIVE_INFINITY ? null : oldest * MINUTE_MS };
  }
}

interface SessionState {
  kind: TurnSignalKind | null;
  /** ms since epoch of the newest signal */
  at: number;
  /** ms since epoch of the newest tokens */
  lastTokenAt: number | null;
}

interface Window {
  tokens: number;
  costUsd: number;
  /** ms since epoch; null when no window is open */
  resetMs: number | null;
  limitHit: boolean;
}

const fraction = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * The live windows behind /usage, fed deltas, turn signals and limit notices, asked for a
 * snapshot at any `now`. Memory follows the windows: records for the last 5 min (5 h in rolling
 * 5 h mode), a fixed ring of minute buckets for the week, one open block, the sessions of the last
 * 30 min and the calibration series — never the whole history.
 *
 * Deltas may arrive slightly out of order; a record older than a window when it arrives is left
 * out of that window rather than corrupting it. `now` is expected not to go backwards by more
 * than the shortest window between snapshots.
 *
 * Every intake takes the caller's `now` (ms since epoch): the windows only ever see the past. A
 * delta dated after `now` waits (bounded, see MAX_PENDING_DELTAS) and joins the windows when a
 * later `now` reaches its time, so a line dated in the future never moves the high-water mark past
 * the real time and never pushes real tokens out of the tach or the 5 h window; reports still count
 * it (they read the ledger, not the engine).
 */
export class WindowEngine {
  private readonly counted: (c: TokenCounts) => number;
  private readonly records = new RecordQueue();
  private readonly retentionMs: number;
  private readonly week = new MinuteRing();
  private block = new BlockTracker();
  private history: CalibrationHistory;
  private readonly sessions = new Map<string, SessionState>();
  private limits: LimitNotice[] = [];
  private lastTokenAt: number | null = null;
  private lastModel: { t: number; family: ModelFamily } | null = null;
  private watermark = Number.NEGATIVE_INFINITY;
  /** deltas dated after the latest `now`, earliest first */
  private pending: UsageDelta[] = [];
  /**
   * The suggestion of `minute`, computed at `from` with the history at `version`: the same until
   * `until` while the history does not change (CalibrationHistory.samplesStableUntil)
   */
  private cachedSuggestion: { minute: number; value: CalibrationSuggestion; version: number; from: number; until: number } | null = null;

  constructor(readonly config: GaugeConfig) {
    this.counted = tokenCounter(config.count);
    this.retentionMs = config.mode5h === "rolling" ? BLOCK_DURATION_MS : RATIO_WINDOW_MS;
    this.history = new CalibrationHistory(historyOptions(config));
  }

  /**
   * Everything the windows hold, as JSON data, so that a restart goes on from here
   * (WindowEngine.resume) instead of feeding them the whole history again. Not the fitted ceilings:
   * those come from Claude's own readings, fitted again by the caller.
   */
  state(): WindowsState {
    const orNull = (t: number): number | null => (Number.isFinite(t) ? t : null);
    return {
      basis: windowsBasis(this.config),
      records: this.records.state(),
      week: this.week.state(),
      block: this.config.mode5h === "block" ? this.block.state() : null,
      history: this.history.state(),
      sessions: [...this.sessions].map(([id, s]) => [id, s.kind, orNull(s.at), s.lastTokenAt]),
      limits: this.limits.map((n) => [n.timestamp, n.resetAt]),
      lastTokenAt: this.lastTokenAt,
      lastModel: this.lastModel === null ? null : [this.lastModel.t, this.lastModel.family],
      watermark: orNull(this.watermark),
      pending: this.pending.map(deltaRow),
      suggestion: this.cachedSuggestion === null ? null : [this.cachedSuggestion.minute, this.cachedSuggestion.value],
    };
  }

  /**
   * An engine that goes on exactly as the one whose state() this was, for the same settings: fed
   * the same from here, it gives the same snapshots. Throws a RangeError naming the part of the
   * state that does not hold together, or that it was taken with other settings.
   */
  static resume(config: GaugeConfig, state: WindowsState): WindowEngine {
    const s = state as unknown as Record<string, unknown>;
    check(typeof s === "object" && s !== null && !isArray(s), "not an object");
    check(s["basis"] === windowsBasis(config), "taken with other settings");
    const e = new WindowEngine(config);
    e.records.fill(s["records"]);
    e.week.fill(s["week"]);
    if (config.mode5h === "block") e.block = BlockTracker.resume(s["block"] as WindowsState["block"] & object, "block");
    else check(s["block"] === null, "block");
    e.history = CalibrationHistory.resume(historyOptions(config), s["history"] as WindowsState["history"]);
    const sessions = s["sessions"];
    check(isArray(sessions), "sessions");
    for (const v of sessions) {
      check(isArray(v) && v.length === 4 && typeof v[0] === "string" && !e.sessions.has(v[0]), "sessions");
      const [id, kind, at, lastTokenAt] = v as [string, unknown, unknown, unknown];
      check((kind === null || TURN_SIGNAL_KINDS.includes(kind as TurnSignalKind)) && isTimeOrNull(at) && isTimeOrNull(lastTokenAt), "sessions");
      e.sessions.set(id, { kind: kind as TurnSignalKind | null, at: at ?? Number.NEGATIVE_INFINITY, lastTokenAt });
    }
    const limits = s["limits"];
    check(isArray(limits), "limits");
    for (const v of limits) {
      check(isArray(v) && v.length === 2 && isTime(v[0]) && isFiniteNumber(v[1]), "limits");
      e.limits.push({ timestamp: v[0] as number, resetAt: v[1] as number });
    }
    check(isTimeOrNull(s["lastTokenAt"]), "lastTokenAt");
    e.lastTokenAt = s["lastTokenAt"];
    const lastModel = s["lastModel"];
    check(
      lastModel === null || (isArray(lastModel) && lastModel.length === 2 && isTime(lastModel[0]) && MODEL_FAMILIES.includes(lastModel[1] as ModelFamily)),
      "lastModel",
    );
    e.lastModel = lastModel === null ? null : { t: lastModel[0] as number, family: lastModel[1] as ModelFamily };
    check(isTimeOrNull(s["watermark"]), "watermark");
    e.watermark = s["watermark"] ?? Number.NEGATIVE_INFINITY;
    const pending = s["pending"];
    check(isArray(pending) && pending.length <= MAX_PENDING_DELTAS, "pending");
    e.pending = pending.map(deltaOfRow);
    check(
      e.pending.every((d, i) => i === 0 || e.pending[i - 1]!.timestamp <= d.timestamp),
      "pending",
    );
    const suggestion = checkSuggestion(s["suggestion"]);
    // taken back for its minute only: a later minute computes it again
    e.cachedSuggestion = suggestion && { ...suggestion, version: -1, from: Number.POSITIVE_INFINITY, until: Number.NEGATIVE_INFINITY };
    return e;
  }

  /**
   * Takes one delta as of `now` (ms since epoch); one dated later waits for its time. A time no
   * transcript line can carry (outside years 0..10000) is dropped.
   */
  addDelta(d: UsageDelta, now: number): void {
    const at = clampNow(now);
    this.release(at);
    if (!isLineTime(d.timestamp)) return;
    if (d.timestamp > at) this.hold(d);
    else this.admit(d);
  }

  private hold(d: UsageDelta): void {
    let i = this.pending.length;
    while (i > 0 && (this.pending[i - 1]?.timestamp ?? 0) > d.timestamp) i -= 1;
    this.pending.splice(i, 0, d);
    if (this.pending.length > MAX_PENDING_DELTAS) this.pending.pop();
  }

  /** Moves the deltas whose time has come into the windows. */
  private release(now: number): void {
    let n = 0;
    while (n < this.pending.length && (this.pending[n]?.timestamp ?? Number.POSITIVE_INFINITY) <= now) n += 1;
    if (n === 0) return;
    for (const d of this.pending.splice(0, n)) this.admit(d);
  }

  private admit(d: UsageDelta): void {
    const c = d.counts;
    // Deltas come from decoded u64 counts and are finite; anything else is dropped whole rather
    // than poisoning a window sum with NaN.
    if (![c.input, c.output, c.cacheCreation, c.cacheRead, d.thinkingOutput].every(Number.isFinite)) return;
    const t = d.timestamp;
    const counted = this.counted(c);
    // A cost is a float sum of logged and computed prices; one message never shows more than the
    // contract can (a logged costUSD of 1e308 would otherwise overflow every sum it enters).
    const costUsd = d.costUsd > 0 ? Math.min(d.costUsd, MAX_USD) : 0;
    this.advance(t);
    if (t > this.watermark - this.retentionMs) {
      this.records.insert({
        t,
        counted,
        costUsd,
        input: c.input,
        cacheRead: c.cacheRead,
        cacheCreation: c.cacheCreation,
        output: c.output,
        thinking: d.thinkingOutput,
      });
    }
    this.week.add(t, counted, costUsd);
    if (this.config.mode5h === "block") this.block.add(d);
    this.history.add(d);

    if (totalTokens(c) > 0) {
      if (this.lastTokenAt === null || t > this.lastTokenAt) this.lastTokenAt = t;
      const s = this.session(d.sessionId);
      if (s.lastTokenAt === null || t > s.lastTokenAt) s.lastTokenAt = t;
    }
    const family = modelFamily(d.model);
    if (family !== null && (this.lastModel === null || t >= this.lastModel.t)) this.lastModel = { t, family };
  }

  /**
   * Ceilings fitted to Claude's own percentages (tokens; null = none yet). Between configured
   * ceilings and the history-based suggestion in precedence: a measured ceiling beats a guess.
   */
  fitted: { ceiling5hTokens: number | null; ceiling7dTokens: number | null } = { ceiling5hTokens: null, ceiling7dTokens: null };

  /** Takes a turn signal as of `now` (ms since epoch); one dated well after `now` is dropped. */
  addSignal(sig: TurnSignal, now: number): void {
    if (!isLineTime(sig.timestamp) || sig.timestamp > clampNow(now) + SIGNAL_SKEW_MS) return;
    const s = this.session(sig.sessionId);
    // Same-millisecond signals keep feed order: a tool result logged with its tool call wins.
    if (sig.timestamp >= s.at) {
      s.kind = sig.kind;
      s.at = sig.timestamp;
    }
  }

  /** Takes a limit notice as of `now` (ms since epoch); one logged well after `now` is dropped. */
  addLimit(n: LimitNotice, now: number): void {
    if (!isLineTime(n.timestamp) || n.timestamp > clampNow(now) + SIGNAL_SKEW_MS || !Number.isFinite(n.resetAt)) return;
    // the same notice again (a file read again, a restart handing back the notices it kept) is one
    if (this.limits.some((l) => l.timestamp === n.timestamp && l.resetAt === n.resetAt)) return;
    this.limits.push(n);
  }

  /**
   * The calibration suggestion as of `now` (ms since epoch), with its evidence. Its samples are
   * completed minutes, blocks and weeks, so it is recomputed at most once per minute, and not
   * while nothing was added and no minute, block or week with tokens completed (an idle daemon
   * sorted up to 20,000 minute rates once a minute for the same answer).
   */
  calibration(atNow: number): CalibrationSuggestion {
    const now = clampNow(atNow);
    const minute = Math.floor(now / MINUTE_MS);
    const c = this.cachedSuggestion;
    if (c !== null && c.minute === minute) return c.value;
    const version = this.history.version;
    if (c !== null && c.version === version && c.from <= now && now < c.until) {
      c.minute = minute;
      return c.value;
    }
    const value = suggestCalibration(this.history.samples(now));
    this.cachedSuggestion = { minute, value, version, from: now, until: this.history.samplesStableUntil(now) };
    return value;
  }

  /** ms since epoch: the newest time seen (a delta's, or a snapshot's `now`); -Infinity before any. */
  get newestTime(): number {
    return this.watermark;
  }

  /** How much per-event state is held (for tests and benchmarks): it must follow the windows. */
  get retained(): { records: number; sessions: number; limits: number; pending: number } {
    return { records: this.records.size, sessions: this.sessions.size, limits: this.limits.length, pending: this.pending.length };
  }

  /**
   * Counted tokens (per CLAUDE_GAUGE_COUNT) with timestamps in [fromMs, toMs], at minute
   * resolution, for spans inside the last 7 days: what official percentages are fitted against.
   */
  countedTokensBetween(fromMs: number, toMs: number): number {
    return this.week.sum(fromMs, toMs).tokens;
  }

  snapshot(atNow: number, source: SourceStatus, official: OfficialWindows = {}): UsageSnapshot {
    const now = clampNow(atNow);
    this.release(now);
    this.advance(now);
    this.pruneSessions(now);

    let rateTokens = 0;
    let input = 0;
    let cacheRead = 0;
    let cacheCreation = 0;
    let output = 0;
    let thinking = 0;
    for (const r of this.records.newerThan(now - RATIO_WINDOW_MS)) {
      if (r.t > now - TACH_WINDOW_MS) rateTokens += r.counted;
      input += r.input;
      cacheRead += r.cacheRead;
      cacheCreation += r.cacheCreation;
      output += r.output;
      thinking += r.thinking;
    }
    const cacheInputTokens = input + cacheRead + cacheCreation;
    const cacheHitRate = cacheInputTokens > 0 ? fraction(cacheRead / cacheInputTokens) : 0;
    const thinkingRatio = output > 0 ? fraction(thinking / output) : 0;

    const w5 = this.config.mode5h === "block" ? this.blockWindow(now) : this.rolling5h(now);
    const w7 = this.config.mode7d === "weekly" ? this.weeklyWindow(now) : this.rolling7d(now);

    const suggestion = this.calibration(now);
    const ceiling5h = this.config.ceiling5hTokens ?? this.fitted.ceiling5hTokens ?? suggestion.ceiling5hTokens;
    const ceiling7d = this.config.ceiling7dTokens ?? this.fitted.ceiling7dTokens ?? suggestion.ceiling7dTokens;
    const redline = this.config.tachRedlineTokensPerMin ?? suggestion.tachRedlineTokensPerMin;
    const o5 = official.window5h ?? null;
    const o7 = official.window7d ?? null;
    const pct5h = o5 ? fraction(o5.pct) : fraction(w5.tokens / ceiling5h);
    const pct7d = o7 ? fraction(o7.pct) : fraction(w7.tokens / ceiling7d);

    const sessions: SessionTurnState[] = [];
    for (const s of this.sessions.values()) {
      if (s.kind !== null) sessions.push({ kind: s.kind, at: s.at, lastTokenAt: s.lastTokenAt });
    }
    const lamps = computeLamps({
      now,
      sourceOk: source.ok,
      rateTokensPerMin: rateTokens,
      redlineTokensPerMin: redline,
      pct5h,
      pct7d,
      warnPct: this.config.warnPct,
      cacheHitRate,
      cacheInputTokens,
      lastTokenAt: this.lastTokenAt,
      sessions,
      stallMs: this.config.stallMs,
    });

    return {
      v: CONTRACT_VERSION,
      // The contract's encoders bound every printed width (the 512-byte limit); the needle
      // positions keep the fine resolution.
      rate_1m: encodeCount(rateTokens, MAX_RATE),
      window_5h_tokens: encodeCount(w5.tokens, MAX_TOKENS_5H),
      window_5h_pct: encodeShare(pct5h),
      window_5h_reset_at: encodeResetTime(o5 ? o5.resetAt : w5.resetMs),
      window_7d_tokens: encodeCount(w7.tokens, MAX_TOKENS_7D),
      window_7d_pct: encodeShare(pct7d),
      window_7d_reset_at: encodeResetTime(o7 ? o7.resetAt : w7.resetMs),
      cost_5h_usd: encodeUsd(w5.costUsd),
      cost_7d_usd: encodeUsd(w7.costUsd),
      thinking_ratio: encodeShare(thinkingRatio),
      cache_hit_rate: encodeShare(cacheHitRate),
      last_model: this.lastModel?.family ?? null,
      hot: lamps.hot,
      warn: lamps.warn,
      stall: lamps.stall,
      idle: lamps.idle,
      limit_hit: w5.limitHit,
      tach_pos: tachPosition(rateTokens, redline),
      fuel_5h_pos: fuelPosition(pct5h),
      fuel_7d_pos: fuelPosition(pct7d),
      fuel_source: o5 || o7 ? "official" : "estimated",
      source: source.kind,
      source_ok: source.ok,
      updated_at: encodeTime(now),
    };
  }

  /** The current ccusage block; Claude's own reset time wins while a limit it reported is in force. */
  private blockWindow(now: number): Window {
    const b = this.block.current(now);
    if (b === null || !b.isActive) return { tokens: 0, costUsd: 0, resetMs: null, limitHit: false };
    const limit = this.limitInForce(now, b.startMs, b.endMs);
    return {
      tokens: this.counted(b.counts),
      costUsd: b.costUsd,
      resetMs: limit?.resetAt ?? b.endMs,
      limitHit: limit !== null,
    };
  }

  /** The last 5 h; resets when its oldest tokens leave it (or when Claude said the limit lifts). */
  private rolling5h(now: number): Window {
    let tokens = 0;
    let costUsd = 0;
    let oldest: number | null = null;
    for (const r of this.records.newerThan(now - BLOCK_DURATION_MS)) {
      tokens += r.counted;
      costUsd += r.costUsd;
      if (r.counted > 0 || r.costUsd > 0) oldest = r.t;
    }
    const limit = this.limitInForce(now, now - BLOCK_DURATION_MS, Number.POSITIVE_INFINITY);
    const expiry = oldest === null ? null : oldest + BLOCK_DURATION_MS;
    return { tokens, costUsd, resetMs: limit?.resetAt ?? expiry, limitHit: limit !== null };
  }

  private rolling7d(now: number): Window {
    // Tokens leave at the end of their minute + 7 d, so they may linger up to 60 s.
    const s = this.week.sum(Math.floor((now - WEEK_MS) / MINUTE_MS) * MINUTE_MS, Number.POSITIVE_INFINITY);
    const resetMs = s.oldestMs === null ? null : s.oldestMs + MINUTE_MS + WEEK_MS;
    return { tokens: s.tokens, costUsd: s.costUsd, resetMs, limitHit: false };
  }

  private weeklyWindow(now: number): Window {
    const w = weekWindowAt(now, this.config.weekAnchor, this.config.weekTimeZone);
    const s = this.week.sum(w.startMs, w.resetMs);
    return { tokens: s.tokens, costUsd: s.costUsd, resetMs: w.resetMs, limitHit: false };
  }

  /** The newest notice logged in [fromMs, toMs) whose announced reset is still ahead of `now`. */
  private limitInForce(now: number, fromMs: number, toMs: number): LimitNotice | null {
    let hit: LimitNotice | null = null;
    for (const n of this.limits) {
      if (n.timestamp < fromMs || n.timestamp >= toMs || n.resetAt <= now) continue;
      if (hit === null || n.timestamp >= hit.timestamp) hit = n;
    }
    return hit;
  }

  private session(id: string): SessionState {
    let s = this.sessions.get(id);
    if (s === undefined) {
      s = { kind: null, at: Number.NEGATIVE_INFINITY, lastTokenAt: null };
      this.sessions.set(id, s);
    }
    return s;
  }

  /** Moves the high-water mark of time seen and drops what no window can need any more. */
  private advance(t: number): void {
    if (t <= this.watermark) return;
    this.watermark = t;
    this.records.dropThrough(t - this.retentionMs);
    // A notice counts only inside the current block or the last 5 h, both younger than 5 h.
    const oldestUseful = t - BLOCK_DURATION_MS;
    if (this.limits.some((n) => n.timestamp < oldestUseful)) {
      this.limits = this.limits.filter((n) => n.timestamp >= oldestUseful);
    }
    if (this.sessions.size > 1024) this.pruneSessions(t);
  }

  /** Sessions quiet for longer than the abandon time no longer light any lamp. */
  private pruneSessions(now: number): void {
    const cutoff = now - LAMP_THRESHOLDS.abandonMs;
    for (const [id, s] of this.sessions) {
      if (Math.max(s.at, s.lastTokenAt ?? Number.NEGATIVE_INFINITY) < cutoff) this.sessions.delete(id);
    }
  }
}

/** The settings a WindowsState depends on: what is counted, the 5 h mode, the week's anchor and zone. */
function windowsBasis(c: GaugeConfig): string {
  return JSON.stringify([c.count, c.mode5h, c.weekAnchor.weekday, c.weekAnchor.hour, c.weekAnchor.minute, c.weekTimeZone]);
}

function historyOptions(c: GaugeConfig): { count: GaugeConfig["count"]; weekAnchor: GaugeConfig["weekAnchor"]; weekTimeZone: string } {
  return { count: c.count, weekAnchor: c.weekAnchor, weekTimeZone: c.weekTimeZone };
}

/**
 * An engine fed a history in time order (deltas sorted stably by timestamp first), as of `now`
 * (ms since epoch): what is dated later waits, as it would in a live engine.
 */
export function engineFromHistory(
  config: GaugeConfig,
  deltas: readonly UsageDelta[],
  signals: readonly TurnSignal[],
  limits: readonly LimitNotice[],
  now: number,
): WindowEngine {
  const engine = new WindowEngine(config);
  for (const d of [...deltas].sort((a, b) => a.timestamp - b.timestamp)) engine.addDelta(d, now);
  for (const s of [...signals].sort((a, b) => a.timestamp - b.timestamp)) engine.addSignal(s, now);
  for (const n of limits) engine.addLimit(n, now);
  return engine;
}
