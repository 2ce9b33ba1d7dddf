import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { usageEvent } from "../../../test/helpers/usage-event.js";
import { arbitraryUsageEvent as event } from "./usage-event.test-helper.js";
import { UsageColumns } from "./usage-columns.js";
import type { UsageEvent } from "./usage-event.js";

function columnsOf(events: readonly UsageEvent[]): UsageColumns {
  const c = new UsageColumns(0);
  for (const e of events) c.push(e);
  return c;
}

describe("UsageColumns.concat", () => {
  it("holds the same rows as pushing every row of every part in order", () => {
    fc.assert(
      fc.property(fc.array(fc.array(event, { maxLength: 12 }), { maxLength: 5 }), (groups) => {
        const joined = UsageColumns.concat(groups.map((g) => columnsOf(g).parts()));
        const one = new UsageColumns(0);
        for (const g of groups) {
          const c = columnsOf(g);
          for (let i = 0; i < c.length; i++) one.pushFrom(c, i);
        }
        expect(joined.length).toBe(one.length);
        for (let i = 0; i < one.length; i++) expect(joined.get(i)).toEqual(one.get(i));
        // each string once in the joined table, as pushing makes it
        expect(new Set(joined.strings).size).toBe(joined.strings.length);
        // the joined set takes more rows like any other
        const more = groups.flat()[0];
        if (more !== undefined) expect(joined.get(joined.push(more))).toEqual(more);
      }),
      { numRuns: 200, seed: 20261202 },
    );
  });

  it("refuses parts whose references or lengths do not hold up", () => {
    const e = usageEvent({ timestamp: 1, messageId: "m", model: "claude-opus-4-5", input: 1, output: 2 });
    const good = columnsOf([e, e]).parts();
    expect(UsageColumns.concat([good, good]).length).toBe(4);
    const badRef = columnsOf([e, e]).parts();
    badRef.refs[1]![1] = badRef.strings.length;
    expect(() => UsageColumns.concat([good, badRef])).toThrow(RangeError);
    const short = columnsOf([e, e]).parts();
    short.messageIds.pop();
    expect(() => UsageColumns.concat([short])).toThrow(RangeError);
  });
});
