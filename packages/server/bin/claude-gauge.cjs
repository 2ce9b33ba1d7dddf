#!/usr/bin/env node
// The `claude-gauge` command. Committed (dist/ is built, not checked in) so that `npm install`
// links the command even on a fresh clone, before the first build. CommonJS, like the entry it
// runs (dist/cli.cjs): a repeated report is answered without Node's ES module loader.
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const cli = join(__dirname, "..", "dist", "cli.cjs");
if (!existsSync(cli)) {
  process.stderr.write("claude-gauge: not built yet (dist/cli.cjs is missing): run `npm run build` in the repository\n");
  process.exit(1);
}
require(cli);
