import { existsSync, readFileSync, rmSync } from "node:fs";
import { writeFileAtomic } from "../files/write-atomic.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  dataDir,
  defaultSettingsPath,
  describeInstall,
  installStatusline,
  preferredRuntime,
  SettingsError,
  shellQuote,
  statuslineCommand,
} from "./install-statusline.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The self-contained statusline bundle built beside the CLI (absent in the single-file executable),
 * in its CommonJS form: the copy runs as CommonJS, which Node starts sooner than an ES module.
 */
const BUNDLE = fileURLToPath(new URL("./statusline-main.cjs", import.meta.url));

/** Writes `bytes` to `path` unless it already holds them (atomic, so a running status line never reads half a file). */
function writeIfChanged(path: string, bytes: Buffer): void {
  try {
    if (readFileSync(path).equals(bytes)) return;
  } catch {
    // missing: write it
  }
  writeFileAtomic(path, bytes, { mode: 0o644 });
}

/**
 * A command that outlives where it was installed from: the statusline bundle copied into the data
 * folder, run by an installed Bun or this Node; or, from the single-file executable, the executable.
 */
function stableStatuslineCommand(env: Env, bundle: string = BUNDLE): string {
  if (!existsSync(bundle)) return `${shellQuote(process.execPath)} statusline`;
  const copy = join(dataDir(env), "statusline-main.js");
  writeIfChanged(copy, readFileSync(bundle));
  // the copy is CommonJS whatever package.json a folder above it might hold
  writeIfChanged(join(dataDir(env), "package.json"), Buffer.from('{ "type": "commonjs" }\n'));
  return statuslineCommand(preferredRuntime(env), copy);
}

/** `claude-gauge install-statusline [--uninstall]`: exit code 0, or 1 when settings.json cannot be used. */
export function installStatuslineCommand(uninstall: boolean, env: Env = process.env): number {
  const settings = defaultSettingsPath(env["HOME"]);
  try {
    const command = uninstall ? "claude-gauge statusline" : stableStatuslineCommand(env);
    const r = installStatusline(settings, command, { uninstall });
    // the copy goes with the last reference to it
    if (uninstall && r.changed) for (const f of ["statusline-main.js", "package.json"]) rmSync(join(dataDir(env), f), { force: true });
    process.stdout.write(`claude-gauge: ${describeInstall(r, settings)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof SettingsError) {
      process.stderr.write(`claude-gauge install-statusline: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
