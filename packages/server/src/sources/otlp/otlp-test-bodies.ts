/**
 * OTLP/JSON bodies for the unit tests, shaped like Claude Code's exports (the e2e tests use the
 * real OpenTelemetry SDK instead).
 */
import type { Obj } from "./otlp-values.js";

type Attr = string | number | Obj;

function anyValue(v: Attr): Obj {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return v;
}

export function attributes(a: Record<string, Attr>): Obj[] {
  return Object.entries(a).map(([key, v]) => ({ key, value: anyValue(v) }));
}

export function logsBody(records: Obj[]): Obj {
  return {
    resourceLogs: [
      {
        resource: { attributes: attributes({ "service.name": "claude-code" }) },
        scopeLogs: [{ scope: { name: "com.anthropic.claude_code" }, logRecords: records }],
      },
    ],
  };
}

/** A `claude_code.api_request` record; `a` adds or replaces attributes (null removes one). */
export function apiRecord(at: number, a: Record<string, Attr | null> = {}): Obj {
  const base: Record<string, Attr | null> = {
    "event.name": "api_request",
    "event.timestamp": new Date(at).toISOString(),
    "session.id": "s1",
    model: "claude-sonnet-4-5-20250929",
    input_tokens: 100,
    output_tokens: 20,
    cache_read_tokens: 1000,
    cache_creation_tokens: 50,
    cost_usd: 0.01,
    request_id: `req_${at}`,
    ...a,
  };
  const kept = Object.fromEntries(Object.entries(base).filter((e): e is [string, Attr] => e[1] !== null));
  return { timeUnixNano: `${at}000000`, body: { stringValue: "claude_code.api_request" }, attributes: attributes(kept) };
}

export interface PointSpec {
  value: number;
  timeMs: number;
  startMs?: number;
  type?: string;
  model?: string;
  session?: string | null;
}

/** One sum metric with its points; temporality 1 = delta, 2 = cumulative. */
export function sumMetric(name: string, temporality: number | undefined, points: PointSpec[]): Obj {
  return {
    name,
    sum: {
      aggregationTemporality: temporality,
      isMonotonic: true,
      dataPoints: points.map((p) => ({
        ...(p.startMs === undefined ? {} : { startTimeUnixNano: `${p.startMs}000000` }),
        timeUnixNano: `${p.timeMs}000000`,
        asDouble: p.value,
        attributes: attributes({
          ...(p.type === undefined ? {} : { type: p.type }),
          model: p.model ?? "claude-sonnet-4-5-20250929",
          ...(p.session === null ? {} : { "session.id": p.session ?? "s1" }),
        }),
      })),
    },
  };
}

export function metricsBody(metrics: Obj[]): Obj {
  return {
    resourceMetrics: [
      { resource: { attributes: attributes({ "service.name": "claude-code" }) }, scopeMetrics: [{ scope: { name: "com.anthropic.claude_code" }, metrics }] },
    ],
  };
}
