import { GAUGE_ACCEL_TABLE, NeedleMotion, needleStepFor } from "@claude-gauge/core";

/** What a needle is drawn on: anything that can show a motor step. */
export interface NeedleFace {
  setStep(step: number): void;
}

interface Needle {
  face: NeedleFace;
  motion: NeedleMotion;
  /** the position the data asks for, 0..1000 */
  wanted: number;
}

/**
 * Drives every needle on the page with core's SwitecX25 motion model and the gauge's acceleration
 * table, as the firmware drives its motors: a requestAnimationFrame loop feeds it the elapsed µs
 * and draws the step each needle has reached. The loop runs only while a needle moves. On start
 * the needles sweep to full scale and back, as the hardware does at power-on (skipped when the
 * viewer prefers reduced motion).
 */
export class NeedleAnimator {
  readonly #needles: Needle[] = [];
  #frame: number | null = null;
  /** during the power-on sweep, data targets wait here */
  #sweep: "up" | "down" | null = null;

  add(face: NeedleFace): (pos: number) => void {
    const n: Needle = { face, motion: new NeedleMotion({ accelTable: GAUGE_ACCEL_TABLE }), wanted: 0 };
    this.#needles.push(n);
    face.setStep(0);
    return (pos) => {
      n.wanted = pos;
      if (this.#sweep === null) this.#target(n, needleStepFor(pos));
    };
  }

  /** The power-on sweep; data that arrives meanwhile is applied when it ends. */
  sweep(): void {
    if (matchMedia("(prefers-reduced-motion: reduce)").matches) return;
    this.#sweep = "up";
    for (const n of this.#needles) this.#target(n, n.motion.steps - 1);
  }

  #target(n: Needle, step: number): void {
    n.motion.setPosition(step, performance.now() * 1000);
    this.#kick();
  }

  #kick(): void {
    if (this.#frame === null) this.#frame = requestAnimationFrame(() => this.#tick());
  }

  #tick(): void {
    this.#frame = null;
    // performance.now(), not the frame timestamp: targets are set with it, and it never runs behind them
    const nowUs = performance.now() * 1000;
    let moving = false;
    for (const n of this.#needles) {
      n.motion.advanceTo(nowUs);
      n.face.setStep(n.motion.currentStep);
      if (!n.motion.stopped) moving = true;
    }
    if (!moving && this.#sweep !== null) {
      const phase = this.#sweep;
      this.#sweep = phase === "up" ? "down" : null;
      for (const n of this.#needles) this.#target(n, phase === "up" ? 0 : needleStepFor(n.wanted));
      return;
    }
    if (moving) this.#kick();
  }
}
