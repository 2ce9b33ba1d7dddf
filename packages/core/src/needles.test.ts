import { describe, expect, it } from "vitest";
import { fuelPosition, REDLINE_DIAL_SHARE, tachPosition } from "./needles.js";

describe("tachPosition", () => {
  it("puts the redline at 80 % of the dial", () => {
    expect(REDLINE_DIAL_SHARE).toBe(0.8);
    expect(tachPosition(100_000, 100_000)).toBe(800);
    expect(tachPosition(50_000, 100_000)).toBe(400);
  });

  it("reaches full scale at 1.25 × redline and clamps above", () => {
    expect(tachPosition(125_000, 100_000)).toBe(1000);
    expect(tachPosition(10_000_000, 100_000)).toBe(1000);
  });

  it("rounds to whole positions", () => {
    expect(tachPosition(1, 1000)).toBe(1); // 0.8 → 1
    expect(tachPosition(0.5, 1000)).toBe(0); // 0.4 → 0
  });

  it("rests at 0 for no, negative or unknown rates", () => {
    expect(tachPosition(0, 100_000)).toBe(0);
    expect(tachPosition(-5, 100_000)).toBe(0);
    expect(tachPosition(Number.NaN, 100_000)).toBe(0);
  });

  it("pins to full scale when there is a rate but no usable redline", () => {
    expect(tachPosition(10, 0)).toBe(1000);
    expect(tachPosition(10, Number.NaN)).toBe(1000);
    expect(tachPosition(0, 0)).toBe(0);
  });
});

describe("fuelPosition", () => {
  it("shows the remaining share of the tank", () => {
    expect(fuelPosition(0)).toBe(1000);
    expect(fuelPosition(0.25)).toBe(750);
    expect(fuelPosition(1)).toBe(0);
    expect(fuelPosition(0.12345)).toBe(877);
  });

  it("clamps shares outside 0..1", () => {
    expect(fuelPosition(1.7)).toBe(0);
    expect(fuelPosition(-0.2)).toBe(1000);
    expect(fuelPosition(Number.POSITIVE_INFINITY)).toBe(0);
  });

  it("reads an unknown share as a full tank", () => {
    expect(fuelPosition(Number.NaN)).toBe(1000);
  });
});
