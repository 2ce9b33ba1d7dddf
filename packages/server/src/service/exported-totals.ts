import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../files/write-atomic.js";
import { join } from "node:path";
import { z } from "zod";

/** The token types as Claude Code's own `claude_code.token.usage` names them (its `type` attribute). */
export const CLAUDE_CODE_TOKEN_TYPES = ["input", "output", "cacheRead", "cacheCreation"] as const;
export type ClaudeCodeTokenType = (typeof CLAUDE_CODE_TOKEN_TYPES)[number];

/** One exported series: tokens of one model and type, or the cost (USD) of one model. */
export type SeriesKey = { metric: "tokens"; model: string; type: ClaudeCodeTokenType } | { metric: "cost"; model: string };

/** largest file accepted, bytes: far above any real history (a few hundred series) */
const MAX_FILE_BYTES = 1 << 20;
const MAX_SERIES = 10_000;
/** every total saturates here (tokens or USD): far above any real history, still an exact-enough float */
const MAX_TOTAL = 1e21;

const modelName = z.string().min(1).max(200);
const total = z.number().finite().min(0).max(MAX_TOTAL);
const fileSchema = z.object({
  v: z.literal(1),
  series: z
    .array(
      z.union([
        z.object({ metric: z.literal("tokens"), model: modelName, type: z.enum(CLAUDE_CODE_TOKEN_TYPES), total }),
        z.object({ metric: z.literal("cost"), model: modelName, total }),
      ]),
    )
    .max(MAX_SERIES),
});

const keyOf = (k: SeriesKey): string => (k.metric === "tokens" ? `t\u0000${k.model}\u0000${k.type}` : `c\u0000${k.model}`);

/** The file's name inside the state dir. */
export function exportedTotalsFile(stateDir: string): string {
  return join(stateDir, "exported-totals.json");
}

/**
 * The totals behind the daemon's `claude_code_*` counters, kept monotonic across restarts.
 *
 * The counters are derived from the whole transcript history, so a restart re-derives the same
 * totals. But Claude Code deletes transcripts older than 30 days: re-derived after that, a total
 * would drop, which Prometheus reads as a counter reset — the whole remaining history counted a
 * second time. So the highest total shown is kept in the state dir, and after a restart each series
 * continues from `max(shown before, re-derived)`: only growth seen after the restart is added.
 */
export class ExportedTotals {
  readonly #file: string;
  readonly #log: (msg: string) => void;
  readonly #series = new Map<string, { key: SeriesKey; current: number; offset: number | null; shown: number }>();
  /** highest totals of earlier runs, by series key (read once, at construction) */
  readonly #floor = new Map<string, number>();
  #settled = false;
  #dirty = false;

  constructor(file: string, log: (msg: string) => void = () => {}) {
    this.#file = file;
    this.#log = log;
    for (const s of this.#read()) {
      const key: SeriesKey = s.metric === "tokens" ? { metric: "tokens", model: s.model, type: s.type } : { metric: "cost", model: s.model };
      this.#floor.set(keyOf(key), s.total);
      this.#series.set(keyOf(key), { key, current: 0, offset: null, shown: s.total });
    }
  }

  /**
   * What adds growth to one series (tokens or USD; negative when the ledger replaces a line), its
   * key looked up once: a cold start adds a delta per message. The series exists from its first
   * growth on.
   */
  adder(key: SeriesKey): (amount: number) => void {
    const k = keyOf(key);
    let s = this.#series.get(k);
    return (amount) => {
      if (!Number.isFinite(amount) || amount === 0) return;
      if (s === undefined) {
        s = this.#series.get(k);
        if (s === undefined) {
          // A series first seen after settle() is new to this machine: it starts from zero.
          s = { key, current: 0, offset: this.#settled ? 0 : null, shown: 0 };
          this.#series.set(k, s);
        }
      }
      s.current = Math.min(s.current + amount, MAX_TOTAL);
    };
  }

  /**
   * Called once the history is loaded: from here on, every series continues from the higher of its
   * earlier high-water mark and its re-derived total.
   */
  settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    for (const [k, s] of this.#series) s.offset = Math.max(0, (this.#floor.get(k) ?? 0) - s.current);
  }

  /** Every series with its total to export now (never lower than before). */
  values(): { key: SeriesKey; total: number }[] {
    this.settle();
    const out: { key: SeriesKey; total: number }[] = [];
    for (const s of this.#series.values()) {
      const candidate = Math.min(s.current + (s.offset ?? 0), MAX_TOTAL);
      if (candidate > s.shown) {
        s.shown = candidate;
        this.#dirty = true;
      }
      out.push({ key: s.key, total: s.shown });
    }
    return out;
  }

  /** Writes the high-water marks when they moved (atomically: a crash leaves the old file or the new). */
  save(): void {
    this.values();
    if (!this.#dirty) return;
    const series = [...this.#series.values()].filter((s) => s.shown > 0).map((s) => ({ ...s.key, total: s.shown }));
    try {
      writeFileAtomic(this.#file, JSON.stringify({ v: 1, series }), { mode: 0o600, dirMode: 0o700 });
      this.#dirty = false;
    } catch (e) {
      this.#log(`cannot save ${this.#file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  /** The earlier run's marks; a missing file is a first run, a bad one is logged (naming the field) and ignored. */
  #read(): z.infer<typeof fileSchema>["series"] {
    let text: string;
    try {
      text = readFileSync(this.#file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") this.#log(`cannot read ${this.#file}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
      return [];
    }
    if (text.length > MAX_FILE_BYTES) {
      this.#log(`ignored ${this.#file}: larger than ${MAX_FILE_BYTES} bytes`);
      return [];
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.#log(`ignored ${this.#file}: not JSON`);
      return [];
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.#log(`ignored ${this.#file}: bad field ${issue?.path.join(".") || "(root)"}`);
      return [];
    }
    return parsed.data.series;
  }
}
