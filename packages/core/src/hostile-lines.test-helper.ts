// Arbitraries for the property tests of the decoder and the pipeline behind it (test support,
// not part of the package): transcript lines whose every field the decoder reads holds an extreme
// or malformed value, written as raw JSON literals so `1e3`, `-0` and 2^64 reach the decoder as a
// transcript would hold them.
import fc from "fast-check";

/** Planted in every field value that must never leave the decoder. */
export const SECRET = "CGSECRET";

/** Weighted choice: mostly `usual` (so lines reach the deep paths), sometimes `hostile`. */
const mostly = <T>(usual: fc.Arbitrary<T>, ...hostile: fc.Arbitrary<T>[]): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: usual, weight: 10 * hostile.length }, ...hostile.map((arbitrary) => ({ arbitrary, weight: 1 })));

/** Number literals at and past every edge ccusage's u64 has, plus other JSON types. */
export const countLiteral = mostly(
  fc.nat({ max: 10_000_000 }).map(String),
  fc.constantFrom(
    "0",
    "-0",
    "0.0",
    "2.5",
    "1e3",
    "1E3",
    "100.0",
    "5e0",
    "1e308",
    "-1e308",
    "1e400",
    "-5",
    "9007199254740991",
    "9007199254740992",
    "9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999",
    '"5"',
    `"${SECRET}"`,
    "null",
    "true",
    "[]",
    "{}",
  ),
  fc.double({ noNaN: true }).map((x) => JSON.stringify(x)),
  fc.bigInt({ min: 0n, max: 2n ** 65n }).map(String),
);

/** Timestamps: valid at any date ccusage can read, and every shape it cannot. */
const timestampLiteral = mostly(
  fc
    .date({ min: new Date(-62_167_219_200_000), max: new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)), noInvalidDate: true })
    .map((d) => JSON.stringify(d.toISOString())),
  fc.constantFrom(
    '"+275760-09-13T00:00:00.000Z"',
    '"-271821-04-20T00:00:00.000Z"',
    '"-000001-01-01T00:00:00.000Z"',
    '"9999-12-31T23:59:59Z"',
    '"0000-01-01T00:00:00.000+23:59"',
    '"9999-12-31T23:59:59.999-23:59"',
    '"2026-02-30T10:00:00Z"',
    '"2026-01-10T10:00:01"',
    `"${SECRET}"`,
    `"2026-01-10T10:00:00.000Z${SECRET}"`,
    "1768039201000",
    "null",
    "{}",
  ),
  fc.string().map((s) => JSON.stringify(s)),
);

export const anyJson = fc.jsonValue().map((v) => JSON.stringify(v));
/** Values of a field the decoder never copies out (the secret may sit in them). */
const stringOrOther = fc.oneof(
  fc.string().map((s) => JSON.stringify(s)),
  fc.constantFrom(`"${SECRET}"`, "5", "true", "null", "[]", '""'),
);
/** Ids and model names are copied out by design: the secret may only sit in a value of another type. */
const idOrOther = mostly(
  fc.stringMatching(/^[a-z0-9_-]{1,12}$/).map((s) => JSON.stringify(s)),
  fc
    .string()
    .filter((s) => !s.includes(SECRET))
    .map((s) => JSON.stringify(s)),
  fc.constantFrom("5", "true", "null", `["${SECRET}"]`, `{"x":"${SECRET}"}`, '""'),
);
const modelOrOther = mostly(fc.constantFrom('"claude-opus-4-6"', '"claude-sonnet-4-5-20250929"', '"claude-haiku-4-5-20251001"', '"<synthetic>"'), idOrOther);

/** An assistant line built from raw literals, every read field drawn from the hostile sets. */
export const hostileLine = fc
  .record({
    ts: timestampLiteral,
    input: countLiteral,
    output: countLiteral,
    cacheWrite: countLiteral,
    cacheRead: countLiteral,
    split: fc.oneof(
      fc.constant(""),
      fc.tuple(countLiteral, countLiteral).map(([a, b]) => `,"cache_creation":{"ephemeral_5m_input_tokens":${a},"ephemeral_1h_input_tokens":${b}}`),
      fc.tuple(countLiteral, countLiteral).map(([a, b]) => `,"cache_creation":[${a},${b}]`),
      anyJson.map((v) => `,"cache_creation":${v}`),
    ),
    speed: fc.oneof(
      fc.constant(""),
      fc.constantFrom('"fast"', '"standard"', `"${SECRET}"`, "5").map((v) => `,"speed":${v}`),
    ),
    iterations: fc.oneof(
      fc.constant(""),
      fc
        .array(fc.record({ type: fc.constantFrom('"advisor_message"', '"message"', "5"), model: modelOrOther, input: countLiteral, output: countLiteral }), {
          maxLength: 3,
        })
        .map(
          (its) => `,"iterations":[${its.map((i) => `{"type":${i.type},"model":${i.model},"input_tokens":${i.input},"output_tokens":${i.output}}`).join(",")}]`,
        ),
    ),
    sessionId: idOrOther,
    requestId: idOrOther,
    messageId: idOrOther,
    model: modelOrOther,
    version: mostly(fc.constant('"2.0.50"'), stringOrOther),
    sidechain: mostly(fc.constantFrom("true", "false"), fc.constantFrom("null", '"true"', "0")),
    cost: fc.oneof({ arbitrary: fc.constant(""), weight: 4 }, { arbitrary: countLiteral.map((v) => `,"costUSD":${v}`), weight: 1 }),
    apiError: fc.oneof(
      { arbitrary: fc.constant(""), weight: 4 },
      { arbitrary: fc.constantFrom("true", "false", '"x"').map((v) => `,"isApiErrorMessage":${v}`), weight: 1 },
    ),
    text: fc
      .oneof(fc.string(), fc.constantFrom(`Claude AI usage limit reached|${"9".repeat(20)}`, "Claude AI usage limit reached|1768046400", SECRET))
      .map((s) => JSON.stringify(s)),
    progress: fc.boolean(),
  })
  .map((r) => {
    const usage = `{"input_tokens":${r.input},"cache_creation_input_tokens":${r.cacheWrite},"cache_read_input_tokens":${r.cacheRead}${r.split},"output_tokens":${r.output}${r.speed}${r.iterations}}`;
    const message = `{"model":${r.model},"id":${r.messageId},"type":"message","role":"assistant","content":[{"type":"text","text":${r.text}}],"stop_reason":null,"usage":${usage}}`;
    const inner = `{"isSidechain":${r.sidechain},"sessionId":${r.sessionId},"version":${r.version},"type":"assistant","message":${message},"requestId":${r.requestId}${r.cost}${r.apiError},"timestamp":${r.ts}}`;
    return r.progress ? `{"type":"progress","sessionId":${r.sessionId},"timestamp":${r.ts},"data":{"message":${inner}}}` : inner;
  });
