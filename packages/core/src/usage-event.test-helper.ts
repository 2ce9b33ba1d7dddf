import fc from "fast-check";
import type { UsageEvent } from "./usage-event.js";

/** Usage events with few distinct strings (so tables and messages repeat), some with exact wide counts. */
export const arbitraryUsageEvent: fc.Arbitrary<UsageEvent> = fc
  .record({
    timestamp: fc.integer({ min: 0, max: 2e12 }),
    messageId: fc.option(fc.constantFrom("msg_a", "msg_b", "msg_ü")),
    requestId: fc.option(fc.constantFrom("req_a", "req_b")),
    model: fc.constantFrom("claude-opus-4-5", "claude-sonnet-4-5", "<synthetic>", ""),
    sessionId: fc.constantFrom("s1", "s2"),
    fileSession: fc.constantFrom("s1", "s3"),
    project: fc.constantFrom("-home-a", "-home-b"),
    input: fc.nat(),
    output: fc.nat(),
    cacheCreation: fc.nat(),
    cacheRead: fc.nat(),
    cacheCreation5m: fc.nat(),
    cacheCreation1h: fc.nat(),
    isSidechain: fc.boolean(),
    progress: fc.boolean(),
    loggedCostUsd: fc.option(fc.double({ min: 0, max: 10, noNaN: true })),
    speed: fc.constantFrom(null, "standard" as const, "fast" as const),
    thinking: fc.boolean(),
    wide: fc.option(fc.constant({ input: 2n ** 60n, output: 1n, cacheCreation: 0n, cacheRead: 2n ** 64n - 1n }), { freq: 8 }),
  })
  .map(({ wide, ...e }) => (wide === null ? e : { ...e, wide }));
