/** `idle`: CPU the daemon burns while nothing is written (one WebSocket client connected). */
import WebSocket from "ws";
import { cpuOver, memoryKb, round, sleep, smallTree, startDaemon, type BenchOptions, type Row, type SectionResult } from "./common.js";

const SETTLE_MS = 5000;

export async function idle(o: BenchOptions): Promise<SectionResult> {
  // the user stopped an hour ago: the 5 h window is live but nothing grows
  const tree = smallTree(200, 3_600_000, 2 * 3_600_000);
  const daemon = await startDaemon(tree.dir);
  const ws = new WebSocket(`ws://127.0.0.1:${daemon.port}/ws`);
  try {
    let frames = 0;
    ws.on("message", () => frames++);
    await new Promise<void>((ok, fail) => {
      ws.once("open", () => ok());
      ws.once("error", fail);
    });
    await sleep(SETTLE_MS);
    const framesBefore = frames;
    const { ticks, hz, seconds: secs, pct: cpuPct } = await cpuOver(daemon.pid, o.idleSeconds * 1000);
    const mem = memoryKb(daemon.pid);
    const idleFrames = frames - framesBefore;
    const rows: Row[] = [
      {
        name: `idle CPU over ${round(secs, 0)} s (after ${SETTLE_MS / 1000} s settle)`,
        value: round(cpuPct, 2),
        unit: "%",
        target: "≈ 0 (≤ 0.5)",
        ok: cpuPct <= 0.5,
      },
      { name: "  CPU time used", value: round((ticks / hz) * 1000, 0), unit: "ms" },
      { name: "  ws frames pushed while idle", value: idleFrames, unit: "" },
      { name: "  VmRSS at the end", value: round(mem.rssKb / 1024), unit: "MiB" },
    ];
    return {
      rows,
      notes: [`idle: utime+stime from /proc/<pid>/stat at ${hz} ticks/s (resolution ${round(1000 / hz, 0)} ms); tree of 200 lines, last one an hour old.`],
      data: { seconds: secs, cpu_ticks: ticks, clk_tck: hz, cpu_pct: cpuPct, frames_while_idle: idleFrames, rss_kb: mem.rssKb, hwm_kb: mem.hwmKb },
    };
  } finally {
    ws.terminate();
    await daemon.stop();
    tree.remove();
  }
}
