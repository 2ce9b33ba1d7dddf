/**
 * One line for the errors `listen()` gives when the address cannot be had, instead of a stack
 * trace: which address, why, and what to do. Null for any other error (those are bugs: let them show).
 */
export function listenErrorLine(e: unknown, flags: { host: string; port: number }): string | null {
  if (typeof e !== "object" || e === null) return null;
  const err = e as { code?: unknown; port?: unknown; address?: unknown };
  const port = typeof err.port === "number" ? err.port : flags.port;
  const host = typeof err.address === "string" ? err.address : flags.host;
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  switch (err.code) {
    case "EADDRINUSE":
      return `port ${port} is already in use (${where}): another claude-gauge may be running (claude-gauge status), or pick another with --port N`;
    case "EACCES":
      return `not allowed to listen on ${where}: ports below 1024 need privileges; pick another with --port N`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${where}: ${host} is not an address of this machine (--host)`;
    default:
      return null;
  }
}
