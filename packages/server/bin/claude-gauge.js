#!/usr/bin/env node
// The `claude-gauge` command. Committed (dist/ is built, not checked in) so that `npm install`
// links the command even on a fresh clone, before the first build.
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write("claude-gauge: not built yet (dist/cli.js is missing): run `npm run build` in the repository\n");
  process.exit(1);
}
await import(cli.href);
