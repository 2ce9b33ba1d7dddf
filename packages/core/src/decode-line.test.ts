import { describe, expect, it } from "vitest";
import { decodeLine } from "./decode-line.js";

const SECRET = "CG_SECRET_MARKER";

function assistant(over: Record<string, unknown> = {}, usage: Record<string, unknown> = {}, content: unknown[] = [{ type: "text", text: SECRET }]): string {
  return JSON.stringify({
    type: "assistant",
    timestamp: "2026-11-20T10:00:00.000Z",
    sessionId: "s1",
    cwd: "/home/u/p",
    isSidechain: false,
    requestId: "req_1",
    message: {
      id: "msg_1",
      model: "claude-opus-4-5-20251101",
      content,
      usage: {
        input_tokens: 10,
        output_tokens: 20,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 4000,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
        speed: "fast",
        ...usage,
      },
    },
    ...over,
  });
}

describe("decodeLine", () => {
  it("extracts counts, ids, model and the TTL split from an assistant line", () => {
    const d = decodeLine(assistant());
    expect(d.kind).toBe("usage");
    if (d.kind !== "usage") return;
    expect(d.event).toMatchObject({
      timestamp: Date.parse("2026-11-20T10:00:00.000Z"),
      messageId: "msg_1",
      requestId: "req_1",
      model: "claude-opus-4-5-20251101",
      sessionId: "s1",
      input: 10,
      output: 20,
      cacheCreation: 300,
      cacheRead: 4000,
      cacheCreation5m: 100,
      cacheCreation1h: 200,
      speed: "fast",
      thinking: false,
    });
    expect(d.signal?.kind).toBe("text");
  });

  it("never copies message text into what it returns", () => {
    const d = decodeLine(assistant({}, {}, [{ type: "thinking", thinking: SECRET, signature: "sig" }]), { signals: true });
    expect(JSON.stringify(d)).not.toContain(SECRET);
    if (d.kind === "usage") expect(d.event.thinking).toBe(true);
  });

  it("counts all cache writes as 5 min when the line has no TTL split", () => {
    const line = assistant({}, { cache_creation: undefined });
    const d = decodeLine(line);
    if (d.kind !== "usage") throw new Error(d.kind);
    expect([d.event.cacheCreation5m, d.event.cacheCreation1h]).toEqual([300, 0]);
  });

  it("skips lines without the compact usage key before parsing", () => {
    expect(decodeLine('{"type":"user","message":{"content":"hi"}}').kind).toBe("skip");
    expect(decodeLine("not json at all").kind).toBe("skip");
  });

  it("names the field of a wrong type", () => {
    const d = decodeLine(assistant({}, { output_tokens: "12" }));
    expect(d).toEqual({ kind: "error", error: 'message.usage.output_tokens: expected a non-negative integer, got "12"' });
  });

  it("reports a truncated usage line as malformed JSON", () => {
    const line = assistant();
    expect(decodeLine(line.slice(0, line.length - 10)).kind).toBe("error");
  });

  it("reports a bad timestamp", () => {
    const d = decodeLine(assistant({ timestamp: "yesterday" }));
    expect(d.kind).toBe("error");
    if (d.kind === "error") expect(d.error).toContain("timestamp");
  });

  it("reads Claude's reset time from a usage-limit notice", () => {
    const line = assistant({ isApiErrorMessage: true }, { input_tokens: 0, output_tokens: 0 }, [
      { type: "text", text: "Claude AI usage limit reached|1763640000" },
    ]);
    const d = decodeLine(line);
    expect(d.kind).toBe("usage");
    if (d.kind === "usage") expect(d.limit).toEqual({ timestamp: Date.parse("2026-11-20T10:00:00.000Z"), resetAt: 1763640000_000 });
  });

  it("turns user lines into turn signals only when asked", () => {
    const prompt = JSON.stringify({ type: "user", timestamp: "2026-11-20T10:00:00Z", sessionId: "s", message: { role: "user", content: SECRET } });
    const result = JSON.stringify({ type: "user", timestamp: "2026-11-20T10:00:00Z", sessionId: "s", message: { role: "user", content: [{ type: "tool_result", content: SECRET }] } });
    const interrupt = JSON.stringify({ type: "user", timestamp: "2026-11-20T10:00:00Z", sessionId: "s", message: { role: "user", content: [{ type: "text", text: "[Request interrupted by user]" }] } });
    expect(decodeLine(prompt).kind).toBe("skip");
    const kinds = [prompt, result, interrupt].map((l) => {
      const d = decodeLine(l, { signals: true });
      return d.kind === "signal" ? d.signal.kind : d.kind;
    });
    expect(kinds).toEqual(["prompt", "tool_result", "interrupt"]);
  });
});
