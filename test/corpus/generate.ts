/**
 * CLI: node --import tsx test/corpus/generate.ts --out DIR --seed N [--size-mb M] [--days D] [--end ISO]
 * Writes a deterministic fake Claude config dir (DIR/projects/...) and prints what it wrote.
 */
import { parseArgs } from "node:util";
import { DEFAULT_DAYS, DEFAULT_END, DEFAULT_SIZE_MB, generateCorpus } from "./corpus-lib.js";

const usage = "usage: generate.ts --out DIR --seed N [--size-mb M] [--days D] [--end ISO]";

function num(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) {
    console.error(`--${name} must be a number, got ${JSON.stringify(raw)}\n${usage}`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    seed: { type: "string" },
    "size-mb": { type: "string" },
    days: { type: "string" },
    end: { type: "string" },
  },
  strict: true,
});

if (values.out === undefined || values.seed === undefined) {
  console.error(usage);
  process.exit(2);
}

const started = performance.now();
const stats = await generateCorpus({
  outDir: values.out,
  seed: num("seed", values.seed, 0),
  sizeMb: num("size-mb", values["size-mb"], DEFAULT_SIZE_MB),
  days: num("days", values.days, DEFAULT_DAYS),
  end: values.end ?? DEFAULT_END,
});
const secs = (performance.now() - started) / 1000;
console.log(`${values.out}: ${stats.files} files, ${stats.lines} lines, ${(stats.bytes / 1024 / 1024).toFixed(1)} MiB in ${secs.toFixed(1)} s`);
