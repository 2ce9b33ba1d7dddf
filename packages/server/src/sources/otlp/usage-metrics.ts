import { createHash } from "node:crypto";
import type { LogsExport, Rejections } from "./api-request-events.js";
import { anyString, attributeMap, badTime, field, isAmount, isObj, isTokenCount, list, nanosToMs, type Obj } from "./otlp-values.js";

export type TokenType = "input" | "output" | "cacheRead" | "cacheCreation";
export type Temporality = "delta" | "cumulative";

/** One data point of `claude_code.token.usage` or `claude_code.cost.usage`. */
export interface UsagePoint {
  /** tokens of one type, or the cost (USD) */
  measure: TokenType | "costUsd";
  model: string;
  /** the session it belongs to (`session.id`), "" when the exporter leaves it out */
  origin: string;
  /** the series: resource, scope, metric, temporality and the point's attributes (a hash) */
  series: string;
  temporality: Temporality;
  /** ms since epoch; null when unset */
  startMs: number | null;
  /** ms since epoch */
  timeMs: number;
  /** tokens or USD: since startMs (cumulative) or since the previous point (delta) */
  value: number;
}

export interface MetricsExport extends Omit<LogsExport, "requests"> {
  points: UsagePoint[];
}

export const TOKEN_METRIC = "claude_code.token.usage";
export const COST_METRIC = "claude_code.cost.usage";
const TOKEN_TYPES: ReadonlySet<string> = new Set<TokenType>(["input", "output", "cacheRead", "cacheCreation"]);

function temporalityOf(v: unknown): Temporality | null {
  if (v === 1 || v === "1" || v === "AGGREGATION_TEMPORALITY_DELTA") return "delta";
  if (v === 2 || v === "2" || v === "AGGREGATION_TEMPORALITY_CUMULATIVE") return "cumulative";
  return null;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `asDouble` or `asInt`: a JSON number or a decimal string (64-bit integers arrive as strings). */
function pointValue(dp: Obj): number {
  for (const name of ["asDouble", "asInt"]) {
    const v = field(dp, name);
    if (v === undefined || v === null) continue;
    if (typeof v === "number") return v;
    if (typeof v === "string" && DECIMAL.test(v)) return Number(v);
    return Number.NaN;
  }
  return Number.NaN;
}

/** Attributes in key order, as text: the same set always gives the same string. */
function canonical(attrs: unknown): string {
  return JSON.stringify([...attributeMap(attrs)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function point(dp: Obj, measure: "tokens" | "cost", temporality: Temporality, seriesBase: string, now: number): UsagePoint | string {
  const attrs = attributeMap(field(dp, "attributes"));
  let m: UsagePoint["measure"] = "costUsd";
  if (measure === "tokens") {
    const type = anyString(attrs.get("type"));
    if (type === null || !TOKEN_TYPES.has(type)) return "attributes.type: expected input, output, cacheRead or cacheCreation";
    m = type as TokenType;
  }
  const timeMs = nanosToMs(field(dp, "timeUnixNano"));
  if (timeMs === null || Number.isNaN(timeMs)) return "timeUnixNano: expected ns since epoch";
  const late = badTime(timeMs, now);
  if (late !== null) return `timeUnixNano: ${late}`;
  const startMs = nanosToMs(field(dp, "startTimeUnixNano"));
  if (startMs !== null && Number.isNaN(startMs)) return "startTimeUnixNano: expected ns since epoch";
  const value = pointValue(dp);
  if (measure === "tokens" ? !isTokenCount(value) : !isAmount(value)) {
    return measure === "tokens" ? "value: expected a whole number of tokens, 0..2^53" : "value: expected a non-negative amount";
  }
  const model = anyString(attrs.get("model")) ?? "";
  const origin = anyString(attrs.get("session.id")) ?? "";
  if (model.length > 256 || origin.length > 256) return "attributes: model or session.id longer than 256 characters";
  const series = createHash("sha1")
    .update(seriesBase)
    .update(canonical(field(dp, "attributes")))
    .digest("base64");
  return { measure: m, model, origin, series, temporality, startMs: startMs ?? null, timeMs, value };
}

/**
 * The token and cost points of an ExportMetricsServiceRequest (other metrics are read past). A
 * body whose structure is not OTLP's is an error (400); a point that cannot be counted (no
 * temporality, a negative value, a time in the future) is rejected alone.
 */
export function usagePointsOf(body: Obj, now: number): MetricsExport | string {
  const out: MetricsExport = { points: [], records: 0, rejected: { count: 0, first: null } };
  const reject = (r: Rejections, where: string, error: string): void => {
    r.count++;
    r.first ??= `${where}.${error}`;
  };
  const resources = list(body, "resourceMetrics");
  if (resources === null) return "resourceMetrics: expected an array";
  for (const [i, rm] of resources.entries()) {
    const scopes = isObj(rm) ? list(rm, "scopeMetrics") : null;
    if (scopes === null) return `resourceMetrics[${i}].scopeMetrics: expected an array`;
    const resource = field(rm as Obj, "resource");
    const resourceKey = canonical(isObj(resource) ? field(resource, "attributes") : undefined);
    for (const [j, sm] of scopes.entries()) {
      const metrics = isObj(sm) ? list(sm, "metrics") : null;
      if (metrics === null) return `resourceMetrics[${i}].scopeMetrics[${j}].metrics: expected an array`;
      const scope = field(sm as Obj, "scope");
      const scopeKey = isObj(scope) ? JSON.stringify([scope["name"] ?? "", scope["version"] ?? ""]) : "";
      for (const [k, metric] of metrics.entries()) {
        const where = `resourceMetrics[${i}].scopeMetrics[${j}].metrics[${k}]`;
        if (!isObj(metric)) return `${where}: expected an object`;
        const name = metric["name"];
        const measure = name === TOKEN_METRIC ? "tokens" : name === COST_METRIC ? "cost" : null;
        const sum = field(metric, "sum");
        const points = isObj(sum) ? list(sum, "dataPoints") : [];
        if (points === null) return `${where}.sum.dataPoints: expected an array`;
        out.records += points.length;
        if (measure === null || !isObj(sum)) continue;
        const temporality = temporalityOf(field(sum, "aggregationTemporality"));
        for (const [n, dp] of points.entries()) {
          const at = `${where}.sum.dataPoints[${n}]`;
          if (!isObj(dp)) return `${at}: expected an object`;
          if (temporality === null) {
            reject(out.rejected, `${where}.sum`, "aggregationTemporality: expected 1 (delta) or 2 (cumulative)");
            continue;
          }
          const p = point(dp, measure, temporality, JSON.stringify([resourceKey, scopeKey, name, temporality]), now);
          if (typeof p === "string") reject(out.rejected, at, p);
          else out.points.push(p);
        }
      }
    }
  }
  return out;
}
