/**
 * The shared source contract (test/source-contract.e2e.test.ts) runs every `test/sources/*.harness.ts`.
 * A harness file exports `harness: SourceHarness`: how to start a real daemon on its source, feed
 * it the synthetic session (session.ts), and break and repair the source. The test then checks
 * that the daemon arrives at the session's totals (tokens exact, per model, in /stats and in both
 * windows of /usage) and that its health goes bad and recovers by itself.
 *
 * The demo has no harness: it is the transcript source on a generated tree it writes itself, so
 * it cannot be fed this session (the jsonl harness covers the pipeline it uses).
 */
import type { SourceKind } from "@claude-gauge/core";
import type { ApiRequest } from "../helpers/claude-code-otel.js";
import type { RunningServer } from "../helpers/server-process.js";

export interface SourceHarness {
  /** the test's label, e.g. "otlp (logs, http/protobuf)" */
  name: string;
  /** what /usage must report as `source` */
  kind: SourceKind;
  /**
   * How closely each model's cost must match the session's, as decimal digits for toBeCloseTo
   * (tokens are always exact): 9 where the source prices each request with our table, fewer
   * where the cost arrives summed (metrics).
   */
  costDigits: number;
  /** Starts a daemon on the source and delivers the whole session; resolves when it is sent. */
  start(session: readonly ApiRequest[]): Promise<FedSource>;
}

export interface FedSource {
  server: RunningServer;
  /** Puts the source in a fault the daemon must report (source_ok false, STALL). */
  break(): Promise<void>;
  /** Takes the fault away; the daemon must recover without help. */
  repair(): Promise<void>;
  /** Stops the daemon and anything else the harness started. */
  stop(): Promise<void>;
}
