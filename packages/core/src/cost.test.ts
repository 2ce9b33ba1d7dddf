import { describe, expect, it } from "vitest";
import { costOf } from "./cost.js";
import { lookupPricing, modelFamily, PRICED_MODELS } from "./pricing.js";
import { ZERO_COUNTS, type TokenCounts } from "./usage-event.js";

const c = (part: Partial<TokenCounts>): TokenCounts => {
  const counts = { ...ZERO_COUNTS, ...part };
  // a split given without a total stands for a line that logged both
  if (part.cacheCreation === undefined) counts.cacheCreation = counts.cacheCreation5m + counts.cacheCreation1h;
  return counts;
};
const near = (actual: number, expected: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-12);
};

describe("costOf: base rates (USD per 1M: sonnet 4-5 3/15, opus 4-5 5/25)", () => {
  it("prices each token type", () => {
    near(costOf("claude-sonnet-4-5-20250929", c({ input: 1000 }), "standard"), 0.003);
    near(costOf("claude-sonnet-4-5-20250929", c({ output: 1000 }), "standard"), 0.015);
    near(costOf("claude-sonnet-4-5-20250929", c({ cacheRead: 1000 }), "standard"), 0.0003);
    near(costOf("claude-haiku-4-5-20251001", c({ input: 1e6, output: 1e6 }), "standard"), 6);
    near(costOf("claude-opus-4-1-20250805", c({ input: 1e6 }), "standard"), 15);
  });
});

describe("costOf: >200k tier", () => {
  it("applies only above 200,000 tokens of one type", () => {
    near(costOf("claude-sonnet-4-5", c({ input: 200_000 }), "standard"), 0.6);
    near(costOf("claude-sonnet-4-5", c({ input: 200_001 }), "standard"), 0.6 + 6e-6);
  });

  it("bills the part above 200k at the tier rate, per type", () => {
    near(costOf("claude-sonnet-4-5", c({ output: 1e6 }), "standard"), 0.2 * 15 + 0.8 * 22.5);
    near(costOf("claude-sonnet-4", c({ cacheRead: 1e6 }), "standard"), 0.2 * 0.3 + 0.8 * 0.6);
    near(costOf("claude-sonnet-4", c({ cacheCreation5m: 300_000 }), "standard"), 0.2 * 3.75 + 0.1 * 7.5);
  });

  it("does not add types together to pick the tier", () => {
    // 400k of context, but no single type above 200k: all at base rates
    near(costOf("claude-sonnet-4-5", c({ input: 150_000, cacheRead: 150_000, cacheCreation5m: 100_000 }), "standard"), 0.45 + 0.045 + 0.375);
  });

  it("is absent for models whose data has no tier (opus, sonnet 4-6)", () => {
    near(costOf("claude-opus-4-6", c({ input: 1e6 }), "standard"), 5);
    near(costOf("claude-sonnet-4-6", c({ input: 1e6 }), "standard"), 3);
  });
});

describe("costOf: cache writes", () => {
  it("prices 1 h writes at 2× input and 5 min writes at the listed rate", () => {
    near(costOf("claude-opus-4-5", c({ cacheCreation1h: 1e6 }), "standard"), 10);
    near(costOf("claude-opus-4-5", c({ cacheCreation5m: 1e6 }), "standard"), 6.25);
  });

  it("tiers 1 h writes at 2× the >200k input rate", () => {
    near(costOf("claude-sonnet-4-5", c({ cacheCreation1h: 300_000 }), "standard"), 0.2 * 6 + 0.1 * 12);
  });

  it("bills a flat total without split at the 5 min rate", () => {
    near(costOf("claude-opus-4-5", c({ cacheCreation: 100_000 }), "standard"), 0.625);
  });

  it("uses the split, not the flat total, when both are known", () => {
    near(costOf("claude-opus-4-5", c({ cacheCreation: 999, cacheCreation5m: 10, cacheCreation1h: 20 }), "standard"), 10 * 6.25e-6 + 20 * 10e-6);
  });
});

describe("costOf: fast mode", () => {
  it("multiplies the whole message by the model's factor", () => {
    near(costOf("claude-opus-4-6", c({ output: 1e6 }), "fast"), 150);
    near(costOf("claude-opus-4-7-20260416", c({ input: 300_000 }), "fast"), 1.5 * 6);
    near(costOf("claude-opus-4-8", c({ output: 1e6 }), "fast"), 50);
  });

  it("costs the same as standard where no factor is known", () => {
    near(costOf("claude-sonnet-4-5", c({ input: 1e6 }), "fast"), 0.6 + 4.8);
    near(costOf("claude-opus-4-5", c({ output: 1e6 }), "fast"), 25);
  });

  it("treats a missing speed as standard", () => {
    near(costOf("claude-opus-4-6", c({ output: 1e6 }), null), 25);
  });
});

describe("costOf: unpriced models", () => {
  it("costs 0 for unknown models and <synthetic>", () => {
    expect(costOf("totally-unknown-model", c({ input: 1e6 }), "standard")).toBe(0);
    expect(costOf("<synthetic>", c({ input: 1e6, output: 1e6 }), "standard")).toBe(0);
    expect(costOf("claude-opus-4-0", c({ input: 1e6 }), "standard")).toBe(0);
  });

  it("costs 0 for zero tokens", () => {
    expect(costOf("claude-opus-4-6", ZERO_COUNTS, "fast")).toBe(0);
  });
});

describe("lookupPricing: name resolution", () => {
  it("finds dated and undated ids", () => {
    for (const id of [
      "claude-sonnet-4-5-20250929",
      "claude-opus-4-5-20251101",
      "claude-haiku-4-5-20251001",
      "claude-opus-4-1-20250805",
      "claude-sonnet-4-20250514",
      "claude-3-5-haiku-20241022",
      "claude-3-7-sonnet-20250219",
    ]) {
      expect(lookupPricing(id), id).not.toBeNull();
    }
    expect(PRICED_MODELS).toContain("claude-opus-4-7");
  });

  it("matches provider prefixes, dotted spellings and new date suffixes to the base model", () => {
    expect(lookupPricing("anthropic/claude-sonnet-4-5")).toBe(lookupPricing("claude-sonnet-4-5"));
    expect(lookupPricing("claude-opus-4.6")).toBe(lookupPricing("claude-opus-4-6"));
    expect(lookupPricing("claude-opus-4-8-20260901")).toBe(lookupPricing("claude-opus-4-8"));
    expect(lookupPricing("claude-3-5-haiku-latest")).toBe(lookupPricing("claude-3-5-haiku"));
  });

  it("keeps version boundaries", () => {
    // `claude-opus-4` must not price opus 4-0 or an unknown 4-9
    expect(lookupPricing("claude-opus-4-0")).toBeNull();
    expect(lookupPricing("claude-opus-4-9")).toBeNull();
    // priced by exact id only, as ccusage has no key it could match
    expect(lookupPricing("claude-3-5-sonnet-latest")).toBeNull();
  });
});

describe("modelFamily", () => {
  it("reads the family from the name", () => {
    expect(modelFamily("claude-opus-4-5-20251101")).toBe("opus");
    expect(modelFamily("anthropic/claude-sonnet-4-5")).toBe("sonnet");
    expect(modelFamily("claude-3-5-haiku-20241022")).toBe("haiku");
    expect(modelFamily("<synthetic>")).toBeNull();
    expect(modelFamily("claude-fable-5")).toBeNull();
  });
});
