import { workerData, type MessagePort } from "node:worker_threads";
import { scanShared, transferables, type ScanUnit } from "./file-scan.js";

// A second core for cold scans: this worker and the main thread take units from one shared
// counter and the worker posts each scan as it finishes, so the main thread can feed the ledger
// in path order while both keep scanning.
const { units, next, port } = workerData as { units: ScanUnit[]; next: Int32Array; port: MessagePort };
scanShared(units, next, (i, scan) => port.postMessage({ i, scan }, transferables(scan)));
port.close();
