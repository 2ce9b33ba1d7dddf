import { assertTimeZone, blocksReport, dailyReport, sessionReport, sortEntries } from "@claude-gauge/core";
import { UsageError, type CommonFlags } from "./args.js";
import { load, printJson } from "./load-transcripts.js";
import { blocksTable, dailyTable, sessionTable, wantsColor } from "./report-table.js";

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
      return flags.json ? printJson(r) : printTable(dailyTable(r, color()));
    }
    case "session": {
      const r = sessionReport(ledger.entries(), filter);
      return flags.json ? printJson(r) : printTable(sessionTable(r, color(), flags.timezone));
    }
    case "blocks": {
      const r = blocksReport(sortEntries(ledger.entries()), now, filter, limits);
      if (flags.order === "desc") r.blocks.reverse();
      return flags.json ? printJson(r) : printTable(blocksTable(r, color(), flags.timezone, now));
    }
  }
}

const color = () => wantsColor(process.stdout, process.env);

function printTable(table: string): void {
  process.stdout.write(`${table}\n`);
}
