import {
  fitTokenTypes,
  MIN_READINGS_FOR_TYPES,
  parseConfig,
  sortEntries,
  type CalibrationSuggestion,
  type CeilingFit,
  type SeriesEvidence,
  type TypeSetFit,
} from "@claude-gauge/core";
import { engineFromLedger } from "../service/cold-engine.js";
import { OfficialStore } from "../service/official-store.js";
import { typedReadings } from "../service/typed-readings.js";
import { parseStatuslineSample } from "../statusline/sample.js";
import { readStateSamples, stateDir } from "../statusline/state-file.js";
import type { CommonFlags } from "./args.js";
import { load } from "./load-transcripts.js";

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

function typesLine(name: string, fits: readonly TypeSetFit[]): string {
  const best = fits[0];
  if (best === undefined || best.ceilingTokens === null || best.used < MIN_READINGS_FOR_TYPES) {
    return `# which tokens Claude's ${name} % counts: needs ${MIN_READINGS_FOR_TYPES}+ readings`;
  }
  const rest = fits
    .slice(1)
    .filter((f) => f.ceilingTokens !== null)
    .map((f) => `${f.types.join("+")} ${(f.spread * 100).toFixed(1)} %`)
    .join(", ");
  return `# which tokens Claude's ${name} % counts: best ${best.types.join("+")} (spread ${(best.spread * 100).toFixed(1)} % over ${best.used} readings; others: ${rest}) — set CLAUDE_GAUGE_COUNT=${best.types.join(",")} to match`;
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
  const engine = engineFromLedger(config, r.ledger, [], r.limits, now);
  const suggestion = engine.calibration(now);
  const store = new OfficialStore();
  const readings = readStateSamples(stateDir(process.env), (v) => parseStatuslineSample(v, now));
  for (const sample of readings) store.add(sample, engine);
  const fits: Fits = store.fits();
  // Which token types Claude's percentage counts, judged by which set makes the readings agree.
  const typed = typedReadings(sortEntries(r.ledger.entries()), readings);
  const types = { window5h: fitTokenTypes(typed, "5h"), window7d: fitTokenTypes(typed, "7d") };
  process.stdout.write(
    flags.json
      ? `${JSON.stringify({ ...suggestion, fittedToOfficial: fits, tokenTypes: types }, null, 2)}\n`
      : `${formatCalibration(suggestion, fits)}\n${typesLine("5 h", types.window5h)}\n${typesLine("7 d", types.window7d)}\n`,
  );
}
