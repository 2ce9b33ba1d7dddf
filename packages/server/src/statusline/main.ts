/**
 * The built statusline entry (dist/statusline-main.js): Claude Code's `statusLine` command.
 * A separate bundle from the CLI so start-up only loads node:net/fs and the statusline module.
 */
import { runStatusline } from "./command.js";

runStatusline(process.argv.slice(2));
