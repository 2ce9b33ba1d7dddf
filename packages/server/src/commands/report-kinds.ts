/** The reports `claude-gauge report` makes. A module of its own: the entry's head start checks the word before the CLI loads. */
const REPORT_KINDS = ["daily", "session", "blocks"] as const;

export type ReportKind = (typeof REPORT_KINDS)[number];

export const isReportKind = (word: string | undefined): word is ReportKind => (REPORT_KINDS as readonly (string | undefined)[]).includes(word);
