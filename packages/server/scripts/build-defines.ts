// Compile-time constants every build of the CLI carries (tsup's bundles and the single binary).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const VERSION: string = JSON.parse(readFileSync(here("../package.json"), "utf8")).version;
/**
 * What a transcript line yields is decided by these sources; the scan cache is keyed by their
 * hash, so a release that changes any of them never reads an older release's cache.
 */
const SCAN_SOURCES = [
  "../../core/src/decode-line.ts",
  "../../core/src/timestamp.ts",
  "../../core/src/usage-literals.ts",
  "../../core/src/usage-event.ts",
  "../../core/src/usage-columns.ts",
  "../src/sources/jsonl/files.ts",
  "../src/sources/jsonl/line-scan.ts",
  "../src/sources/jsonl/usage-bytes.ts",
  "../src/sources/jsonl/file-scan.ts",
  "../src/sources/jsonl/column-pack.ts",
  "../src/sources/jsonl/scan-cache.ts",
];
const fingerprint = (files: readonly string[]) => {
  const h = createHash("sha1");
  for (const f of files) h.update(readFileSync(here(f)));
  return h.digest("hex").slice(0, 16);
};

/**
 * Every non-test source of core and the server, in a fixed order, and the lockfile (the table
 * renderer and its colours are dependencies): what a saved report answer was computed by.
 */
const BUILD_SOURCES = [
  ...["../../core/src/", "../src/"].flatMap((dir) =>
    (readdirSync(here(dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.includes("test-helper"))
      .sort()
      .map((f) => `${dir}${f}`),
  ),
  // a build from outside the workspace has none
  ...(existsSync(here("../../../package-lock.json")) ? ["../../../package-lock.json"] : []),
];

/**
 * `claude-gauge --version` reads the version; source runs (tests) fall back to "dev" (src/version.ts).
 * The scan cache keys its files by the scanner's sources, its saved ledgers by the price table's and
 * the ledger's, and
 * its saved report answers by every source.
 */
export const DEFINE: Readonly<Record<string, string>> = {
  __CLAUDE_GAUGE_VERSION__: JSON.stringify(VERSION),
  __SCAN_FINGERPRINT__: JSON.stringify(fingerprint(SCAN_SOURCES)),
  __PRICING_FINGERPRINT__: JSON.stringify(fingerprint(["../../core/src/pricing.ts", "../../core/src/cost.ts"])),
  __LEDGER_FINGERPRINT__: JSON.stringify(fingerprint(["../../core/src/message-ledger.ts", "../src/sources/jsonl/ledger-segments.ts"])),
  __BUILD_FINGERPRINT__: JSON.stringify(fingerprint(BUILD_SOURCES)),
};
