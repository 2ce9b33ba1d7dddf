/*
 * The Switec X25/X27 needle's motion, as clearwater/SwitecX25 (BSD-2) drives it, rewritten as a pure
 * model: time is a parameter (µs), nothing here reads a clock or touches hardware. The firmware runs
 * the library itself with GAUGE_ACCEL_TABLE; the browser cluster runs this with the same table, and
 * test/needle-differential.test.ts holds the two to the same step trace, step for step.
 *
 * Kept local rather than imported from contract.ts: the browser bundle takes only this file, and
 * the contract module would bring zod with it.
 */

/** X27.168 travel: 315° at 1/3° per partial step, so 945 steps (steps). */
export const SWITEC_STEPS = 945;
/** Sweep of the motor from its zero stop to its end stop (degrees). */
export const SWITEC_SWEEP_DEG = 315;
/** Contract positions run 0..this (= NEEDLE_SCALE, checked by a test). */
const POSITION_SCALE = 1000;

/**
 * The library's default acceleration curve: [steps travelled under acceleration (vel) up to which
 * the row applies, delay before the next step in µs]. The last row's vel is the top speed.
 */
export const SWITEC_ACCEL_TABLE: readonly (readonly [vel: number, delayUs: number])[] = Object.freeze([
  Object.freeze([20, 3000] as const),
  Object.freeze([50, 1500] as const),
  Object.freeze([100, 1000] as const),
  Object.freeze([150, 800] as const),
  Object.freeze([300, 600] as const),
]);

/**
 * The table the gauge runs (firmware/src/gauge.cpp): the library's five speeds, one step each. The
 * library brakes one row per step, so with its own table a needle at full speed (vel 300) runs up to
 * 300 steps past a target that jumps behind it; with this one at most 5 (docs/hardware.md).
 */
export const GAUGE_ACCEL_TABLE: readonly (readonly [vel: number, delayUs: number])[] = Object.freeze([
  Object.freeze([1, 3000] as const),
  Object.freeze([2, 1500] as const),
  Object.freeze([3, 1000] as const),
  Object.freeze([4, 800] as const),
  Object.freeze([5, 600] as const),
]);

/**
 * Motor step (0..steps−1) for a contract position (0..1000), as the firmware maps it:
 * round(pos × 944 / 1000), clamped.
 */
export function needleStepFor(pos: number, steps: number = SWITEC_STEPS): number {
  if (!(pos > 0)) return 0;
  if (pos >= POSITION_SCALE) return steps - 1;
  return Math.round((pos * (steps - 1)) / POSITION_SCALE);
}

/** Angle of a step from the zero stop, degrees (1/3° per step on an X27.168). */
export function needleAngleDeg(step: number, steps: number = SWITEC_STEPS): number {
  return (step * SWITEC_SWEEP_DEG) / steps;
}

export interface NeedleMotionOptions {
  /** motor steps from stop to stop (default 945) */
  steps?: number;
  /** acceleration curve, rows in ascending vel (default SwitecX25's own; the gauge runs GAUGE_ACCEL_TABLE) */
  accelTable?: readonly (readonly [number, number])[];
}

/**
 * One needle. `setPosition` sets the target step; `update(nowUs)` moves at most one step, when the
 * acceleration table says it is due, exactly like SwitecX25::update() called from a loop.
 * `advanceTo(nowUs)` is that loop run infinitely fast up to `nowUs`, each step taken at its due
 * time, so a 60 Hz animation frame lands where the motor would be.
 *
 * Speed is held as `vel`, the number of steps travelled under acceleration: +1 per step from rest
 * up to the table's top row, −1 per step once the remaining distance is shorter than `vel`, so the
 * needle slows to a stop on the target. A target behind a moving needle first brakes it to rest.
 */
export class NeedleMotion {
  readonly steps: number;
  readonly #table: readonly (readonly [number, number])[];
  readonly maxVel: number;
  /** step the needle is at (0..steps; see #advance for the one past the end) */
  currentStep = 0;
  /** step it is moving to (0..steps−1) */
  targetStep = 0;
  /** steps travelled under acceleration; 0 at rest */
  vel = 0;
  /** −1 down, 1 up, 0 at rest */
  dir: -1 | 0 | 1 = 0;
  stopped = true;
  /** µs of the last step (or of the start from rest) */
  #t0 = 0;
  /** µs from #t0 until the next step is due */
  #delayUs = 0;

  constructor(opts: NeedleMotionOptions = {}) {
    this.steps = opts.steps ?? SWITEC_STEPS;
    this.#table = opts.accelTable ?? SWITEC_ACCEL_TABLE;
    const last = this.#table[this.#table.length - 1];
    if (!Number.isInteger(this.steps) || this.steps < 2) throw new RangeError(`steps: expected an integer ≥ 2, got ${this.steps}`);
    if (last === undefined) throw new RangeError("accelTable: expected at least one row");
    this.maxVel = last[0];
  }

  /** Sets the target step (clamped to 0..steps−1); a needle at rest starts at once. */
  setPosition(step: number, nowUs: number): void {
    this.targetStep = Math.min(this.steps - 1, Math.max(0, Math.round(step)));
    if (this.stopped) {
      this.stopped = false;
      this.#t0 = nowUs;
      this.#delayUs = 0;
    }
  }

  /** One loop turn: moves at most one step, if it is due at `nowUs`. Returns whether it stepped. */
  update(nowUs: number): boolean {
    if (this.stopped || nowUs - this.#t0 < this.#delayUs) return false;
    return this.#advance(nowUs);
  }

  /** Every step due by `nowUs`, each at its own due time. Returns the number of steps taken. */
  advanceTo(nowUs: number): number {
    let moved = 0;
    while (!this.stopped) {
      const due = this.#t0 + this.#delayUs;
      if (due > nowUs) break;
      if (this.#advance(due)) moved += 1;
    }
    return moved;
  }

  /** µs until the next step is due, or null at rest. */
  nextDueUs(): number | null {
    return this.stopped ? null : this.#t0 + this.#delayUs;
  }

  #advance(nowUs: number): boolean {
    this.#t0 = nowUs;
    if (this.currentStep === this.targetStep && this.vel === 0) {
      this.stopped = true;
      this.dir = 0;
      return false;
    }
    if (this.vel === 0) {
      this.dir = this.currentStep < this.targetStep ? 1 : -1;
      // From rest the first step counts as one under acceleration; 0 would let braking go negative.
      this.vel = 1;
    }
    const before = this.currentStep;
    // As the library counts: an overshoot may reach `steps`, one past the last target (the motor
    // pushes against its end stop for that step), and nothing goes below 0.
    this.currentStep = Math.min(this.steps, Math.max(0, this.currentStep + this.dir));
    const remaining = this.dir > 0 ? this.targetStep - this.currentStep : this.currentStep - this.targetStep;
    if (remaining > 0) {
      if (remaining < this.vel) this.vel -= 1;
      else if (this.vel < this.maxVel) this.vel += 1;
    } else {
      // on the target or past it: brake
      this.vel -= 1;
    }
    this.#delayUs = this.#delayFor(this.vel);
    return this.currentStep !== before;
  }

  #delayFor(vel: number): number {
    for (const [upTo, delay] of this.#table) if (vel <= upTo) return delay;
    return this.#table[this.#table.length - 1]?.[1] ?? 0;
  }
}
