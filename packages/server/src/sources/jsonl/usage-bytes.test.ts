import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateCorpus } from "../../../../../test/corpus/corpus-lib.js";
import { decodeCandidate } from "./file-scan.js";
import { holdsUsageMarker } from "./line-scan.js";
import { decodeLine } from "@claude-gauge/core/decode";
import { cutOf, decodeUsageBytes } from "./usage-bytes.js";
import { readUsageFields } from "./usage-fields.js";

const opts = { project: "-home-u-p", sessionId: "file-session" };

/** What the scan did before the fast path: the line as latin1 text through decodeCandidate. */
function slow(line: Buffer) {
  return decodeCandidate(line.toString("latin1"), () => line.toString("utf8"), opts);
}

/** The fast path must be exactly the slow one whenever it answers. */
function agrees(line: Buffer): boolean {
  const fast = decodeUsageBytes(line, opts);
  if (fast !== null) expect(fast).toEqual(slow(line));
  return fast !== null;
}

/** The field reader must be exactly decodeLine on the cut line whenever it answers. */
function fieldsAgree(line: Buffer): boolean {
  const cut = cutOf(line);
  if (cut === null) return false;
  const fields = readUsageFields(cut, cut.length, opts);
  if (fields !== null) expect(fields).toEqual(decodeLine(cut.toString("latin1"), { ...opts, contentCut: true }));
  return fields !== null;
}

// A Claude Code assistant line with every field the decoder reads, each value mostly the common
// case, sometimes a corner (nulls, escapes, non-ASCII, odd numbers and types, missing fields).
/** the common values nine times in ten, the odd ones otherwise */
const mostly = <T>(common: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: common }, { weight: 1, arbitrary: odd });
/** a key that is there (with a value from `a`) one time in `1 + absent` */
const optional = <T>(a: fc.Arbitrary<T>, absent = 1) => fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
const text = mostly(
  fc.constantFrom("", "ok", "plain text", 'a "quoted" word', "back\\slash", "tab\there"),
  fc.oneof(
    fc.constantFrom("naïve café", "日本語", "\u2028", "emoji 🎉", "\u0000nul", "Claude AI usage limit reached|1767225600", "\ud83d"),
    fc.string({ maxLength: 12 }),
  ),
);
const count = mostly(
  fc.integer({ min: 0, max: 2_000_000 }),
  fc.constantFrom<unknown>(-1, 2.5, 1e3, 1e21, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, "12", null, true, {}, []),
);
const id = mostly(fc.stringMatching(/^(msg|req)_[A-Za-z0-9]{1,20}$/), fc.constantFrom<unknown>("", "msg_é", "req_\\x", null, 7));
const block = fc.oneof(
  fc.record({ type: fc.constant("text"), text }),
  fc.record({ type: fc.constant("thinking"), thinking: text, signature: fc.constant("c2ln") }),
  fc.record({
    type: fc.constant("tool_use"),
    id: fc.constant("toolu_1"),
    name: fc.constant("Bash"),
    input: fc.dictionary(mostly(fc.constantFrom("command", "path"), fc.constantFrom("id", "usage", "model")), mostly(text, fc.constant(null))),
  }),
  fc.record({ type: fc.constantFrom("redacted_thinking", "server_tool_use", "Weird", "a_very_long_block_type_name_that_does_not_fit") }),
);
const usage = fc.record(
  {
    input_tokens: count,
    output_tokens: count,
    cache_creation_input_tokens: optional(count),
    cache_read_input_tokens: optional(count),
    cache_creation: optional(fc.record({ ephemeral_5m_input_tokens: count, ephemeral_1h_input_tokens: count })),
    service_tier: optional(mostly(fc.constant("standard"), fc.constant(null))),
    speed: optional(mostly(fc.constantFrom("standard", "fast"), fc.constantFrom<unknown>("turbo", null))),
    iterations: optional(
      fc.array(
        fc.record({
          type: fc.constantFrom("message", "advisor_message"),
          model: mostly(fc.constant("claude-haiku-4-5"), fc.constant<unknown>(null)),
          input_tokens: count,
          output_tokens: count,
        }),
        { maxLength: 2 },
      ),
      3,
    ),
  },
  { requiredKeys: ["input_tokens", "output_tokens"] },
);
const message = fc.record(
  {
    model: mostly(fc.constantFrom("claude-opus-4-5-20251101", "claude-sonnet-4-6", "<synthetic>"), fc.constantFrom<unknown>("", "modèle", null)),
    id,
    type: fc.constant("message"),
    role: fc.constant("assistant"),
    content: fc.array(block, { maxLength: 2 }),
    stop_reason: fc.constantFrom(null, "tool_use", "end_turn"),
    stop_sequence: fc.constant(null),
    usage,
  },
  { requiredKeys: ["content", "usage"] },
);
const assistant = fc.record(
  {
    parentUuid: fc.constantFrom(null, "a46584a0-1ba2-4352-87f5-fffe88054dca"),
    isSidechain: mostly(fc.boolean(), fc.constant<unknown>("true")),
    userType: fc.constant("external"),
    cwd: mostly(fc.constantFrom("/home/u/p", "C:\\Users\\u"), fc.constantFrom<unknown>("/tmp/é", null)),
    sessionId: mostly(fc.constant("1fc554d4-d4f3"), fc.constantFrom<unknown>("", "séance", null)),
    version: mostly(fc.constantFrom("2.1.9", "10.0.0-beta"), fc.constantFrom<unknown>("dev", "", null)),
    gitBranch: fc.constant("main"),
    message,
    requestId: id,
    type: mostly(fc.constant("assistant"), fc.constantFrom("user", "progress")),
    uuid: fc.constant("60cbcab8-5d63-404d-abd1-8d659c51ef63"),
    timestamp: mostly(
      fc.constantFrom("2026-01-10T10:00:00.000Z", "2026-01-10T10:00:00Z", "2026-01-10T12:00:00+02:00"),
      fc.constantFrom<unknown>("not a date", "2026-02-30T00:00:00Z", "+275760-09-13T00:00:00.000Z", "9999-12-31T23:59:59Z", 17),
    ),
    costUSD: optional(fc.constantFrom<unknown>(0.5, null, "1"), 8),
    isApiErrorMessage: optional(mostly(fc.constant(false), fc.constant<unknown>(null)), 3),
  },
  { requiredKeys: ["message", "timestamp", "type"] },
);
/** A progress line nests an agent's assistant line under data.message. */
const progress = fc.tuple(assistant, fc.boolean()).map(([nested, outerFields]) => ({
  type: "progress",
  sessionId: "outer",
  // fields of the outer line that the nested message's own stand for
  ...(outerFields ? { isSidechain: true, requestId: "req_outer", timestamp: "2026-01-11T10:00:00.000Z" } : { timestamp: "2026-01-10T10:00:00.000Z" }),
  data: { message: nested, type: "agent_progress" },
}));

/** Claude's "usage limit reached" notice: its reset time is in the text the cut removes. */
const limitNotice = assistant.map((a) => ({
  ...a,
  isApiErrorMessage: true,
  message: { ...a.message, content: [{ type: "text", text: "Claude AI usage limit reached|1767225600" }] },
}));

/** Small edits of a serialised line: what truncated writes and hand-edited files look like. */
const edited = (line: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(line) },
    fc.constant(`${line}\r`),
    fc.constant(` ${line.replaceAll(",", ", ").replaceAll(":", " : ")} `),
    fc.nat(line.length).map((at) => line.slice(0, at)),
    fc
      .tuple(fc.nat(line.length), fc.constantFrom("\\", '"', "{", "]", ",", "\u0001", "é", "x", ":null"))
      .map(([at, ch]) => line.slice(0, at) + ch + line.slice(at)),
    fc.nat(line.length).map((at) => line.slice(0, at) + line.slice(at + 1)),
  );

const line = fc.oneof(assistant, progress, limitNotice).chain((obj) => edited(JSON.stringify(obj)));

describe("decodeUsageBytes", () => {
  it("equals decodeCandidate on generated and edited lines whenever it answers", () => {
    let answered = 0;
    fc.assert(
      fc.property(line, (text) => {
        const buf = Buffer.from(text, "utf8");
        if (!holdsUsageMarker(buf, 0, buf.length)) return;
        if (agrees(buf)) answered++;
      }),
      { numRuns: 3000 },
    );
    // the common shape is common: the fast path is not a stub that always declines
    expect(answered).toBeGreaterThan(150);
  });

  it("reads fields equal to decodeLine's on generated and edited lines whenever it answers", () => {
    let answered = 0;
    fc.assert(
      fc.property(line, (text) => {
        const buf = Buffer.from(text, "utf8");
        if (holdsUsageMarker(buf, 0, buf.length) && fieldsAgree(buf)) answered++;
      }),
      { numRuns: 3000 },
    );
    expect(answered).toBeGreaterThan(100);
  });

  it("equals decodeCandidate on random bytes around the usage marker", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), (a, b) => {
        const buf = Buffer.concat([a, Buffer.from('{"message":{"content":[{"type":"text"}],"stop_reason":null,"usage":{'), b]);
        agrees(buf);
        fieldsAgree(buf);
      }),
      { numRuns: 2000 },
    );
  });

  it("takes every ordinary line of a generated corpus, with the same result", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-bytes-"));
    try {
      await generateCorpus({ outDir: dir, seed: 11, sizeMb: 1, days: 3 });
      let lines = 0;
      let fast = 0;
      let fields = 0;
      const root = join(dir, "projects");
      for (const rel of readdirSync(root, { recursive: true }) as string[]) {
        if (!rel.endsWith(".jsonl")) continue;
        const file = readFileSync(join(root, rel));
        for (let s = 0; s < file.length; ) {
          const e = file.indexOf(0x0a, s) === -1 ? file.length : file.indexOf(0x0a, s);
          const l = file.subarray(s, e);
          s = e + 1;
          if (!holdsUsageMarker(l, 0, l.length)) continue;
          lines++;
          if (agrees(l)) fast++;
          if (fieldsAgree(l)) fields++;
        }
      }
      expect(lines).toBeGreaterThan(100);
      // limit notices and the corpus's planted oddities take the slow path; little else does
      expect(fast / lines).toBeGreaterThan(0.95);
      // and nearly all of them are read from the bytes without JSON.parse
      expect(fields / lines).toBeGreaterThan(0.9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
