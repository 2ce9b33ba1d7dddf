// What Claude Code pipes into its statusLine command, for tests and the bench: one realistic shape
// in one place. Only `rate_limits`, `session_id` and `model` are read by claude-gauge.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Limit {
  /** 0..100, as Claude Code sends it */
  usedPercentage: number;
  /** ms since epoch (sent as Unix seconds) */
  resetsAt: number;
}

export function claudeStatuslineInput(limits: { fiveHour?: Limit; sevenDay?: Limit } | null, sessionId = "4b9e7c1a-test"): string {
  const rate = (l: Limit) => ({ used_percentage: l.usedPercentage, resets_at: Math.floor(l.resetsAt / 1000) });
  return JSON.stringify({
    hook_event_name: "Status",
    session_id: sessionId,
    transcript_path: `/home/u/.claude/projects/-home-u-p/${sessionId}.jsonl`,
    cwd: "/home/u/p",
    model: { id: "claude-opus-4-5-20251101", display_name: "Opus 4.5" },
    workspace: { current_dir: "/home/u/p", project_dir: "/home/u/p" },
    version: "2.1.80",
    output_style: { name: "default" },
    cost: { total_cost_usd: 1.37, total_duration_ms: 90_000, total_api_duration_ms: 30_000, total_lines_added: 12, total_lines_removed: 3 },
    context_window: { used_tokens: 41_000, max_tokens: 200_000 },
    exceeds_200k_tokens: false,
    ...(limits === null
      ? {}
      : {
          rate_limits: {
            ...(limits.fiveHour ? { five_hour: rate(limits.fiveHour) } : {}),
            ...(limits.sevenDay ? { seven_day: rate(limits.sevenDay) } : {}),
          },
        }),
  });
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
