import { describe, expect, it } from "vitest";
import { decodeJson, encodeJsonResponse, MAX_JSON_DEPTH } from "./otlp-json.js";

describe("OTLP JSON", () => {
  it("takes a JSON object, refuses anything else", () => {
    expect(decodeJson(Buffer.from('{"resourceLogs":[]}'))).toEqual({ resourceLogs: [] });
    expect(decodeJson(Buffer.from("{"))).toBe("body: not valid JSON");
    expect(decodeJson(Buffer.from("[1]"))).toBe("body: expected a JSON object");
    expect(decodeJson(Buffer.from("null"))).toBe("body: expected a JSON object");
    expect(decodeJson(Buffer.alloc(0))).toBe("body: not valid JSON");
  });

  it("refuses nesting deeper than MAX_JSON_DEPTH before parsing; brackets inside strings do not count", () => {
    const nested = (n: number) => Buffer.from(`{"a":${"[".repeat(n - 1)}${"]".repeat(n - 1)}}`);
    expect(decodeJson(nested(MAX_JSON_DEPTH))).toEqual(expect.any(Object));
    expect(decodeJson(nested(MAX_JSON_DEPTH + 1))).toBe(`body: nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(decodeJson(Buffer.from(`{"a":"${"[".repeat(1000)}\\"${"{".repeat(1000)}"}`))).toEqual({ a: `${"[".repeat(1000)}"${"{".repeat(1000)}` });
    expect(decodeJson(Buffer.from("[".repeat(4_000_000)))).toBe(`body: nested deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it("answers {} or a partialSuccess with the count as a decimal string", () => {
    expect(encodeJsonResponse("logs", 0, null)).toBe("{}");
    expect(JSON.parse(encodeJsonResponse("metrics", 2, "why"))).toEqual({ partialSuccess: { rejectedDataPoints: "2", errorMessage: "why" } });
  });
});
