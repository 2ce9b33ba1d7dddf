/**
 * `@claude-gauge/core/reports`: ccusage's daily, session and blocks reports and the ledger they
 * read, without the contract schema and zod. A one-shot report that imports this loads a fraction
 * of the whole core (bundlers keep a barrel's modules together: the zod schema came along).
 */
export {
  blocksReport,
  dailyReport,
  sessionReport,
  sortEntries,
  type BlockRow,
  type DailyRow,
  type GrandTotals,
  type PricedEntry,
  type ReportFilter,
  type ReportTotals,
  type SessionRow,
} from "./reports.js";
export { MessageLedger, SavedLedger, type CostFn, type KeptMessages, type LedgerMode, type SavedMessages } from "./message-ledger.js";
export { idHash } from "./row-index.js";
export { costOf } from "./cost.js";
export { assertTimeZone } from "./calendar.js";
export type { LimitNotice, TurnSignal, UsageEvent } from "./usage-event.js";
