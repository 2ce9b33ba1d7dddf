import { parentPort, workerData } from "node:worker_threads";
import type { TranscriptFile } from "./files.js";
import { scanShared } from "./file-scan.js";

// A second core for cold scans: this worker and the main thread take files from one shared
// counter; the main thread puts the results back in path order before the ledger sees them.
const { files, next } = workerData as { files: TranscriptFile[]; next: Int32Array };
parentPort?.postMessage(scanShared(files, next));
