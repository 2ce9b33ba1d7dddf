/**
 * Deterministic generator of realistic Claude Code transcript trees (a fake Claude config dir).
 * Everything derives from the seed through our own PRNG — no Math.random, no wall clock — so the
 * same options always produce a byte-identical tree. The shapes mirror what Claude Code writes
 * (see /work/shared/REFERENCE.md and docs/ccusage-semantics.md); the text is neutral filler.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface CorpusOptions {
  /** the config dir to create; transcripts land under `<outDir>/projects/` */
  outDir: string;
  seed: number;
  /** approximate total size in MiB (default 20); special sessions make tiny corpora overshoot */
  sizeMb?: number;
  /** days of history ending at `end` (default 30) */
  days?: number;
  /** ISO time; no line is stamped at or after it (default DEFAULT_END) */
  end?: string;
}

export interface CorpusStats {
  files: number;
  bytes: number;
  lines: number;
}

/** Planted in a few prompts, tool results and thinking blocks; must never leak into any output. */
export const SECRET_MARKER = "CG_SECRET_MARKER";
export const DEFAULT_END = "2026-03-01T00:00:00.000Z";
export const DEFAULT_SIZE_MB = 20;
export const DEFAULT_DAYS = 30;

export const MODELS = {
  opus45: "claude-opus-4-5-20251101",
  opus46: "claude-opus-4-6",
  sonnet45: "claude-sonnet-4-5-20250929",
  haiku45: "claude-haiku-4-5-20251001",
  synthetic: "<synthetic>",
} as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------
// PRNG: sfc32 seeded through splitmix32 — tiny, fast, and identical on every platform.

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const mix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  float(): number {
    return this.u32() / 4294967296;
  }

  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  /** log-uniform in [lo, hi]: many small values, a long tail of big ones (token and byte sizes) */
  logInt(lo: number, hi: number): number {
    return Math.floor(Math.exp(Math.log(lo) + this.float() * (Math.log(hi) - Math.log(lo))));
  }

  /** an independent stream, so one session's choices never shift another's */
  fork(): Rng {
    return new Rng(this.u32() ^ 0x5bd1e995);
  }
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX = "0123456789abcdef";
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function randChars(rng: Rng, alphabet: string, n: number): string {
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[rng.u32() % alphabet.length] ?? "";
  return out;
}

function uuid(rng: Rng): string {
  const h = randChars(rng, HEX, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[rng.u32() % 4] ?? "8"}${h.slice(17, 20)}-${h.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------
// Filler text: one seeded pool, sliced at random offsets — far faster than drawing every word.

const WORDS = (
  "the a of to and in is for on with that this from by as it be are at or an was not but can " +
  "value list item table field record index buffer stream parser reader writer handler option " +
  "config module package build test check result error status count total window rate token " +
  "cache entry block session project model report daily weekly summary render layout widget " +
  "button panel gauge needle motor step driver serial socket request response header payload " +
  "timeout retry queue worker thread lock state event signal update refresh format number string " +
  "array object map set function return const let type interface export import default async " +
  "await promise resolve reject yield class method property getter setter null undefined true " +
  "false compute measure verify ensure handle parse encode decode split merge filter reduce sort " +
  "green blue amber quiet steady gentle brisk plain simple small large early later often rarely"
).split(" ");

const CODE_BITS = [
  "const x = 1;",
  "if (n > 0) {",
  "} else {",
  "return value;",
  "for (const item of items) {",
  'log("done")',
  "path/to/file.ts:42",
  "\\n",
  '\\"quoted\\"',
  "\t",
  "=> ",
  "// note",
  "café",
  "naïve",
  "日本語",
  "—",
  "±0.5",
];

function buildPool(rng: Rng, size: number): string {
  const parts: string[] = [];
  let len = 0;
  while (len < size) {
    const r = rng.float();
    let piece: string;
    if (r < 0.06) piece = "\n";
    else if (r < 0.1) piece = rng.pick(CODE_BITS);
    else if (r < 0.13) piece = `${rng.pick(WORDS)}.`;
    else if (r < 0.15) piece = String(rng.int(0, 99999));
    else piece = rng.pick(WORDS);
    parts.push(piece, r < 0.06 ? "" : " ");
    len += piece.length + 1;
  }
  return parts.join("");
}

class Text {
  constructor(
    private readonly pool: string,
    private readonly rng: Rng,
  ) {}

  /** about `n` UTF-16 units of filler (the pool is BMP-only, so any slice is valid text) */
  take(n: number): string {
    if (n <= 0) return "";
    if (n >= this.pool.length) return this.pool.repeat(Math.ceil(n / this.pool.length)).slice(0, n);
    const at = this.rng.int(0, this.pool.length - n);
    return this.pool.slice(at, at + n);
  }

  /** filler with the privacy marker somewhere inside */
  withMarker(n: number): string {
    const head = this.take(Math.max(0, Math.floor(n / 2)));
    return `${head} ${SECRET_MARKER} ${this.take(Math.max(0, n - head.length))}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Projects and sessions

interface Project {
  cwd: string;
  /** folder name under projects/: the cwd with every non-alphanumeric character made "-" */
  dir: string;
  branch: string;
}

const CWDS = [
  "/home/dev/src/acme-api",
  "/home/dev/src/web-dashboard",
  "/home/dev/src/infra.tools",
  "/home/dev/notes",
  "/home/dev/src/gauge-firmware",
  "/home/dev/src/data_pipeline",
  "/home/dev/src/site.example.org",
  "/tmp/scratch-7",
];

function makeProjects(rng: Rng): Project[] {
  return CWDS.map((cwd) => ({
    cwd,
    dir: cwd.replace(/[^a-zA-Z0-9]/g, "-"),
    branch: rng.pick(["main", "main", "develop", "feature/gauge", "fix/parser"]),
  }));
}

type Special =
  | "subagents"
  | "resume"
  | "limit"
  | "legacy"
  | "marathon"
  | "midnight"
  | "bigcontext"
  | "fast"
  | "damaged"
  | "burst"
  | "modelswitch"
  | "inline-sidechain"
  | "project-agent-file"
  | "marker";

/** Each special profile appears at least once, spread over the days, whatever the size. */
const SPECIALS: readonly Special[] = [
  "marker",
  "subagents",
  "resume",
  "midnight",
  "limit",
  "marathon",
  "bigcontext",
  "legacy",
  "fast",
  "damaged",
  "burst",
  "modelswitch",
  "inline-sidechain",
  "project-agent-file",
];

type Ttl = "5m" | "1h" | "mixed";

/** Claude Code versions by era: the newer ones write `speed`, progress lines and subagents/ folders. */
const VERSIONS_NEW = ["2.1.9", "2.1.14", "2.1.31"];
const VERSIONS_MID = ["2.0.37", "2.0.50", "2.0.76"];
const VERSION_LEGACY = "1.0.98";

interface SessionPlan {
  special: Special | null;
  project: Project;
  start: number;
  /** also continue this session later in a new file that repeats its lines */
  resumeLater: boolean;
  damaged: boolean;
}

/** Output of one session: file path (relative to projects/) → lines, in file order. */
type FileSet = Map<string, string[]>;

interface Session {
  rng: Rng;
  text: Text;
  id: string;
  project: Project;
  version: string;
  files: FileSet;
  mainPath: string;
  /** the session's clock, ms since epoch */
  t: number;
  /** no line at or after this time, ms */
  endLimit: number;
  parent: string | null;
  /** tokens in the conversation so far: what a warm call reads from cache */
  context: number;
  /** time of the last API call, ms (0 = cache cold) */
  lastCallAt: number;
  model: string;
  ttl: Ttl;
  withRequestId: boolean;
  withSpeed: boolean;
  fastShare: number;
  bigContext: boolean;
  iterations: boolean;
  /** subagent style of this Claude Code era */
  agents: "subagents-dir" | "inline" | "project-file" | "none";
  /**
   * Special sessions only exist to carry one feature; keeping their tool output small keeps tiny
   * corpora tiny, while ordinary sessions (the bulk of a big corpus) keep the full size spread.
   */
  lean: boolean;
  owedBigResult: boolean;
  /** the next cold call sends the whole context as plain input */
  uncachedOnce: boolean;
  /** the next opus 4.6 call runs in fast mode */
  fastOnce: boolean;
  /** next marker placements still owed (forced in the marker special) */
  owedMarkers: { prompt: boolean; tool: boolean; thinking: boolean };
  /** assistant line objects of this session, for /btw replays */
  emitted: Record<string, unknown>[];
}

// ---------------------------------------------------------------------------------------------
// Line builders (key order as Claude Code writes it)

interface Ctx {
  sidechain: boolean;
  agentId: string | null;
}

const MAIN: Ctx = { sidechain: false, agentId: null };

function envelope(s: Session, ctx: Ctx, type: string, uuidValue: string, ts: number): Record<string, unknown> {
  const line: Record<string, unknown> = {
    parentUuid: s.parent,
    isSidechain: ctx.sidechain,
    userType: "external",
    cwd: s.project.cwd,
    sessionId: s.id,
    version: s.version,
    gitBranch: s.project.branch,
  };
  if (ctx.agentId !== null) line["agentId"] = ctx.agentId;
  line["type"] = type;
  line["uuid"] = uuidValue;
  line["timestamp"] = iso(ts);
  return line;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Writes `line` after moving `uuid`/`timestamp` behind the message, where Claude Code puts them. */
function finish(line: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const { uuid: u, timestamp: ts, ...rest } = line;
  return { ...rest, ...extra, uuid: u, timestamp: ts };
}

function push(s: Session, path: string, obj: Record<string, unknown> | string): void {
  let lines = s.files.get(path);
  if (lines === undefined) {
    lines = [];
    s.files.set(path, lines);
  }
  lines.push(typeof obj === "string" ? obj : JSON.stringify(obj));
}

function userPrompt(s: Session, path: string, ctx: Ctx, text: string): number {
  const u = uuid(s.rng);
  const line = finish(envelope(s, ctx, "user", u, s.t), { message: { role: "user", content: text } });
  push(s, path, line);
  s.parent = u;
  // roughly 4 characters per token
  return Math.ceil(text.length / 4) + s.rng.int(5, 40);
}

type Block =
  | { kind: "thinking"; tokens: number; text: string }
  | { kind: "text"; text: string }
  | { kind: "tool"; id: string; name: string; input: Record<string, unknown>; tokens: number };

function blockJson(s: Session, b: Block): Record<string, unknown> {
  switch (b.kind) {
    case "thinking":
      return { type: "thinking", thinking: b.text, signature: randChars(s.rng, B64, s.rng.int(200, 900)) };
    case "text":
      return { type: "text", text: b.text };
    case "tool":
      return { type: "tool_use", id: b.id, name: b.name, input: b.input };
  }
}

function blockTokens(b: Block): number {
  if (b.kind === "text") return Math.ceil(b.text.length / 3.6) + 3;
  return b.tokens;
}

interface CallResult {
  lines: Record<string, unknown>[];
  end: number;
}

/**
 * One API call: one assistant message written as one line per content block, all sharing
 * message.id + requestId, input/cache counts repeated, output_tokens growing to the last line.
 */
function assistantCall(s: Session, path: string, ctx: Ctx, model: string, blocks: Block[], newTokens: number): CallResult {
  const rng = s.rng;
  const ttlMs = s.ttl === "5m" ? 5 * MINUTE : HOUR;
  const warm = s.lastCallAt > 0 && s.t - s.lastCallAt < ttlMs;
  let input: number;
  let cacheWrite: number;
  let cacheRead: number;
  if (warm) {
    cacheRead = s.context;
    cacheWrite = newTokens;
    input = rng.int(1, 12);
  } else if (s.uncachedOnce || (s.bigContext && s.context + newTokens > 200_000 && rng.chance(0.35))) {
    // a cold call sent without caching: the whole context is plain input (> 200k: tiered price)
    input = s.context + newTokens;
    cacheWrite = 0;
    cacheRead = 0;
    s.uncachedOnce = false;
  } else {
    // the system prompt and tools stay cached across sessions; the rest is written again
    cacheRead = Math.min(s.context, rng.chance(0.7) ? rng.int(11_000, 16_000) : 0);
    cacheWrite = s.context + newTokens - cacheRead;
    input = rng.int(1, 12);
  }
  let cw1h = 0;
  if (s.ttl === "1h") cw1h = cacheWrite;
  else if (s.ttl === "mixed") cw1h = Math.floor(cacheWrite * 0.3);
  const output = blocks.reduce((sum, b) => sum + blockTokens(b), 0);
  const fast = s.withSpeed && model === MODELS.opus46 && (s.fastOnce || rng.chance(s.fastShare));
  if (fast) s.fastOnce = false;
  const id = `msg_01${randChars(rng, BASE62, 22)}`;
  const requestId = s.withRequestId ? `req_011C${randChars(rng, BASE62, 20)}` : null;
  const withIterations = s.iterations && rng.chance(0.3);
  const serverTools = rng.chance(0.2);
  const lines: Record<string, unknown>[] = [];
  // request latency before the first block arrives
  s.t += rng.int(1_200, 9_000);
  // old versions wrote every block of a message with the same timestamp
  const sameTs = s.version === VERSION_LEGACY && rng.chance(0.5);
  blocks.forEach((b, j) => {
    const last = j === blocks.length - 1;
    const out = last ? output : Math.max(1, Math.floor((output * (j + 1)) / (2 * blocks.length)));
    const usage: Record<string, unknown> = {
      input_tokens: input,
      cache_creation_input_tokens: cacheWrite,
      cache_read_input_tokens: cacheRead,
      cache_creation: { ephemeral_5m_input_tokens: cacheWrite - cw1h, ephemeral_1h_input_tokens: cw1h },
      output_tokens: out,
    };
    if (serverTools) usage["server_tool_use"] = { web_search_requests: 0, web_fetch_requests: 0 };
    usage["service_tier"] = "standard";
    if (s.withSpeed) usage["speed"] = fast ? "fast" : "standard";
    if (withIterations) {
      // the per-iteration copy of the same counts: it must never be added on top
      usage["iterations"] = [
        {
          type: "message",
          input_tokens: input,
          output_tokens: out,
          cache_read_input_tokens: cacheRead,
          cache_creation_input_tokens: cacheWrite,
          cache_creation: { ephemeral_5m_input_tokens: cacheWrite - cw1h, ephemeral_1h_input_tokens: cw1h },
        },
      ];
    }
    const message = {
      model,
      id,
      type: "message",
      role: "assistant",
      content: [blockJson(s, b)],
      stop_reason: last ? (b.kind === "tool" ? "tool_use" : "end_turn") : null,
      stop_sequence: null,
      usage,
    };
    const u = uuid(rng);
    const env = envelope(s, ctx, "assistant", u, s.t);
    const line = finish(env, requestId === null ? { message } : { message, requestId });
    // Claude Code puts `type` after the message for assistant lines
    const { type: _t, uuid: uu, timestamp: ts, ...rest } = line;
    const ordered = { ...rest, type: "assistant", uuid: uu, timestamp: ts };
    push(s, path, ordered);
    lines.push(ordered);
    s.parent = u;
    if (!last && !sameTs) s.t += rng.int(40, 2_500);
  });
  s.context += newTokens + output;
  s.lastCallAt = s.t;
  return { lines, end: s.t };
}

/** Tool output sizes: mostly small, some medium, a few 50–500 kB dumps (none in lean sessions). */
function toolResultSize(rng: Rng, lean: boolean): number {
  const r = rng.float();
  if (lean || r < 0.87) return rng.logInt(80, 4_000);
  if (r < 0.985) return rng.logInt(4_000, 40_000);
  return rng.int(50_000, 500_000);
}

const TOOLS = ["Bash", "Read", "Edit", "Grep", "Glob", "Write", "TodoWrite", "WebFetch"];

function toolInput(s: Session, name: string): Record<string, unknown> {
  const t = s.text;
  switch (name) {
    case "Bash":
      return { command: `npm run ${s.rng.pick(["test", "build", "lint"])} -- ${t.take(20)}`, description: t.take(30) };
    case "Read":
      return { file_path: `${s.project.cwd}/src/${s.rng.pick(WORDS)}.ts` };
    case "Edit":
      return { file_path: `${s.project.cwd}/src/${s.rng.pick(WORDS)}.ts`, old_string: t.take(120), new_string: t.take(140) };
    case "Write":
      return { file_path: `${s.project.cwd}/docs/${s.rng.pick(WORDS)}.md`, content: t.take(s.rng.int(200, 3_000)) };
    case "TodoWrite":
      return { todos: [{ content: t.take(40), status: "in_progress", activeForm: t.take(30) }] };
    default:
      return { pattern: t.take(16), path: s.project.cwd };
  }
}

function toolResult(s: Session, path: string, ctx: Ctx, tool: { id: string; name: string }): number {
  let size = toolResultSize(s.rng, s.lean);
  if (s.owedBigResult) {
    s.owedBigResult = false;
    size = s.rng.int(120_000, 300_000);
  }
  let body: string;
  if (s.owedMarkers.tool || s.rng.chance(0.01)) {
    s.owedMarkers.tool = false;
    body = s.text.withMarker(size);
  } else {
    body = s.text.take(size);
  }
  s.t += s.rng.int(80, size > 50_000 ? 6_000 : 2_500);
  const u = uuid(s.rng);
  const extra: Record<string, unknown> = {
    message: { role: "user", content: [{ tool_use_id: tool.id, type: "tool_result", content: body }] },
  };
  // Claude Code keeps a structured copy of most results next to the message (doubling their size)
  if (s.rng.chance(0.7)) {
    extra["toolUseResult"] =
      tool.name === "Read"
        ? { type: "text", file: { filePath: `${s.project.cwd}/src/file.ts`, content: body, numLines: 120, startLine: 1, totalLines: 120 } }
        : { stdout: body, stderr: "", interrupted: false, isImage: false };
  }
  push(s, path, finish(envelope(s, ctx, "user", u, s.t), extra));
  s.parent = u;
  return Math.ceil(size / 3.8);
}

function thinkingBlock(s: Session): Block {
  const tokens = s.rng.chance(0.05) ? s.rng.int(3_000, 12_000) : s.rng.logInt(60, 2_500);
  let text = "";
  if (s.owedMarkers.thinking) {
    s.owedMarkers.thinking = false;
    text = s.text.withMarker(300);
  } else if (s.version === VERSION_LEGACY || s.rng.chance(0.04)) {
    // older versions kept the thinking text; newer ones keep only the signature
    text = s.rng.chance(0.15) ? s.text.withMarker(s.rng.int(100, 1_500)) : s.text.take(s.rng.int(100, 1_500));
  }
  return { kind: "thinking", tokens, text };
}

function summaryLine(s: Session, path: string): void {
  push(s, path, { type: "summary", summary: s.text.take(s.rng.int(30, 70)), leafUuid: uuid(s.rng) });
}

function snapshotLine(s: Session, path: string): void {
  const id = uuid(s.rng);
  const files: Record<string, unknown> = {};
  const n = s.rng.int(0, 6);
  for (let i = 0; i < n; i++) {
    files[`src/${s.rng.pick(WORDS)}-${i}.ts`] = {
      backupFileName: `${randChars(s.rng, HEX, 16)}@v${i + 1}`,
      version: i + 1,
      backupTime: iso(s.t),
    };
  }
  push(s, path, {
    type: "file-history-snapshot",
    messageId: id,
    snapshot: { messageId: id, trackedFileBackups: files, timestamp: iso(s.t) },
    isSnapshotUpdate: s.rng.chance(0.3),
  });
}

/** `<synthetic>` lines carry zero usage, a uuid for message.id and no requestId. */
function syntheticLine(s: Session, path: string, text: string, apiError: boolean): void {
  const u = uuid(s.rng);
  const message = {
    id: uuid(s.rng),
    container: null,
    model: MODELS.synthetic,
    role: "assistant",
    stop_reason: "stop_sequence",
    stop_sequence: "",
    type: "message",
    usage: {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
      service_tier: null,
      cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
    },
    content: [{ type: "text", text }],
  };
  const env = envelope(s, MAIN, "assistant", u, s.t);
  push(s, path, finish(env, apiError ? { message, isApiErrorMessage: true } : { message }));
  s.parent = u;
}

// ---------------------------------------------------------------------------------------------
// Turns

interface TurnOptions {
  /** user think time before the prompt, ms */
  pause: number;
  calls: number;
  spawnAgent: boolean;
}

function prompt(s: Session): string {
  if (s.owedMarkers.prompt || s.rng.chance(0.02)) {
    s.owedMarkers.prompt = false;
    return s.text.withMarker(s.rng.logInt(30, 1_500));
  }
  return s.text.take(s.rng.logInt(15, 2_500));
}

function planBlocks(s: Session, wantTool: boolean, toolNames: readonly string[]): Block[] {
  const blocks: Block[] = [];
  if (s.rng.chance(0.55)) blocks.push(thinkingBlock(s));
  if (!wantTool || s.rng.chance(0.6)) blocks.push({ kind: "text", text: s.text.take(s.rng.logInt(20, 2_400)) });
  if (wantTool) {
    const n = s.rng.chance(0.8) ? 1 : s.rng.int(2, 3);
    for (let i = 0; i < n; i++) {
      const name = s.rng.pick(toolNames);
      blocks.push({ kind: "tool", id: `toolu_01${randChars(s.rng, BASE62, 22)}`, name, input: toolInput(s, name), tokens: s.rng.int(40, 600) });
    }
  }
  return blocks;
}

/** Compaction: the context drops back to a summary once it nears the window. */
function maybeCompact(s: Session): void {
  const limit = s.bigContext ? s.rng.int(380_000, 600_000) : s.rng.int(150_000, 175_000);
  if (s.context > limit) {
    s.context = s.rng.int(18_000, 40_000);
    s.lastCallAt = 0;
  }
}

function turn(s: Session, opts: TurnOptions): void {
  s.t += opts.pause;
  if (s.t >= s.endLimit) return;
  let newTokens = userPrompt(s, s.mainPath, MAIN, prompt(s));
  if (s.rng.chance(0.25)) snapshotLine(s, s.mainPath);
  for (let call = 0; call < opts.calls && s.t < s.endLimit; call++) {
    const last = call === opts.calls - 1;
    const spawn = opts.spawnAgent && call === 0;
    const blocks = spawn
      ? [
          {
            kind: "tool",
            id: `toolu_01${randChars(s.rng, BASE62, 22)}`,
            name: "Task",
            input: { description: s.text.take(30), prompt: s.text.take(400), subagent_type: "Explore" },
            tokens: s.rng.int(80, 300),
          } satisfies Block,
        ]
      : planBlocks(s, !last, TOOLS);
    const res = assistantCall(s, s.mainPath, MAIN, s.model, blocks, newTokens);
    newTokens = 0;
    for (const b of blocks) {
      if (b.kind !== "tool") continue;
      if (b.name === "Task") newTokens += runAgent(s, b.id);
      else newTokens += toolResult(s, s.mainPath, MAIN, b);
    }
    if (res.end >= s.endLimit) break;
    maybeCompact(s);
  }
  if (s.rng.chance(0.03)) {
    s.t += s.rng.int(500, 5_000);
    syntheticLine(s, s.mainPath, "No response requested.", false);
  }
}

/**
 * A Task subagent. Where its lines go depends on the Claude Code era: inline in the main file
 * (isSidechain), a project-level agent-<id>.jsonl, or <session>/subagents/agent-<id>.jsonl with
 * `progress` lines in the main file that repeat each agent message under data.message.
 * Returns the tokens the Task result adds to the parent's context.
 */
function runAgent(s: Session, toolUseId: string): number {
  const agentId = randChars(s.rng, HEX, 8);
  const ctx: Ctx = { sidechain: true, agentId };
  let path = s.mainPath;
  if (s.agents === "subagents-dir") path = `${s.project.dir}/${s.id}/subagents/agent-${agentId}.jsonl`;
  else if (s.agents === "project-file") path = `${s.project.dir}/agent-${agentId}.jsonl`;
  const saved = { parent: s.parent, context: s.context, lastCallAt: s.lastCallAt };
  s.parent = null;
  s.context = s.rng.int(8_000, 14_000);
  s.lastCallAt = 0;
  const model = s.rng.chance(0.7) ? MODELS.haiku45 : MODELS.sonnet45;
  let newTokens = userPrompt(s, path, ctx, s.text.take(s.rng.int(100, 800)));
  const calls = s.rng.int(2, 9);
  let usageIn = 0;
  let usageOut = 0;
  for (let call = 0; call < calls; call++) {
    const last = call === calls - 1;
    const blocks = planBlocks(s, !last, ["Read", "Grep", "Glob", "Bash"]);
    const res = assistantCall(s, path, ctx, model, blocks, newTokens);
    newTokens = 0;
    if (s.agents === "subagents-dir") {
      for (const line of res.lines) progressLine(s, saved.parent, toolUseId, agentId, line);
    }
    const lastLine = res.lines[res.lines.length - 1];
    const usage = (lastLine?.["message"] as { usage?: { input_tokens: number; output_tokens: number } } | undefined)?.usage;
    usageIn += usage?.input_tokens ?? 0;
    usageOut += usage?.output_tokens ?? 0;
    for (const b of blocks) if (b.kind === "tool") newTokens += toolResult(s, path, ctx, b);
  }
  s.parent = saved.parent;
  s.context = saved.context;
  s.lastCallAt = saved.lastCallAt;
  // the Task result: its structured copy carries a "usage":{ object that is not a usage line
  const text = s.text.take(s.rng.int(300, 3_000));
  s.t += s.rng.int(100, 1_000);
  const u = uuid(s.rng);
  push(
    s,
    s.mainPath,
    finish(envelope(s, MAIN, "user", u, s.t), {
      message: { role: "user", content: [{ tool_use_id: toolUseId, type: "tool_result", content: [{ type: "text", text }] }] },
      toolUseResult: {
        status: "completed",
        prompt: s.text.take(80),
        agentId,
        content: [{ type: "text", text }],
        totalDurationMs: s.rng.int(5_000, 200_000),
        totalTokens: usageIn + usageOut,
        totalToolUseCount: calls - 1,
        usage: { input_tokens: usageIn, output_tokens: usageOut, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    }),
  );
  s.parent = u;
  return Math.ceil(text.length / 4);
}

function progressLine(s: Session, parent: string | null, toolUseId: string, agentId: string, nested: Record<string, unknown>): void {
  const line = {
    parentUuid: parent,
    isSidechain: false,
    userType: "external",
    cwd: s.project.cwd,
    sessionId: s.id,
    version: s.version,
    gitBranch: s.project.branch,
    type: "progress",
    data: { message: nested, normalizedMessages: [], type: "agent_progress", prompt: "", agentId },
    toolUseID: `agent_msg_01${randChars(s.rng, BASE62, 20)}`,
    parentToolUseID: toolUseId,
    uuid: uuid(s.rng),
    timestamp: iso(Date.parse(String(nested["timestamp"])) + s.rng.int(1, 40)),
  };
  push(s, s.mainPath, line);
}

/** A /btw side question: a sidechain log that replays parent messages under new request ids. */
function asideReplay(s: Session): void {
  const candidates = s.emitted;
  if (candidates.length === 0) return;
  const path = `${s.project.dir}/${s.id}/subagents/agent-aside_question-${randChars(s.rng, HEX, 8)}.jsonl`;
  const n = Math.min(candidates.length, s.rng.int(1, 4));
  for (let i = candidates.length - n; i < candidates.length; i++) {
    const orig = candidates[i];
    if (orig === undefined) continue;
    push(s, path, { ...orig, isSidechain: true, requestId: `req_011C${randChars(s.rng, BASE62, 20)}` });
  }
}

// ---------------------------------------------------------------------------------------------
// Sessions

function newSession(rng: Rng, text: Text, plan: SessionPlan, endMs: number): Session {
  const sp = plan.special;
  const legacy = sp === "legacy";
  const era = legacy
    ? "legacy"
    : sp === "inline-sidechain" || sp === "project-agent-file"
      ? "mid"
      : sp === "subagents" || sp === "fast"
        ? "new"
        : rng.chance(0.55)
          ? "new"
          : "mid";
  const version = era === "legacy" ? VERSION_LEGACY : era === "mid" ? rng.pick(VERSIONS_MID) : rng.pick(VERSIONS_NEW);
  const id = uuid(rng);
  let agents: Session["agents"] = era === "new" ? "subagents-dir" : era === "mid" ? rng.pick(["inline", "project-file"] as const) : "none";
  if (sp === "inline-sidechain") agents = "inline";
  if (sp === "project-agent-file") agents = "project-file";
  const mainModels = [MODELS.opus45, MODELS.sonnet45, MODELS.opus46, MODELS.haiku45] as const;
  let model: string = rng.pick([MODELS.opus45, MODELS.opus45, MODELS.opus46, MODELS.sonnet45, MODELS.sonnet45, MODELS.haiku45]);
  // specials take the models in turn, so every model shows up even in tiny corpora
  if (sp !== null) model = mainModels[SPECIALS.indexOf(sp) % mainModels.length] ?? model;
  if (sp === "fast") model = MODELS.opus46;
  if (sp === "bigcontext") model = MODELS.sonnet45;
  return {
    rng,
    text,
    id,
    project: plan.project,
    version,
    files: new Map(),
    mainPath: `${plan.project.dir}/${id}.jsonl`,
    t: plan.start,
    endLimit: endMs,
    parent: null,
    context: rng.int(12_000, 22_000),
    lastCallAt: 0,
    model,
    ttl: rng.pick(["5m", "5m", "1h", "mixed"] as const),
    withRequestId: !legacy,
    withSpeed: era === "new",
    fastShare: sp === "fast" ? 0.6 : model === MODELS.opus46 ? 0.05 : 0,
    bigContext: sp === "bigcontext" || (model === MODELS.sonnet45 && rng.chance(0.1)),
    iterations: era === "new",
    agents,
    lean: sp !== null,
    owedBigResult: sp === "marker",
    uncachedOnce: false,
    fastOnce: sp === "fast",
    owedMarkers: { prompt: sp === "marker", tool: sp === "marker", thinking: sp === "marker" },
    emitted: [],
  };
}

function runSession(s: Session, plan: SessionPlan): void {
  const rng = s.rng;
  const sp = plan.special;
  if (rng.chance(0.15)) summaryLine(s, s.mainPath);
  let turns: number;
  let pause: () => number;
  if (sp === "marathon") {
    // a continuous run of 6–9 h: prompts every 1–8 min, so blocks split at exactly 5 h
    const until = s.t + rng.int(6 * HOUR, 9 * HOUR);
    s.endLimit = Math.min(s.endLimit, until);
    turns = 10_000;
    pause = () => rng.int(MINUTE, 8 * MINUTE);
  } else if (sp === "burst") {
    turns = rng.int(25, 50);
    pause = () => rng.int(2_000, 20_000);
  } else if (sp === "bigcontext") {
    // picks up a long conversation past 200k; its first call goes out uncached (input > 200k)
    s.context = rng.int(205_000, 240_000);
    s.uncachedOnce = true;
    turns = rng.int(8, 14);
    pause = () => rng.int(20_000, 4 * MINUTE);
  } else if (sp === "midnight") {
    // from before 23:50 UTC until well past midnight
    const midnight = Math.ceil(s.t / DAY) * DAY;
    s.endLimit = Math.min(s.endLimit, midnight + rng.int(20 * MINUTE, 80 * MINUTE));
    turns = 10_000;
    pause = () => rng.int(2 * MINUTE, 6 * MINUTE);
  } else if (sp !== null) {
    turns = rng.int(3, 8);
    pause = () => rng.logInt(8_000, 6 * MINUTE);
  } else {
    turns = rng.chance(0.2) ? rng.int(15, 45) : rng.int(2, 14);
    pause = () => (rng.chance(0.1) ? rng.int(10 * MINUTE, 50 * MINUTE) : rng.logInt(8_000, 9 * MINUTE));
  }
  // specials carry only their own feature, so nothing random can crowd it out
  const limitAt = sp === "limit" ? 1 : sp === null && rng.chance(0.04) ? rng.int(1, Math.max(1, turns)) : -1;
  const switchAt = sp === "modelswitch" ? 2 : sp === null && rng.chance(0.1) ? rng.int(1, Math.max(1, turns)) : -1;
  const agentShare = s.agents === "none" ? 0 : sp === "subagents" || sp === "inline-sidechain" || sp === "project-agent-file" ? 0.5 : 0.12;
  for (let i = 0; i < turns && s.t < s.endLimit; i++) {
    if (i === switchAt) s.model = rng.pick([MODELS.opus45, MODELS.opus46, MODELS.sonnet45, MODELS.haiku45].filter((m) => m !== s.model));
    if (i === limitAt) {
      hitLimit(s);
      if (s.t >= s.endLimit) break;
    }
    const calls = sp === "burst" || sp === "marathon" ? rng.int(1, 3) : rng.chance(0.3) ? rng.int(4, 12) : rng.int(1, 4);
    const before = countLines(s);
    const forceAgent = i === 0 && (sp === "subagents" || sp === "inline-sidechain" || sp === "project-agent-file");
    turn(s, { pause: pause(), calls, spawnAgent: forceAgent || rng.chance(agentShare) });
    if (sp === "subagents" || rng.chance(0.3)) collectEmitted(s, before);
  }
  if (s.agents === "subagents-dir" && (sp === "subagents" || rng.chance(0.05))) asideReplay(s);
}

function countLines(s: Session): number {
  return s.files.get(s.mainPath)?.length ?? 0;
}

/** Remembers a few assistant lines of the main file (for /btw replays). */
function collectEmitted(s: Session, from: number): void {
  const lines = s.files.get(s.mainPath) ?? [];
  for (let i = from; i < lines.length && s.emitted.length < 8; i++) {
    const l = lines[i];
    if (l === undefined || l.length > 20_000 || !l.includes('"requestId"')) continue;
    const obj = JSON.parse(l) as Record<string, unknown>;
    // only a message's final line: ccusage's session/blocks loader drops a replay only when its
    // timestamp equals the kept (largest) line's, while daily drops it regardless — replaying an
    // earlier line would split the two reports (see docs/ccusage-semantics.md)
    const final = (obj["message"] as { stop_reason?: unknown } | undefined)?.stop_reason != null;
    if (obj["type"] === "assistant" && typeof obj["requestId"] === "string" && final) s.emitted.push(obj);
  }
}

/** "Claude AI usage limit reached|<reset unix s>", then silence until the reset time. */
function hitLimit(s: Session): void {
  s.t += s.rng.int(2_000, 60_000);
  userPrompt(s, s.mainPath, MAIN, prompt(s));
  s.t += s.rng.int(300, 1_500);
  const reset = Math.ceil((s.t + s.rng.int(20 * MINUTE, 4 * HOUR)) / HOUR) * HOUR;
  syntheticLine(s, s.mainPath, `Claude AI usage limit reached|${Math.floor(reset / 1000)}`, true);
  s.t = reset + s.rng.int(MINUTE, 40 * MINUTE);
  s.lastCallAt = 0;
}

/**
 * `claude --resume`: a new session file that first repeats the old conversation (same
 * message.id + requestId, old timestamps, the new sessionId), then continues hours later.
 */
function resumeSession(rng: Rng, text: Text, old: Session, endMs: number): Session | null {
  const start = old.t + rng.int(40 * MINUTE, 20 * HOUR);
  if (start >= endMs) return null;
  const s: Session = {
    ...old,
    rng,
    text,
    id: uuid(rng),
    files: new Map(),
    t: start,
    endLimit: endMs,
    lastCallAt: 0,
    owedBigResult: false,
    owedMarkers: { prompt: false, tool: false, thinking: false },
    emitted: [],
  };
  s.mainPath = `${s.project.dir}/${s.id}.jsonl`;
  summaryLine(s, s.mainPath);
  const oldLines = old.files.get(old.mainPath) ?? [];
  const from = Math.max(0, oldLines.length - rng.int(20, 400));
  const oldSid = `"sessionId":"${old.id}"`;
  const newSid = `"sessionId":"${s.id}"`;
  for (let i = from; i < oldLines.length; i++) {
    const l = oldLines[i];
    if (l !== undefined) push(s, s.mainPath, l.split(oldSid).join(newSid));
  }
  const turns = rng.int(2, 12);
  for (let i = 0; i < turns && s.t < s.endLimit; i++) {
    turn(s, { pause: rng.logInt(8_000, 6 * MINUTE), calls: rng.int(1, 6), spawnAgent: false });
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Damage and output

/** Real-world damage: a line cut mid-write, a stray garbage line, a last line without "\n". */
function damage(rng: Rng, lines: string[]): { content: string } {
  const usageLines = lines.map((l, i) => (l.includes('"usage":{') ? i : -1)).filter((i) => i >= 0);
  const cut = usageLines[Math.floor(usageLines.length / 2)];
  if (cut !== undefined) {
    const l = lines[cut] ?? "";
    lines[cut] = l.slice(0, Math.floor(l.length * rng.float() * 0.9) + 10);
  }
  lines.splice(Math.min(lines.length, 3), 0, "\u0000\u0000{not json");
  const last = lines[lines.length - 1] ?? "";
  // the file ends inside a half-written line
  lines[lines.length - 1] = last.slice(0, Math.max(1, Math.floor(last.length / 2)));
  return { content: lines.join("\n") };
}

class Writer {
  files = 0;
  bytes = 0;
  lines = 0;
  private readonly dirs = new Set<string>();

  constructor(private readonly root: string) {}

  write(rel: string, content: string): void {
    const path = join(this.root, rel);
    const dir = dirname(path);
    if (!this.dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    writeFileSync(path, content);
    this.files++;
    this.bytes += Buffer.byteLength(content);
    let n = 0;
    for (let i = content.indexOf("\n"); i >= 0; i = content.indexOf("\n", i + 1)) n++;
    this.lines += n + (content.length > 0 && !content.endsWith("\n") ? 1 : 0);
  }
}

function flush(w: Writer, rng: Rng, s: Session, damaged: boolean): number {
  const before = w.bytes;
  for (const [rel, lines] of s.files) {
    if (lines.length === 0) continue;
    const isMain = rel === s.mainPath;
    if (isMain && damaged) {
      w.write(rel, damage(rng, [...lines]).content);
    } else if (isMain && rng.chance(0.08)) {
      // a complete last line that was never followed by "\n"
      w.write(rel, lines.join("\n"));
    } else {
      w.write(rel, `${lines.join("\n")}\n`);
    }
  }
  return w.bytes - before;
}

// ---------------------------------------------------------------------------------------------
// Schedule

/** UTC hours of the working periods: the night shift runs across UTC midnight. */
const PERIODS: readonly { from: number; to: number; weight: number }[] = [
  { from: 7, to: 11.5, weight: 0.35 },
  { from: 12.5, to: 17.5, weight: 0.4 },
  { from: 20.5, to: 25.5, weight: 0.25 },
];

function pickStart(rng: Rng, dayStart: number, special: Special | null): number {
  if (special === "midnight") return dayStart + 23 * HOUR + rng.int(5 * MINUTE, 45 * MINUTE);
  if (special === "marathon") return dayStart + rng.int(7 * HOUR, 10 * HOUR);
  let r = rng.float();
  let period = PERIODS[0];
  for (const p of PERIODS) {
    period = p;
    r -= p.weight;
    if (r < 0) break;
  }
  const { from, to } = period ?? { from: 9, to: 17 };
  return dayStart + Math.floor((from + rng.float() * (to - from)) * HOUR);
}

function dayWeight(rng: Rng, dayStart: number): number {
  const weekday = new Date(dayStart).getUTCDay();
  // idle days give multi-day gaps; weekends are light
  if (rng.chance(0.1)) return 0;
  if (weekday === 0 || weekday === 6) return 0.3 * rng.float();
  return 0.6 + 0.8 * rng.float();
}

export async function generateCorpus(opts: CorpusOptions): Promise<CorpusStats> {
  const sizeMb = opts.sizeMb ?? DEFAULT_SIZE_MB;
  const days = opts.days ?? DEFAULT_DAYS;
  const endMs = Date.parse(opts.end ?? DEFAULT_END);
  if (!Number.isFinite(endMs)) throw new Error(`generateCorpus: end is not an ISO time: ${String(opts.end)}`);
  if (!(sizeMb > 0)) throw new Error(`generateCorpus: sizeMb must be > 0, got ${sizeMb}`);
  if (!Number.isInteger(days) || days < 1) throw new Error(`generateCorpus: days must be a positive integer, got ${days}`);

  const root = new Rng(opts.seed);
  const text = new Text(buildPool(root.fork(), 1_500_000), root.fork());
  const projects = makeProjects(root.fork());
  const w = new Writer(join(opts.outDir, "projects"));
  const budget = sizeMb * 1024 * 1024;

  const firstDay = Math.floor((endMs - days * DAY) / DAY) * DAY;
  const dayStarts: number[] = [];
  for (let d = firstDay; d < endMs; d += DAY) dayStarts.push(d);
  const schedRng = root.fork();
  const weights = dayStarts.map((d) => dayWeight(schedRng, d));
  // specials go on working days spread over the range, never the last day: the midnight run and
  // the resumed session need room before `end`
  const specialDays = new Map<number, Special[]>();
  const candidates = dayStarts.map((_, i) => i).filter((i) => i < dayStarts.length - 1 || dayStarts.length === 1);
  const workDays = candidates.filter((i) => (weights[i] ?? 0) > 0.5);
  const slots = workDays.length > 0 ? workDays : candidates;
  SPECIALS.forEach((sp, k) => {
    const day = slots[Math.floor((k * slots.length) / SPECIALS.length)] ?? 0;
    specialDays.set(day, [...(specialDays.get(day) ?? []), sp]);
  });
  const totalWeight = weights.reduce((a, b) => a + b, 0) || 1;

  // bytes the corpus should hold by the end of each day; a day that starts over target (the
  // specials are a fixed cost) adds nothing beyond its specials, so tiny corpora stay tiny
  let target = 0;
  for (let di = 0; di < dayStarts.length; di++) {
    const dayStart = dayStarts[di] ?? firstDay;
    target += (budget * (weights[di] ?? 0)) / totalWeight;
    const queue = [...(specialDays.get(di) ?? [])];
    const dayRng = schedRng.fork();
    while (queue.length > 0 || w.bytes < target) {
      const special = queue.shift() ?? null;
      const start = pickStart(dayRng, dayStart, special);
      if (start >= endMs) {
        if (queue.length === 0) break;
        continue;
      }
      const plan: SessionPlan = {
        special,
        // specials take the projects in turn, so every project folder shows up even in tiny corpora
        project: special === null ? dayRng.pick(projects) : (projects[SPECIALS.indexOf(special) % projects.length] ?? dayRng.pick(projects)),
        start,
        resumeLater: special === "resume" || dayRng.chance(0.06),
        damaged: special === "damaged" || dayRng.chance(0.01),
      };
      const sessRng = dayRng.fork();
      const s = newSession(sessRng, text, plan, endMs);
      runSession(s, plan);
      flush(w, sessRng, s, plan.damaged);
      if (plan.resumeLater) {
        const r = resumeSession(sessRng.fork(), text, s, endMs);
        if (r !== null) flush(w, sessRng, r, false);
      }
    }
  }
  return { files: w.files, bytes: w.bytes, lines: w.lines };
}
