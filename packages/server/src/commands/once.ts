import { parseConfig, UsageSnapshotSchema } from "@claude-gauge/core";
import { engineFromLedger } from "../service/cold-engine.js";
import type { CommonFlags } from "./args.js";
import { formatOnce } from "./format-once.js";
import { load } from "./load-transcripts.js";

// Apart from the CLI's entry so that `report` never loads zod.

export async function once(flags: CommonFlags): Promise<void> {
  const config = parseConfig(process.env);
  const now = Date.now();
  const r = await load(flags, true, now);
  const engine = engineFromLedger(config, r.ledger, r.signals, r.limits, now);
  // Unreadable roots or files make the numbers incomplete; say so in the contract.
  const ok = r.problems.length === 0;
  // The encoders keep every value inside the schema whatever the transcripts hold; should that
  // ever fail, say which fields (never their values) instead of printing a broken contract.
  const parsed = UsageSnapshotSchema.safeParse(engine.snapshot(now, { kind: "jsonl", ok }));
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".")))].join(", ");
    process.stderr.write(`claude-gauge: internal error: the snapshot breaks the /usage contract at ${fields}\n`);
    process.exit(70);
  }
  const snapshot = parsed.data;
  process.stdout.write(flags.json ? `${JSON.stringify(snapshot)}\n` : `${formatOnce(snapshot, now)}\n`);
}
