/** `latency`: append a line to a transcript → the first WebSocket frame whose window_5h_tokens shows it. */
import { appendFileSync } from "node:fs";
import WebSocket from "ws";
import { assistantLine } from "../helpers/transcript-lines.js";
import { percentile, round, sleep, smallTree, startDaemon, type BenchOptions, type Row, type SectionResult } from "./common.js";

/** The daemon pushes at most 10 frames/s per client: an append this long after the last frame is never held back. */
const COALESCE_MS = 100;
const SPACING_MARGIN_MS = 5;
const FRAME_TIMEOUT_MS = 5000;
const SECTION_BUDGET_MS = 300_000;

interface Frame {
  at: number;
  tokens: number;
}

/** Every frame of one client, with a waiter for the first frame above a token count. */
class Frames {
  lastAt = 0;
  tokens = -1;
  count = 0;
  #waiter: { above: number; resolve: (f: Frame) => void } | null = null;

  constructor(ws: WebSocket) {
    ws.on("message", (data) => {
      const at = performance.now();
      const snap = JSON.parse(String(data)) as { window_5h_tokens?: unknown };
      const tokens = typeof snap.window_5h_tokens === "number" ? snap.window_5h_tokens : Number.NaN;
      this.lastAt = at;
      this.tokens = tokens;
      this.count++;
      const w = this.#waiter;
      if (w && tokens > w.above) {
        this.#waiter = null;
        w.resolve({ at, tokens });
      }
    });
  }

  /** The first frame after now whose token count exceeds `above`, or null after timeoutMs. */
  above(above: number, timeoutMs: number): Promise<Frame | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        resolve(null);
      }, timeoutMs);
      this.#waiter = {
        above,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
    });
  }
}

interface Sample {
  ms: number;
  /** other frames (the 1 s ticker's) that reached the client between the append and its frame */
  between: number;
}

function summary(xs: readonly number[]): { n: number; p50: number; p99: number; max: number } {
  return { n: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.length ? Math.max(...xs) : Number.NaN };
}

export async function latency(o: BenchOptions): Promise<SectionResult> {
  // a short session that ended a minute ago, so the 5 h window is live and every append grows it
  const tree = smallTree(20, 60_000, 30 * 60_000);
  const daemon = await startDaemon(tree.dir);
  const ws = new WebSocket(`ws://127.0.0.1:${daemon.port}/ws`);
  const started = performance.now();
  let seq = 0;
  let missed = 0;
  let stoppedEarly = false;
  try {
    const frames = new Frames(ws);
    await new Promise<void>((ok, fail) => {
      ws.once("open", () => ok());
      ws.once("error", fail);
    });
    const deadline = Date.now() + FRAME_TIMEOUT_MS;
    while (frames.count === 0 && Date.now() < deadline) await sleep(10);
    if (frames.count === 0) throw new Error("no frame on connect");

    const appendOnce = async (): Promise<Sample | null> => {
      const prev = frames.tokens;
      const before = frames.count;
      const id = `bench${seq++}`;
      const line = `${assistantLine({ id, ts: new Date(), input: 10, output: 5, session: "bench-session" })}\n`;
      const wait = frames.above(prev, FRAME_TIMEOUT_MS);
      const t0 = performance.now();
      appendFileSync(tree.file, line);
      const f = await wait;
      if (f === null) {
        missed++;
        return null;
      }
      return { ms: f.at - t0, between: frames.count - before - 1 };
    };
    const overBudget = () => performance.now() - started > SECTION_BUDGET_MS;

    // 1) spaced: each append waits until ≥ 105 ms after the last frame (+ 0–20 ms), so the push is
    //    never held by the per-client coalescing: this is the pipeline latency
    const spaced: Sample[] = [];
    for (let i = 0; i < o.appends && !overBudget(); i++) {
      const pause = Math.random() * 20;
      for (;;) {
        const gap = frames.lastAt + COALESCE_MS + SPACING_MARGIN_MS + pause - performance.now();
        if (gap <= 0) break;
        await sleep(gap);
      }
      const s = await appendOnce();
      if (s) spaced.push(s);
    }
    // 2) back-to-back: each append 0–20 ms after the previous one was seen, so it lands inside the
    //    coalescing window of the push that showed the previous one
    const burst: Sample[] = [];
    for (let i = 0; i < o.burstAppends && !overBudget(); i++) {
      await sleep(Math.random() * 20);
      const s = await appendOnce();
      if (s) burst.push(s);
    }
    stoppedEarly = spaced.length + burst.length + missed < o.appends + o.burstAppends;

    const all = summary(spaced.map((s) => s.ms));
    const clean = summary(spaced.filter((s) => s.between === 0).map((s) => s.ms));
    const b2b = summary(burst.map((s) => s.ms));
    const collided = spaced.length - clean.n;
    const r = (x: number) => round(x, 1);
    const rows: Row[] = [
      { name: `spaced appends (≥${COALESCE_MS + SPACING_MARGIN_MS} ms after last frame)`, value: all.n, unit: "appends" },
      { name: "  append→frame p50", value: r(all.p50), unit: "ms" },
      { name: "  append→frame p99", value: r(all.p99), unit: "ms", target: "≤ 20", ok: all.p99 <= 20 },
      { name: "  append→frame max", value: r(all.max), unit: "ms" },
      { name: "  … of which held by a ticker frame", value: collided, unit: "appends" },
      { name: "  p50 / p99 / max without those", value: `${r(clean.p50)} / ${r(clean.p99)} / ${r(clean.max)}`, unit: "ms" },
      { name: "back-to-back appends (0–20 ms after seen)", value: b2b.n, unit: "appends" },
      { name: "  append→frame p50 / p99 / max", value: `${r(b2b.p50)} / ${r(b2b.p99)} / ${r(b2b.max)}`, unit: "ms" },
      { name: "appends with no frame within 5 s", value: missed, unit: "", target: "0", ok: missed === 0 },
    ];
    const notes = [
      "latency: one ws client on the real daemon (node); each append is one appendFileSync of one assistant line with a new " +
        "message id, done only after the previous one was seen; latency = bench clock from just before the write to the " +
        "arrival of the first frame whose window_5h_tokens grew (both ends in the bench process).",
      `latency: the daemon pushes ≤ ${1000 / COALESCE_MS}/s per client; it also republishes every 1 s when the snapshot ` +
        "ages (rate_1m etc.), and such a ticker frame sent just before an append makes that append wait for the window. " +
        "back-to-back appends measure exactly that coalescing wait (≈ 100 ms minus the 0–20 ms pause, plus the pipeline).",
    ];
    if (stoppedEarly) notes.push(`latency: stopped at the ${SECTION_BUDGET_MS / 1000} s budget`);
    return {
      rows,
      notes,
      data: {
        spaced: { ...all, collided, clean, samples_ms: spaced.map((s) => s.ms) },
        back_to_back: { ...b2b, samples_ms: burst.map((s) => s.ms) },
        missed,
        stopped_early: stoppedEarly,
        daemon_ready_ms: daemon.readyMs,
      },
    };
  } finally {
    ws.terminate();
    await daemon.stop();
    tree.remove();
  }
}
