import { beforeAll, describe, expect, it } from "vitest";
import { PRICED_MODELS } from "../packages/core/src/pricing.js";
import { runPricingProbe, VARIANT_MODELS, type PricingProbeReport } from "./oracle/pricing-probe-lib.js";

const MODELS = [...PRICED_MODELS, ...VARIANT_MODELS];

describe("pricing oracle: costOf vs ccusage claude session --json --offline", () => {
  let report: PricingProbeReport;
  beforeAll(() => {
    report = runPricingProbe(MODELS);
  });

  it("probes every priced model and every name variant", () => {
    const probed = new Set(report.results.map((r) => r.model));
    for (const m of MODELS) expect(probed.has(m), m).toBe(true);
  });

  it.each(MODELS)("%s matches ccusage within 1e-6", (model) => {
    const mismatches = report.results.filter((r) => r.model === model && !(r.relDiff <= 1e-6)).map((r) => `${r.label}: ccusage=${r.ccusage} ours=${r.ours}`);
    expect(mismatches).toEqual([]);
  });
});
