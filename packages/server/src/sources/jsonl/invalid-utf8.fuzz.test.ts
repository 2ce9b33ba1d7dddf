// A usage line that is not UTF-8 drops whole (ccusage's parser rejects it) and is reported by its
// number; every other line of the file reads as if it were not there. Real files, both scan
// modes (the batch scan's latin1 candidates and the live tail's decoded lines).
import { isUtf8 } from "node:buffer";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageColumns } from "@claude-gauge/core";
import { unpackColumns } from "./column-pack.js";
import { scanUnit } from "./file-scan.js";
import { scanCandidates } from "./line-scan.js";

const dir = mkdtempSync(join(tmpdir(), "cg-utf8-"));
let n = 0;

const usage = (i: number, text: string): string =>
  JSON.stringify({
    timestamp: "2026-01-10T10:00:00.000Z",
    requestId: `r${i}`,
    message: { id: `m${i}`, model: "claude-sonnet-4-5-20250929", content: [{ type: "text", text }], usage: { input_tokens: i, output_tokens: 1 } },
  });

/** A line of the file: a usage line (its text block spliced with raw bytes, perhaps), or other bytes. */
const lineBytes = fc.oneof(
  fc.tuple(fc.nat({ max: 1000 }), fc.string(), fc.uint8Array({ maxLength: 6 })).map(([i, text, junk]) => {
    const [head, tail] = usage(i + 1, text).split('"text":"');
    return Buffer.concat([Buffer.from(`${head}"text":"`), Buffer.from(junk.filter((b) => b !== 0x0a && b !== 0x22 && b !== 0x5c)), Buffer.from(tail!)]);
  }),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b.filter((x) => x !== 0x0a))),
);

describe("usage lines that are not UTF-8", () => {
  it("are skipped and reported by number; the file's other lines decode as if they were absent", () => {
    fc.assert(
      fc.property(fc.array(lineBytes, { minLength: 1, maxLength: 12 }), (lines) => {
        const path = join(dir, `f${n++}.jsonl`);
        writeFileSync(path, Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")])));
        const carriesUsage = (l: Buffer) => l.includes('"usage":{');
        const invalid = lines.flatMap((l, i) => (carriesUsage(l) && !isUtf8(l) ? [i + 1] : []));

        const scan = scanUnit({ path, project: "p", session: "s", start: 0, stop: Number.MAX_SAFE_INTEGER, align: false });
        expect(scan.badLines.filter((b) => b.error === "invalid UTF-8, skipped").map((b) => b.line)).toEqual(invalid);
        const events = UsageColumns.fromParts(unpackColumns(scan.events));
        const expected = lines.flatMap((l) => {
          if (!carriesUsage(l) || !isUtf8(l)) return [];
          try {
            const input = (JSON.parse(l.toString("utf8")) as { message: { usage: { input_tokens: number } } }).message.usage.input_tokens;
            return [input];
          } catch {
            return [];
          }
        });
        expect(Array.from(events.input)).toEqual(expected);

        // the live tail's mode: every complete line offered as UTF-8 text, the same lines skipped
        const offered: number[] = [];
        const r = scanCandidates(path, (c) => offered.push(c.lineNo), { all: true });
        expect(r.invalidUtf8).toEqual(invalid);
        for (const i of invalid) expect(offered).not.toContain(i);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
