import {
  parseConfig,
  UsageSnapshotSchema,
  type CalibrationSuggestion,
  type CeilingFit,
  type SeriesEvidence,
} from "@claude-gauge/core";
import type { CommonFlags } from "./cli-args.js";
import { load } from "./cli-load.js";
import { engineFromLedger } from "./cold-engine.js";
import { formatOnce } from "./format-once.js";
import { OfficialStore } from "./official-store.js";
import { readStateSamples, statePath } from "./statusline.js";

// `once` and `calibrate` live apart from the CLI's entry so that `report` never loads zod.

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

function evidenceLine(name: string, e: SeriesEvidence, unit: string): string {
  if (e.basis === "fallback") {
    return `#   ${name}: ${e.samples} sample(s), fewer than ${e.minSamples}: fallback used${e.max !== null ? ` (largest seen ${Math.round(e.max).toLocaleString("en-US")} ${unit})` : ""}`;
  }
  const f = (x: number | null) => (x === null ? "—" : Math.round(x).toLocaleString("en-US"));
  return `#   ${name}: ${e.samples} samples; p50 ${f(e.p50)}, p90 ${f(e.p90)}, p95 ${f(e.p95)}, max ${f(e.max)} ${unit}`;
}

interface Fits {
  window5h: CeilingFit;
  window7d: CeilingFit;
}

function fitLine(name: string, f: CeilingFit): string {
  if (f.ceilingTokens === null) return `#   fitted to Claude's ${name} %: no usable readings yet (${f.samples} seen; install the statusline)`;
  return `#   fitted to Claude's ${name} %: ${Math.round(f.ceilingTokens).toLocaleString("en-US")} tokens from ${f.used} of ${f.samples} readings (spread ${(f.spread * 100).toFixed(1)} %)`;
}

function formatCalibration(c: CalibrationSuggestion, fits: Fits): string {
  // A ceiling fitted to Claude's own percentages is a measurement; the percentile is a guess.
  const c5 = fits.window5h.ceilingTokens ?? c.ceiling5hTokens;
  const c7 = fits.window7d.ceilingTokens ?? c.ceiling7dTokens;
  return [
    "# claude-gauge calibration from your transcripts",
    "# evidence:",
    evidenceLine("completed 5 h blocks", c.evidence.blocks5h, "tokens"),
    evidenceLine("completed weeks", c.evidence.weeks7d, "tokens"),
    evidenceLine("active minutes", c.evidence.activeMinutes, "tokens/min"),
    fitLine("5 h", fits.window5h),
    fitLine("7 d", fits.window7d),
    `#   P90 guess: 5 h ${Math.round(c.ceiling5hTokens).toLocaleString("en-US")}, 7 d ${Math.round(c.ceiling7dTokens).toLocaleString("en-US")} tokens`,
    `CLAUDE_GAUGE_5H_CEILING=${Math.round(c5)}`,
    `CLAUDE_GAUGE_7D_CEILING=${Math.round(c7)}`,
    `CLAUDE_GAUGE_TACH_REDLINE=${Math.round(c.tachRedlineTokensPerMin)}`,
  ].join("\n");
}

export async function calibrate(flags: CommonFlags): Promise<void> {
  const config = parseConfig(process.env);
  const now = Date.now();
  const r = await load(flags, false, now);
  const engine = engineFromLedger(config, r.ledger, [], r.limits);
  const suggestion = engine.calibration(now);
  const store = new OfficialStore();
  for (const sample of readStateSamples(statePath(process.env))) store.add(sample, engine);
  const fits: Fits = { window5h: store.fit("5h"), window7d: store.fit("7d") };
  process.stdout.write(flags.json ? `${JSON.stringify({ ...suggestion, fittedToOfficial: fits }, null, 2)}\n` : `${formatCalibration(suggestion, fits)}\n`);
}

