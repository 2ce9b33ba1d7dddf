import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCorpus, MODELS, SECRET_MARKER } from "./corpus/corpus-lib.js";
import { runCcusage } from "./oracle/ccusage.js";

// small enough to generate in well under a second, large enough to hold every special session
const OPTS = { seed: 7, sizeMb: 2, days: 14, end: "2026-02-01T00:00:00.000Z" } as const;

const roots: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cg-corpus-"));
  roots.push(dir);
  return dir;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

function treeDigest(dir: string): Map<string, string> {
  return new Map(
    listFiles(dir).map((f) => [
      f,
      createHash("sha256")
        .update(readFileSync(join(dir, f)))
        .digest("hex"),
    ]),
  );
}

interface Line {
  file: string;
  raw: string;
  json: Record<string, unknown> | null;
}

interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation?: { ephemeral_1h_input_tokens: number };
  speed?: string;
  iterations?: unknown[];
}

interface AssistantMessage {
  id?: string;
  model?: string;
  usage?: Usage;
  content?: { type: string; text?: string; thinking?: string }[];
}

function readCorpus(dir: string): { lines: Line[]; filesWithoutFinalNewline: number } {
  const lines: Line[] = [];
  let filesWithoutFinalNewline = 0;
  for (const file of listFiles(dir)) {
    const text = readFileSync(join(dir, file), "utf8");
    if (!text.endsWith("\n")) filesWithoutFinalNewline++;
    for (const raw of text.split("\n")) {
      if (raw === "") continue;
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        json = null;
      }
      lines.push({ file, raw, json });
    }
  }
  return { lines, filesWithoutFinalNewline };
}

const msg = (l: Line): AssistantMessage => (l.json?.["message"] ?? {}) as AssistantMessage;

describe("transcript corpus generator", () => {
  let dirA = "";
  let lines: Line[] = [];
  let unterminated = 0;

  beforeAll(async () => {
    dirA = tempDir();
    await generateCorpus({ ...OPTS, outDir: dirA });
    ({ lines, filesWithoutFinalNewline: unterminated } = readCorpus(dirA));
  });

  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it("is deterministic: same seed → byte-identical tree; another seed differs", async () => {
    const dirB = tempDir();
    const dirC = tempDir();
    const statsB = await generateCorpus({ ...OPTS, outDir: dirB });
    await generateCorpus({ ...OPTS, seed: OPTS.seed + 1, outDir: dirC });
    const a = treeDigest(dirA);
    expect(treeDigest(dirB)).toEqual(a);
    expect(treeDigest(dirC)).not.toEqual(a);
    expect(statsB.files).toBe(a.size);
  });

  it("lays files out like Claude Code: projects/<encoded cwd>/<session>.jsonl and subagents/", () => {
    const files = [...new Set(lines.map((l) => l.file))];
    expect(files.every((f) => f.startsWith("projects/") && f.endsWith(".jsonl"))).toBe(true);
    const subagent = lines.filter((l) => /^projects\/[^/]+\/[0-9a-f-]{36}\/subagents\/agent-[^/]+\.jsonl$/.test(l.file));
    expect(subagent.length).toBeGreaterThan(0);
    expect(subagent.filter((l) => l.json !== null).every((l) => l.json?.["isSidechain"] === true)).toBe(true);
    // older eras: sidechain lines inline in the main file, and project-level agent files
    expect(lines.some((l) => /^projects\/[^/]+\/[0-9a-f-]{36}\.jsonl$/.test(l.file) && l.json?.["isSidechain"] === true)).toBe(true);
    expect(files.some((f) => /^projects\/[^/]+\/agent-[0-9a-f]+\.jsonl$/.test(f))).toBe(true);
    // "." and "_" in the cwd are encoded as "-" too
    expect(files.some((f) => f.startsWith("projects/-home-dev-src-site-example-org/"))).toBe(true);
    expect(files.some((f) => f.startsWith("projects/-home-dev-src-data-pipeline/"))).toBe(true);
  });

  it("splits messages into one line per block with growing output, and repeats them on resume", () => {
    const byKey = new Map<string, Line[]>();
    for (const l of lines) {
      const m = msg(l);
      if (l.json?.["type"] !== "assistant" || m.usage === undefined || typeof l.json["requestId"] !== "string") continue;
      const key = `${m.id ?? ""}|${l.json["requestId"]}`;
      byKey.set(key, [...(byKey.get(key) ?? []), l]);
    }
    const groups = [...byKey.values()];
    const growing = groups.filter((g) => {
      const first = msg(g[0] as Line).usage;
      const last = msg(g[g.length - 1] as Line).usage;
      return (
        first !== undefined &&
        last !== undefined &&
        g.length > 1 &&
        last.output_tokens > first.output_tokens &&
        last.cache_read_input_tokens === first.cache_read_input_tokens
      );
    });
    expect(growing.length).toBeGreaterThan(50);
    // the same message in two session files (claude --resume), and a /btw replay with a new requestId
    expect(groups.some((g) => new Set(g.map((l) => l.file)).size > 1)).toBe(true);
    const ids = new Map<string, Set<string>>();
    for (const [key, g] of byKey) {
      const id = key.split("|")[0] ?? "";
      ids.set(id, new Set([...(ids.get(id) ?? []), ...g.map((l) => String(l.json?.["requestId"]))]));
    }
    expect([...ids.values()].some((reqs) => reqs.size > 1)).toBe(true);
  });

  it("covers the usage edge cases ccusage cares about", () => {
    const assistant = lines.filter((l) => l.json?.["type"] === "assistant");
    const usages = assistant.map((l) => msg(l).usage).filter((u): u is Usage => u !== undefined);
    const models = new Set(assistant.map((l) => msg(l).model));
    for (const m of Object.values(MODELS)) expect(models).toContain(m);
    expect(usages.some((u) => u.speed === "fast")).toBe(true);
    expect(usages.some((u) => Array.isArray(u.iterations))).toBe(true);
    expect(usages.some((u) => (u.cache_creation?.ephemeral_1h_input_tokens ?? 0) > 0)).toBe(true);
    expect(usages.some((u) => u.input_tokens > 200_000)).toBe(true);
    expect(usages.some((u) => u.cache_read_input_tokens > 200_000)).toBe(true);
    // real-model messages without requestId (old versions)
    expect(assistant.some((l) => l.json?.["requestId"] === undefined && msg(l).model !== MODELS.synthetic)).toBe(true);
    // usage-limit lines
    const limits = assistant.filter((l) => l.json?.["isApiErrorMessage"] === true);
    expect(limits.length).toBeGreaterThan(0);
    for (const l of limits) {
      expect(msg(l).model).toBe(MODELS.synthetic);
      expect(msg(l).content?.[0]?.text).toMatch(/^Claude AI usage limit reached\|\d{10}$/);
    }
    // progress lines with a nested agent message that has usage
    expect(lines.some((l) => l.json?.["type"] === "progress" && l.raw.includes('"usage":{'))).toBe(true);
    expect(lines.some((l) => l.json?.["type"] === "summary")).toBe(true);
    expect(lines.some((l) => l.json?.["type"] === "file-history-snapshot")).toBe(true);
    expect(lines.some((l) => l.json?.["type"] === "user" && l.raw.length > 50_000)).toBe(true);
  });

  it("contains real-world damage", () => {
    expect(lines.filter((l) => l.json === null).length).toBeGreaterThanOrEqual(2);
    expect(unterminated).toBeGreaterThan(0);
  });

  it("plants the privacy marker in prompts, tool results and thinking blocks", () => {
    const withMarker = lines.filter((l) => l.raw.includes(SECRET_MARKER));
    const promptHit = withMarker.some((l) => l.json?.["type"] === "user" && typeof msg(l).content === "string");
    const toolHit = withMarker.some((l) => l.json?.["type"] === "user" && l.raw.includes('"type":"tool_result"'));
    const thinkingHit = withMarker.some((l) => {
      const content = msg(l).content;
      return Array.isArray(content) && content.some((c) => c.type === "thinking" && (c.thinking ?? "").includes(SECRET_MARKER));
    });
    expect([promptHit, toolHit, thinkingHit]).toEqual([true, true, true]);
  });

  it("has activity across UTC midnight", () => {
    const hours = new Set(
      lines
        .map((l) => l.json?.["timestamp"])
        .filter((t): t is string => typeof t === "string")
        .map((t) => new Date(t).getUTCHours()),
    );
    expect(hours).toContain(23);
    expect(hours).toContain(0);
  });

  it("is read by the pinned ccusage without error, with 5 h splits, gaps and limit resets", async () => {
    const daily = (await runCcusage(dirA, "daily", ["--timezone", "UTC"])) as { daily: unknown[]; totals: { totalTokens: number } };
    const session = (await runCcusage(dirA, "session", ["--timezone", "UTC"])) as { sessions: { sessionId: string }[]; totals: { totalTokens: number } };
    const blocks = (await runCcusage(dirA, "blocks", ["--timezone", "UTC"])) as {
      blocks: { startTime: string; endTime: string; isGap: boolean; isActive: boolean; totalTokens: number; usageLimitResetTime?: string }[];
    };
    expect(daily.daily.length).toBeGreaterThan(5);
    expect(session.totals.totalTokens).toBeGreaterThan(1_000_000);
    // daily may exceed session/blocks only through the documented requestId-less rule
    expect(daily.totals.totalTokens).toBeGreaterThanOrEqual(session.totals.totalTokens);
    const real = blocks.blocks.filter((b) => !b.isGap);
    expect(real.reduce((s, b) => s + b.totalTokens, 0)).toBe(session.totals.totalTokens);
    expect(blocks.blocks.some((b) => b.isGap)).toBe(true);
    expect(blocks.blocks.some((b) => b.isActive)).toBe(false);
    expect(blocks.blocks.some((b) => b.usageLimitResetTime !== undefined)).toBe(true);
    // a continuous run longer than 5 h: the next block starts right where the previous ended
    expect(real.some((b, i) => real[i + 1]?.startTime === b.endTime)).toBe(true);
  });
});
