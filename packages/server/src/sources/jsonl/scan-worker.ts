import { workerData, type MessagePort } from "node:worker_threads";
import { scanShared, transferables } from "./file-scan.js";
import type { ScanDone, ScanOrder } from "./scan-thread.js";

// A second core for cold scans: this worker and the main thread take units from one shared
// counter and the worker posts each scan as it finishes, so the main thread can feed the ledger
// in path order while both keep scanning. It is started before its units are known (see
// scan-thread.ts) and waits for them.
const { port } = workerData as { port: MessagePort };
port.once("message", ({ units, next }: ScanOrder) => {
  scanShared(units, next, (i, scan) => port.postMessage({ i, scan } satisfies ScanDone, transferables(scan)));
  port.close();
});
