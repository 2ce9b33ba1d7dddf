import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import type { MessagePort, Worker } from "node:worker_threads";
import type { ScanUnit, UnitScan } from "./file-scan.js";

/**
 * Below this many bytes a second thread costs more than it saves. Its own costs are fixed: the
 * worker's boot and bundle load (~60–100 ms), its JIT warming to the decoder (~150 ms of slow
 * lines) and a second heap to collect; the main thread also receives its scans. Measured cold
 * (`report daily --no-cache`, 2 cores, interleaved runs, the thread started ahead): two threads
 * took 1.15× one thread's time at 30 MB, 1.16× at 80 MB, 1.06× at 130 MB, 0.97× at 210 MB and
 * 0.79× at 840 MB, with ~15 MB more peak memory throughout.
 */
export const PARALLEL_MIN_BYTES = 160 << 20;

/**
 * Whether a scan of `bytes` takes a second thread: CLAUDE_GAUGE_SCAN_THREADS=1 never, =2 whenever
 * there are two pieces to share (a busy machine, or a test of the second thread on a small tree);
 * unset or anything else, from PARALLEL_MIN_BYTES.
 */
export function secondThreadWanted(bytes: number, env: Record<string, string | undefined> = process.env): boolean {
  const setting = env["CLAUDE_GAUGE_SCAN_THREADS"]?.trim();
  if (setting === "1") return false;
  if (setting === "2") return bytes > 0;
  return bytes >= PARALLEL_MIN_BYTES;
}

/**
 * node:worker_threads, required when a thread starts (a report that reads a few appended lines
 * never loads it, ~3 ms). A builtin resolves from any path, so any path will do for the require.
 */
const threads = () => createRequire(process.execPath)("node:worker_threads") as typeof import("node:worker_threads");

/** What the thread is given: units to take from the counter it shares with the main thread. */
export interface ScanOrder {
  units: readonly ScanUnit[];
  next: Int32Array;
}

/** The thread's message for each unit it scanned. */
export interface ScanDone {
  i: number;
  scan: UnitScan;
}

/**
 * The second thread of a cold scan (scan-worker.ts). It is started before its work is known and
 * waits for one ScanOrder: a worker takes ~60–100 ms to boot and load the scan bundle, and the
 * CLI starts one for a large scan before loading itself (commands/scan-head-start.ts), so that
 * both happen at once. Its failure is kept from the start: a worker that fails before it is
 * given work must not go unheard (an `error` event without a listener would end the process).
 */
export class ScanThread {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #receive: typeof import("node:worker_threads").receiveMessageOnPort;
  /** why it stopped (null: it exited cleanly), once it has */
  readonly #ended: Promise<string | null>;
  #given = false;

  private constructor(workerFile: string) {
    const { MessageChannel, Worker, receiveMessageOnPort } = threads();
    this.#receive = receiveMessageOnPort;
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(workerFile, { workerData: { port: port2 }, transferList: [port2] });
    // an idle thread never holds the process open: a report that fails before scanning still exits
    this.#worker.unref();
    this.#ended = new Promise((resolve) => {
      // the first line of the error: it names our module or the fault, never a transcript's text
      this.#worker.once("error", (e: Error) =>
        resolve(
          String(e?.message ?? e)
            .split("\n", 1)[0]!
            .slice(0, 200),
        ),
      );
      this.#worker.once("exit", (code) => resolve(code === 0 ? null : `exited with ${code}`));
    });
  }

  /** A thread running `workerFile`, or null when this machine has one core or the bundle has no worker (run from source). */
  static start(workerFile: string): ScanThread | null {
    if (availableParallelism() < 2 || !existsSync(workerFile)) return null;
    return new ScanThread(workerFile);
  }

  /**
   * Gives the thread its units; `onScan` gets each scan it posts, as it arrives or when `drain` is
   * called. Resolves with why the thread stopped (null: it ran out of units and exited). Once only.
   */
  run(order: ScanOrder, onScan: (d: ScanDone) => void): Promise<string | null> {
    if (this.#given) throw new Error("a scan thread runs one scan");
    this.#given = true;
    this.#worker.ref();
    this.#port.on("message", onScan);
    this.#port.postMessage(order);
    return this.#ended;
  }

  /** Hands `onScan` the scans posted so far without waiting for the event loop (the main thread is busy scanning). */
  drain(onScan: (d: ScanDone) => void): void {
    for (let m = this.#receive(this.#port); m !== undefined; m = this.#receive(this.#port)) onScan(m.message as ScanDone);
  }

  /** Ends the thread (a no-op once it has ended). */
  stop(): void {
    this.#port.close();
    void this.#worker.terminate();
  }
}
