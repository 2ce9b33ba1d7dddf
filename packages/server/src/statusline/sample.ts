import type { OfficialRateLimits } from "@claude-gauge/core";

/** What the daemon receives on POST /statusline and what each state-file line holds. */
export interface StatuslineSample {
  /** when the statusline ran, ms since epoch */
  at: number;
  sessionId: string | null;
  rateLimits: OfficialRateLimits;
}

