// Every hand-written probe tree of docs/ccusage-semantics.md (test/oracle/probe-semantics.ts), run
// through the pinned ccusage and through our CLI: the corner cases, one by one.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { differences } from "./helpers/json-diff.js";
import { CLI } from "./helpers/server-process.js";
import { runCcusage } from "./oracle/ccusage.js";
import { cases, edgeCases, writeTree, type Case } from "./oracle/probe-semantics.js";

const run = promisify(execFile);

/**
 * Cases left out, and why: ours differs on purpose (symlinks inside projects/ are followed; a
 * repeated JSON key is not looked for, docs/ccusage-semantics.md §2), the case depends on the
 * wall clock, or ccusage refuses the tree (exit 1).
 */
const SKIP = new Set(["dirs-non-jsonl-and-symlink", "dirs-hidden-and-linked-root", "duplicate-usage-key", "blocks-active-now", "dirs-none-valid"]);

/**
 * A case about the process's own zone runs both tools in this one, never the machine's: an
 * unusual offset (+13:45 in January) so that the zone visibly decides the dates.
 */
const PROCESS_ZONE = "Pacific/Chatham";

const runnable = [...cases, ...edgeCases].filter((c) => !SKIP.has(c.name));

describe.each(runnable.map((c) => [c.name, c] as [string, Case]))("probe %s", (_name, c) => {
  it.each(c.reports ?? (["daily", "session", "blocks"] as const))("%s equals ccusage", async (report) => {
    const root = mkdtempSync(join(tmpdir(), "cg-probe-"));
    writeTree(root, c.tree);
    const configDir = c.setup?.(root) ?? root;
    const processZone = c.noZone === true;
    const env = processZone ? { TZ: PROCESS_ZONE, ...c.env } : (c.env ?? {});
    const args = c.args ?? (processZone ? [] : ["--timezone", "UTC"]);
    const oracle = await runCcusage(configDir, report, args, { env, processZone });
    const { stdout } = await run(process.execPath, [CLI, "report", report, "--json", "-q", ...args], {
      env: { ...process.env, ...env, CLAUDE_CONFIG_DIR: configDir },
    });
    expect(differences(oracle, JSON.parse(stdout))).toEqual([]);
  });
});
