import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Writes `data` to `path` through a temporary file beside it and a rename, so a reader (or a
 * crash) sees the old file or the new one, never half of one. Creates the folder when missing.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode: number; dirMode?: number }): void {
  mkdirSync(dirname(path), { recursive: true, ...(opts.dirMode === undefined ? {} : { mode: opts.dirMode }) });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: opts.mode });
  renameSync(tmp, path);
}
