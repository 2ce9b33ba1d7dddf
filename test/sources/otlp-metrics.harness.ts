import { otlpFed } from "./otlp-harness-kit.js";
import type { SourceHarness } from "./harness.js";

/**
 * Claude Code exporting only metrics (OTEL_METRICS_EXPORTER=otlp) with its default delta
 * temporality, over http/json. The cost is Claude Code's own per-request estimate, summed.
 */
export const harness: SourceHarness = {
  name: "otlp (token and cost metrics, delta, http/json)",
  kind: "otlp",
  costDigits: 6,
  start: (session) => otlpFed([...session], { protocol: "http/json", logs: false, temporality: "delta" }, "/v1/metrics"),
};
