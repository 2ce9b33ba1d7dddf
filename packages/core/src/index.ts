export * from "./contract.js";
export * from "./usage-event.js";
export * from "./decode-line.js";
export * from "./message-ledger.js";
export * from "./pricing.js";
export * from "./cost.js";
export * from "./calendar.js";
export * from "./reports.js";
