import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { idHash, RowIndex } from "./row-index.js";

describe("idHash", () => {
  it("is 32-bit FNV-1a over UTF-16 code units (the scan cache stores it)", () => {
    expect(idHash("")).toBe(0x811c9dc5);
    expect(idHash("a")).toBe(0xe40c292c);
    expect(idHash("foobar")).toBe(0xbf9cf968);
  });
});

describe("RowIndex", () => {
  const ids = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 400, size: "max" });

  it("finds what a Map finds, across growth and a reserve at any point, for present and absent ids", () => {
    const reserve = fc.option(fc.record({ after: fc.nat(400), rows: fc.nat(1000) }));
    fc.assert(
      fc.property(ids, fc.array(fc.string({ maxLength: 12 }), { maxLength: 50 }), fc.boolean(), reserve, (added, probes, collide, room) => {
        // with `collide`, every id hashes alike: each lookup walks the probe chain
        const hash = collide ? () => 7 : idHash;
        const keys: string[] = [];
        const index = new RowIndex((row) => keys[row] ?? null);
        const map = new Map<string, number>();
        for (const id of added) {
          if (room !== null && keys.length === room.after) index.reserve(room.rows);
          keys.push(id);
          index.add(keys.length - 1, hash(id));
          map.set(id, keys.length - 1);
        }
        expect(index.size).toBe(map.size);
        for (const id of [...added, ...probes]) expect(index.get(id, hash(id))).toBe(map.get(id));
      }),
    );
  });
});
