import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { GaugeConfig } from "@claude-gauge/core";
import { demoCeilings, demoDay, demoPastDays, type DemoDay, type DemoLine } from "./demo-script.js";

export interface DemoOptions {
  /** demo seconds per real second (default 1: real time) */
  speed?: number;
  /** the real clock, ms since epoch (injectable for tests) */
  now?: () => number;
  seed?: number;
  log?: (msg: string) => void;
}

const DAY_MS = 86_400_000;
/** the first prompt comes this long after start-up, so the page can connect first (ms, demo time) */
const LEAD_IN_MS = 1500;

/**
 * `serve --demo`: writes a generated working week as Claude Code transcripts into a temporary
 * projects/ folder that the normal tail follows, so every number on the page comes through the
 * same decoder, ledger, windows and lamps as real usage. Today's session is appended line by line
 * on the demo clock; when it is over, the clock skips to the same hour of the next day and the
 * story starts again with a fresh 5 h block.
 *
 * The demo clock runs `speed` times faster than the real one (plus the skipped nights); the
 * service must read it as its clock, or the windows would see lines from the future.
 */
export class DemoWriter {
  /** the projects/ folder to tail */
  readonly root: string;
  readonly speed: number;
  readonly #realNow: () => number;
  readonly #seed: number;
  readonly #log: (msg: string) => void;
  readonly #realStart: number;
  readonly #made = new Set<string>();
  /** demo ms added by skipped nights */
  #skippedMs = 0;
  #day: DemoDay | null = null;
  #queue: DemoLine[] = [];
  #next = 0;
  #dayNo = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(opts: DemoOptions = {}) {
    this.speed = opts.speed ?? 1;
    if (!(this.speed > 0) || !Number.isFinite(this.speed)) throw new RangeError(`demo speed: expected a positive number, got ${this.speed}`);
    this.#realNow = opts.now ?? Date.now;
    this.#seed = opts.seed ?? 20261126;
    this.#log = opts.log ?? (() => {});
    this.#realStart = this.#realNow();
    this.root = join(mkdtempSync(join(tmpdir(), "claude-gauge-demo-")), "projects");
    mkdirSync(this.root);
  }

  /** The demo's time, ms since epoch: the service's clock. */
  readonly clock = (): number => this.#realStart + (this.#realNow() - this.#realStart) * this.speed + this.#skippedMs;

  /**
   * Writes the past week and the start of today's 5 h block (before the tail's cold scan) and
   * returns `base` with the demo's ceilings and redline wherever the user set none.
   */
  prepare(base: GaugeConfig): GaugeConfig {
    const now = this.clock();
    const today = demoDay(now + LEAD_IN_MS, this.#seed);
    const past = demoPastDays(today.startMs, this.#seed);
    for (const d of past) this.#write(d.lines);
    this.#begin(today);
    const c = demoCeilings(today, past);
    return {
      ...base,
      ceiling5hTokens: base.ceiling5hTokens ?? c.ceiling5hTokens,
      ceiling7dTokens: base.ceiling7dTokens ?? c.ceiling7dTokens,
      tachRedlineTokensPerMin: base.tachRedlineTokensPerMin ?? c.tachRedlineTokensPerMin,
    };
  }

  /** Starts replaying today's session in (demo) real time. */
  start(): void {
    if (this.#day === null) throw new Error("DemoWriter.start() before prepare()");
    this.#pump();
  }

  /** Stops writing and removes the temporary tree (stop the tail first). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    rmSync(dirname(this.root), { recursive: true, force: true });
  }

  /** Takes a day: what is already in the past is written at once, the rest is queued. */
  #begin(day: DemoDay): void {
    this.#day = day;
    const now = this.clock();
    const split = day.lines.findIndex((l) => l.t > now);
    const cut = split < 0 ? day.lines.length : split;
    this.#write(day.lines.slice(0, cut));
    this.#queue = day.lines;
    this.#next = cut;
  }

  #pump(): void {
    this.#timer = null;
    if (this.#stopped || this.#day === null) return;
    const now = this.clock();
    const from = this.#next;
    while (this.#next < this.#queue.length && (this.#queue[this.#next]?.t ?? Infinity) <= now) this.#next++;
    if (this.#next > from) this.#write(this.#queue.slice(from, this.#next));
    let dueAt = this.#queue[this.#next]?.t;
    if (dueAt === undefined) {
      if (now < this.#day.endMs) {
        dueAt = this.#day.endMs;
      } else {
        this.#nextDay(now);
        dueAt = this.#queue[this.#next]?.t ?? now + 1000;
      }
    }
    const waitMs = Math.max(0, (dueAt - this.clock()) / this.speed);
    this.#timer = setTimeout(() => this.#pump(), Math.min(waitMs, 60_000));
    this.#timer.unref?.();
  }

  /** Skips the night: the next session starts a day after this one, in a fresh 5 h block. */
  #nextDay(now: number): void {
    const start = (this.#day?.startMs ?? now) + DAY_MS;
    this.#skippedMs += Math.max(0, start - LEAD_IN_MS - now);
    this.#dayNo += 1;
    this.#log(`demo: day ${this.#dayNo + 1} (${new Date(start).toISOString().slice(0, 10)})`);
    this.#begin(demoDay(start, this.#seed + 1000 * this.#dayNo));
  }

  #write(lines: readonly DemoLine[]): void {
    const byFile = new Map<string, string[]>();
    for (const l of lines) {
      const list = byFile.get(l.file);
      if (list) list.push(l.json);
      else byFile.set(l.file, [l.json]);
    }
    try {
      for (const [file, jsons] of byFile) {
        const path = join(this.root, file);
        const dir = dirname(path);
        if (!this.#made.has(dir)) {
          mkdirSync(dir, { recursive: true });
          this.#made.add(dir);
        }
        appendFileSync(path, `${jsons.join("\n")}\n`);
      }
    } catch (e) {
      // The tree is ours; if it is gone the demo cannot go on, but the server can.
      this.#log(`demo: cannot write ${this.root}: ${(e as Error).message}; demo stopped`);
      this.#stopped = true;
    }
  }
}
