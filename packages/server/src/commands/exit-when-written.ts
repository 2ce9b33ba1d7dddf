import { bunRuntime } from "../statusline/bun-runtime.js";

/**
 * Ends a one-shot command's process once its output is out, instead of letting the event loop
 * drain: the scan thread winding down and the collector's idle work cost a cold 200 MiB report
 * ~40 ms (4%). Node calls a write's callback after the writes before it are done; Bun calls an
 * empty write's callback before earlier output is out, so on Bun the process ends as usual.
 * `streams`: those that carried output (a command that wrote straight to its descriptors, see
 * direct-output.ts, names only the streams that took some over; building one costs ~5 ms).
 */
export function exitWhenWritten(code: number, streams: () => NodeJS.WriteStream[] = () => [process.stdout, process.stderr]): Promise<number> {
  if (bunRuntime() !== null) return Promise.resolve(code);
  const flushed = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write("", () => resolve()));
  void Promise.all(streams().map(flushed)).then(() => process.exit(code));
  return new Promise<number>(() => undefined);
}
