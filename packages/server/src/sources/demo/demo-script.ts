/*
 * The demo's working day, as Claude Code would have written it: transcript lines with timestamps,
 * message ids, block types and usage, nothing else. Pure and seeded, so a test can replay a day
 * through the core and check the story it tells (see demo-script.test.ts).
 *
 * A day is a warm-up (2 h of earlier work in the current 5 h block) followed by a live session of
 * about 12 minutes: a Sonnet tool loop, an idle gap, Opus with three Haiku sub-agents (the HOT
 * spike), another gap, then Sonnet again until the 5 h tank passes the warn mark.
 */

/** One transcript line to append. */
export interface DemoLine {
  /** ms since epoch, on the demo clock */
  t: number;
  /** path below projects/ ("<project>/<session>.jsonl" or a sub-agent log) */
  file: string;
  /** the JSON line, without its newline */
  json: string;
}

export interface DemoDay {
  /** every line of the day, in time order */
  lines: DemoLine[];
  /** ms since epoch: when the live session starts (its first prompt) */
  startMs: number;
  /** ms since epoch: when the day's story is over (after the last idle stretch) */
  endMs: number;
  /** tokens (all four types) written in the current 5 h block: warm-up plus session */
  blockTokens: number;
  /** the largest 60 s rate outside the sub-agent burst, tokens/min */
  calmPeakPerMin: number;
  /** the largest 60 s rate during the sub-agent burst, tokens/min */
  spikePeakPerMin: number;
}

export const DEMO_MODELS = {
  opus: "claude-opus-4-5-20251101",
  sonnet: "claude-sonnet-4-5-20250929",
  haiku: "claude-haiku-4-5-20251001",
} as const;
type Family = keyof typeof DEMO_MODELS;

/** Encoded-cwd folder names, as Claude Code names project folders. */
export const DEMO_PROJECTS = ["-home-you-src-webshop", "-home-you-src-claude-gauge", "-home-you-src-infra"] as const;

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Small seeded generator (mulberry32), so a seed always tells the same day. */
class DemoRandom {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[this.int(0, 15)];
    return s;
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-a${this.hex(3)}-${this.hex(12)}`;
  }
}

/** What one stretch of tool loop looks like. */
interface LoopShape {
  turns: number;
  /** model answer time, ms */
  latencyMs: [number, number];
  /** tool run time, ms */
  toolMs: [number, number];
  /** output tokens of one message */
  output: [number, number];
  /** tokens a tool result adds to the context */
  resultTokens: [number, number];
  /** chance that a message starts with a thinking block */
  thinking: number;
}

/**
 * One transcript file being written: keeps the session's clock, its cached context and the tokens
 * still to be written to the cache on the next request.
 */
class SessionWriter {
  t: number;
  model: Family;
  /** tokens already in the prompt cache */
  ctx: number;
  /** tokens the next request writes to the cache (new tool results, the previous answer) */
  pending: number;
  readonly #rng: DemoRandom;
  readonly #file: string;
  readonly #session: string;
  readonly #cwd: string;
  readonly #out: DemoLine[];
  readonly #tally: (t: number, tokens: number) => void;

  constructor(o: {
    rng: DemoRandom;
    out: DemoLine[];
    tally: (t: number, tokens: number) => void;
    project: string;
    session: string;
    /** a sub-agent log of `session` when set */
    agent?: string;
    model: Family;
    t: number;
    ctx: number;
    /** the context is still in the prompt cache (a conversation continued within the cache TTL) */
    warm?: boolean;
  }) {
    this.#rng = o.rng;
    this.#out = o.out;
    this.#tally = o.tally;
    this.#session = o.session;
    this.#file = o.agent ? `${o.project}/${o.session}/subagents/agent-${o.agent}.jsonl` : `${o.project}/${o.session}.jsonl`;
    this.#cwd = o.project.replaceAll("-", "/");
    this.model = o.model;
    this.t = o.t;
    // a cold context is written to the cache by the first request
    this.ctx = o.warm ? o.ctx : 0;
    this.pending = o.warm ? 0 : o.ctx;
  }

  get session(): string {
    return this.#session;
  }

  #push(t: number, body: Record<string, unknown>): void {
    const json = JSON.stringify({
      parentUuid: null,
      isSidechain: this.#file.includes("/subagents/"),
      userType: "external",
      cwd: this.#cwd,
      sessionId: this.#session,
      version: "2.0.42",
      timestamp: new Date(t).toISOString(),
      ...body,
    });
    this.#out.push({ t, file: this.#file, json });
  }

  prompt(afterMs: number): void {
    this.t += afterMs;
    this.pending += this.#rng.int(20, 400);
    this.#push(this.t, { type: "user", message: { role: "user", content: "(demo prompt)" } });
  }

  toolResult(afterMs: number, tokens: number): void {
    this.t += afterMs;
    this.pending += tokens;
    this.#push(this.t, {
      type: "user",
      message: { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_demo", content: "(demo tool output)" }] },
    });
  }

  /** One API message: an optional thinking line, then the closing text or tool_use line. */
  message(afterMs: number, output: number, end: "text" | "tool_use", thinking: boolean): void {
    this.t += afterMs;
    const id = `msg_01demo${this.#rng.hex(16)}`;
    const requestId = `req_011demo${this.#rng.hex(14)}`;
    const input = this.#rng.int(1, 12);
    const write = this.pending;
    const read = this.ctx;
    const usage = (out: number) => ({
      input_tokens: input,
      cache_creation_input_tokens: write,
      cache_read_input_tokens: read,
      output_tokens: out,
      service_tier: "standard",
    });
    const line = (t: number, block: Record<string, unknown>, out: number) =>
      this.#push(t, {
        type: "assistant",
        requestId,
        message: { id, type: "message", role: "assistant", model: DEMO_MODELS[this.model], content: [block], usage: usage(out) },
      });
    if (thinking) {
      line(this.t - this.#rng.int(300, 1200), { type: "thinking", thinking: "", signature: "demo" }, Math.round(output * 0.4));
    }
    line(
      this.t,
      end === "text"
        ? { type: "text", text: "(demo answer)" }
        : { type: "tool_use", id: `toolu_demo${this.#rng.hex(8)}`, name: "Bash", input: { command: "(demo)" } },
      output,
    );
    this.#tally(this.t, input + write + read + output);
    this.ctx += write;
    this.pending = output;
  }

  /** A model switch misses the cache: the next request writes the whole context again. */
  switchModel(model: Family): void {
    this.model = model;
    this.pending += this.ctx;
    this.ctx = 0;
  }

  /** `turns` rounds of answer → tool → result, ending on a tool_use (the caller decides what follows). */
  loop(shape: LoopShape): void {
    const r = this.#rng;
    for (let i = 0; i < shape.turns; i++) {
      this.message(r.int(...shape.latencyMs), r.int(...shape.output), "tool_use", r.next() < shape.thinking);
      this.toolResult(r.int(...shape.toolMs), r.int(...shape.resultTokens));
    }
  }

  answer(): void {
    this.message(this.#rng.int(2500, 6000), this.#rng.int(250, 900), "text", false);
  }
}

const SONNET_LOOP: LoopShape = {
  turns: 16,
  latencyMs: [3500, 7500],
  toolMs: [1200, 5000],
  output: [150, 900],
  resultTokens: [800, 4000],
  thinking: 0.4,
};
const OPUS_LOOP: LoopShape = {
  turns: 5,
  latencyMs: [6000, 11_000],
  toolMs: [1500, 4000],
  output: [700, 2600],
  resultTokens: [1000, 5000],
  thinking: 0.8,
};
const HAIKU_LOOP: LoopShape = {
  turns: 14,
  latencyMs: [1200, 2600],
  toolMs: [300, 1200],
  output: [80, 400],
  resultTokens: [1500, 6000],
  thinking: 0,
};

/** Sliding 60 s maximum of the tokens tallied in [from, to), tokens/min. */
function peakRate(events: readonly { t: number; tokens: number }[], from: number, to: number): number {
  const inRange = events.filter((e) => e.t >= from && e.t < to).sort((a, b) => a.t - b.t);
  let peak = 0;
  let sum = 0;
  let head = 0;
  for (const e of inRange) {
    sum += e.tokens;
    while ((inRange[head]?.t ?? Infinity) <= e.t - MINUTE) sum -= inRange[head++]!.tokens;
    peak = Math.max(peak, sum);
  }
  return peak;
}

/**
 * One demo day whose live session starts at `startMs`. `intensity` scales the number of turns
 * (past days vary; the live day is 1).
 */
export function demoDay(startMs: number, seed: number, opts: { intensity?: number; project?: string; warmUpProject?: string } = {}): DemoDay {
  const rng = new DemoRandom(seed);
  const k = opts.intensity ?? 1;
  const turns = (n: number) => Math.max(1, Math.round(n * k));
  const project = opts.project ?? DEMO_PROJECTS[1];
  const lines: DemoLine[] = [];
  const tallied: { t: number; tokens: number }[] = [];
  const tally = (t: number, tokens: number) => tallied.push({ t, tokens });
  const writer = (o: { session: string; model: Family; t: number; ctx: number; agent?: string; project?: string; warm?: boolean }) =>
    new SessionWriter({ rng, out: lines, tally, project: o.project ?? project, ...o });

  // Warm-up: three bursts of earlier work in the same 5 h block, over well before the session.
  const warm = writer({
    session: rng.uuid(),
    project: opts.warmUpProject ?? DEMO_PROJECTS[0],
    model: "sonnet",
    t: startMs - 2 * 60 * MINUTE,
    ctx: 16_000,
  });
  for (const [i, gapMin] of [0, 38, 30].entries()) {
    warm.prompt(gapMin * MINUTE);
    warm.loop({ ...SONNET_LOOP, turns: turns(i === 1 ? 26 : 20), latencyMs: [8000, 20_000], toolMs: [4000, 30_000] });
    warm.answer();
  }

  // The live session.
  // A conversation already 70k tokens deep whose cache is still warm: busy from the first request.
  const main = writer({ session: rng.uuid(), model: "sonnet", t: startMs, ctx: 70_000, warm: true });
  main.prompt(0);
  main.message(1800, 300, "tool_use", false);
  main.toolResult(600, 1500);
  main.loop({ ...SONNET_LOOP, turns: turns(14), latencyMs: [2500, 5000] });
  main.answer();
  const calm1End = main.t;

  // Idle: past the 60 s quiet time, so IDLE lights. Then /model opus and a question that needs agents.
  main.t += 85 * SECOND;
  main.switchModel("opus");
  main.prompt(0);
  main.loop({ ...OPUS_LOOP, turns: turns(3) });
  main.message(7000, 1400, "tool_use", true); // the Task tool: three explorers in parallel
  const spikeFrom = main.t;
  let agentsDone = main.t;
  for (let a = 0; a < 3; a++) {
    const agent = writer({ session: main.session, model: "haiku", t: main.t + a * 700, ctx: 9000 + a * 1500, agent: rng.hex(8) });
    agent.prompt(500);
    agent.loop({ ...HAIKU_LOOP, turns: turns(HAIKU_LOOP.turns) });
    agent.answer();
    agentsDone = Math.max(agentsDone, agent.t);
  }
  main.t = agentsDone;
  main.toolResult(800, 6000);
  const spikeTo = main.t + MINUTE;
  main.loop({ ...OPUS_LOOP, turns: turns(5) });
  main.answer();

  main.t += 70 * SECOND;
  main.switchModel("sonnet");
  main.prompt(0);
  main.loop({ ...SONNET_LOOP, turns: turns(15) });
  main.answer();
  const endMs = main.t + 90 * SECOND;

  lines.sort((a, b) => a.t - b.t);
  const blockTokens = tallied.reduce((s, e) => s + e.tokens, 0);
  return {
    lines,
    startMs,
    endMs,
    blockTokens,
    calmPeakPerMin: Math.max(peakRate(tallied, startMs, calm1End + MINUTE), peakRate(tallied, spikeTo, endMs)),
    spikePeakPerMin: peakRate(tallied, spikeFrom, spikeTo),
  };
}

const DAY_MS = 86_400_000;

/** The demo's past: six earlier days of work (lighter or heavier than today), oldest first. */
export function demoPastDays(startMs: number, seed: number): DemoDay[] {
  const rng = new DemoRandom(seed ^ 0x5eed);
  const days: DemoDay[] = [];
  for (let d = 6; d >= 1; d--) {
    const project = DEMO_PROJECTS[rng.int(0, DEMO_PROJECTS.length - 1)] ?? DEMO_PROJECTS[0];
    const warmUpProject = DEMO_PROJECTS[rng.int(0, DEMO_PROJECTS.length - 1)] ?? DEMO_PROJECTS[0];
    days.push(demoDay(startMs - d * DAY_MS - rng.int(0, 180) * MINUTE, seed + d, { intensity: 0.5 + rng.next() * 0.8, project, warmUpProject }));
  }
  return days;
}

/** Ceilings and redline that make `today` tell its story (tokens; tokens/min). */
export interface DemoCeilings {
  ceiling5hTokens: number;
  ceiling7dTokens: number;
  tachRedlineTokensPerMin: number;
}

/**
 * Sized from the generated days: the 5 h tank ends today's session 86 % used (past the 80 % warn
 * mark near its end), the week starts about 60 % used, and the redline sits above every calm
 * minute and below the sub-agent burst, so HOT lights for that burst only.
 */
export function demoCeilings(today: DemoDay, past: readonly DemoDay[]): DemoCeilings {
  const week = past.reduce((s, d) => s + d.blockTokens, today.blockTokens);
  return {
    ceiling5hTokens: Math.round(today.blockTokens / 0.86),
    ceiling7dTokens: Math.round(week / 0.6),
    tachRedlineTokensPerMin: Math.round(Math.min(today.calmPeakPerMin * 1.25, today.spikePeakPerMin * 0.85)),
  };
}
