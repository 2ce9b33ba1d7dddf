#!/usr/bin/env node
// The `claude-gauge-server` command: the daemon, i.e. `claude-gauge serve` with the same options.
process.argv.splice(2, 0, "serve");
require("./claude-gauge.cjs");
