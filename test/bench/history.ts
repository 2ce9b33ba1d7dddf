/**
 * `history`: eight GET /history?hours=168 at once against a daemon holding the 200 MiB corpus,
 * right after it starts serving and again once its points are kept, with /usage polled all along:
 * how long the history requests take and the slowest /usage meanwhile (issue 9: before the points
 * were kept, eight in parallel held /usage for seconds).
 */
import { ensureCorpus, percentile, round, sleep, startDaemon, type BenchOptions, type Row, type SectionResult } from "./common.js";

interface Burst {
  /** ms from the first request to the last answer */
  historyMs: number;
  /** /usage round trips during the burst, ms */
  usageMs: number[];
}

async function burst(url: string): Promise<Burst> {
  const usageMs: number[] = [];
  let running = true;
  const poller = (async () => {
    while (running) {
      const t0 = performance.now();
      const r = await fetch(`${url}/usage`);
      await r.arrayBuffer();
      usageMs.push(performance.now() - t0);
      await sleep(5);
    }
  })();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      const r = await fetch(`${url}/history?hours=168`);
      if (r.status !== 200) throw new Error(`/history answered ${r.status}`);
      await r.arrayBuffer();
    }),
  );
  const historyMs = performance.now() - t0;
  running = false;
  await poller;
  return { historyMs, usageMs };
}

export async function history(_o: BenchOptions): Promise<SectionResult> {
  const corpus = await ensureCorpus("corpus-200mb", 200, 200, 30);
  const daemon = await startDaemon(corpus.dir, 300_000);
  try {
    const first = await burst(daemon.url);
    const again = await burst(daemon.url);
    const slowest = (b: Burst) => round(Math.max(...b.usageMs), 0);
    const rows: Row[] = [
      { name: "8 × /history?hours=168 right after start: all answered in", value: round(first.historyMs, 0), unit: "ms" },
      {
        name: "  slowest /usage meanwhile (p50 of its answers)",
        value: `${slowest(first)} (${round(percentile(first.usageMs, 50), 1)})`,
        unit: "ms",
        target: "≤ 1000",
        ok: slowest(first) <= 1000,
      },
      { name: "8 × /history?hours=168 again (points kept)", value: round(again.historyMs, 0), unit: "ms" },
      { name: "  slowest /usage meanwhile", value: slowest(again), unit: "ms" },
    ];
    return {
      rows,
      notes: ["history: /usage polled every 5 ms while eight /history?hours=168 run at once, on a daemon over the 200 MiB corpus"],
      data: { first, again },
    };
  } finally {
    await daemon.stop();
  }
}
