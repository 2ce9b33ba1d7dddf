import { isIP } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "./args.js";
import { parseServeFlags } from "./serve-flags.js";

const parse = (args: string[], env: Record<string, string> = {}) => parseServeFlags(args, env);

describe("serve flags: sources, Prometheus, ccusage, machine", () => {
  it("jsonl by default; --source takes a comma list of known names, each once, in order", () => {
    expect(parse([]).sources).toEqual(["jsonl"]);
    expect(parse(["--source", "ccusage, jsonl,ccusage"]).sources).toEqual(["ccusage", "jsonl"]);
    expect(() => parse(["--source", "prometheus"])).toThrow(UsageError);
    expect(() => parse(["--source", ""])).toThrow(/--source/);
    expect(() => parse(["--demo", "--source", "jsonl"])).toThrow(/--demo/);
  });

  it("--source promql needs an http(s) --prometheus; --selector must be label matchers; the poll interval is bounded", () => {
    expect(parse(["--source", "promql", "--prometheus", "http://127.0.0.1:9090", "--selector", '{user_email="me@example.com"}']).prometheus).toEqual({
      url: "http://127.0.0.1:9090",
      matchers: 'user_email="me@example.com"',
      pollMs: 5000,
    });
    expect(parse(["--source", "promql"], { CLAUDE_GAUGE_PROMETHEUS: "https://p.example/prom", CLAUDE_GAUGE_PROMQL_POLL_MS: "1000" }).prometheus).toMatchObject({
      url: "https://p.example/prom",
      pollMs: 1000,
    });
    expect(() => parse(["--source", "promql"])).toThrow(/--prometheus URL/);
    expect(() => parse(["--source", "promql", "--prometheus", "ftp://x"])).toThrow(/http\(s\) URL/);
    expect(() => parse(["--source", "promql", "--prometheus", "not a url"])).toThrow(/http\(s\) URL/);
    expect(() => parse(["--source", "promql", "--prometheus", "http://x", "--selector", '{a="b"} or vector(1)'])).toThrow(/--selector/);
    expect(() => parse(["--source", "promql", "--prometheus", "http://x"], { CLAUDE_GAUGE_PROMQL_POLL_MS: "10" })).toThrow(/CLAUDE_GAUGE_PROMQL_POLL_MS/);
    expect(() => parse(["--prometheus", "http://x"])).toThrow(/need --source promql/);
    expect(parse([]).prometheus).toBeNull();
  });

  it("--source ccusage takes its interval and time limit from the environment", () => {
    expect(parse(["--source", "ccusage"]).ccusage).toEqual({ intervalMs: 60_000, timeoutMs: 30_000 });
    expect(parse(["--source", "ccusage"], { CLAUDE_GAUGE_CCUSAGE_INTERVAL_MS: "1000", CLAUDE_GAUGE_CCUSAGE_TIMEOUT_MS: "500" }).ccusage).toEqual({
      intervalMs: 1000,
      timeoutMs: 500,
    });
    expect(() => parse(["--source", "ccusage"], { CLAUDE_GAUGE_CCUSAGE_TIMEOUT_MS: "soon" })).toThrow(/CLAUDE_GAUGE_CCUSAGE_TIMEOUT_MS/);
    expect(parse([]).ccusage).toBeNull();
  });

  it("--machine: the host name by default, printable ASCII without spaces, at most 128", () => {
    expect(parse([]).machine.length).toBeGreaterThan(0);
    expect(parse(["--machine", "laptop-3"]).machine).toBe("laptop-3");
    expect(parse([], { CLAUDE_GAUGE_MACHINE: "desk" }).machine).toBe("desk");
    for (const bad of ["two words", "", "x".repeat(129), "naïve"]) expect(() => parse(["--machine", bad]), bad).toThrow(/--machine/);
  });
});

describe("serve flags: which hosts are loopback (listened on without --lan or --token)", () => {
  const refused = (host: string) => {
    try {
      parse(["--host", host]);
      return false;
    } catch (e) {
      if (e instanceof UsageError && /refusing to listen/.test(e.message)) return true;
      throw e;
    }
  };
  // the rule as node:net states it, which the flags no longer load (see isLoopback)
  const loopback = (host: string) => ["127.0.0.1", "::1", "localhost"].includes(host) || (isIP(host) === 4 && host.startsWith("127."));
  const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom("00", "01", "007", "255", "256", "-1", "", "1e2", " 1"));
  const hosts = fc
    .oneof(
      fc.tuple(fc.constantFrom("127", "128", "10", "0127", "127 "), octet, octet, octet).map((p) => p.join(".")),
      fc.tuple(octet, octet, octet, octet).map((p) => p.join(".")),
      fc.constantFrom("127.0.0.1", "127.1", "127.0.0.1.", "127.0.0.1.5", "localhost", "::1", "0.0.0.0", "::", "example.com", "127.0.0.1\n"),
      fc.string(),
    )
    .filter((h) => !h.startsWith("-")); // a flag, not a value

  it("refuses exactly the hosts node:net does not call 127/8 IPv4 (or ::1, localhost)", () => {
    fc.assert(
      fc.property(hosts, (host) => {
        expect(refused(host)).toBe(!loopback(host));
      }),
      { numRuns: 2000, seed: 12 },
    );
    expect(refused("127.255.0.9")).toBe(false);
    expect(refused("127.0.0.01")).toBe(true);
  });
});
