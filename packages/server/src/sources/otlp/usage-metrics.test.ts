import { describe, expect, it } from "vitest";
import { COST_METRIC, TOKEN_METRIC, usagePointsOf } from "./usage-metrics.js";
import { metricsBody, sumMetric } from "./otlp-test-bodies.js";

const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);

function points(body: ReturnType<typeof metricsBody>) {
  const r = usagePointsOf(body, NOW);
  if (typeof r === "string") throw new Error(r);
  return r;
}

describe("token and cost metrics", () => {
  it("reads type, model, session, temporality, times and value of each point", () => {
    const r = points(
      metricsBody([
        sumMetric(TOKEN_METRIC, 1, [
          { type: "input", value: 100, timeMs: NOW - 1000, startMs: NOW - 61_000 },
          { type: "cacheCreation", value: 7, timeMs: NOW - 1000, startMs: NOW - 61_000, session: null },
        ]),
        sumMetric(COST_METRIC, 2, [{ value: 0.25, timeMs: NOW - 1000, startMs: NOW - 600_000 }]),
        sumMetric("claude_code.session.count", 1, [{ value: 1, timeMs: NOW - 1000 }]),
      ]),
    );
    expect(r.records).toBe(4);
    expect(r.rejected.count).toBe(0);
    expect(r.points.map(({ series: _s, ...p }) => p)).toEqual([
      { measure: "input", model: "claude-sonnet-4-5-20250929", origin: "s1", temporality: "delta", startMs: NOW - 61_000, timeMs: NOW - 1000, value: 100 },
      { measure: "cacheCreation", model: "claude-sonnet-4-5-20250929", origin: "", temporality: "delta", startMs: NOW - 61_000, timeMs: NOW - 1000, value: 7 },
      {
        measure: "costUsd",
        model: "claude-sonnet-4-5-20250929",
        origin: "s1",
        temporality: "cumulative",
        startMs: NOW - 600_000,
        timeMs: NOW - 1000,
        value: 0.25,
      },
    ]);
  });

  it("gives the same series to the same attributes in any order, another to any other attribute set", () => {
    const p = (attrs: { key: string; value: unknown }[]) =>
      points(
        metricsBody([
          { name: TOKEN_METRIC, sum: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: `${NOW}000000`, asInt: "5", attributes: attrs }] } },
        ]),
      ).points[0]!.series;
    const a = { key: "type", value: { stringValue: "input" } };
    const b = { key: "model", value: { stringValue: "m" } };
    const c = { key: "session.id", value: { stringValue: "s" } };
    expect(p([a, b, c])).toBe(p([c, b, a]));
    expect(p([a, b])).not.toBe(p([a, b, c]));
  });

  it("takes asInt as a decimal string and the enum's name for temporality", () => {
    const body = metricsBody([
      {
        name: TOKEN_METRIC,
        sum: {
          aggregationTemporality: "AGGREGATION_TEMPORALITY_CUMULATIVE",
          dataPoints: [{ timeUnixNano: `${NOW}000000`, asInt: "123", attributes: [{ key: "type", value: { stringValue: "output" } }] }],
        },
      },
    ]);
    expect(points(body).points[0]).toMatchObject({ measure: "output", temporality: "cumulative", value: 123 });
  });

  it("rejects points it cannot count, never guessing a temporality", () => {
    const cases: [ReturnType<typeof sumMetric>, string][] = [
      [sumMetric(TOKEN_METRIC, undefined, [{ type: "input", value: 1, timeMs: NOW }]), "sum.aggregationTemporality"],
      [sumMetric(TOKEN_METRIC, 0, [{ type: "input", value: 1, timeMs: NOW }]), "sum.aggregationTemporality"],
      [sumMetric(TOKEN_METRIC, 1, [{ type: "thinking", value: 1, timeMs: NOW }]), "attributes.type"],
      [sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: -1, timeMs: NOW }]), "value"],
      [sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: 1.5, timeMs: NOW }]), "value"],
      [sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: 2 ** 60, timeMs: NOW }]), "value"],
      [sumMetric(COST_METRIC, 1, [{ value: -0.5, timeMs: NOW }]), "value"],
      [sumMetric(TOKEN_METRIC, 1, [{ type: "input", value: 1, timeMs: NOW + 3_600_000 }]), "timeUnixNano: in the future"],
    ];
    for (const [metric, field] of cases) {
      const r = points(metricsBody([metric]));
      expect(r.points, field).toHaveLength(0);
      expect(r.rejected.count).toBe(1);
      expect(r.rejected.first).toContain(field);
    }
  });

  it("refuses a body that is not OTLP's structure as a whole", () => {
    expect(usagePointsOf({ resourceMetrics: {} }, NOW)).toBe("resourceMetrics: expected an array");
    expect(usagePointsOf({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: TOKEN_METRIC, sum: { dataPoints: [7] } }] }] }] }, NOW)).toContain(
      "expected an object",
    );
  });
});
