import { computeStats, thresholdLevel, type GaugeConfig, type PricedRows, type StatsWindow, type UsageSnapshot, type WindowEngine } from "@claude-gauge/core";
import type { OfficialStore } from "./official-store.js";

export interface StatsInputs {
  /** the counted messages by column, and a number that grows whenever they change */
  rows: { sets: readonly PricedRows[]; version: number };
  engine: WindowEngine;
  official: OfficialStore;
  /** the snapshot behind /usage now */
  snapshot: UsageSnapshot;
  config: GaugeConfig;
  /** IANA zone for the days */
  timeZone: string;
  /** how a project folder appears (its name, or a hash) */
  projectLabel: (project: string) => string;
}

/**
 * /stats: aggregates over the kept messages plus the 50/80/95 % state of both windows against the
 * ceilings in use. Computed from the ledger's columns in one pass and kept per window until the
 * ledger changes or the minute turns, so polling it costs nothing between changes.
 */
export class StatsBook {
  readonly #cache = new Map<StatsWindow, { version: number; minute: number; value: unknown }>();

  get(window: StatsWindow, now: number, x: StatsInputs): unknown {
    const minute = Math.floor(now / 60_000);
    const hit = this.#cache.get(window);
    if (hit && hit.version === x.rows.version && hit.minute === minute) return hit.value;
    const stats = computeStats(x.rows.sets, window, now, { timeZone: x.timeZone, projectLabel: x.projectLabel });
    const cal = x.engine.calibration(now);
    const c = x.config;
    const value = {
      ...stats,
      ceilings: {
        window5hTokens: c.ceiling5hTokens ?? x.engine.fitted.ceiling5hTokens ?? cal.ceiling5hTokens,
        window7dTokens: c.ceiling7dTokens ?? x.engine.fitted.ceiling7dTokens ?? cal.ceiling7dTokens,
        tachRedlineTokensPerMin: c.tachRedlineTokensPerMin ?? cal.tachRedlineTokensPerMin,
        basis: c.ceiling5hTokens === null || c.ceiling7dTokens === null ? "suggested" : "configured",
        fittedToOfficial: x.official.fits(),
      },
      thresholds: {
        window5h: { pct: x.snapshot.window_5h_pct, level: thresholdLevel(x.snapshot.window_5h_pct) },
        window7d: { pct: x.snapshot.window_7d_pct, level: thresholdLevel(x.snapshot.window_7d_pct) },
      },
    };
    this.#cache.set(window, { version: x.rows.version, minute, value });
    return value;
  }
}
