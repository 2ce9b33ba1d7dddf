import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExportedTotals, exportedTotalsFile } from "./exported-totals.js";

const S = { metric: "tokens", model: "claude-sonnet-4-5", type: "input" } as const;
const C = { metric: "cost", model: "claude-sonnet-4-5" } as const;
const fresh = () => exportedTotalsFile(mkdtempSync(join(tmpdir(), "cg-totals-")));
const total = (t: ExportedTotals, key: { metric: string }) => t.values().find((v) => JSON.stringify(v.key) === JSON.stringify(key))?.total;

describe("ExportedTotals", () => {
  it("a restart that re-derives the same history continues where it was", () => {
    const file = fresh();
    const a = new ExportedTotals(file);
    a.adder(S)(1000);
    a.settle();
    a.adder(S)(50);
    a.save();
    const b = new ExportedTotals(file);
    b.adder(S)(1050);
    b.settle();
    expect(total(b, S)).toBe(1050);
    b.adder(S)(5);
    expect(total(b, S)).toBe(1055);
  });

  it("stays monotonic when old transcripts were deleted (Claude Code's 30-day cleanup): only new growth is added", () => {
    const file = fresh();
    const a = new ExportedTotals(file);
    a.adder(S)(1000);
    a.adder(C)(2.5);
    a.save();
    // after the cleanup only 300 tokens of history are left; 20 new ones follow
    const b = new ExportedTotals(file);
    b.adder(S)(300);
    b.settle();
    expect(total(b, S)).toBe(1000);
    expect(total(b, C)).toBe(2.5);
    b.adder(S)(20);
    b.adder(C)(0.1);
    expect(total(b, S)).toBe(1020);
    expect(total(b, C)).toBeCloseTo(2.6, 12);
  });

  it("never shows a lower total, even when the ledger replaces a line with a smaller one", () => {
    const t = new ExportedTotals(fresh());
    t.adder(S)(100);
    expect(total(t, S)).toBe(100);
    t.adder(S)(-10);
    expect(total(t, S)).toBe(100);
    t.adder(S)(30);
    expect(total(t, S)).toBe(120);
  });

  it("a hostile or broken file is ignored with a log line naming the field, never the value", () => {
    const cases: [string, RegExp][] = [
      ["{not json", /not JSON/],
      [JSON.stringify({ v: 1, series: [{ metric: "tokens", model: "m", type: "input", total: -5 }] }), /bad field series\.0\.total/],
      [JSON.stringify({ v: 1, series: [{ metric: "tokens", model: "secret-value", type: "x", total: 1 }] }), /bad field series\.0/],
      [JSON.stringify({ v: 2, series: [] }), /bad field v/],
      [JSON.stringify({ v: 1, series: [{ metric: "cost", model: "m".repeat(500), total: 1 }] }), /bad field series\.0/],
      ["x".repeat((1 << 20) + 1), /larger than/],
    ];
    for (const [text, msg] of cases) {
      const file = fresh();
      writeFileSync(file, text);
      const logs: string[] = [];
      const t = new ExportedTotals(file, (m) => logs.push(m));
      t.adder(S)(7);
      expect(total(t, S)).toBe(7);
      expect(logs.join("\n")).toMatch(msg);
      expect(logs.join("\n")).not.toContain("secret-value");
    }
  });

  it("saves atomically and only what moved", () => {
    const file = fresh();
    const t = new ExportedTotals(file);
    t.adder(S)(3);
    t.save();
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ v: 1, series: [{ ...S, total: 3 }] });
  });
});
