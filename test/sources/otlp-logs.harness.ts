import { otlpFed } from "./otlp-harness-kit.js";
import type { SourceHarness } from "./harness.js";

/** Claude Code exporting only its log events (OTEL_LOGS_EXPORTER=otlp), http/protobuf with gzip. */
export const harness: SourceHarness = {
  name: "otlp (api_request events, http/protobuf)",
  kind: "otlp",
  costDigits: 9,
  start: (session) => otlpFed([...session], { protocol: "http/protobuf", metrics: false }, "/v1/logs"),
};
