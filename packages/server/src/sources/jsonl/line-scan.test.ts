import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanCandidates, type CandidateLine } from "./line-scan.js";

const dir = mkdtempSync(join(tmpdir(), "cg-scan-"));
let n = 0;
function file(content: string | Buffer): string {
  const p = join(dir, `f${n++}.jsonl`);
  writeFileSync(p, content);
  return p;
}
async function scan(p: string, opts: Parameters<typeof scanCandidates>[2] = {}) {
  const lines: CandidateLine[] = [];
  const r = scanCandidates(p, (l) => lines.push(l), opts);
  return { lines, r };
}

const U = (i: number) => `{"type":"assistant","i":${i},"message":{"usage":{"input_tokens":${i}}}}`;
const OTHER = '{"type":"user","message":{"content":"hello"}}';

describe("scanCandidates", () => {
  it("offers only usage-bearing lines (limit notices carry a zero usage), with line numbers and offsets", async () => {
    const limit =
      '{"type":"assistant","isApiErrorMessage":true,"message":{"model":"<synthetic>","content":[{"type":"text","text":"Claude AI usage limit reached|1"}],"usage":{"input_tokens":0,"output_tokens":0}}}';
    const content = [OTHER, U(1), OTHER, limit, U(2), ""].join("\n");
    const { lines, r } = await scan(file(content));
    expect(lines.map((l) => l.lineNo)).toEqual([2, 4, 5]);
    expect(lines[0]?.text).toBe(U(1));
    expect(lines[0]?.offset).toBe(OTHER.length + 1);
    expect(r).toMatchObject({ consumed: Buffer.byteLength(content), partial: false });
  });

  it("holds back an unterminated last line unless asked for it", async () => {
    const p = file(`${U(1)}\n${U(2)}`);
    const held = await scan(p);
    expect(held.lines.map((l) => l.lineNo)).toEqual([1]);
    expect(held.r).toMatchObject({ partial: true, consumed: U(1).length + 1 });
    const batch = await scan(p, { includePartial: true });
    expect(batch.lines.map((l) => l.text)).toEqual([U(1), U(2)]);
  });

  it("resumes from an offset with the right line numbers", async () => {
    const p = file(`${U(1)}\n${OTHER}\n${U(3)}\n`);
    const { lines } = await scan(p, { start: U(1).length + 1, startLine: 2 });
    expect(lines.map((l) => [l.lineNo, l.text])).toEqual([[3, U(3)]]);
  });

  it("finds lines across 4 MB chunk boundaries, multi-byte text included", async () => {
    const filler = `{"type":"user","message":{"content":"${"é".repeat(700_000)}"}}`; // 1.4 MB per line
    const parts: string[] = [];
    for (let i = 0; i < 12; i++) parts.push(filler, U(i));
    const { lines } = await scan(file(`${parts.join("\n")}\n`));
    expect(lines.map((l) => l.lineNo)).toEqual(Array.from({ length: 12 }, (_, i) => 2 * i + 2));
    expect(lines.every((l, i) => l.text === U(i))).toBe(true);
  });
});

describe("scanCandidates with an oversized line", () => {
  it("skips the line, reports its number, and keeps reading after it", async () => {
    const huge = `{"type":"assistant","message":{"usage":{"input_tokens":1}},"x":"${"a".repeat(9 << 20)}"}`;
    const { lines, r } = await scan(file(`${U(1)}\n${huge}\n${U(3)}\n`), { maxLineBytes: 1 << 20 });
    expect(lines.map((l) => l.lineNo)).toEqual([1, 3]);
    expect(r.oversized).toEqual([2]);
  });
});

describe("scanCandidates({ all: true })", () => {
  it("offers every complete line, numbered, and holds the partial one", async () => {
    const { lines, r } = await scan(file(`${OTHER}\n\n${U(3)}\n${OTHER}`), { all: true });
    expect(lines.map((l) => [l.lineNo, l.text])).toEqual([
      [1, OTHER],
      [3, U(3)],
    ]);
    expect(r.partial).toBe(true);
  });
});

describe("scanCandidates skips long lines that cannot carry usage", () => {
  it("does not offer a long user tool-result line, even when its tool result holds a usage object", async () => {
    const user = `{"parentUuid":null,"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":"${"x".repeat(4000)}"}]},"toolUseResult":{"usage":{"input_tokens":5}}}`;
    const snapshot = `{"type":"file-history-snapshot","snapshot":{"note":"${"y".repeat(4000)}","usage":{"input_tokens":1}}}`;
    const longAssistant = `{"type":"assistant","message":{"content":[{"type":"text","text":"${"z".repeat(4000)}"}],"usage":{"input_tokens":9}}}`;
    const { lines } = await scan(file([user, snapshot, longAssistant, U(4), ""].join("\n")));
    expect(lines.map((l) => l.lineNo)).toEqual([3, 4]);
  });
});

describe("scanRange", () => {
  it("cut into aligned ranges at any offsets, offers each line once, numbered as one scan does", async () => {
    const fc = (await import("fast-check")).default;
    const { scanRange } = await import("./line-scan.js");
    const lineArb = fc.oneof(
      fc.constant(""),
      fc.constant(OTHER),
      fc.integer({ min: 0, max: 99 }).map(U),
      fc.string({ maxLength: 30 }).map((s) => s.replaceAll("\n", " ")),
    );
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 30 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 4 }), (lines, terminated, cutsRaw) => {
        const content = lines.join("\n") + (terminated && lines.length > 0 ? "\n" : "");
        const p = file(content);
        const size = Buffer.byteLength(content);
        const seen = (start: number, stop: number, align: boolean) => {
          const got: [number, number, string][] = [];
          const r = scanRange(p, (buf, from, to, lineNo, offset) => got.push([lineNo, offset, buf.toString("utf8", from, to)]), {
            start,
            stop,
            align,
            all: true,
            includePartial: true,
          });
          return { got, r };
        };
        const whole = seen(0, Number.MAX_SAFE_INTEGER, false);
        const cuts = [...new Set(cutsRaw.map((c) => (size === 0 ? 0 : c % size)))].filter((c) => c > 0).sort((a, b) => a - b);
        const bounds = [0, ...cuts, Number.MAX_SAFE_INTEGER];
        const pieces: [number, number, string][] = [];
        let lineBase = 0;
        let consumed = 0;
        for (let i = 0; i + 1 < bounds.length; i++) {
          const { got, r } = seen(bounds[i]!, bounds[i + 1]!, i > 0);
          pieces.push(...got.map(([n, o, t]): [number, number, string] => [n + lineBase, o, t]));
          lineBase += r.lines;
          // a range where no line starts says nothing about where the file's lines end
          if (r.lines > 0) consumed = r.consumed;
        }
        expect(consumed).toBe(whole.r.consumed);
        expect(pieces).toEqual(whole.got);
        expect(lineBase).toBe(whole.r.lines);
      }),
      { numRuns: 300 },
    );
  });

  it("consumed stops before an unterminated last line, so an append scan resumes on it", async () => {
    const { scanRange } = await import("./line-scan.js");
    const p = file(`${U(1)}\n${U(2)}`);
    const r = scanRange(p, () => undefined, { includePartial: true });
    expect(r).toMatchObject({ consumed: U(1).length + 1, partial: true, lines: 2, nextLine: 2 });
  });
});

describe("the usage marker, found line by line in one buffer", () => {
  // pieces that put the marker, near misses and line ends close together; a long filler puts
  // lines across the 1 MiB reads
  const piece = fc.constantFrom('"usage":{', 'usage":{', 'x"usage":', '"usage"', "{", '"', "ab", "\n", "\n\n", "é", "z".repeat(300_000));

  it("offers exactly the lines that hold it past their first byte, as a search of each line alone does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 60 }), async (pieces) => {
        const content = pieces.join("");
        const { lines } = await scan(file(content), { includePartial: true });
        const want: number[] = [];
        content.split("\n").forEach((l, i) => {
          if (l.length > 0 && l.indexOf('"usage":{') !== -1) want.push(i + 1);
        });
        expect(lines.map((l) => l.lineNo)).toEqual(want);
      }),
      { numRuns: 150, seed: 20261202 },
    );
  });
});
