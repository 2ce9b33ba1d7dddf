/**
 * `@claude-gauge/core/decode`: what a transcript scanner needs — the line decoder and the columnar
 * storage of its events — without the contract schema and zod. A scan worker that imports this
 * loads a few kilobytes instead of the whole core.
 */
export { blockTypeKind, decodeLine, NULL_DROP_KEYS, SEMVER_PREFIX, type DecodedLine, type DecodeOptions } from "./decode-line.js";
export { parseTimestamp } from "./timestamp.js";
export { UsageColumns, type UsageColumnParts } from "./usage-columns.js";
export type { LimitNotice, Speed, TurnSignal, TurnSignalKind, UsageEvent, WideCounts } from "./usage-event.js";
