/**
 * The synthetic working session every source harness feeds its source: API requests of three
 * models in two Claude Code sessions over the last half hour, and the totals any source must
 * arrive at (tokens exact; cost by our own price table, per request).
 */
import { costOf, ZERO_COUNTS } from "@claude-gauge/core";
import type { ApiRequest } from "../helpers/claude-code-otel.js";

const MODELS = ["claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001"] as const;

/** `n` requests ending a minute before `now` (ms), one every ~20 s, deterministic. */
export function syntheticSession(now: number, n = 60): ApiRequest[] {
  const out: ApiRequest[] = [];
  for (let i = 0; i < n; i++) {
    const model = MODELS[i % 7 === 3 ? 1 : i % 5 === 4 ? 2 : 0];
    const counts = {
      ...ZERO_COUNTS,
      input: 3 + ((i * 37) % 400),
      output: 50 + ((i * 997) % 4000),
      // one Sonnet request past 200k: its tiered price is per request, never per sum
      cacheRead: i === 12 ? 250_000 : i === 0 ? 0 : 20_000 + i * 1_500,
      cacheCreation: (i * 7919) % 3000,
    };
    out.push({
      // ms apart within the second: OTLP and transcripts both carry sub-second times
      at: new Date(now - 60_000 - (n - i) * 20_000 + ((i * 137) % 1000)),
      model,
      input: counts.input,
      output: counts.output,
      cacheRead: counts.cacheRead,
      cacheCreation: counts.cacheCreation,
      costUsd: costOf(model, { ...counts, cacheCreation5m: counts.cacheCreation }, null),
      requestId: `req_${String(i).padStart(4, "0")}`,
      session: i % 3 === 2 ? "session-b" : "session-a",
    });
  }
  return out;
}

export interface ModelTotals {
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
  costUsd: number;
}

/** The session's totals per model, sorted by model. */
export function totalsByModel(requests: readonly ApiRequest[]): ModelTotals[] {
  const m = new Map<string, ModelTotals>();
  for (const r of requests) {
    const t = m.get(r.model) ?? { model: r.model, input: 0, output: 0, cacheRead: 0, cacheCreation: 0, costUsd: 0 };
    t.input += r.input;
    t.output += r.output;
    t.cacheRead += r.cacheRead;
    t.cacheCreation += r.cacheCreation;
    t.costUsd += r.costUsd;
    m.set(r.model, t);
  }
  return [...m.values()].sort((a, b) => (a.model < b.model ? -1 : 1));
}
