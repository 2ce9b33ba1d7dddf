/**
 * Probes the pinned ccusage on tiny hand-written trees; the findings are written up in
 * docs/ccusage-semantics.md. Run: node --import tsx test/oracle/probe-semantics.ts [case-name-filter]
 * Each case prints a compact digest of the daily, session and blocks reports (UTC unless stated):
 * tokens as input/output/cacheWrite/cacheRead=total, then cost and models.
 * `probe-semantics.ts pricing` prints the bundled price table instead.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CCUSAGE_BIN, runCcusage } from "./ccusage.js";

interface Asst {
  id?: string | null;
  req?: string | null;
  ts: string;
  sid?: string;
  model?: string;
  inp?: number;
  out?: number;
  cw?: number;
  cw1h?: number;
  cr?: number;
  side?: boolean;
  speed?: "standard" | "fast";
  /** merged last, so a case can add or override any top-level field */
  extra?: Record<string, unknown>;
  usageExtra?: Record<string, unknown>;
  text?: string;
}

function asst(a: Asst): string {
  const cw = a.cw ?? 0;
  const cw1h = a.cw1h ?? 0;
  const usage: Record<string, unknown> = {
    input_tokens: a.inp ?? 10,
    cache_creation_input_tokens: cw,
    cache_read_input_tokens: a.cr ?? 0,
    cache_creation: { ephemeral_5m_input_tokens: cw - cw1h, ephemeral_1h_input_tokens: cw1h },
    output_tokens: a.out ?? 1,
    service_tier: "standard",
    ...(a.speed === undefined ? {} : { speed: a.speed }),
    ...a.usageExtra,
  };
  const message: Record<string, unknown> = {
    model: a.model ?? "claude-sonnet-4-5-20250929",
    ...(a.id === null ? {} : { id: a.id ?? "msg_X" }),
    type: "message",
    role: "assistant",
    content: [{ type: "text", text: a.text ?? "x" }],
    usage,
  };
  const line: Record<string, unknown> = {
    parentUuid: null,
    isSidechain: a.side ?? false,
    cwd: "/home/u/p",
    sessionId: a.sid ?? "s1",
    version: "2.0.50",
    type: "assistant",
    message,
    ...(a.req === null ? {} : { requestId: a.req ?? "req_X" }),
    uuid: `u-${a.ts}`,
    timestamp: a.ts,
    ...a.extra,
  };
  return JSON.stringify(line);
}

/** File → lines (a Buffer line carries raw bytes, e.g. invalid UTF-8), or the whole text. */
export type Tree = Record<string, (string | Buffer)[] | string>;

export interface Case {
  name: string;
  tree: Tree;
  args?: string[];
  /** run without --timezone (the wrapper always adds one) to see the default zone */
  noZone?: boolean;
  reports?: ("daily" | "session" | "blocks")[];
  env?: Record<string, string>;
  /** set up things a plain tree cannot express (symlinks, several config dirs); returns CLAUDE_CONFIG_DIR */
  setup?: (root: string) => string;
}

const P = "projects/-home-u-p";
const day = "2026-01-10";
const t = (hhmmss: string): string => `${day}T${hhmmss}.000Z`;

export const cases: Case[] = [
  // 1. dedupe
  {
    name: "dedupe-grow-output",
    tree: { [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 }), asst({ ts: t("10:00:02"), out: 50 })] },
  },
  {
    name: "dedupe-larger-first",
    tree: { [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 50 }), asst({ ts: t("10:00:02"), out: 5 })] },
  },
  {
    name: "dedupe-tie-no-speed",
    tree: { [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 }), asst({ ts: t("10:00:02"), out: 5 })] },
  },
  {
    name: "dedupe-tie-later-has-speed",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 }), asst({ ts: t("10:00:02"), out: 5, speed: "standard" })],
    },
  },
  {
    name: "dedupe-same-id-different-req",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), req: "r1", out: 5 }), asst({ ts: t("10:00:02"), req: "r2", out: 7 })],
    },
  },
  {
    name: "dedupe-no-req-msg-prefix-diff-ts",
    tree: { [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), req: null, out: 5 }), asst({ ts: t("10:00:02"), req: null, out: 7 })] },
  },
  {
    name: "dedupe-no-req-nonmsg-id-diff-ts",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), id: "gw_1", req: null, out: 5 }), asst({ ts: t("10:00:02"), id: "gw_1", req: null, out: 7 })],
    },
  },
  {
    name: "dedupe-no-req-nonmsg-id-same-ts",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), id: "gw_1", req: null, out: 5 }), asst({ ts: t("10:00:01"), id: "gw_1", req: null, out: 7 })],
    },
  },
  {
    name: "dedupe-no-req-vs-req",
    tree: { [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), req: null, out: 5 }), asst({ ts: t("10:00:02"), out: 7 })] },
  },
  {
    name: "dedupe-no-message-id",
    tree: { [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), id: null, out: 5 }), asst({ ts: t("10:00:02"), id: null, out: 7 })] },
  },
  {
    name: "dedupe-no-req-msg-prefix-two-sessions",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), req: null, out: 5 })],
      [`${P}/s2.jsonl`]: [asst({ ts: t("10:00:02"), req: null, out: 7, sid: "s2" })],
    },
  },
  {
    // resumed session: s2 repeats s1's message, line sessionId says s2
    name: "resume-copy-new-sessionid",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 }), asst({ ts: t("10:00:02"), out: 50 })],
      [`${P}/s2.jsonl`]: [asst({ ts: t("10:00:02"), out: 50, sid: "s2" }), asst({ id: "msg_Y", req: "req_Y", ts: t("11:00:00"), sid: "s2" })],
    },
  },
  {
    name: "resume-copy-larger-in-second-file",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 })],
      [`${P}/s2.jsonl`]: [asst({ ts: t("10:00:09"), out: 50, sid: "s2" })],
    },
  },
  {
    name: "resume-copy-other-project",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 })],
      ["projects/-home-u-q/s2.jsonl"]: [asst({ ts: t("10:00:01"), out: 5, sid: "s2" })],
    },
  },
  {
    // file order: path order puts a.jsonl first, earliest-timestamp order puts b.jsonl first
    name: "file-order-equal-copies",
    tree: {
      [`${P}/a.jsonl`]: [asst({ ts: t("12:00:00"), id: "msg_Z", req: "req_Z", sid: "a" }), asst({ ts: t("10:30:00"), sid: "a" })],
      [`${P}/b.jsonl`]: [asst({ ts: t("10:00:00"), id: "msg_W", req: "req_W", sid: "b" }), asst({ ts: t("10:20:00"), sid: "b" })],
    },
  },
  {
    name: "file-order-equal-copies-swapped",
    tree: {
      [`${P}/a.jsonl`]: [asst({ ts: t("10:00:00"), id: "msg_W", req: "req_W", sid: "a" }), asst({ ts: t("10:20:00"), sid: "a" })],
      [`${P}/b.jsonl`]: [asst({ ts: t("12:00:00"), id: "msg_Z", req: "req_Z", sid: "b" }), asst({ ts: t("10:30:00"), sid: "b" })],
    },
  },
  // 2. sidechain, progress, iterations, errors, synthetic, malformed
  {
    name: "sidechain-same-key-larger",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 })],
      [`${P}/s1/subagents/agent-1.jsonl`]: [asst({ ts: t("10:00:01"), out: 50, side: true })],
    },
  },
  {
    name: "sidechain-same-msg-other-req-same-ts",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 })],
      [`${P}/s1/subagents/agent-1.jsonl`]: [asst({ ts: t("10:00:01"), out: 50, req: "req_side", side: true })],
    },
  },
  {
    name: "sidechain-same-msg-other-req-other-ts",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 })],
      [`${P}/s1/subagents/agent-1.jsonl`]: [asst({ ts: t("10:05:00"), out: 50, req: "req_side", side: true })],
    },
  },
  {
    name: "sidechain-distinct-messages",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 })],
      [`${P}/s1/subagents/agent-1.jsonl`]: [asst({ ts: t("10:01:00"), id: "msg_S", req: "req_S", out: 50, side: true, model: "claude-haiku-4-5-20251001" })],
    },
  },
  {
    name: "progress-nested-usage",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), out: 5 }),
        JSON.stringify({
          type: "progress",
          sessionId: "s1",
          version: "2.0.50",
          timestamp: t("10:02:00"),
          data: {
            type: "agent_progress",
            message: JSON.parse(asst({ ts: t("10:01:59"), id: "msg_P", req: "req_P", out: 70, side: true, model: "claude-haiku-4-5-20251001" })) as unknown,
          },
        }),
      ],
    },
  },
  {
    name: "progress-nested-and-subagent-copy",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), out: 5 }),
        JSON.stringify({
          type: "progress",
          sessionId: "s1",
          timestamp: t("10:02:00"),
          data: { type: "agent_progress", message: JSON.parse(asst({ ts: t("10:01:59"), id: "msg_P", req: "req_P", out: 70, side: true })) as unknown },
        }),
      ],
      [`${P}/s1/subagents/agent-1.jsonl`]: [asst({ ts: t("10:01:59"), id: "msg_P", req: "req_P", out: 70, side: true })],
    },
  },
  {
    name: "iterations-plain",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({
          ts: t("10:00:01"),
          out: 5,
          usageExtra: { iterations: [{ type: "message", input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }] },
        }),
      ],
    },
  },
  {
    name: "iterations-advisor",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({
          ts: t("10:00:01"),
          out: 5,
          usageExtra: {
            iterations: [
              { type: "message", input_tokens: 10, output_tokens: 5 },
              { type: "advisor_message", model: "claude-opus-4-5-20251101", input_tokens: 1000, output_tokens: 100 },
            ],
          },
        }),
      ],
    },
  },
  {
    name: "api-error-limit-synthetic",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), out: 5 }),
        asst({
          ts: t("10:00:05"),
          id: "msg_err",
          req: null,
          model: "<synthetic>",
          inp: 0,
          out: 0,
          text: "Claude AI usage limit reached|1768046400",
          extra: { isApiErrorMessage: true },
        }),
      ],
    },
  },
  {
    name: "synthetic-nonzero-usage",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), out: 5 }),
        asst({ ts: t("10:00:05"), id: "msg_syn", req: "req_syn", model: "<synthetic>", inp: 3, out: 4 }),
      ],
    },
  },
  {
    name: "synthetic-only",
    tree: { [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:05"), id: "msg_syn", req: null, model: "<synthetic>", inp: 0, out: 0 })] },
  },
  {
    name: "line-variants",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), id: "msg_ok", req: "r_ok", out: 1 }),
        // spaced "usage": { fails the pre-filter
        asst({ ts: t("10:00:02"), id: "msg_sp", req: "r_sp", out: 2 }).replace('"usage":{', '"usage": {'),
        // no model
        asst({ ts: t("10:00:03"), id: "msg_nomodel", req: "r_nm", out: 4 }).replace('"model":"claude-sonnet-4-5-20250929",', ""),
        // null requestId
        asst({ ts: t("10:00:04"), id: "msg_nullreq", req: null, out: 8, extra: { requestId: null } }),
        // non-semver version
        asst({ ts: t("10:00:05"), id: "msg_badver", req: "r_bv", out: 16, extra: { version: "dev" } }),
        // missing timestamp
        asst({ ts: t("10:00:06"), id: "msg_nots", req: "r_nt", out: 32 }).replace(`"timestamp":"${t("10:00:06")}"`, '"foo":1'),
        // truncated (malformed) line
        asst({ ts: t("10:00:07"), id: "msg_trunc", req: "r_tr", out: 64 }).slice(0, 200),
        // timestamp without millis / with offset
        asst({ ts: "2026-01-10T10:00:08Z", id: "msg_nomillis", req: "r_nmi", out: 128 }),
        asst({ ts: "2026-01-10T12:00:09+02:00", id: "msg_offset", req: "r_off", out: 256 }),
        // user line with usage-looking text
        JSON.stringify({ type: "user", sessionId: "s1", timestamp: t("10:00:10"), message: { role: "user", content: '"usage":{"input_tokens":999}' } }),
        // costUSD present
        asst({ ts: t("10:00:11"), id: "msg_cost", req: "r_cost", out: 512, extra: { costUSD: 123.5 } }),
        // empty-string sessionId
        asst({ ts: t("10:00:12"), id: "msg_emptysid", req: "r_es", out: 1024, sid: "" }),
        // missing usage fields
        JSON.stringify({
          type: "assistant",
          sessionId: "s1",
          version: "2.0.50",
          timestamp: t("10:00:13"),
          requestId: "r_min",
          message: { id: "msg_min", model: "claude-sonnet-4-5-20250929", usage: { input_tokens: 2048, output_tokens: 0 } },
        }),
      ].join("\n"),
    },
  },
  {
    // the loader skips a usage line when certain keys are null anywhere in its raw text
    name: "null-fields",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), id: "n1", req: "r1", out: 1 }),
        asst({ ts: t("10:00:02"), id: "n2", req: "r2", out: 2, usageExtra: { speed: null } }),
        asst({ ts: t("10:00:03"), id: "n3", req: "r3", out: 4, extra: { toolUseResult: { id: null } } }),
        asst({ ts: t("10:00:04"), id: "n4", req: "r4", out: 8, usageExtra: { service_tier: null } }),
        asst({ ts: t("10:00:05"), id: "n5", req: "r5", out: 16, usageExtra: { iterations: [{ type: "message", model: null, input_tokens: 1 }] } }),
        asst({ ts: t("10:00:06"), id: "n6", req: "r6", out: 32, text: 'quoted {"id":null} stays escaped' }),
        asst({ ts: t("10:00:07"), id: "n7", req: "r7", out: 64, extra: { isApiErrorMessage: null } }),
        asst({ ts: t("10:00:08"), id: "n8", req: "r8", out: 128, extra: { cwd: null } }),
        asst({ ts: t("10:00:09"), id: "n9", req: "r9", out: 256, extra: { gitBranch: null } }),
      ],
    },
    reports: ["daily", "session"],
  },
  {
    // which cache-write count wins, and which usage values make a line invalid
    name: "usage-field-variants",
    tree: {
      [`${P}/inconsistent.jsonl`]: [
        asst({
          ts: t("10:00:01"),
          id: "u1",
          req: "r1",
          sid: "inconsistent",
          inp: 0,
          out: 0,
          cw: 1_000_000,
          usageExtra: { cache_creation: { ephemeral_5m_input_tokens: 300_000, ephemeral_1h_input_tokens: 500_000 } },
        }),
      ],
      [`${P}/split-only.jsonl`]: [
        asst({
          ts: t("10:00:02"),
          id: "u2",
          req: "r2",
          sid: "split-only",
          inp: 0,
          out: 0,
          usageExtra: { cache_creation: { ephemeral_5m_input_tokens: 300_000, ephemeral_1h_input_tokens: 500_000 } },
        }).replace('"cache_creation_input_tokens":0,', ""),
      ],
      [`${P}/no-input.jsonl`]: [asst({ ts: t("10:00:03"), id: "u3", req: "r3", sid: "no-input" }).replace('"input_tokens":10,', "")],
      [`${P}/string-count.jsonl`]: [asst({ ts: t("10:00:04"), id: "u4", req: "r4", sid: "string-count", usageExtra: { input_tokens: "5" } })],
      [`${P}/float-count.jsonl`]: [asst({ ts: t("10:00:05"), id: "u5", req: "r5", sid: "float-count", usageExtra: { input_tokens: 5.5 } })],
      [`${P}/negative-count.jsonl`]: [asst({ ts: t("10:00:06"), id: "u6", req: "r6", sid: "negative-count", usageExtra: { input_tokens: -5 } })],
    },
    reports: ["session"],
  },
  {
    // `type` is not looked at; a bare line with only timestamp + message.usage counts
    name: "type-not-checked",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), id: "t1", req: "r1", out: 1, extra: { type: "user" } }),
        JSON.stringify({ timestamp: t("10:00:02"), message: { id: "t2", model: "claude-sonnet-4-5-20250929", usage: { input_tokens: 20, output_tokens: 2 } } }),
      ],
    },
    reports: ["session"],
  },
  {
    name: "no-trailing-newline",
    tree: { [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), id: "m1", out: 5 }), asst({ ts: t("10:00:02"), id: "m2", req: "r2", out: 7 })].join("\n") },
  },
  {
    name: "crlf-lines",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), id: "m1", out: 5 }), asst({ ts: t("10:00:02"), id: "m2", req: "r2", out: 7 })].join("\r\n") + "\r\n",
    },
  },
  {
    name: "fast-speed-model-name",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), id: "m1", req: "r1", out: 1000, inp: 1000, model: "claude-opus-4-6", speed: "fast" }),
        asst({ ts: t("10:00:02"), id: "m2", req: "r2", out: 1000, inp: 1000, model: "claude-opus-4-6", speed: "standard" }),
      ],
    },
  },
  // 3. daily
  {
    name: "daily-tz-default",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: "2026-01-10T23:30:00.000Z", id: "m1", out: 5 }), asst({ ts: "2026-01-11T00:30:00.000Z", id: "m2", req: "r2", out: 5 })],
    },
    noZone: true,
    reports: ["daily"],
  },
  {
    name: "daily-tz-env-tokyo",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: "2026-01-10T23:30:00.000Z", id: "m1", out: 5 }), asst({ ts: "2026-01-11T00:30:00.000Z", id: "m2", req: "r2", out: 5 })],
    },
    noZone: true,
    env: { TZ: "Asia/Tokyo" },
    reports: ["daily"],
  },
  {
    name: "daily-tz-arg-newyork",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: "2026-01-10T23:30:00.000Z", id: "m1", out: 5 }), asst({ ts: "2026-01-11T04:30:00.000Z", id: "m2", req: "r2", out: 5 })],
    },
    args: ["--timezone", "America/New_York"],
  },
  {
    name: "daily-model-order",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), id: "m1", req: "r1", model: "claude-sonnet-4-5-20250929", out: 100 }),
        asst({ ts: t("10:00:02"), id: "m2", req: "r2", model: "claude-opus-4-5-20251101", out: 10 }),
        asst({ ts: t("10:00:03"), id: "m3", req: "r3", model: "claude-haiku-4-5-20251001", out: 100000 }),
        asst({ ts: t("10:00:04"), id: "m4", req: "r4", model: "claude-opus-4-6", out: 1 }),
      ],
    },
    reports: ["daily"],
  },
  {
    name: "pricing-tiers",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), id: "m1", req: "r1", model: "claude-sonnet-4-5-20250929", inp: 200000, out: 0 }),
        asst({ ts: t("10:00:02"), id: "m2", req: "r2", model: "claude-sonnet-4-5-20250929", inp: 200001, out: 0 }),
        asst({ ts: t("10:00:03"), id: "m3", req: "r3", model: "claude-sonnet-4-5-20250929", inp: 10, cr: 300000, out: 0 }),
        asst({ ts: t("10:00:04"), id: "m4", req: "r4", model: "claude-sonnet-4-5-20250929", inp: 0, cw: 1000000, cw1h: 1000000, out: 0 }),
        asst({ ts: t("10:00:05"), id: "m5", req: "r5", model: "claude-sonnet-4-5-20250929", inp: 0, cw: 1000000, out: 0 }),
        asst({ ts: t("10:00:06"), id: "m6", req: "r6", model: "claude-sonnet-4-5-20250929", inp: 0, cr: 1000000, out: 0 }),
        asst({ ts: t("10:00:07"), id: "m7", req: "r7", model: "claude-sonnet-4-5-20250929", inp: 0, out: 1000000 }),
        asst({ ts: t("10:00:08"), id: "m8", req: "r8", model: "claude-sonnet-4-5-20250929", inp: 1000000, out: 0 }),
      ],
    },
    reports: ["session"],
  },
  // 4. session
  {
    name: "session-grouping",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), id: "m1", req: "r1", sid: "LINE-SID" })],
      [`${P}/s1/subagents/agent-1.jsonl`]: [asst({ ts: t("10:01:00"), id: "m2", req: "r2", side: true, sid: "s1" })],
      [`${P}/s1/other.jsonl`]: [asst({ ts: t("10:02:00"), id: "m3", req: "r3", sid: "s1" })],
      [`${P}/deep/a/b/c.jsonl`]: [asst({ ts: t("10:03:00"), id: "m4", req: "r4", sid: "s9" })],
      ["projects/-home-u-q/s0.jsonl"]: [
        asst({ ts: t("09:00:00"), id: "m5", req: "r5", sid: "s0" }),
        asst({ ts: t("23:00:00"), id: "m6", req: "r6", sid: "s0" }),
      ],
      ["projects/top.jsonl"]: [asst({ ts: t("10:04:00"), id: "m7", req: "r7", sid: "top" })],
    },
    reports: ["session", "daily"],
  },
  // 5. blocks
  {
    name: "blocks-boundaries",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: "2026-01-10T10:17:00.000Z", id: "b1", req: "r1" }),
        // exactly start + 5h (start is 10:00)
        asst({ ts: "2026-01-10T15:00:00.000Z", id: "b2", req: "r2" }),
        asst({ ts: "2026-01-10T15:00:00.001Z", id: "b3", req: "r3" }),
        // gap of exactly 5h after previous entry
        asst({ ts: "2026-01-10T20:00:00.001Z", id: "b4", req: "r4" }),
        // gap > 5h
        asst({ ts: "2026-01-11T06:00:00.000Z", id: "b5", req: "r5" }),
        asst({ ts: "2026-01-11T06:30:00.000Z", id: "b6", req: "r6", model: "claude-opus-4-5-20251101", out: 600 }),
      ],
    },
    reports: ["blocks"],
  },
  {
    name: "blocks-gap-exact",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: "2026-01-10T10:00:00.000Z", id: "b1", req: "r1" }),
        asst({ ts: "2026-01-10T14:59:00.000Z", id: "b2", req: "r2" }),
        // 5h exactly after previous entry but > 5h after block start
        asst({ ts: "2026-01-10T19:59:00.000Z", id: "b3", req: "r3" }),
        // exactly 5h after block start 19:00 → 00:00 next day
        asst({ ts: "2026-01-11T00:00:00.000Z", id: "b4", req: "r4" }),
      ],
    },
    reports: ["blocks"],
  },
  {
    name: "blocks-active-now",
    tree: { [`${P}/s1.jsonl`]: [] },
    reports: ["blocks"],
  },
  {
    name: "session-sort-order",
    tree: {
      // cheap but many tokens (haiku), expensive but few (opus), and a cost tie
      [`${P}/s-haiku.jsonl`]: [asst({ ts: t("10:00:00"), id: "m1", req: "r1", sid: "s-haiku", model: "claude-haiku-4-5-20251001", inp: 100000, out: 0 })],
      [`${P}/s-opus.jsonl`]: [asst({ ts: t("09:00:00"), id: "m2", req: "r2", sid: "s-opus", model: "claude-opus-4-5-20251101", inp: 30000, out: 0 })],
      [`${P}/s-tie-b.jsonl`]: [asst({ ts: t("08:00:00"), id: "m3", req: "r3", sid: "s-tie-b", out: 0 })],
      [`${P}/s-tie-a.jsonl`]: [asst({ ts: t("11:00:00"), id: "m4", req: "r4", sid: "s-tie-a", out: 0 })],
      ["projects/-a-first/s-tie-c.jsonl"]: [asst({ ts: t("09:30:00"), id: "m5", req: "r5", sid: "s-tie-c", out: 0 })],
      [`${P}/s-zero.jsonl`]: [asst({ ts: t("12:00:00"), id: "m6", req: "r6", sid: "s-zero", inp: 0, out: 0 })],
      [`${P}/s-syn.jsonl`]: [asst({ ts: t("12:00:00"), id: "m7", req: "r7", sid: "s-syn", model: "<synthetic>", inp: 5, out: 5 })],
      [`${P}/s-nomodel.jsonl`]: [
        asst({ ts: t("12:00:00"), id: "m8", req: "r8", sid: "s-nomodel", inp: 5, out: 5 }).replace('"model":"claude-sonnet-4-5-20250929",', ""),
      ],
    },
    reports: ["session", "daily"],
  },
  {
    name: "session-sort-order-desc",
    tree: {
      [`${P}/s-haiku.jsonl`]: [asst({ ts: t("10:00:00"), id: "m1", req: "r1", sid: "s-haiku", model: "claude-haiku-4-5-20251001", inp: 100000, out: 0 })],
      [`${P}/s-opus.jsonl`]: [asst({ ts: t("09:00:00"), id: "m2", req: "r2", sid: "s-opus", model: "claude-opus-4-5-20251101", inp: 30000, out: 0 })],
      [`${P}/s-tie-b.jsonl`]: [asst({ ts: t("08:00:00"), id: "m3", req: "r3", sid: "s-tie-b", out: 0 })],
    },
    args: ["--timezone", "UTC", "--order", "desc"],
    reports: ["session", "daily", "blocks"],
  },
  {
    // which model order: file order, time order or name order?
    name: "models-used-order",
    tree: {
      [`${P}/a.jsonl`]: [asst({ ts: t("12:00:00"), id: "m1", req: "r1", sid: "a", model: "claude-opus-4-5-20251101", out: 1 })],
      [`${P}/b.jsonl`]: [
        asst({ ts: t("10:00:00"), id: "m2", req: "r2", sid: "a", model: "claude-sonnet-4-5-20250929", out: 1000 }),
        asst({ ts: t("11:00:00"), id: "m3", req: "r3", sid: "a", model: "claude-haiku-4-5-20251001", out: 100 }),
      ],
    },
    reports: ["session", "daily", "blocks"],
  },
  {
    name: "duplicate-across-days",
    tree: {
      [`${P}/b.jsonl`]: [asst({ ts: "2026-01-09T10:00:00.000Z", id: "m1", req: "r1", sid: "b", out: 5 })],
      [`${P}/a.jsonl`]: [asst({ ts: "2026-01-10T10:00:00.000Z", id: "m1", req: "r1", sid: "a", out: 5 })],
    },
  },
  {
    name: "blocks-gap-end",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: "2026-01-10T10:17:00.000Z", id: "b1", req: "r1" }),
        asst({ ts: "2026-01-10T20:45:00.000Z", id: "b2", req: "r2" }),
        // 5 h + 1 ms after the previous entry
        asst({ ts: "2026-01-11T01:45:00.001Z", id: "b3", req: "r3" }),
      ],
    },
    reports: ["blocks"],
  },
  {
    name: "blocks-tz-kolkata",
    tree: { [`${P}/s1.jsonl`]: [asst({ ts: "2026-01-10T10:17:00.000Z", id: "b1", req: "r1" })] },
    args: ["--timezone", "Asia/Kolkata"],
    reports: ["blocks", "session", "daily"],
  },
  {
    name: "session-model-order",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("12:00:00"), id: "m1", req: "r1", model: "claude-opus-4-5-20251101", out: 1 })],
      [`${P}/s1/subagents/agent-1.jsonl`]: [
        asst({ ts: t("10:00:00"), id: "m2", req: "r2", side: true, model: "claude-sonnet-4-5-20250929", out: 1 }),
        asst({ ts: t("09:00:00"), id: "m3", req: "r3", side: true, model: "claude-haiku-4-5-20251001", out: 100000 }),
      ],
    },
    reports: ["session", "daily", "blocks"],
  },
  {
    name: "order-desc-multi",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: "2026-01-10T10:00:00.000Z", id: "m1", req: "r1" }),
        asst({ ts: "2026-01-11T10:00:00.000Z", id: "m2", req: "r2" }),
        asst({ ts: "2026-01-12T10:00:00.000Z", id: "m3", req: "r3" }),
      ],
      [`${P}/s2.jsonl`]: [asst({ ts: "2026-01-13T10:00:00.000Z", id: "m4", req: "r4", sid: "s2", out: 0 })],
    },
    args: ["--timezone", "UTC", "--order", "desc"],
  },
  {
    name: "sidechain-copy-sorts-first",
    tree: {
      ["projects/-a/x/subagents/agent-1.jsonl"]: [asst({ ts: t("10:00:01"), out: 50, side: true, sid: "x" })],
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:09"), out: 5 })],
    },
  },
  {
    // a /btw replay of an intermediate line: its timestamp differs from the kept (final) line's
    name: "sidechain-replay-of-intermediate-line",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 }), asst({ ts: t("10:00:02"), out: 50 })],
      [`${P}/s1/subagents/agent-aside_question-1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5, req: "req_btw", side: true })],
    },
  },
  {
    name: "sidechain-replay-of-final-line",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5 }), asst({ ts: t("10:00:02"), out: 50 })],
      [`${P}/s1/subagents/agent-aside_question-1.jsonl`]: [asst({ ts: t("10:00:02"), out: 50, req: "req_btw", side: true })],
    },
  },
  {
    // the parent's message survives as a copy in another session (resume); the /btw replay in
    // the original session must still find it
    name: "sidechain-replay-after-cross-session-copy",
    tree: {
      [`${P}/a-copy.jsonl`]: [asst({ ts: t("10:00:02"), out: 50, sid: "a-copy" })],
      [`${P}/b-orig.jsonl`]: [asst({ ts: t("10:00:02"), out: 50, sid: "b-orig" })],
      [`${P}/b-orig/subagents/agent-aside_question-1.jsonl`]: [asst({ ts: t("10:00:02"), out: 50, req: "req_btw", side: true, sid: "b-orig" })],
    },
  },
  {
    name: "sidechain-both-sidechain",
    tree: {
      [`${P}/s1/subagents/agent-1.jsonl`]: [asst({ ts: t("10:00:01"), out: 5, side: true })],
      [`${P}/s1/subagents/agent-2.jsonl`]: [asst({ ts: t("10:00:09"), out: 50, side: true })],
    },
  },
  {
    // no requestId: is the dedupe scope the line's sessionId or the file's?
    name: "dedupe-no-req-same-line-sid-two-files",
    tree: {
      [`${P}/f1.jsonl`]: [asst({ ts: t("10:00:01"), req: null, out: 5, sid: "same" })],
      [`${P}/f2.jsonl`]: [asst({ ts: t("10:00:01"), req: null, out: 7, sid: "same" })],
    },
  },
  {
    name: "same-session-two-projects",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), id: "m1", req: "r1" })],
      ["projects/-home-u-q/s1.jsonl"]: [asst({ ts: t("11:00:01"), id: "m2", req: "r2" })],
    },
    reports: ["session"],
  },
  {
    name: "zero-token-day",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: "2026-01-10T10:00:00.000Z", id: "m1", req: "r1" }),
        asst({ ts: "2026-01-11T10:00:00.000Z", id: "m2", req: "r2", inp: 0, out: 0 }),
      ],
    },
  },
  {
    name: "two-limit-lines",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), out: 5 }),
        asst({
          ts: t("10:00:05"),
          id: "e1",
          req: null,
          model: "<synthetic>",
          inp: 0,
          out: 0,
          text: "Claude AI usage limit reached|1768046400",
          extra: { isApiErrorMessage: true },
        }),
        asst({
          ts: t("10:30:05"),
          id: "e2",
          req: null,
          model: "<synthetic>",
          inp: 0,
          out: 0,
          text: "Claude AI usage limit reached|1768053600",
          extra: { isApiErrorMessage: true },
        }),
        // marker text without the flag
        asst({ ts: t("10:40:05"), id: "e3", req: null, model: "<synthetic>", inp: 0, out: 0, text: "Claude AI usage limit reached|1768060800" }),
      ],
    },
    reports: ["blocks"],
  },
  // 6. directories
  {
    name: "dirs-non-jsonl-and-symlink",
    tree: {
      [`${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), id: "m1", req: "r1" })],
      [`${P}/s2.json`]: [asst({ ts: t("10:00:02"), id: "m2", req: "r2", sid: "s2" })],
      [`${P}/s3.JSONL`]: [asst({ ts: t("10:00:03"), id: "m3", req: "r3", sid: "s3" })],
      [`${P}/s4.jsonl.bak`]: [asst({ ts: t("10:00:04"), id: "m4", req: "r4", sid: "s4" })],
      ["elsewhere/real/s5.jsonl"]: [asst({ ts: t("10:00:05"), id: "m5", req: "r5", sid: "s5" })],
      ["elsewhere/s6.jsonl"]: [asst({ ts: t("10:00:06"), id: "m6", req: "r6", sid: "s6" })],
      ["top-level.jsonl"]: [asst({ ts: t("10:00:07"), id: "m7", req: "r7", sid: "s7" })],
    },
    setup: (root) => {
      symlinkSync(join(root, "elsewhere/real"), join(root, "projects/-linked-dir"));
      symlinkSync(join(root, "elsewhere/s6.jsonl"), join(root, `${P}/s6-link.jsonl`));
      return root;
    },
    reports: ["session"],
  },
  {
    name: "dirs-hidden-and-linked-root",
    tree: {
      [`real/${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), id: "m1", req: "r1" })],
      [`real/projects/.hidden/s2.jsonl`]: [asst({ ts: t("10:00:02"), id: "m2", req: "r2", sid: "s2" })],
      [`real/${P}/.s3.jsonl`]: [asst({ ts: t("10:00:03"), id: "m3", req: "r3", sid: "s3" })],
      [`other/projects/-home-u-z/s4.jsonl`]: [asst({ ts: t("10:00:04"), id: "m4", req: "r4", sid: "s4" })],
    },
    setup: (root) => {
      // config dir itself a symlink; its projects/ holds a symlink to another project folder
      symlinkSync(join(root, "real"), join(root, "link"));
      symlinkSync(join(root, "other/projects/-home-u-z"), join(root, "real/projects/-linked"));
      return join(root, "link");
    },
    reports: ["session"],
  },
  {
    name: "dirs-none-valid",
    tree: { ["x/y.txt"]: "" },
    setup: (root) => join(root, "x"),
    reports: ["daily"],
  },
  {
    name: "dirs-comma-list-and-projects-suffix",
    tree: {
      [`c1/${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), id: "m1", req: "r1" })],
      [`c2/${P}/s2.jsonl`]: [asst({ ts: t("10:00:02"), id: "m2", req: "r2", sid: "s2" })],
      [`c3/${P}/s3.jsonl`]: [asst({ ts: t("10:00:03"), id: "m3", req: "r3", sid: "s3" })],
      // same message again through a second dir: dedupes across config dirs?
      [`c4/${P}/s1.jsonl`]: [asst({ ts: t("10:00:01"), id: "m1", req: "r1" })],
    },
    setup: (root) => ` ${join(root, "c1")} ,${join(root, "c2/projects")},${join(root, "missing")},${join(root, "c4")}`,
    reports: ["session"],
  },
];

/** `line` with `from` (which must occur) replaced by `to`: spellings JSON.stringify never writes. */
function spell(line: string, from: string, to: string): string {
  if (!line.includes(from)) throw new Error(`probe: ${from} not in the line`);
  return line.replace(from, to);
}

/** `line` with raw bytes spliced in right after the first `after`. */
function withBytes(line: string, after: string, bytes: number[]): Buffer {
  const at = line.indexOf(after);
  if (at < 0) throw new Error(`probe: ${after} not in the line`);
  const cut = at + after.length;
  return Buffer.concat([Buffer.from(line.slice(0, cut)), Buffer.from(bytes), Buffer.from(line.slice(cut))]);
}

/** One entry per file and session, each with its own ids: the session report shows which count. */
function oneEach(variants: Record<string, string | Buffer | ((sid: string) => string | Buffer)>): Tree {
  return Object.fromEntries(Object.entries(variants).map(([sid, v]) => [`${P}/${sid}.jsonl`, [typeof v === "function" ? v(sid) : v]]));
}

/** A default line of session `sid` with its own ids, counts 10/7/5/3 (input/output/cache write/read). */
const plain = (sid: string, over: Partial<Asst> = {}): string =>
  asst({ ts: t("10:00:01"), id: `m-${sid}`, req: `r-${sid}`, sid, inp: 10, out: 7, cw: 5, cr: 3, ...over });
const U64_MAX = "18446744073709551615";
const P53_PLUS_1 = "9007199254740993";

// 7. edge values: what ccusage's u64 counts, strict timestamps, typed fields and UTF-8 check drop
export const edgeCases: Case[] = [
  {
    // counts are read as u64 from their literal text: 2.5, 1e3, 100.0, -0, 2^64, strings drop the line
    name: "count-literals",
    tree: oneEach({
      ok: (sid) => plain(sid),
      "cr-frac": (sid) => spell(plain(sid), '"cache_read_input_tokens":3', '"cache_read_input_tokens":2.5'),
      "in-exp": (sid) => spell(plain(sid), '"input_tokens":10', '"input_tokens":1e3'),
      "in-exp-upper": (sid) => spell(plain(sid), '"input_tokens":10', '"input_tokens":1E3'),
      "in-exp-spaced": (sid) => spell(plain(sid), '"input_tokens":10', '"input_tokens" : 1.0e1 '),
      "out-dot-zero": (sid) => spell(plain(sid), '"output_tokens":7', '"output_tokens":100.0'),
      "in-neg-zero": (sid) => spell(plain(sid), '"input_tokens":10', '"input_tokens":-0'),
      "in-2p64": (sid) => spell(plain(sid), '"input_tokens":10', '"input_tokens":18446744073709551616'),
      "cw-zz": (sid) => spell(plain(sid), '"cache_creation_input_tokens":5', '"cache_creation_input_tokens":"zz"'),
      "in-string": (sid) => spell(plain(sid), '"input_tokens":10', '"input_tokens":"10"'),
      "in-null": (sid) => spell(plain(sid), '"input_tokens":10', '"input_tokens":null'),
      "out-bool": (sid) => spell(plain(sid), '"output_tokens":7', '"output_tokens":true'),
      "split-frac": (sid) => spell(plain(sid), '"ephemeral_1h_input_tokens":0', '"ephemeral_1h_input_tokens":0.5'),
      "split-exp": (sid) => spell(plain(sid), '"ephemeral_5m_input_tokens":5', '"ephemeral_5m_input_tokens":5e0'),
      "split-null": (sid) => spell(plain(sid), '"ephemeral_5m_input_tokens":5', '"ephemeral_5m_input_tokens":null'),
      // a float outside message.usage does not matter
      "float-elsewhere": (sid) => plain(sid, { extra: { toolUseResult: { usage: { input_tokens: 2.5 } } } }),
      "float-unknown-usage-key": (sid) => spell(plain(sid), '"output_tokens":7', '"output_tokens":7,"foo":2.5'),
    }),
  },
  {
    // 2^53 + 1 is counted exactly: totals are exact u64 sums
    name: "count-2p53-exact",
    tree: oneEach({
      "in-p53": (sid) => spell(plain(sid), '"input_tokens":10', `"input_tokens":${P53_PLUS_1}`),
      "cr-p53": (sid) => spell(plain(sid), '"cache_read_input_tokens":3', `"cache_read_input_tokens":${P53_PLUS_1}`),
      "split-p53": (sid) =>
        spell(
          spell(plain(sid, { cw: 0 }), '"ephemeral_5m_input_tokens":0', `"ephemeral_5m_input_tokens":${P53_PLUS_1}`),
          '"ephemeral_1h_input_tokens":0',
          `"ephemeral_1h_input_tokens":${P53_PLUS_1}`,
        ),
      "out-p53-twice": (sid) =>
        [
          spell(plain(sid), '"output_tokens":7', `"output_tokens":${P53_PLUS_1}`),
          spell(plain(sid, { id: "m-second", req: "r-second", ts: t("10:00:02") }), '"output_tokens":7', `"output_tokens":${P53_PLUS_1}`),
        ].join("\n"),
      small: (sid) => plain(sid),
    }),
  },
  {
    // the largest u64: alone in its day, model and block, so no sum passes 2^64 − 1
    name: "count-u64-max",
    tree: {
      [`${P}/cr-max.jsonl`]: [
        spell(plain("cr-max", { model: "claude-haiku-4-5-20251001", out: 0 }), '"cache_read_input_tokens":3', `"cache_read_input_tokens":${U64_MAX}`),
      ],
      [`${P}/out-max.jsonl`]: [
        spell(
          plain("out-max", { model: "claude-opus-4-1-20250805", cr: 0, ts: "2026-01-12T10:00:00.000Z" }),
          '"output_tokens":7',
          `"output_tokens":${U64_MAX}`,
        ),
      ],
    },
  },
  {
    // only YYYY-MM-DDTHH:MM:SS[.mmm] with Z or ±HH:MM, a real date, counts
    name: "timestamp-spellings",
    tree: oneEach(
      Object.fromEntries(
        [
          "2026-01-10T10:00:01.000Z",
          "2026-01-10T10:00:01Z",
          "2026-01-10T10:00:01.5Z",
          "2026-01-10T10:00:01.500000Z",
          "2026-01-10T12:00:01+02:00",
          "2026-01-10T12:00:01+0200",
          "2026-01-10T12:00:01+02",
          "2026-01-10T12:00:01.000+02:00",
          "2026-01-10T10:00:01.000-00:00",
          "2026-01-10T10:00:01.000+23:59",
          "2026-01-10T10:00:01.000+24:00",
          "2026-01-10T10:00:01.000+02:60",
          "2026-01-10T10:00:01",
          "2026-01-10 10:00:01Z",
          "2026-01-10",
          "2026-01-10t10:00:01z",
          "2026-02-30T10:00:00Z",
          "2026-01-10T24:00:00Z",
          "2026-01-10T23:59:60Z",
          " 2026-01-10T10:00:01Z",
          "2026-01-10T10:00:01.000Z ",
          "2026-01-10T10:00:01,500Z",
          "2026-1-10T10:00:01Z",
          "2026-01-10T10:00Z",
          "Sat, 10 Jan 2026 10:00:01 GMT",
        ].map((ts, i) => [`ts${String(i).padStart(2, "0")}`, (sid: string) => plain(sid, { ts })]),
      ),
    ),
  },
  {
    // years at the ends of what parses: expanded and negative years drop, 0000 and 9999 count;
    // offsets reach years −1 and 10000, printed as ccusage prints them
    name: "timestamp-extremes",
    tree: oneEach({
      "neg-year": (sid) => plain(sid, { ts: "-000001-01-01T00:00:00.000Z" }),
      "max-date": (sid) => plain(sid, { ts: "+275760-09-13T00:00:00.000Z" }),
      "expanded-year": (sid) => plain(sid, { ts: "+002026-01-10T10:00:01.000Z" }),
      "year-0": (sid) => plain(sid, { ts: "0000-01-01T00:00:00.000Z" }),
      "year-0-leap": (sid) => plain(sid, { ts: "0000-02-29T12:00:00.000Z" }),
      "year-minus-1": (sid) => plain(sid, { ts: "0000-01-01T00:00:00.000+23:59" }),
      "before-epoch": (sid) => plain(sid, { ts: "1969-12-31T23:59:59.999Z" }),
      "year-9999": (sid) => plain(sid, { ts: "9999-12-31T23:59:59Z" }),
      "year-10000": (sid) => plain(sid, { ts: "9999-12-31T23:59:59.999-23:59" }),
      numeric: (sid) => spell(plain(sid), `"timestamp":"${t("10:00:01")}"`, '"timestamp":1768039201000'),
    }),
  },
  {
    // dates in a zone: local mean time before 1900, and UTC dates past what ccusage's time library converts
    name: "timestamp-extremes-zoned",
    tree: oneEach({
      "year-0-lmt": (sid) => plain(sid, { ts: "0000-01-01T00:00:00.000Z" }),
      "lmt-1900": (sid) => plain(sid, { ts: "1900-01-01T00:00:00.000Z" }),
      "last-zoned": (sid) => plain(sid, { ts: "9999-12-30T22:00:00.000Z" }),
      "first-unzoned": (sid) => plain(sid, { ts: "9999-12-30T22:00:00.001Z" }),
    }),
    args: ["--timezone", "America/New_York"],
    reports: ["daily", "session"],
  },
  {
    name: "timestamp-extremes-zoned-east",
    tree: oneEach({
      "year-0-lmt": (sid) => plain(sid, { ts: "0000-01-01T00:00:00.000Z" }),
      "last-zoned": (sid) => plain(sid, { ts: "9999-12-30T22:00:00.000Z" }),
      "first-unzoned": (sid) => plain(sid, { ts: "9999-12-30T22:00:00.001Z" }),
    }),
    args: ["--timezone", "Asia/Tokyo"],
    reports: ["daily"],
  },
  {
    // a line that is not UTF-8 (anywhere in it) drops; the next line of the file still counts
    name: "invalid-utf8",
    tree: {
      ...oneEach({
        "text-ff": (sid) => withBytes(plain(sid), '"text":"', [0xff]),
        "text-encoded-surrogate": (sid) => withBytes(plain(sid), '"text":"', [0xed, 0xa0, 0x80]),
        "text-overlong": (sid) => withBytes(plain(sid), '"text":"', [0xc0, 0xaf]),
        "text-truncated": (sid) => withBytes(plain(sid), '"text":"', [0xe2, 0x82]),
        "model-ff": (sid) => withBytes(plain(sid), '"model":"claude-sonnet-4-5-20250929', [0xff]),
        "valid-multibyte": (sid) => withBytes(plain(sid), '"text":"', [...Buffer.from("é€😀")]),
        "escaped-lone-high": (sid) => spell(plain(sid), '"text":"x"', '"text":"\\ud83d"'),
        "escaped-lone-low": (sid) => spell(plain(sid), '"text":"x"', '"text":"a\\ude00"'),
        "escaped-pair": (sid) => spell(plain(sid), '"text":"x"', '"text":"\\ud83d\\ude00"'),
        "escaped-backslash-u": (sid) => spell(plain(sid), '"text":"x"', '"text":"\\\\ud83d"'),
      }),
      [`${P}/then-next-line.jsonl`]: [
        withBytes(plain("then-next-line"), '"text":"', [0xff]),
        plain("then-next-line", { id: "m-next", req: "r-next", out: 70 }),
      ],
    },
  },
  {
    // ccusage reads these fields with types: another type drops the line (null reads as absent)
    name: "field-types",
    tree: oneEach({
      "sid-number": (sid) => spell(plain(sid), `"sessionId":"${sid}"`, '"sessionId":5'),
      "req-number": (sid) => spell(plain(sid), `"requestId":"r-${sid}"`, '"requestId":5'),
      "sidechain-string": (sid) => spell(plain(sid), '"isSidechain":false', '"isSidechain":"false"'),
      "sidechain-null": (sid) => spell(plain(sid), '"isSidechain":false', '"isSidechain":null'),
      "cost-string": (sid) => plain(sid, { extra: { costUSD: "1" } }),
      "cost-negative": (sid) => plain(sid, { extra: { costUSD: -5 } }),
      "cost-overflow": (sid) => spell(plain(sid), '"isSidechain":false', '"isSidechain":false,"costUSD":1e400'),
      "model-number": (sid) => spell(plain(sid), '"model":"claude-sonnet-4-5-20250929"', '"model":5'),
      "id-number": (sid) => spell(plain(sid), `"id":"m-${sid}"`, '"id":5'),
      "version-number": (sid) => spell(plain(sid), '"version":"2.0.50"', '"version":5'),
      "speed-unknown": (sid) => spell(plain(sid), '"service_tier":"standard"', '"service_tier":"standard","speed":"priority"'),
      "speed-capital": (sid) => spell(plain(sid), '"service_tier":"standard"', '"service_tier":"standard","speed":"Fast"'),
      "split-number": (sid) => spell(plain(sid), '"cache_creation":{"ephemeral_5m_input_tokens":5,"ephemeral_1h_input_tokens":0}', '"cache_creation":5'),
      "split-null": (sid) => spell(plain(sid), '"cache_creation":{"ephemeral_5m_input_tokens":5,"ephemeral_1h_input_tokens":0}', '"cache_creation":null'),
      "split-array": (sid) => spell(plain(sid), '"cache_creation":{"ephemeral_5m_input_tokens":5,"ephemeral_1h_input_tokens":0}', '"cache_creation":[5,7]'),
      "split-array-short": (sid) => spell(plain(sid), '"cache_creation":{"ephemeral_5m_input_tokens":5,"ephemeral_1h_input_tokens":0}', '"cache_creation":[5]'),
      "split-array-long": (sid) =>
        spell(plain(sid), '"cache_creation":{"ephemeral_5m_input_tokens":5,"ephemeral_1h_input_tokens":0}', '"cache_creation":[5,7,9]'),
      "top-level-array": (sid) => `[${plain(sid)}]`,
    }),
  },
  {
    // the null filter allows JSON whitespace around the colon; escaped text never trips it
    name: "null-fields-spaced",
    tree: oneEach({
      "sid-space-after": (sid) => spell(plain(sid), `"sessionId":"${sid}"`, '"sessionId": null'),
      "sid-space-before": (sid) => spell(plain(sid), `"sessionId":"${sid}"`, '"sessionId" :null'),
      "sid-tab": (sid) => spell(plain(sid), `"sessionId":"${sid}"`, '"sessionId":\tnull'),
      "cwd-nested": (sid) => spell(plain(sid), '"isSidechain":false', '"isSidechain":false,"toolUseResult":{"cwd": null}'),
      "model-space": (sid) => spell(plain(sid), '"model":"claude-sonnet-4-5-20250929"', '"model": null'),
      "sidechain-space": (sid) => spell(plain(sid), '"isSidechain":false', '"isSidechain": null'),
      "escaped-in-text": (sid) => spell(plain(sid), '"text":"x"', '"text":"\\"id\\": null"'),
    }),
  },
  {
    // two logged costs of 1.5e308 overflow the sums: ccusage prints null, as JSON.stringify does
    name: "cost-overflow-sum",
    tree: oneEach({
      a: (sid) => plain(sid, { extra: { costUSD: 1.5e308 } }),
      b: (sid) => plain(sid, { extra: { costUSD: 1.5e308 } }),
    }),
  },
  {
    // isApiErrorMessage is typed by the session/blocks loader only (daily counts the line)
    name: "field-types-api-error-flag",
    tree: oneEach({
      "flag-string": (sid) => plain(sid, { extra: { isApiErrorMessage: "x" } }),
      "flag-false": (sid) => plain(sid, { extra: { isApiErrorMessage: false } }),
    }),
    reports: ["session", "blocks"],
  },
  {
    // advisor iterations are read with the same u64 rules; one bad iteration drops every advisor
    // of the line (the line itself still counts)
    name: "iterations-edges",
    tree: oneEach(
      Object.fromEntries(
        Object.entries({
          "adv-ok": [{ type: "advisor_message", model: "claude-opus-4-5-20251101", input_tokens: 1000, output_tokens: 100 }],
          "adv-frac": '[{"type":"advisor_message","model":"claude-opus-4-5-20251101","input_tokens":1000,"output_tokens":2.5}]',
          "adv-no-output": [{ type: "advisor_message", model: "claude-opus-4-5-20251101", input_tokens: 1000 }],
          "adv-empty-model": [{ type: "advisor_message", model: "", input_tokens: 1000, output_tokens: 100 }],
          "adv-after-bad-message":
            '[{"type":"message","input_tokens":1.5,"output_tokens":1},{"type":"advisor_message","model":"claude-opus-4-5-20251101","input_tokens":1000,"output_tokens":100}]',
          "adv-after-untyped": [
            { input_tokens: 1, output_tokens: 1 },
            { type: "advisor_message", model: "claude-opus-4-5-20251101", input_tokens: 1000, output_tokens: 100 },
          ],
          "adv-split": [
            {
              type: "advisor_message",
              model: "claude-opus-4-5-20251101",
              input_tokens: 1000,
              output_tokens: 100,
              cache_creation: { ephemeral_1h_input_tokens: 1000 },
            },
          ],
          "adv-p53": `[{"type":"advisor_message","model":"claude-opus-4-5-20251101","input_tokens":${P53_PLUS_1},"output_tokens":100}]`,
          "adv-speed-unknown": [{ type: "advisor_message", model: "claude-opus-4-5-20251101", input_tokens: 1000, output_tokens: 100, speed: "turbo" }],
          "not-an-array": { type: "advisor_message" },
        }).map(([sid, its]) => [
          sid,
          (s: string) =>
            spell(plain(s), '"service_tier":"standard"', `"service_tier":"standard","iterations":${typeof its === "string" ? its : JSON.stringify(its)}`),
        ]),
      ),
    ),
  },
  {
    name: "iterations-advisor-without-message-id",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({
          ts: t("10:00:01"),
          id: null,
          req: "r1",
          usageExtra: { iterations: [{ type: "advisor_message", model: "claude-opus-4-5-20251101", input_tokens: 1000, output_tokens: 100 }] },
        }),
      ],
    },
  },
  {
    // Claude's reset time: the digits after the first `|` that follows the marker, anywhere in the line
    name: "limit-notice-spellings",
    tree: {
      [`${P}/s1.jsonl`]: [
        asst({ ts: t("10:00:01"), out: 5 }),
        asst({
          ts: t("10:00:05"),
          id: "e1",
          req: null,
          model: "<synthetic>",
          inp: 0,
          out: 0,
          text: "Claude AI usage limit reached (see |0001768046400)",
          extra: { isApiErrorMessage: true },
        }),
      ],
      [`${P}/s2.jsonl`]: [
        asst({ ts: "2026-01-11T10:00:01.000Z", id: "m2", req: "r2", sid: "s2", out: 5 }),
        asst({
          ts: "2026-01-11T10:00:05.000Z",
          id: "e2",
          req: null,
          sid: "s2",
          model: "<synthetic>",
          inp: 0,
          out: 0,
          text: "x",
          extra: { isApiErrorMessage: true, cwd: "Claude AI usage limit reached|1768136400" },
        }),
      ],
      [`${P}/s3.jsonl`]: [
        asst({ ts: "2026-01-12T10:00:01.000Z", id: "m3", req: "r3", sid: "s3", out: 5 }),
        asst({
          ts: "2026-01-12T10:00:05.000Z",
          id: "e3",
          req: null,
          sid: "s3",
          model: "<synthetic>",
          inp: 0,
          out: 0,
          text: "Claude AI usage limit reached|x",
          extra: { isApiErrorMessage: true },
        }),
      ],
      [`${P}/s4.jsonl`]: [
        asst({ ts: "2026-01-13T10:00:01.000Z", id: "m4", req: "r4", sid: "s4", out: 5 }),
        asst({
          ts: "2026-01-13T10:00:05.000Z",
          id: "e4",
          req: null,
          sid: "s4",
          model: "<synthetic>",
          inp: 0,
          out: 0,
          text: "Claude AI usage limit reached|253402300800",
          extra: { isApiErrorMessage: true },
        }),
      ],
    },
    reports: ["blocks"],
  },
  {
    // a duplicate key anywhere drops the line in ccusage; JSON.parse keeps the last value and we
    // do not look for duplicates (a known difference, docs/ccusage-semantics.md §2)
    name: "duplicate-usage-key",
    tree: oneEach({
      "dup-input": (sid) => spell(plain(sid), '"output_tokens":7', '"output_tokens":7,"input_tokens":20'),
    }),
  },
];

export function writeTree(root: string, tree: Tree): void {
  for (const [rel, content] of Object.entries(tree)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === "string" ? content : Buffer.concat(content.map((l) => Buffer.concat([Buffer.from(l), NEWLINE]))));
  }
}

const NEWLINE = Buffer.from("\n");

function runNoZone(configDir: string, report: string): unknown {
  const out = execFileSync(CCUSAGE_BIN, ["claude", report, "--json", "--offline"], { env: { ...process.env, CLAUDE_CONFIG_DIR: configDir }, encoding: "utf8" });
  return JSON.parse(out) as unknown;
}

/** One short line per row: the fields the semantics hinge on, tokens as in/out/cacheWrite/cacheRead. */
function digest(report: string, json: unknown): string {
  const obj = json as Record<string, unknown>;
  const rows = (obj[report === "session" ? "sessions" : report] ?? []) as Record<string, unknown>[];
  const tok = (r: Record<string, unknown>): string => {
    const c = (r["tokenCounts"] ?? r) as Record<string, unknown>;
    const cw = c["cacheCreationTokens"] ?? c["cacheCreationInputTokens"];
    const cr = c["cacheReadTokens"] ?? c["cacheReadInputTokens"];
    return `${String(c["inputTokens"])}/${String(c["outputTokens"])}/${String(cw)}/${String(cr)}=${String(r["totalTokens"])} $${String(r["totalCost"] ?? r["costUSD"])}`;
  };
  const models = (r: Record<string, unknown>): string => JSON.stringify(r["modelsUsed"] ?? r["models"]);
  const lines = rows.map((r) => {
    if (report === "daily") return `${String(r["date"])} ${tok(r)} ${models(r)}`;
    if (report === "session")
      return `${String(r["sessionId"])} @${String(r["projectPath"])} ${String(r["firstActivity"])}..${String(r["lastActivity"])} ${tok(r)} ${models(r)}`;
    const extra = Object.keys(r).filter((k) => !BLOCK_KEYS.has(k));
    return `${String(r["id"])} ${String(r["startTime"])}..${String(r["endTime"])} actualEnd=${String(r["actualEndTime"])} gap=${String(r["isGap"])} active=${String(r["isActive"])} n=${String(r["entries"])} ${tok(r)} ${models(r)} burn=${JSON.stringify(r["burnRate"])}${extra.length > 0 ? ` extra=${JSON.stringify(Object.fromEntries(extra.map((k) => [k, r[k]])))}` : ""}`;
  });
  return lines.map((l) => `\n    ${l}`).join("");
}

const BLOCK_KEYS = new Set([
  "id",
  "startTime",
  "endTime",
  "actualEndTime",
  "isGap",
  "isActive",
  "entries",
  "tokenCounts",
  "totalTokens",
  "costUSD",
  "models",
  "burnRate",
  "projection",
]);

/** Bundled (--offline) prices: one session per model × token kind × size × speed, cost read back. */
async function pricingTable(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "ccusage-pricing-"));
  const models = [
    "claude-opus-4-5-20251101",
    "claude-opus-4-6",
    "claude-sonnet-4-5-20250929",
    "claude-sonnet-4-6",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-1-20250805",
    "claude-sonnet-4-20250514",
  ];
  const kinds = { in: { inp: 1 }, out: { out: 1 }, cw5m: { cw: 1 }, cw1h: { cw: 1, cw1h: 1 }, cr: { cr: 1 } } as const;
  try {
    let n = 0;
    for (const model of models)
      for (const [kind, shape] of Object.entries(kinds))
        for (const size of [100_000, 1_000_000])
          for (const speed of ["standard", "fast"] as const) {
            const sid = `${model}__${kind}__${size}__${speed}`;
            const counts = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v * size]));
            n++;
            writeTree(root, { [`${P}/${sid}.jsonl`]: [asst({ ts: t("10:00:00"), id: `m${n}`, req: `r${n}`, sid, model, speed, inp: 0, out: 0, ...counts })] });
          }
    const json = (await runCcusage(root, "session", ["--timezone", "UTC"])) as { sessions: { sessionId: string; totalCost: number }[] };
    const rows = new Map<string, string[]>();
    for (const s of json.sessions) {
      const [model, kind, size, speed] = s.sessionId.split("__");
      const key = `${model ?? ""} ${speed ?? ""}`;
      rows.set(key, [...(rows.get(key) ?? []), `${kind ?? ""}@${size ?? ""}=$${s.totalCost.toPrecision(6)}`]);
    }
    for (const [key, cells] of [...rows].sort()) console.log(key, cells.sort().join(" "));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  if (filter === "pricing") {
    await pricingTable();
    return;
  }
  for (const c of [...cases, ...edgeCases]) {
    if (filter !== undefined && !c.name.includes(filter)) continue;
    const root = mkdtempSync(join(tmpdir(), "ccusage-probe-"));
    try {
      writeTree(root, c.tree);
      if (c.name === "blocks-active-now") {
        // relative to the wall clock: one entry 1 h ago, one 10 min ago
        const now = Date.now();
        writeTree(root, {
          [`${P}/s1.jsonl`]: [
            asst({ ts: new Date(now - 3_600_000).toISOString(), id: "n1", req: "r1", out: 1000 }),
            asst({ ts: new Date(now - 600_000).toISOString(), id: "n2", req: "r2", out: 1000 }),
          ],
        });
      }
      const configDir = c.setup?.(root) ?? root;
      const saved: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(c.env ?? {})) {
        saved[k] = process.env[k];
        process.env[k] = v;
      }
      console.log(`\n=== ${c.name}`);
      for (const report of c.reports ?? (["daily", "session", "blocks"] as const)) {
        try {
          const json = c.noZone === true ? runNoZone(configDir, report) : await runCcusage(configDir, report, c.args ?? ["--timezone", "UTC"]);
          console.log(`--- ${report}:${digest(report, json)}`);
        } catch (e) {
          console.log(`--- ${report}: ERROR ${String(e)}`);
        }
      }
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
}

// Run as a script; imported (by the probe differential test) it only provides the cases.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
