import { assertTimeZone, blocksReport, dailyReport, sessionReport, sortEntries } from "@claude-gauge/core";
import { UsageError, type CommonFlags } from "./args.js";
import { load, printJson } from "./load-transcripts.js";

/** `claude-gauge report daily|session|blocks`: ccusage's reports, same JSON shapes and numbers. */
export async function report(kind: string | undefined, flags: CommonFlags): Promise<void> {
  assertTimeZone(flags.timezone);
  const filter = {
    timeZone: flags.timezone,
    ...(flags.since ? { since: flags.since } : {}),
    ...(flags.until ? { until: flags.until } : {}),
  };
  if (kind !== "daily" && kind !== "session" && kind !== "blocks") {
    throw new UsageError(`report: expected daily, session or blocks, got ${JSON.stringify(kind ?? "")}`);
  }
  const now = Date.now();
  // ccusage's daily loader differs from its session/blocks loader in three corners; mirror each.
  const { ledger, limits } = await load(flags, false, now, kind === "daily" ? "daily" : "session");
  switch (kind) {
    case "daily": {
      const r = dailyReport(ledger.entries(), filter);
      if (flags.order === "desc") r.daily.reverse();
      return printJson(r);
    }
    case "session":
      return printJson(sessionReport(ledger.entries(), filter));
    case "blocks": {
      const r = blocksReport(sortEntries(ledger.entries()), now, filter, limits);
      if (flags.order === "desc") r.blocks.reverse();
      return printJson(r);
    }
  }
}
