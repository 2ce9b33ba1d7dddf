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

  it("names the field of a wrong type, never its value", () => {
    const d = decodeLine(assistant({}, { output_tokens: "12" }));
    expect(d).toEqual({ kind: "error", error: "message.usage.output_tokens: expected an integer in 0..2^64−1" });
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

  it("echoes no field value from a transcript into an error", () => {
    // each line fails on a field that holds the secret (the old decoder quoted up to 20 characters
    // of a bad count and the whole bad timestamp)
    const lines = [
      assistant({ timestamp: SECRET }),
      assistant({ timestamp: `2026-11-20T10:00:00.000Z${SECRET}` }),
      assistant({}, { input_tokens: SECRET }),
      assistant({}, { output_tokens: `${SECRET}${SECRET}` }),
      assistant({}, { cache_read_input_tokens: SECRET }),
      assistant({}, { cache_creation_input_tokens: SECRET }),
      assistant({}, { cache_creation: { ephemeral_5m_input_tokens: SECRET } }),
      assistant({}, { speed: SECRET }),
      assistant({ sessionId: [SECRET] }),
      assistant({ costUSD: SECRET }),
      assistant({ requestId: { x: SECRET } }),
    ];
    for (const line of lines) {
      const d = decodeLine(line);
      expect(d.kind).toBe("error");
      expect(JSON.stringify(d)).not.toContain(SECRET.slice(0, 6));
    }
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
    const result = JSON.stringify({
      type: "user",
      timestamp: "2026-11-20T10:00:00Z",
      sessionId: "s",
      message: { role: "user", content: [{ type: "tool_result", content: SECRET }] },
    });
    const interrupt = JSON.stringify({
      type: "user",
      timestamp: "2026-11-20T10:00:00Z",
      sessionId: "s",
      message: { role: "user", content: [{ type: "text", text: "[Request interrupted by user]" }] },
    });
    expect(decodeLine(prompt).kind).toBe("skip");
    const kinds = [prompt, result, interrupt].map((l) => {
      const d = decodeLine(l, { signals: true });
      return d.kind === "signal" ? d.signal.kind : d.kind;
    });
    expect(kinds).toEqual(["prompt", "tool_result", "interrupt"]);
  });
});

/** The helper's line with `from` replaced by `to`: spellings JSON.stringify never writes. */
function spelled(from: string, to: string, line = assistant()): string {
  if (!line.includes(from)) throw new Error(`${from} not in line`);
  return line.replace(from, to);
}

function usageOf(line: string): Extract<ReturnType<typeof decodeLine>, { kind: "usage" }> {
  const d = decodeLine(line);
  if (d.kind !== "usage") throw new Error(`expected usage, got ${JSON.stringify(d)}`);
  return d;
}

describe("decodeLine reads counts as ccusage's u64 fields", () => {
  it.each([
    ["a fraction", '"cache_read_input_tokens":4000', '"cache_read_input_tokens":2.5'],
    ["an exponent", '"input_tokens":10', '"input_tokens":1e3'],
    ["a capital exponent", '"input_tokens":10', '"input_tokens":1E3'],
    ["a trailing .0", '"output_tokens":20', '"output_tokens":100.0'],
    ["minus zero", '"input_tokens":10', '"input_tokens":-0'],
    ["2^64", '"input_tokens":10', '"input_tokens":18446744073709551616'],
    ["1e308", '"output_tokens":20', '"output_tokens":1e308'],
    ["a string", '"cache_creation_input_tokens":300', '"cache_creation_input_tokens":"zz"'],
    ["a fraction in the TTL split", '"ephemeral_1h_input_tokens":200', '"ephemeral_1h_input_tokens":0.5'],
    ["spaces around a float", '"input_tokens":10', '"input_tokens" : 1.0e1 '],
  ])("drops a line with %s", (_what, from, to) => {
    expect(decodeLine(spelled(from, to)).kind).toBe("error");
  });

  it("keeps 2^53 + 1 exactly and the largest u64", () => {
    const d = usageOf(spelled('"input_tokens":10', '"input_tokens":9007199254740993'));
    expect(d.event.input).toBe(9007199254740992);
    expect(d.event.wide).toEqual({ input: 9007199254740993n, output: 20n, cacheCreation: 300n, cacheRead: 4000n });
    const max = usageOf(spelled('"cache_read_input_tokens":4000', '"cache_read_input_tokens":18446744073709551615'));
    expect(max.event.wide?.cacheRead).toBe(18446744073709551615n);
    // two TTL halves add with saturation, as ccusage's u64 add does
    const split = usageOf(
      spelled(
        '"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200}',
        '"cache_creation":{"ephemeral_5m_input_tokens":18446744073709551615,"ephemeral_1h_input_tokens":5}',
      ),
    );
    expect(split.event.wide?.cacheCreation).toBe(18446744073709551615n);
  });

  it("carries no exact counts for ordinary lines", () => {
    expect(usageOf(assistant()).event.wide).toBeUndefined();
  });

  it("reads the same counts from a canonical line and from a hand-spaced one", () => {
    const spaced = spelled('"usage":{"input_tokens":10,', '"usage":{ "input_tokens" : 10 ,');
    const a = usageOf(assistant()).event;
    const b = usageOf(spaced).event;
    expect([b.input, b.output, b.cacheCreation, b.cacheRead]).toEqual([a.input, a.output, a.cacheCreation, a.cacheRead]);
  });

  it("keeps the last of a repeated key, as JSON.parse does (ccusage drops such lines; see docs)", () => {
    const canonical = usageOf(spelled('"output_tokens":20', '"output_tokens":20,"input_tokens":30')).event;
    const slow = usageOf(spelled('"output_tokens":20', '"output_tokens":20,"input_tokens":30,"x":1.5')).event;
    expect([canonical.input, slow.input]).toEqual([30, 30]);
  });

  it("reads the TTL split from serde's [5m, 1h] array form and rejects a longer one", () => {
    const from = '"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200}';
    const d = usageOf(spelled(from, '"cache_creation":[5,7]'));
    expect([d.event.cacheCreation5m, d.event.cacheCreation1h, d.event.cacheCreation]).toEqual([5, 7, 12]);
    expect(decodeLine(spelled(from, '"cache_creation":[5,7,9]')).kind).toBe("error");
    expect(decodeLine(spelled(from, '"cache_creation":5')).kind).toBe("error");
    // the same when the usage object is re-read with its literals (a fuzz-found case: a kept
    // literal once passed for an object)
    expect(decodeLine(spelled(from, '"cache_creation":5e-324')).kind).toBe("error");
    expect(decodeLine(spelled('"usage":{"input_tokens":10,', '"usage":{ "input_tokens" : 10 ,', spelled(from, '"cache_creation":5e-324'))).kind).toBe("error");
  });
});

describe("decodeLine reads timestamps as ccusage does", () => {
  it.each([
    "+275760-09-13T00:00:00.000Z",
    "-000001-01-01T00:00:00.000Z",
    "+002026-01-10T10:00:01.000Z",
    "2026-11-20T10:00:00.5Z",
    "2026-11-20T10:00:00",
    "2026-02-30T10:00:00Z",
  ])("drops %s", (timestamp) => {
    expect(decodeLine(assistant({ timestamp })).kind).toBe("error");
  });

  it("keeps the far ends it can print: year 0000 and year 9999", () => {
    expect(usageOf(assistant({ timestamp: "9999-12-31T23:59:59Z" })).event.timestamp).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
    expect(usageOf(assistant({ timestamp: "0000-01-01T00:00:00.000Z" })).event.timestamp).toBe(-62_167_219_200_000);
  });

  it("uses the same rule for turn signals", () => {
    const user = (timestamp: string) => JSON.stringify({ type: "user", timestamp, sessionId: "s", message: { role: "user", content: "hi" } });
    expect(decodeLine(user("+275760-09-13T00:00:00.000Z"), { signals: true }).kind).toBe("skip");
    expect(decodeLine(user("2026-11-20T10:00:00Z"), { signals: true }).kind).toBe("signal");
  });
});

describe("decodeLine drops what ccusage's parser rejects", () => {
  it("drops an unpaired surrogate escape anywhere, keeps a pair and an escaped backslash", () => {
    expect(decodeLine(assistant({}, {}, [{ type: "text", text: "\ud83d" }])).kind).toBe("error");
    expect(decodeLine(spelled('"text":"CG_SECRET_MARKER"', '"text":"a\\ude00"')).kind).toBe("error");
    expect(decodeLine(spelled('"text":"CG_SECRET_MARKER"', '"text":"\\ud83d\\ude00"')).kind).toBe("usage");
    expect(decodeLine(spelled('"text":"CG_SECRET_MARKER"', '"text":"\\\\ud83d"')).kind).toBe("usage");
  });

  it.each([
    ["sessionId", { sessionId: 5 }],
    ["requestId", { requestId: 5 }],
    ["isSidechain", { isSidechain: "false" }],
    ["isApiErrorMessage", { isApiErrorMessage: "x" }],
    ["costUSD", { costUSD: "1" }],
    ["version", { version: 5 }],
  ])("drops a line whose %s has another type", (_field, over) => {
    expect(decodeLine(assistant(over)).kind).toBe("error");
  });

  it("drops an unknown speed, keeps a null type as absent", () => {
    expect(decodeLine(assistant({}, { speed: "priority" })).kind).toBe("error");
    expect(usageOf(assistant({ isSidechain: null })).event.isSidechain).toBe(false);
  });

  it("skips a line with a listed key set to null, whitespace around the colon or not", () => {
    for (const spelling of ['"sessionId":null', '"sessionId": null', '"sessionId" :null', '"sessionId":\tnull']) {
      expect(decodeLine(spelled('"sessionId":"s1"', spelling)).kind).toBe("skip");
    }
    expect(decodeLine(spelled('"sessionId":"s1"', '"sessionId":"s1","x":"\\"id\\": null"')).kind).toBe("usage");
  });
});

describe("decodeLine: limit notices and advisors by ccusage's rules", () => {
  it("reads the reset after the first | that follows the marker, anywhere in the line", () => {
    const line = assistant({ isApiErrorMessage: true, cwd: "Claude AI usage limit reached (see |0001763640000)" }, { input_tokens: 0, output_tokens: 0 }, [
      { type: "text", text: "x" },
    ]);
    expect(usageOf(line).limit?.resetAt).toBe(1763640000_000);
    const beyond = assistant({ isApiErrorMessage: true }, {}, [{ type: "text", text: "Claude AI usage limit reached|99999999999999999" }]);
    expect(usageOf(beyond).limit).toBeNull();
  });

  it("takes no advisor from a line whose iterations break the count rules, but keeps the line", () => {
    const its =
      '[{"type":"message","input_tokens":1.5,"output_tokens":1},{"type":"advisor_message","model":"claude-opus-4-5-20251101","input_tokens":1000,"output_tokens":100}]';
    const d = usageOf(spelled('"speed":"fast"', `"speed":"fast","iterations":${its}`));
    expect(d.extras).toEqual([]);
  });

  it("counts an advisor of a line without a message id, never deduped", () => {
    const line = JSON.stringify({
      timestamp: "2026-11-20T10:00:00.000Z",
      message: {
        model: "claude-sonnet-4-5-20250929",
        usage: {
          input_tokens: 1,
          output_tokens: 1,
          iterations: [{ type: "advisor_message", model: "claude-opus-4-5-20251101", input_tokens: 1000, output_tokens: 100 }],
        },
      },
    });
    const d = usageOf(line);
    expect(d.extras.map((e) => [e.messageId, e.model, e.input])).toEqual([[null, "claude-opus-4-5-20251101", 1000]]);
  });
});
