/**
 * What the status line uses of Bun when it runs there. Bun's own stdin reader and TCP client are
 * native: its node:net and process.stdin are compatibility layers that cost the command a third
 * of its time on Bun (about 10 and 20 ms of ~80).
 */
export interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
}

interface BunSocketHandlers {
  open(s: BunSocket): void;
  data(s: BunSocket, chunk: Uint8Array): void;
  drain(s: BunSocket): void;
  end(s: BunSocket): void;
  close(s: BunSocket): void;
  error(s: BunSocket, e: Error): void;
  connectError(s: BunSocket, e: Error): void;
}

export interface BunRuntime {
  connect(opts: { hostname: string; port: number; socket: BunSocketHandlers }): Promise<BunSocket>;
  stdin: { text(): Promise<string> };
}

/** Bun's global when this runs on Bun, else null. */
export function bunRuntime(): BunRuntime | null {
  return (globalThis as { Bun?: BunRuntime }).Bun ?? null;
}
