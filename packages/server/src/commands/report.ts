import { assertTimeZone, blocksReport, dailyReport, sessionReport, sortEntries } from "@claude-gauge/core/reports";
import type { CommonFlags } from "./args.js";
import { isTerminal, writeOut } from "./direct-output.js";
import { jsonText, load } from "./load-transcripts.js";
import { saveAnswer } from "./report-answer.js";
import type { ReportKind } from "./report-kinds.js";
import type { HeadStart } from "./scan-head-start.js";

/**
 * `claude-gauge report daily|session|blocks`: ccusage's reports, same JSON shapes and numbers.
 * `args` are the words after `report` as given: daily and session answers are saved under them
 * (see report-answer.ts) when the scan cache is on. `ahead`: the walk and second scan thread the entry got ready.
 */
export async function report(kind: ReportKind, flags: CommonFlags, args: readonly string[], ahead: HeadStart = {}): Promise<void> {
  assertTimeZone(flags.timezone);
  const filter = {
    timeZone: flags.timezone,
    ...(flags.since ? { since: flags.since } : {}),
    ...(flags.until ? { until: flags.until } : {}),
  };
  const now = Date.now();
  // ccusage's daily loader differs from its session/blocks loader in three corners; mirror each.
  const loaded = await load(flags, false, now, kind === "daily" ? "daily" : "session", ahead);
  const { ledger, limits } = loaded;
  // the table code (cli-table3 and the packages under it) only when a table is printed
  const tables = flags.json ? null : await import("./report-table.js");
  const color = tables?.wantsColor({ isTTY: isTerminal(1) }, process.env) ?? false;
  let out: string;
  switch (kind) {
    case "daily": {
      const r = dailyReport(ledger, filter);
      if (flags.order === "desc") r.daily.reverse();
      out = tables === null ? jsonText(r) : `${tables.dailyTable(r, color)}\n`;
      break;
    }
    case "session": {
      const r = sessionReport(ledger, filter);
      out = tables === null ? jsonText(r) : `${tables.sessionTable(r, color, flags.timezone)}\n`;
      break;
    }
    case "blocks": {
      const r = blocksReport(sortEntries(ledger.entries()), now, filter, limits);
      if (flags.order === "desc") r.blocks.reverse();
      writeOut(1, tables === null ? jsonText(r) : `${tables.blocksTable(r, color, flags.timezone, now)}\n`);
      return;
    }
  }
  writeOut(1, out);
  // an answer is only as good as the listing: a folder or file that could not be read may be readable next time
  if (flags.cache && loaded.problems.length === 0 && !loaded.scan.worker?.problem)
    saveAnswer(args, { env: process.env, stdoutIsTTY: isTerminal(1) }, loaded.roots, loaded.files, { stdout: out, stderr: loaded.notes });
}
