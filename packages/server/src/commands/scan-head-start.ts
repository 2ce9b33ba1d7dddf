import { existsSync } from "node:fs";
import { defaultCacheDir, scanCachePath } from "../sources/jsonl/cache-keys.js";
import { listTranscriptFiles, type Listing, type WalkProblem } from "../sources/jsonl/files.js";
import { findTranscriptRoots } from "../sources/jsonl/roots.js";
import { ScanThread, secondThreadWanted } from "../sources/jsonl/scan-thread.js";
import { isReportKind } from "./report-kinds.js";

/** What the entry got ready for a command before loading the CLI. */
export interface HeadStart {
  /** the transcript tree as the entry walked it (a report uses it instead of walking again) */
  listing?: Listing | undefined;
  /** a report's second scan thread, started ahead */
  scanThread?: ScanThread | undefined;
}

/**
 * What a report gets ready before the CLI loads (~70 ms of module loading, walking and opening
 * the cache on a 2-core machine): when it is to scan enough from scratch for two threads
 * (secondThreadWanted), the walk it will use and its second scan thread, which then boots (~60–100 ms) meanwhile instead of
 * after. From scratch: with --no-cache, or with no scan cache of these roots yet. A cache another
 * build wrote is not told apart (that takes reading its index): its report starts the thread when
 * it knows, as every report used to. `args` are the words after `report`; `listing` is the walk
 * of the saved-answer lookup, if it made one.
 */
export async function reportHeadStart(
  args: readonly string[],
  env: Record<string, string | undefined>,
  listing: Listing | undefined,
  workerFile: string,
): Promise<HeadStart> {
  if (!isReportKind(args[0]) || args.includes("--help") || args.includes("-h")) return { listing };
  const { roots } = findTranscriptRoots(env);
  if (roots.length === 0) return { listing };
  if (!args.includes("--no-cache") && existsSync(scanCachePath(defaultCacheDir(env), roots))) return { listing };
  const problems: WalkProblem[] = [];
  const walked = listing ?? { roots, files: await listTranscriptFiles(roots, problems), problems };
  let bytes = 0;
  for (const f of walked.files) bytes += f.identity.size;
  return { listing: walked, scanThread: secondThreadWanted(bytes, env) ? (ScanThread.start(workerFile) ?? undefined) : undefined };
}
