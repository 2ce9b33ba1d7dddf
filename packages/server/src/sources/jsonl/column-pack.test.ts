import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageColumns } from "@claude-gauge/core/decode";
import { usageEvent } from "../../../../../test/helpers/usage-event.js";
import { packColumns, packStrings, packStringsInPieces, unpackColumns, unpackRows, unpackStrings } from "./column-pack.js";

const lists = fc.array(fc.option(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom("", "msg_01ABC", "ü", "\u{1F600}")), { nil: null }), {
  maxLength: 40,
});

describe("packed strings", () => {
  it("come back equal, as slices of one text or one by one (fuzzed: latin1, UTF-16, nulls, empty)", () => {
    fc.assert(
      fc.property(lists, (list) => {
        const packed = packStrings(list);
        expect(unpackStrings(packed)).toEqual(list);
        expect(unpackStrings(packed, true)).toEqual(list);
      }),
      { numRuns: 500 },
    );
  });

  it("come back equal one by one when they repeat in runs, as a message's ids do (an equal string is taken again, one byte off is not)", () => {
    const near = fc.constantFrom("msg_01ABC", "msg_01ABD", "req_01ABC", "ü\u{1F600}", "ü\u{1F601}", "x");
    const runs = fc.array(fc.tuple(fc.option(near, { nil: null }), fc.integer({ min: 1, max: 3 })), { maxLength: 20 });
    fc.assert(
      fc.property(runs, (rs) => {
        const list = rs.flatMap(([x, n]) => Array.from({ length: n }, () => x));
        expect(unpackStrings(packStrings(list), true)).toEqual(list);
      }),
      { numRuns: 500 },
    );
  });

  it("come out in pieces as packStrings packs them, across the 64 KiB buffer and past it (fuzzed, with strings of up to 100k units)", () => {
    const long = fc.oneof(fc.string({ minLength: 20_000, maxLength: 100_000 }), fc.constantFrom("x".repeat(65_536), "ü".repeat(70_000)));
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 }), long), { nil: null }), { maxLength: 30 }),
          { maxLength: 3 },
        ),
        (groups) => {
          const joined = packStrings(groups.flat());
          const p = packStringsInPieces(groups);
          const pieces: Buffer[] = [];
          p.write((b) => pieces.push(Buffer.from(b)));
          expect(p.wide).toBe(joined.wide);
          expect(p.lengths).toEqual(joined.lengths);
          expect(p.byteLength).toBe(joined.bytes.byteLength);
          expect(Buffer.concat(pieces).equals(Buffer.from(joined.bytes))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("are refused, in both forms, when the lengths do not add up to the bytes", () => {
    for (const list of [
      ["abc", null, "de"],
      ["ü\u{1F600}", "x"],
    ]) {
      const packed = packStrings(list);
      for (const lengths of [
        Int32Array.from([...packed.lengths.slice(0, -1), packed.lengths.at(-1)! + 1]),
        Int32Array.from([-2, ...packed.lengths.slice(1)]),
      ]) {
        for (const flat of [false, true]) expect(() => unpackStrings({ ...packed, lengths }, flat)).toThrow(RangeError);
      }
      const short = Int32Array.from([...packed.lengths.slice(0, -1), packed.lengths.at(-1)! - 1]);
      for (const flat of [false, true]) expect(() => unpackStrings({ ...packed, lengths: short }, flat)).toThrow(RangeError);
    }
  });
});

describe("rows of packed columns", () => {
  it("equal the same rows of all of them unpacked, ids included (fuzzed ranges, latin1 and UTF-16 ids, nulls)", () => {
    const ids = fc.option(fc.oneof(fc.constantFrom("msg_01ABC", "req_9", "ü", "\u{1F600}"), fc.string({ maxLength: 6 })), { nil: null });
    fc.assert(
      fc.property(
        fc.array(fc.record({ message: ids, request: ids, input: fc.nat(1000), big: fc.boolean() }), { maxLength: 30 }),
        fc.nat(),
        fc.nat(),
        (rows, a, b) => {
          const c = new UsageColumns(rows.length);
          for (const r of rows) {
            c.push(
              usageEvent({
                messageId: r.message,
                requestId: r.request,
                input: r.input,
                ...(r.big ? { wide: { input: 2n ** 60n, output: 1n, cacheCreation: 0n, cacheRead: 0n } } : {}),
              }),
            );
          }
          const packed = packColumns(c.parts());
          const from = rows.length === 0 ? 0 : a % (rows.length + 1);
          const to = from + (rows.length === 0 ? 0 : b % (rows.length - from + 1));
          for (const kind of ["sliced", "each", "none"] as const) {
            const got = UsageColumns.fromParts(unpackRows(packed, from, to, kind));
            const all = UsageColumns.fromParts(unpackColumns(packed, kind));
            expect(got.length).toBe(to - from);
            for (let i = from; i < to; i++) expect(got.get(i - from)).toEqual(all.get(i));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("are refused beyond the block", () => {
    const c = new UsageColumns(2);
    c.push(usageEvent({ messageId: "a" }));
    c.push(usageEvent({ messageId: "b" }));
    const packed = packColumns(c.parts());
    for (const [from, to] of [
      [1, 3],
      [-1, 1],
      [2, 1],
    ] as const)
      expect(() => unpackRows(packed, from, to)).toThrow(RangeError);
  });
});
