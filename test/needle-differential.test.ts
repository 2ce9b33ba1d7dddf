// One needle path: the browser's needle model (packages/core/src/needle-motion.ts) and the firmware's
// (firmware/src/gauge.cpp on the real, unmodified SwitecX25.cpp, built for the host with a simulated
// clock) are given the same target sequence and the same loop timing, and must take the same step
// at the same microsecond, every step. Both rules are held to it: the library with its own table,
// and the gauge with GAUGE_ACCEL_TABLE.
import { spawn } from "node:child_process";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { GAUGE_ACCEL_TABLE, needleStepFor, SWITEC_ACCEL_TABLE } from "../packages/core/src/needle-motion.js";
import { buildFirmwareHost } from "./helpers/firmware-host.js";
import { modelTrace, type TargetEvent, type Trace } from "./helpers/needle-trace.js";

type Rule = "gauge" | "library";

let bin = "";

beforeAll(async () => {
  bin = await buildFirmwareHost("needle-trace");
});

/** The firmware's trace: needle-trace runs the loop on the host. */
function firmwareTrace(rule: Rule, events: readonly TargetEvent[], tickUs: number, untilUs: number): Promise<Trace> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, [rule, String(tickUs), String(untilUs)], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    p.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    p.on("error", reject);
    p.on("close", (code) => {
      if (code !== 0) return reject(new Error(`needle-trace exited ${code}: ${err}`));
      const lines = out.trim().split("\n");
      const [, final, state] = (lines.pop() ?? "").split(" ");
      const steps = lines.map((l) => l.split(" ").map(Number) as [number, number]);
      resolve({ steps, final: Number(final), stopped: state === "stopped" });
    });
    p.stdin.end(events.map((e) => `${e.atUs} ${e.pos}\n`).join(""));
  });
}

const TABLE: Record<Rule, readonly (readonly [number, number])[]> = { gauge: GAUGE_ACCEL_TABLE, library: SWITEC_ACCEL_TABLE };

/** Target sequences as the daemon sends them: up to 10 a second, often reversing the needle at speed. */
const scenario = fc.record({
  tickUs: fc.constantFrom(1, 7, 10, 50, 100, 250),
  events: fc
    .array(
      fc.record({
        gapUs: fc.oneof(fc.integer({ min: 100_000, max: 400_000 }), fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 400_000, max: 1_200_000 })),
        pos: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(0, 1000)),
      }),
      { minLength: 1, maxLength: 12 },
    )
    .map((evs) => {
      let at = 0;
      return evs.map((e) => ({ atUs: (at += e.gapUs), pos: e.pos }));
    }),
});

describe("one needle path: browser model = firmware on the real SwitecX25", () => {
  for (const rule of ["gauge", "library"] as const) {
    it(`same step trace over random target sequences (${rule} table)`, async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async ({ tickUs, events }) => {
          const untilUs = (events.at(-1)?.atUs ?? 0) + 2_000_000; // time to come to rest
          const fw = await firmwareTrace(rule, events, tickUs, untilUs);
          const model = modelTrace(TABLE[rule], events, tickUs, untilUs);
          expect(model.steps.length).toBe(fw.steps.length);
          expect(model).toStrictEqual(fw);
          expect(fw.stopped).toBe(true);
          expect(fw.final).toBe(needleStepFor(events.at(-1)!.pos));
        }),
        { numRuns: rule === "gauge" ? 40 : 20 },
      );
    }, 120_000);
  }

  it("the issue's case, step for step: a reversal at full speed from step 600", async () => {
    // Find when each rule's needle passes step 600 on its way up, then turn it to position 100.
    for (const rule of ["library", "gauge"] as const) {
      const up = modelTrace(TABLE[rule], [{ atUs: 0, pos: 1000 }], 10, 2_000_000);
      const at600 = up.steps.find(([, s]) => s === 600)![0];
      const events = [
        { atUs: 0, pos: 1000 },
        { atUs: at600, pos: 100 },
      ];
      const fw = await firmwareTrace(rule, events, 10, at600 + 2_000_000);
      expect(modelTrace(TABLE[rule], events, 10, at600 + 2_000_000)).toStrictEqual(fw);
      const highest = Math.max(...fw.steps.map(([, s]) => s));
      expect(highest).toBe(rule === "library" ? 900 : 605);
      expect(fw.final).toBe(94);
    }
  });

  it("would catch a model that drifted from the firmware by one table row", async () => {
    const events = [
      { atUs: 0, pos: 800 },
      { atUs: 150_000, pos: 200 },
    ];
    const fw = await firmwareTrace("gauge", events, 50, 2_000_000);
    const drifted = GAUGE_ACCEL_TABLE.map(([v, us], i) => [v, i === 2 ? us + 100 : us] as const);
    expect(modelTrace(drifted, events, 50, 2_000_000)).not.toStrictEqual(fw);
    expect(modelTrace(GAUGE_ACCEL_TABLE, events, 50, 2_000_000)).toStrictEqual(fw);
  });
});
