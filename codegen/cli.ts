/**
 * `npm run codegen` writes the generated files; `npm run codegen -- --check` only compares and exits
 * 1 naming each file that drifted (CI runs it, so a schema change without regeneration fails).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { COMMAND, findDrift, generateOutputs } from "./outputs.js";

// --root DIR compares or writes under another checkout (tests use a scratch copy).
const rootAt = process.argv.indexOf("--root");
const root = rootAt > 0 ? resolve(process.argv[rootAt + 1] ?? ".") : fileURLToPath(new URL("..", import.meta.url));
const files = await generateOutputs();

if (process.argv.includes("--check")) {
  const problems = await findDrift(root, files);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`codegen: ${p}\n`);
    process.stderr.write(`codegen: ${problems.length} generated file(s) out of date; run \`${COMMAND}\`\n`);
    process.exit(1);
  }
  process.stdout.write(`codegen: ${files.length} generated files match the schema\n`);
} else {
  for (const f of files) {
    const path = join(root, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.content);
    process.stdout.write(`codegen: wrote ${f.path}\n`);
  }
}
