import type { LedgerState, LimitNotice, SourceKind, TurnSignal, UsageColumns, UsageEvent, WindowsState } from "@claude-gauge/core";

/**
 * Where a source delivers what it read. `initial` is true for everything delivered during the
 * source's backfill (before `start()` resolves): the service feeds the windows those in time order
 * once, instead of one by one.
 */
export interface SourceSink {
  /** one API message (or a further line of one): the service's ledger counts each message once */
  usage(event: UsageEvent, initial: boolean): void;
  /** a backfill's lines in bulk, as columns: usage(row, true) for each row, in order */
  usageRows(rows: UsageColumns): void;
  /**
   * One API request known by its `requestId` only (an OTLP api_request event, no message id):
   * counted unless a transcript line of the same request was; a transcript line that comes later
   * replaces its counts with the transcript's.
   */
  request(event: UsageEvent & { requestId: string }, initial: boolean): void;
  /**
   * The transcript ledger, for a source that saves it so that a restart goes on from it (the
   * JSONL source); absent where the sink keeps none.
   */
  ledger?: {
    /** grows whenever the ledger changes */
    version(): number;
    state(): LedgerState;
    /** the windows' state, taken with state(): null while they hold more than the transcripts' messages */
    windows(): WindowsState | null;
    /**
     * Takes a saved state back, before anything was counted: false when something was. Throws
     * RangeError when the state does not hold together (the ledger is left as it was). Windows
     * that do not fit are fed the history instead (with a note).
     */
    resume(state: LedgerState, windows: WindowsState | null): boolean;
  };
  signal(signal: TurnSignal, initial: boolean): void;
  limit(notice: LimitNotice, initial: boolean): void;
  /** an input the source skipped (a bad transcript line, a malformed export): counted and logged */
  rejected(where: string, error: string): void;
}

/** Something that is wrong now. `where` names a path, URL or endpoint, never a field's value. */
export interface SourceProblem {
  where: string;
  error: string;
}

/** A source's state now: problems clear when their cause goes away (faults are states, not latches). */
export interface SourceHealth {
  kind: SourceKind;
  ok: boolean;
  problems: SourceProblem[];
  /** what the source follows, for /healthz (roots and files, an endpoint, a server URL…) */
  detail: Record<string, unknown>;
}

/**
 * One input of usage: transcripts, OTLP exports, a PromQL server, ccusage, the demo. The service
 * does not know which it has; every implementation passes the shared source contract test.
 */
export interface Source {
  readonly kind: SourceKind;
  /** Backfill (delivered with `initial`), then follow. Resolves when the backfill is delivered. */
  start(sink: SourceSink): Promise<void>;
  stop(): void;
  health(): SourceHealth;
}
