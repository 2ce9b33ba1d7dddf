// Appends transcript lines at a steady rate from its own process, as Claude Code would:
//   node --import tsx test/helpers/soak-writer.ts <projectDir> <linesPerSecond> <seconds>
// Messages are written as 3 block lines with growing output, across 4 session files and one
// subagent log; prints the number of lines written.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { assistantLine } from "./transcript-lines.js";

const [dir, rateArg, secondsArg] = process.argv.slice(2);
if (!dir || !rateArg || !secondsArg) throw new Error("usage: soak-writer <projectDir> <linesPerSecond> <seconds>");
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const files = ["a.jsonl", "b.jsonl", "c.jsonl", "d.jsonl", join("a", "subagents", "agent-1.jsonl")].map((f) => join(dir, f));
mkdirSync(join(dir, "a", "subagents"), { recursive: true });

const start = Date.now();
let written = 0;
let msg = 0;
const TICK_MS = 10;
while (Date.now() - start < seconds * 1000) {
  const due = Math.floor(((Date.now() - start) / 1000) * rate);
  const batch = new Map<string, string[]>();
  while (written < due) {
    const id = `soak${process.pid}_${msg}`;
    const file = files[msg % files.length]!;
    const ts = new Date();
    const lines = batch.get(file) ?? [];
    for (const [i, block] of (["thinking", "text", "tool_use"] as const).entries()) {
      lines.push(assistantLine({ id, ts, input: 3, output: 10 * (i + 1) + (msg % 7), cacheRead: 1000 + msg, block, session: `soak-${msg % files.length}` }));
    }
    batch.set(file, lines);
    written += 3;
    msg++;
  }
  for (const [file, lines] of batch) appendFileSync(file, `${lines.join("\n")}\n`);
  const wait = TICK_MS - ((Date.now() - start) % TICK_MS);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
}
process.stdout.write(`${written}\n`);
