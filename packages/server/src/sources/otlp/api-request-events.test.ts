import { costOf } from "@claude-gauge/core";
import { describe, expect, it } from "vitest";
import { apiRequestsOf } from "./api-request-events.js";
import { apiRecord, attributes, logsBody } from "./otlp-test-bodies.js";

const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);

function one(record: ReturnType<typeof apiRecord>) {
  const r = apiRequestsOf(logsBody([record]), NOW);
  if (typeof r === "string") throw new Error(r);
  return r;
}

describe("api_request log events", () => {
  it("reads model, the four counts, request_id, session.id and the sub-second event.timestamp", () => {
    const at = NOW - 61_234;
    const r = one(apiRecord(at, { request_id: "req_1" }));
    expect(r.rejected.count).toBe(0);
    expect(r.requests).toHaveLength(1);
    const { event, origin, key } = r.requests[0]!;
    expect({ origin, key }).toEqual({ origin: "s1", key: "r:req_1" });
    expect(event).toMatchObject({
      timestamp: at,
      requestId: "req_1",
      messageId: null,
      model: "claude-sonnet-4-5-20250929",
      sessionId: "s1",
      input: 100,
      output: 20,
      cacheRead: 1000,
      cacheCreation: 50,
      cacheCreation5m: 50,
      cacheCreation1h: 0,
      // a known model is priced with our own table, as transcripts are
      loggedCostUsd: null,
    });
    expect(costOf(event.model, event, event.speed)).toBeGreaterThan(0);
  });

  it("takes numbers as intValue, doubleValue or decimal strings", () => {
    const at = NOW - 1000;
    const r = one(
      apiRecord(at, { input_tokens: { intValue: 7 }, output_tokens: { doubleValue: 8 }, cache_read_tokens: "9", cache_creation_tokens: { stringValue: "10" } }),
    );
    expect(r.requests[0]!.event).toMatchObject({ input: 7, output: 8, cacheRead: 9, cacheCreation: 10 });
  });

  it("knows the event by its body, by event.name, or by the record's eventName", () => {
    const at = NOW - 1000;
    const byName = { ...apiRecord(at, { request_id: "a" }), body: { stringValue: "something else" } };
    const byEventName = { ...apiRecord(at, { request_id: "b", "event.name": null }), body: undefined, eventName: "claude_code.api_request" };
    const other = { ...apiRecord(at, { request_id: "c", "event.name": "user_prompt" }), body: { stringValue: "claude_code.user_prompt" } };
    const r = apiRequestsOf(logsBody([byName, byEventName, other]), NOW);
    if (typeof r === "string") throw new Error(r);
    expect(r.records).toBe(3);
    expect(r.requests.map((q) => q.event.requestId)).toEqual(["a", "b"]);
  });

  it("dates an event a little ahead of the daemon's clock (within the skew) now", () => {
    expect(one(apiRecord(NOW + 60_000)).requests[0]!.event.timestamp).toBe(NOW);
  });

  it("falls back to timeUnixNano without event.timestamp", () => {
    const at = NOW - 5000;
    expect(one(apiRecord(at, { "event.timestamp": null })).requests[0]!.event.timestamp).toBe(at);
  });

  it("uses Claude Code's cost_usd only for a model our table does not know", () => {
    const r = one(apiRecord(NOW - 1000, { model: "claude-unknown-9", cost_usd: 0.5 }));
    expect(r.requests[0]!.event.loggedCostUsd).toBe(0.5);
  });

  it("keys a record without request_id by its own content, so a resent batch matches itself only", () => {
    const a = one(apiRecord(NOW - 1000, { request_id: null, "event.sequence": 4 })).requests[0]!.key;
    expect(one(apiRecord(NOW - 1000, { request_id: null, "event.sequence": 4 })).requests[0]!.key).toBe(a);
    expect(one(apiRecord(NOW - 1000, { request_id: null, "event.sequence": 5 })).requests[0]!.key).not.toBe(a);
    expect(a.startsWith("f:")).toBe(true);
  });

  it("rejects an uncountable record alone, naming the record and field, never the value", () => {
    const good = apiRecord(NOW - 1000, { request_id: "ok" });
    const cases: [Record<string, unknown>, string][] = [
      [{ input_tokens: -5 }, "attributes.input_tokens"],
      [{ output_tokens: { doubleValue: 1.5 } }, "attributes.output_tokens"],
      [{ cache_read_tokens: "9007199254740993" }, "attributes.cache_read_tokens"],
      [{ cache_creation_tokens: { doubleValue: "Infinity" } }, "attributes.cache_creation_tokens"],
      [{ input_tokens: "lots-of-secret" }, "attributes.input_tokens"],
      [{ cost_usd: -1 }, "attributes.cost_usd"],
      [{ "event.timestamp": "yesterday-ish-secret" }, "attributes.event.timestamp"],
      [{ "event.timestamp": new Date(NOW + 3_600_000).toISOString() }, "event.timestamp: in the future"],
      [{ "event.timestamp": "2019-01-01T00:00:00Z" }, "event.timestamp: before 2020"],
      [{ model: { intValue: 5 } }, "attributes.model"],
      [{ request_id: "x".repeat(300) }, "attributes.request_id"],
      [{ "session.id": "a\u0007b" }, "attributes.session.id"],
    ];
    for (const [patch, field] of cases) {
      const r = apiRequestsOf(logsBody([good, apiRecord(NOW - 2000, patch as never)]), NOW);
      if (typeof r === "string") throw new Error(r);
      expect(
        r.requests.map((q) => q.event.requestId),
        field,
      ).toEqual(["ok"]);
      expect(r.rejected.count).toBe(1);
      expect(r.rejected.first).toContain(`logRecords[1].${field}`);
      expect(r.rejected.first).not.toMatch(/secret|-5|9007199254740993|xxxx/);
    }
  });

  it("refuses a body that is not OTLP's structure as a whole", () => {
    expect(apiRequestsOf({ resourceLogs: 5 }, NOW)).toBe("resourceLogs: expected an array");
    expect(apiRequestsOf({ resourceLogs: [{ scopeLogs: {} }] }, NOW)).toBe("resourceLogs[0].scopeLogs: expected an array");
    expect(apiRequestsOf({ resourceLogs: [{ scopeLogs: [{ logRecords: [1] }] }] }, NOW)).toBe("resourceLogs[0].scopeLogs[0].logRecords[0]: expected an object");
    expect(apiRequestsOf({}, NOW)).toEqual({ requests: [], records: 0, rejected: { count: 0, first: null } });
    expect(apiRequestsOf({ resource_logs: [{ scope_logs: [{ log_records: [{ attributes: attributes({}) }] }] }] }, NOW)).toMatchObject({ records: 1 });
  });
});
