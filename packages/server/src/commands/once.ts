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
  const engine = engineFromLedger(config, r.ledger, r.signals, r.limits);
  // Unreadable roots or files make the numbers incomplete; say so in the contract.
  const ok = r.problems.length === 0;
  const snapshot = UsageSnapshotSchema.parse(engine.snapshot(now, { kind: "jsonl", ok }));
  process.stdout.write(flags.json ? `${JSON.stringify(snapshot)}\n` : `${formatOnce(snapshot, now)}\n`);
}
