import { parseArgs } from "node:util";

/** A usage mistake on the command line: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

export interface CommonFlags {
  json: boolean;
  quiet: boolean;
  timezone: string;
  since: string | undefined;
  until: string | undefined;
  /** row order of daily and blocks reports, as ccusage's --order (session ignores it, as ccusage does) */
  order: "asc" | "desc";
  /** read and update the scan cache (--no-cache: read every file, leave the cache alone) */
  cache: boolean;
}

/** ccusage takes YYYYMMDD; we also accept YYYY-MM-DD. Returns YYYY-MM-DD. */
export function parseDateFlag(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v);
  if (!m) throw new UsageError(`--${name}: expected YYYYMMDD or YYYY-MM-DD, got ${JSON.stringify(v)}`);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function parseOrder(v: string | undefined): "asc" | "desc" {
  if (v === undefined || v === "asc" || v === "desc") return v ?? "asc";
  throw new UsageError(`--order: expected asc or desc, got ${JSON.stringify(v)}`);
}

export function parseCommon(args: string[]): { flags: CommonFlags; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: "boolean", short: "j", default: false },
        quiet: { type: "boolean", short: "q", default: false },
        timezone: { type: "string", short: "z" },
        since: { type: "string", short: "s" },
        until: { type: "string", short: "u" },
        offline: { type: "boolean", short: "O", default: true },
        order: { type: "string", short: "o" },
        "no-cache": { type: "boolean", default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  return {
    positionals: parsed.positionals,
    flags: {
      json: v.json === true,
      quiet: v.quiet === true,
      timezone: v.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      since: parseDateFlag("since", v.since),
      until: parseDateFlag("until", v.until),
      order: parseOrder(v.order),
      cache: v["no-cache"] !== true,
    },
  };
}
