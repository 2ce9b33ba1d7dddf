import { appendFileSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DecodedLine } from "@claude-gauge/core";
import { TranscriptTail } from "./tail.js";
import type { BadLine } from "./load.js";

function usageLine(id: string, output: number, ts = "2026-11-20T10:00:00.000Z"): string {
  return JSON.stringify({
    type: "assistant",
    timestamp: ts,
    sessionId: "s1",
    requestId: `r-${id}`,
    message: { id, model: "claude-sonnet-4-5", content: [{ type: "text", text: "x" }], usage: { input_tokens: 1, output_tokens: output } },
  });
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting for the tail");
    await new Promise((r) => setTimeout(r, 10));
  }
}

let tail: TranscriptTail | null = null;
afterEach(() => tail?.close());

function setup() {
  const root = join(mkdtempSync(join(tmpdir(), "cg-tail-")), "projects");
  const proj = join(root, "-home-u-p");
  mkdirSync(proj, { recursive: true });
  const seen: { d: DecodedLine; initial: boolean }[] = [];
  const bad: BadLine[] = [];
  tail = new TranscriptTail([root], {
    line: (d, initial) => seen.push({ d, initial }),
    badLine: (b) => bad.push(b),
    problem: () => {},
    recovered: () => {},
  }, { rescanMs: 60_000 });
  const outputs = () => seen.flatMap(({ d }) => (d.kind === "usage" ? [d.event.output] : []));
  return { root, proj, seen, bad, outputs };
}

describe("TranscriptTail", () => {
  it("scans existing lines, then follows appends, holding a half-written line until its newline", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    writeFileSync(f, `${usageLine("a", 5)}\n`);
    await tail!.start();
    expect(t.seen.filter((s) => s.d.kind === "usage").map((s) => s.initial)).toEqual([true]);
    const line = usageLine("b", 7);
    appendFileSync(f, line.slice(0, 30));
    await new Promise((r) => setTimeout(r, 150));
    expect(t.outputs()).toEqual([5]);
    appendFileSync(f, `${line.slice(30)}\n`);
    await until(() => t.outputs().length === 2);
    expect(t.outputs()).toEqual([5, 7]);
    expect(t.seen.filter((s) => s.d.kind === "usage")[1]?.initial).toBe(false);
  });

  it("finds a new subagent folder and file", async () => {
    const t = setup();
    await tail!.start();
    const sub = join(t.proj, "s1", "subagents");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "agent-1.jsonl"), `${usageLine("c", 9)}\n`);
    await until(() => t.outputs().includes(9));
  });

  it("re-reads a truncated file from the top and reports garbage with file:line", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    writeFileSync(f, `${usageLine("a", 5)}\n${usageLine("b", 6)}\n`);
    await tail!.start();
    truncateSync(f, 0);
    appendFileSync(f, `{"usage":{ broken\n${usageLine("z", 11)}\n`);
    await until(() => t.outputs().includes(11));
    expect(t.bad).toEqual([{ path: f, line: 1, error: expect.stringContaining("malformed JSON") }]);
  });

  it("notices a file rewritten in place to a larger size between two reads", async () => {
    const t = setup();
    const f = join(t.proj, "s1.jsonl");
    writeFileSync(f, `${usageLine("a", 5)}\n`);
    await tail!.start();
    tail!.close(); // no watch events: the rewrite is only seen by the next rescan
    writeFileSync(f, `${usageLine("x", 21)}\n${usageLine("y", 22)}\n`);
    await tail!.rescan();
    expect(t.outputs()).toEqual([5, 21, 22]);
    expect(t.bad).toEqual([]);
  });

  it("keeps following other files when one is deleted", async () => {
    const t = setup();
    const a = join(t.proj, "a.jsonl");
    const b = join(t.proj, "b.jsonl");
    writeFileSync(a, `${usageLine("a", 1)}\n`);
    writeFileSync(b, `${usageLine("b", 2)}\n`);
    await tail!.start();
    rmSync(a);
    appendFileSync(b, `${usageLine("c", 3)}\n`);
    await until(() => t.outputs().includes(3));
    await tail!.rescan();
    expect(tail!.stats.files).toBe(1);
  });
});
