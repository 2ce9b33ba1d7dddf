import type { TokenCounts, WideCounts } from "./usage-event.js";
import { U64_MAX } from "./usage-literals.js";

type Field = "input" | "output" | "cacheCreation" | "cacheRead";
const FIELDS: readonly Field[] = ["input", "output", "cacheCreation", "cacheRead"];

const toBig = (x: number): bigint => (Number.isFinite(x) ? BigInt(Math.trunc(x)) : 0n);
const saturate = (x: bigint): bigint => (x > U64_MAX ? U64_MAX : x);

/**
 * Report totals of the four counted fields (tokens), exact like ccusage's u64 sums, which
 * saturate at 2^64 − 1. Plain doubles while every sum stays within 2^53; past that (only hostile
 * or broken transcripts get there) the sums continue as bigints and the fields hold the nearest
 * doubles — what JSON.parse reads from ccusage's exact output.
 */
export class TokenSum {
  input = 0;
  output = 0;
  cacheCreation = 0;
  cacheRead = 0;
  #wide: Record<Field, bigint> | null = null;

  add(c: Pick<TokenCounts, Field> & { wide?: WideCounts | undefined }): void {
    if (this.#wide === null && c.wide === undefined) {
      const input = this.input + c.input;
      const output = this.output + c.output;
      const cacheCreation = this.cacheCreation + c.cacheCreation;
      const cacheRead = this.cacheRead + c.cacheRead;
      if (Math.max(input, output, cacheCreation, cacheRead) <= Number.MAX_SAFE_INTEGER) {
        this.input = input;
        this.output = output;
        this.cacheCreation = cacheCreation;
        this.cacheRead = cacheRead;
        return;
      }
    }
    if (this.#wide === null) {
      this.#wide = { input: toBig(this.input), output: toBig(this.output), cacheCreation: toBig(this.cacheCreation), cacheRead: toBig(this.cacheRead) };
    }
    const w = this.#wide;
    for (const f of FIELDS) {
      w[f] = saturate(w[f] + (c.wide?.[f] ?? toBig(c[f])));
      this[f] = Number(w[f]);
    }
  }

  /** Adds another sum (a row into the totals) exactly. */
  addSum(s: TokenSum): void {
    this.add(s.#wide === null ? s : { input: s.input, output: s.output, cacheCreation: s.cacheCreation, cacheRead: s.cacheRead, wide: s.#wide });
  }

  /** input + output + cacheCreation + cacheRead, saturating like ccusage's totalTokens. */
  get total(): number {
    const t = this.input + this.output + this.cacheCreation + this.cacheRead;
    if (this.#wide === null && t <= Number.MAX_SAFE_INTEGER) return t;
    const w = this.#wide;
    const exact = w === null ? FIELDS.reduce((a, f) => a + toBig(this[f]), 0n) : w.input + w.output + w.cacheCreation + w.cacheRead;
    return Number(saturate(exact));
  }
}
