/** `rss`: the daemon's memory once it has cold-scanned and is following a 1 GiB history. */
import { ensureCorpus, memoryKb, round, sleep, startDaemon, type BenchOptions, type Row, type SectionResult } from "./common.js";

const SETTLED_AFTER_MS = 5000;

/** The daemon's own heap figures from prom-client's default metrics on /metrics, in MiB. */
async function heapFigures(url: string): Promise<{ used: number; total: number; external: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mib = (metric: string) => round(Number(new RegExp(`^\\w*${metric}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, "m").exec(text)?.[1]) / 2 ** 20);
  return { used: mib("nodejs_heap_size_used_bytes"), total: mib("nodejs_heap_size_total_bytes"), external: mib("nodejs_external_memory_bytes") };
}

export async function rss(_o: BenchOptions): Promise<SectionResult> {
  const corpus = await ensureCorpus("corpus-1gb", 1024, 1024, 120);
  const daemon = await startDaemon(corpus.dir, 600_000);
  try {
    const atReady = memoryKb(daemon.pid);
    await sleep(SETTLED_AFTER_MS);
    const settled = memoryKb(daemon.pid);
    const heap = await heapFigures(daemon.url);
    const scanned = /scanned in (\d+) ms/.exec(daemon.logs())?.[1];
    const mib = (kb: number) => round(kb / 1024);
    const rows: Row[] = [
      { name: "corpus", value: `${corpus.files} files, ${round(corpus.bytes / 2 ** 20)} MiB`, unit: "" },
      { name: "cold scan (daemon's own figure) / spawn→serving", value: `${scanned ?? "?"} / ${round(daemon.readyMs, 0)}`, unit: "ms" },
      { name: "VmRSS at the serving line", value: mib(atReady.rssKb), unit: "MiB", target: "≤ 120", ok: atReady.rssKb / 1024 <= 120 },
      { name: `VmRSS ${SETTLED_AFTER_MS / 1000} s later`, value: mib(settled.rssKb), unit: "MiB", target: "≤ 120", ok: settled.rssKb / 1024 <= 120 },
      { name: "VmHWM (peak, includes the cold scan)", value: mib(settled.hwmKb), unit: "MiB", target: "≤ 120", ok: settled.hwmKb / 1024 <= 120 },
      { name: "  JS heap used / heap total / external (/metrics)", value: `${heap.used} / ${heap.total} / ${heap.external}`, unit: "MiB" },
    ];
    return {
      rows,
      notes: [],
      data: { corpus, heap_mib: heap, scan_ms: scanned === undefined ? null : Number(scanned), ready_ms: daemon.readyMs, at_ready_kb: atReady, settled_kb: settled },
    };
  } finally {
    await daemon.stop();
  }
}
