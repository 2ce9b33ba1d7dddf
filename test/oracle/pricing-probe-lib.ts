/**
 * Pricing oracle: prices tiny synthetic transcripts with the pinned ccusage binary
 * (`ccusage claude session --json --offline`, one session per probe) and with our `costOf`.
 * Used by test/oracle/probe-pricing.ts (CLI, also derives the table) and test/pricing-oracle.test.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { costOf } from "../../packages/core/src/cost.js";
import { PRICED_MODELS } from "../../packages/core/src/pricing.js";
import type { Speed, TokenCounts } from "../../packages/core/src/usage-event.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CCUSAGE_BIN = join(REPO_ROOT, "node_modules", ".bin", "ccusage");

/**
 * Names the table does not list, to check name resolution against ccusage's: provider prefixes,
 * dotted spellings, unseen date suffixes, `-latest` aliases, unpriced names and `<synthetic>`.
 */
export const VARIANT_MODELS: readonly string[] = [
  "anthropic/claude-sonnet-4-5",
  "anthropic/claude-opus-4-6",
  "claude-sonnet-4.5",
  "claude-opus-4.6",
  "claude-haiku-4.5",
  "claude-opus-4-6[1m]",
  "claude-opus-4-8-20260901",
  "claude-haiku-4-5-20991231",
  "claude-sonnet-4-6-20260301",
  "claude-3-5-haiku-latest",
  "claude-3-opus-latest",
  // ccusage leaves these unpriced (cost 0): no key of its own contains them at a boundary
  "claude-opus-4-0",
  "claude-sonnet-4-0",
  "claude-3-5-sonnet-latest",
  "totally-unknown-model",
  "<synthetic>",
];

export interface Probe {
  /** also the session id and file name */
  id: string;
  label: string;
  model: string;
  counts: TokenCounts;
  speed: Speed | null;
}

export interface ProbeResult extends Probe {
  ccusage: number;
  ours: number;
  relDiff: number;
}

type Shape = Partial<Omit<TokenCounts, "cacheCreation">> & { noSplit?: number };

function counts(s: Shape): TokenCounts {
  const c5 = s.cacheCreation5m ?? 0;
  const c1 = s.cacheCreation1h ?? 0;
  return {
    input: s.input ?? 0,
    output: s.output ?? 0,
    cacheRead: s.cacheRead ?? 0,
    cacheCreation: s.noSplit ?? c5 + c1,
    cacheCreation5m: c5,
    cacheCreation1h: c1,
  };
}

const K = 1000;
const M = 1_000_000;
const FAST_MIX: Shape = { input: 10 * K, output: 20 * K, cacheCreation5m: 30 * K, cacheCreation1h: 40 * K, cacheRead: 50 * K };
const TYPICAL: Shape = { input: 3, output: 500, cacheCreation5m: 2000, cacheCreation1h: 1000, cacheRead: 150 * K };

/** Probe shapes per model: each token type alone below and above the tier, boundaries, mixes, fast. */
const SHAPES: ReadonlyArray<readonly [label: string, shape: Shape, speed: Speed | null]> = [
  ["in100k", { input: 100 * K }, "standard"],
  ["out100k", { output: 100 * K }, "standard"],
  ["w5m100k", { cacheCreation5m: 100 * K }, "standard"],
  ["w1h100k", { cacheCreation1h: 100 * K }, "standard"],
  ["read100k", { cacheRead: 100 * K }, "standard"],
  ["wNoSplit100k", { noSplit: 100 * K }, "standard"],
  ["in1M", { input: M }, "standard"],
  ["out1M", { output: M }, "standard"],
  ["w5m1M", { cacheCreation5m: M }, "standard"],
  ["w1h1M", { cacheCreation1h: M }, "standard"],
  ["read1M", { cacheRead: M }, "standard"],
  ["wNoSplit1M", { noSplit: M }, "standard"],
  ["in200000", { input: 200_000 }, "standard"],
  ["in200001", { input: 200_001 }, "standard"],
  // 400k of context but every type below 200k: tells per-type tiers from whole-request tiers
  ["mixedContext", { input: 150 * K, cacheRead: 150 * K, cacheCreation5m: 50 * K, cacheCreation1h: 50 * K, output: 10 * K }, "standard"],
  ["fast", FAST_MIX, "fast"],
  ["fastAboveTier", { ...FAST_MIX, input: 300 * K, cacheRead: 500 * K }, "fast"],
  ["typical", TYPICAL, "standard"],
  ["typicalNoSpeed", TYPICAL, null],
];

export function buildProbes(models: readonly string[]): Probe[] {
  const probes: Probe[] = [];
  for (const model of models) {
    for (const [label, shape, speed] of SHAPES) {
      probes.push({ id: `p${probes.length}`, label, model, counts: counts(shape), speed });
    }
  }
  return probes;
}

function transcriptLine(p: Probe): string {
  const c = p.counts;
  const usage: Record<string, unknown> = {
    input_tokens: c.input,
    output_tokens: c.output,
    cache_creation_input_tokens: c.cacheCreation,
    cache_read_input_tokens: c.cacheRead,
  };
  // Claude Code logs the split whenever it knows it; older lines have only the flat total.
  if (c.cacheCreation5m + c.cacheCreation1h > 0) {
    usage["cache_creation"] = { ephemeral_5m_input_tokens: c.cacheCreation5m, ephemeral_1h_input_tokens: c.cacheCreation1h };
  }
  usage["service_tier"] = "standard";
  if (p.speed !== null) usage["speed"] = p.speed;
  return JSON.stringify({
    type: "assistant",
    timestamp: "2026-11-20T10:00:00.000Z",
    sessionId: p.id,
    version: "2.0.0",
    cwd: "/home/u/p",
    isSidechain: false,
    requestId: `req_${p.id}`,
    message: { id: `msg_${p.id}`, model: p.model, role: "assistant", content: [{ type: "text", text: "x" }], usage },
  });
}

interface SessionJson {
  sessions: Array<{ sessionId: string; totalCost: number }>;
}

/** Costs ccusage reports per probe id. */
export function ccusageCosts(probes: readonly Probe[]): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), "pricing-probe-"));
  try {
    const project = join(dir, "projects", "-home-u-p");
    mkdirSync(project, { recursive: true });
    for (const p of probes) writeFileSync(join(project, `${p.id}.jsonl`), `${transcriptLine(p)}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, CLAUDE_CONFIG_DIR: dir };
    delete env["CCUSAGE_MODEL_ALIASES"]; // would rename models before pricing
    const out = execFileSync(CCUSAGE_BIN, ["claude", "session", "--json", "--offline"], {
      cwd: dir, // keep any project-local ccusage config (pricing overrides) out of the oracle
      env,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const parsed = JSON.parse(out) as SessionJson;
    return new Map(parsed.sessions.map((s) => [s.sessionId, s.totalCost]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function relativeDiff(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

export interface PricingProbeReport {
  results: ProbeResult[];
  maxRelDiff: number;
  failures: ProbeResult[];
}

/** Runs every probe for `models` (default: the whole table plus {@link VARIANT_MODELS}). */
export function runPricingProbe(models: readonly string[] = [...PRICED_MODELS, ...VARIANT_MODELS], tolerance = 1e-6): PricingProbeReport {
  const probes = buildProbes(models);
  const costs = ccusageCosts(probes);
  const results = probes.map((p): ProbeResult => {
    // A session with no priced entry still appears (cost 0); absence means ccusage dropped the line.
    const theirs = costs.get(p.id) ?? Number.NaN;
    const ours = costOf(p.model, p.counts, p.speed);
    const d = Number.isNaN(theirs) ? Number.POSITIVE_INFINITY : relativeDiff(theirs, ours);
    return { ...p, ccusage: theirs, ours, relDiff: d };
  });
  const maxRelDiff = results.reduce((m, r) => Math.max(m, r.relDiff), 0);
  return { results, maxRelDiff, failures: results.filter((r) => r.relDiff > tolerance) };
}

/** Per-million rates ccusage implies for one model, read back from its single-type probes. */
export interface DerivedRates {
  model: string;
  base: Record<"input" | "output" | "w5m" | "w1h" | "read" | "wNoSplit", number>;
  above: Record<"input" | "output" | "w5m" | "w1h" | "read" | "wNoSplit", number>;
  fastMultiplier: number;
  /** mixedContext cost ÷ its per-type base-rate cost: 1 unless tiers apply to the whole request */
  mixedRatio: number;
}

export function deriveRates(results: readonly ProbeResult[]): DerivedRates[] {
  const byModel = new Map<string, Map<string, ProbeResult>>();
  for (const r of results) {
    const m = byModel.get(r.model) ?? new Map<string, ProbeResult>();
    m.set(r.label, r);
    byModel.set(r.model, m);
  }
  const round = (x: number): number => Number(x.toPrecision(10));
  const out: DerivedRates[] = [];
  for (const [model, m] of byModel) {
    const cost = (label: string): number => m.get(label)?.ccusage ?? Number.NaN;
    const kinds = [
      ["input", "in"],
      ["output", "out"],
      ["w5m", "w5m"],
      ["w1h", "w1h"],
      ["read", "read"],
      ["wNoSplit", "wNoSplit"],
    ] as const;
    const base = {} as DerivedRates["base"];
    const above = {} as DerivedRates["above"];
    for (const [k, prefix] of kinds) {
      const b = cost(`${prefix}100k`) * 10;
      base[k] = round(b);
      above[k] = round((cost(`${prefix}1M`) - 0.2 * b) / 0.8);
    }
    const mix = m.get("mixedContext");
    const mixBase =
      mix === undefined
        ? Number.NaN
        : (mix.counts.input * base.input +
            mix.counts.output * base.output +
            mix.counts.cacheCreation5m * base.w5m +
            mix.counts.cacheCreation1h * base.w1h +
            mix.counts.cacheRead * base.read) /
          M;
    const fast = m.get("fast");
    const fastStd =
      fast === undefined
        ? Number.NaN
        : (fast.counts.input * base.input +
            fast.counts.output * base.output +
            fast.counts.cacheCreation5m * base.w5m +
            fast.counts.cacheCreation1h * base.w1h +
            fast.counts.cacheRead * base.read) /
          M;
    out.push({
      model,
      base,
      above,
      fastMultiplier: fastStd === 0 ? Number.NaN : round(cost("fast") / fastStd),
      mixedRatio: mixBase === 0 ? Number.NaN : round(cost("mixedContext") / mixBase),
    });
  }
  return out;
}
