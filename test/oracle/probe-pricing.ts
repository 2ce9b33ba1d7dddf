/**
 * Compares `costOf` with the pinned ccusage (`claude session --json --offline`) on synthetic probes.
 *
 *   node --import tsx test/oracle/probe-pricing.ts                 # whole table + name variants
 *   node --import tsx test/oracle/probe-pricing.ts --models a,b    # only these model ids
 *   node --import tsx test/oracle/probe-pricing.ts --derive        # also print the rates ccusage implies
 *
 * Exits 1 when any probe differs by more than 1e-6 relative. When bumping ccusage, run with
 * --derive --models <candidate ids> to read the new rates, update packages/core/src/pricing.ts,
 * then run without flags until it passes.
 */
import { deriveRates, runPricingProbe } from "./pricing-probe-lib.js";

const args = process.argv.slice(2);
const modelsArg = args.indexOf("--models");
const models = modelsArg === -1 ? undefined : (args[modelsArg + 1] ?? "").split(",").filter((m) => m !== "");
const report = runPricingProbe(models);

const fmt = (x: number): string => (Number.isFinite(x) ? x.toPrecision(12) : String(x));
const byModel = new Map<string, { n: number; max: number }>();
for (const r of report.results) {
  const s = byModel.get(r.model) ?? { n: 0, max: 0 };
  s.n += 1;
  s.max = Math.max(s.max, r.relDiff);
  byModel.set(r.model, s);
}
for (const [model, s] of byModel) {
  console.log(`${s.max > 1e-6 ? "FAIL" : "ok  "} ${model.padEnd(34)} probes=${s.n} maxRelDiff=${s.max.toExponential(2)}`);
}
for (const f of report.failures) {
  console.log(`  ${f.model} ${f.label}: ccusage=${fmt(f.ccusage)} ours=${fmt(f.ours)} rel=${f.relDiff.toExponential(2)}`);
}

if (args.includes("--derive")) {
  console.log("\nrates ccusage implies (USD per 1M tokens; above = rate for the part of one type's count over 200k)");
  for (const d of deriveRates(report.results)) {
    const b = d.base;
    const a = d.above;
    console.log(
      `${d.model}: base in=${b.input} out=${b.output} w5m=${b.w5m} w1h=${b.w1h} read=${b.read} noSplit=${b.wNoSplit}` +
        ` | above in=${a.input} out=${a.output} w5m=${a.w5m} w1h=${a.w1h} read=${a.read} noSplit=${a.wNoSplit}` +
        ` | fast×${d.fastMultiplier} mixed×${d.mixedRatio}`,
    );
  }
}

console.log(
  `\n${report.results.length} probes over ${byModel.size} models; max relative difference ${report.maxRelDiff.toExponential(2)}; ` +
    `${report.failures.length} over 1e-6`,
);
process.exit(report.failures.length > 0 ? 1 : 0);
