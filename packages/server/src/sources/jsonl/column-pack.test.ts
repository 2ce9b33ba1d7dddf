import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packStrings, unpackStrings } from "./column-pack.js";

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
