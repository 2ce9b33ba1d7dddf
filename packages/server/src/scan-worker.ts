import { parentPort, workerData } from "node:worker_threads";
import type { TranscriptFile } from "./transcript-files.js";
import { scanFiles } from "./transcript-scan.js";

// A second core for cold scans: this worker reads the later half of the files (in path order)
// while the main thread reads the first; the ledger then sees every line in the same order.
parentPort?.postMessage(scanFiles(workerData as TranscriptFile[]));
