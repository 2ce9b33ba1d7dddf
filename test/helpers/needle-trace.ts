import { NeedleMotion, needleStepFor } from "../../packages/core/src/needle-motion.js";

/** A target (contract position 0..1000) set at a moment (µs). */
export interface TargetEvent {
  atUs: number;
  pos: number;
}

export interface Trace {
  /** [µs, step] for every step taken */
  steps: [number, number][];
  final: number;
  stopped: boolean;
}

/**
 * The browser model's step trace under the firmware's loop (main.cpp): every tickUs the needle
 * updates first, then any target due by then is set.
 */
export function modelTrace(table: readonly (readonly [number, number])[], events: readonly TargetEvent[], tickUs: number, untilUs: number): Trace {
  const m = new NeedleMotion({ accelTable: table });
  const steps: [number, number][] = [];
  let next = 0;
  let last = 0;
  for (let t = 0; t <= untilUs; t += tickUs) {
    m.update(t);
    if (m.currentStep !== last) steps.push([t, m.currentStep]);
    last = m.currentStep;
    for (; next < events.length && events[next]!.atUs <= t; next++) m.setPosition(needleStepFor(events[next]!.pos), t);
  }
  return { steps, final: last, stopped: m.stopped };
}
