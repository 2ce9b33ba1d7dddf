import { describe, expect, it } from "vitest";
import { collectGarbage } from "./release-memory.js";

/** An object nothing references once this returns, and a weak reference to it. */
function garbage(): WeakRef<object> {
  return new WeakRef({ payload: new Array(1000).fill("x") });
}

describe("collectGarbage", () => {
  it("collects what nothing references any more, now (not at some later allocation)", async () => {
    const ref = garbage();
    await new Promise((r) => setImmediate(r));
    // nothing has collected it yet (and deref() keeps it to the end of this job: wait another)
    expect(ref.deref()).toBeDefined();
    await new Promise((r) => setImmediate(r));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });
});
