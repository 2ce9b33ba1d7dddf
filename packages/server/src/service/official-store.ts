import {
  BLOCK_DURATION_MS,
  fitCeiling,
  officialFuel,
  WEEK_MS,
  type CeilingFit,
  type OfficialLimit,
  type OfficialSample,
  type OfficialWindow,
  type OfficialWindows,
  type WindowEngine,
} from "@claude-gauge/core";
import type { StatuslineSample } from "../statusline/sample.js";

/** Length of each official window, ms: a reading covers [resetsAt − span, resetsAt). */
export const OFFICIAL_WINDOW_MS: Readonly<Record<OfficialWindow, number>> = { "5h": BLOCK_DURATION_MS, "7d": WEEK_MS };
/** samples kept per window; the fit uses the newest 20 */
const KEEP = 200;

/**
 * Claude's own rate-limit readings as the statusline hands them over, each paired with the tokens
 * counted locally in that window at that moment. From them: the fitted ceilings, and the official
 * fuel of each window between readings (core's official-fuel.ts).
 */
export class OfficialStore {
  readonly #samples: Record<OfficialWindow, OfficialSample[]> = { "5h": [], "7d": [] };

  /** Adds one reading; returns how many windows it carried. */
  add(s: StatuslineSample, engine: WindowEngine): number {
    let n = 0;
    const pairs: [OfficialWindow, OfficialLimit | null][] = [
      ["5h", s.rateLimits.fiveHour],
      ["7d", s.rateLimits.sevenDay],
    ];
    for (const [window, l] of pairs) {
      if (l === null) continue;
      const localTokens = engine.countedTokensBetween(l.resetsAt - OFFICIAL_WINDOW_MS[window], s.at);
      const list = this.#samples[window];
      list.push({ at: s.at, window, usedPct: l.usedPct, resetsAt: l.resetsAt, localTokens });
      list.sort((a, b) => a.at - b.at);
      if (list.length > KEEP) list.splice(0, list.length - KEEP);
      n++;
    }
    return n;
  }

  fit(window: OfficialWindow): CeilingFit {
    return fitCeiling(this.#samples[window], { window });
  }

  /** Both windows' fits, with their evidence (for /stats and calibrate). */
  fits(): { window5h: CeilingFit; window7d: CeilingFit } {
    return { window5h: this.fit("5h"), window7d: this.fit("7d") };
  }

  /** The official share and reset time of each window at `now` (ms), where a fresh reading exists. */
  fuel(engine: WindowEngine, now: number): OfficialWindows {
    const out: OfficialWindows = {};
    for (const window of ["5h", "7d"] as const) {
      const last = this.#samples[window].at(-1) ?? null;
      if (last === null) continue;
      const local = engine.countedTokensBetween(last.resetsAt - OFFICIAL_WINDOW_MS[window], now);
      const f = officialFuel(last, local, this.fit(window).ceilingTokens, now);
      const o = f === null ? null : { pct: f.pct, resetAt: f.resetAt };
      if (window === "5h") out.window5h = o;
      else out.window7d = o;
    }
    return out;
  }
}
