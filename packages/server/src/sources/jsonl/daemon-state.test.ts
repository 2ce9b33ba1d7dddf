import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import crypto from "node:crypto";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { costOf, DEFAULT_CONFIG, type LedgerMode, MessageLedger, type UsageEvent, WindowEngine } from "@claude-gauge/core";
import { engineFromLedger } from "../../service/cold-engine.js";
import { usageEvent } from "../../../../../test/helpers/usage-event.js";
import { type DaemonState, daemonStatePath, readDaemonState, StateInvalid, writeDaemonState } from "./daemon-state.js";

const ROOTS = ["/home/u/.claude/projects", "/home/u/.config/claude/projects"];

/** Lines that exercise every part of a ledger's state: sidechain copies, a message in two sessions, ids outside latin1, no request id. */
function lines(): UsageEvent[] {
  const e = (over: Partial<UsageEvent>) =>
    usageEvent({ timestamp: 1_760_000_000_000, model: "claude-sonnet-4-5", input: 10, output: 5, cacheRead: 100, ...over });
  return [
    e({ messageId: "msg_1", requestId: "req_1", sessionId: "s1", fileSession: "s1" }),
    e({ messageId: "msg_1", requestId: "req_1", sessionId: "s1", fileSession: "s1", output: 50, timestamp: 1_760_000_001_000 }),
    e({ messageId: "msg_1", requestId: "req_1", sessionId: "s1", fileSession: "s1", isSidechain: true, output: 60 }),
    e({ messageId: "msg_ü\u{1F600}", requestId: null, sessionId: "s2", fileSession: "s2", model: "claude-opus-4-5", thinking: true, output: 900 }),
    e({ messageId: "msg_2", requestId: "req_2", sessionId: "s2", fileSession: "s2", cacheCreation: 2_000, cacheCreation1h: 2_000 }),
    e({ messageId: "msg_2", requestId: "req_2", sessionId: "s3", fileSession: "s3", cacheCreation: 2_000, cacheCreation1h: 2_000 }),
    e({ messageId: null, requestId: null, sessionId: "s3", fileSession: "s3", timestamp: 1_760_000_005_000 }),
  ];
}

function ledgerOf(mode: LedgerMode, events: UsageEvent[]): MessageLedger {
  const l = new MessageLedger(costOf, mode);
  for (const e of events) l.add(e);
  return l;
}

function stateOf(ledger: MessageLedger): DaemonState {
  return {
    roots: ROOTS,
    savedAt: 1_760_000_009_000,
    ledger: ledger.state(),
    positions: new Map([
      [
        "/home/u/.claude/projects/-a/s1.jsonl",
        { offset: 4096, lineNo: 12, ino: "123456789012", size: 4096, mtimeMs: 1_760_000_001_234.5, tail: Buffer.from([0, 1, 255]), counted: null },
      ],
      ["/home/u/.claude/projects/-a/s2.jsonl", { offset: 10, lineNo: 2, ino: null, size: 70, mtimeMs: 5, tail: "a1b2", counted: { bytes: 60, digest: "d1" } }],
      ["/home/u/.claude/projects/-b/ü.jsonl", { offset: 0, lineNo: 1, ino: "7", size: 0, mtimeMs: 0, tail: null, counted: null }],
    ]),
    limits: [{ timestamp: 1_760_000_002_000, resetAt: 1_760_010_000_000 }],
    windows: engineFromLedger(DEFAULT_CONFIG, ledger, [], [], 1_760_000_009_000).state(),
  };
}

let dir = "";
let path = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-state-"));
  path = daemonStatePath(join(dir, "cache"), ROOTS);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Rewrites the file's checksum after `edit` changed it: a file made by hand, not by damage. */
function resign(edit: (json: Record<string, unknown>) => void): void {
  const file = readFileSync(path);
  const jsonLength = file.readUInt32LE(12);
  const json = JSON.parse(file.toString("utf8", 64, 64 + jsonLength)) as Record<string, unknown>;
  const rest = file.subarray(64 + ((jsonLength + 7) & ~7));
  edit(json);
  const text = Buffer.from(JSON.stringify(json), "utf8");
  const body = Buffer.concat([text, Buffer.alloc(((text.length + 7) & ~7) - text.length), rest]);
  const header = Buffer.from(file.subarray(0, 64));
  header.writeUInt32LE(text.length, 12);
  header.write(crypto.createHash("sha1").update(body).digest("hex"), 16, "latin1");
  writeFileSync(path, Buffer.concat([header, body]));
}

describe("the daemon's saved state", () => {
  it("comes back as it was taken, and the ledger taken back from it goes on as the saved one does (both modes)", () => {
    for (const mode of ["session", "daily"] as const) {
      const events = lines();
      const saved = ledgerOf(mode, events.slice(0, 5));
      const state = stateOf(saved);
      writeDaemonState(path, state);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readDaemonState(path, [...ROOTS].reverse())).not.toBeNull();
      const read = readDaemonState(path, ROOTS)!;
      expect(read.savedAt).toBe(state.savedAt);
      expect(read.positions).toEqual(state.positions);
      expect(read.limits).toEqual(state.limits);
      expect(read.windows).toEqual(state.windows);
      expect(WindowEngine.resume(DEFAULT_CONFIG, read.windows!).state()).toEqual(state.windows);
      const resumed = MessageLedger.resume(costOf, read.ledger);
      expect([...resumed.entries()]).toEqual([...saved.entries()]);
      for (const e of events.slice(5)) expect(resumed.add(e)).toEqual(saved.add(e));
      expect([...resumed.entries()]).toEqual([...saved.entries()]);
      expect(resumed.version).toBe(saved.version);
    }
  });

  it("holds ids past its 64 KiB write buffer, one longer than the buffer, in latin1 and in UTF-16", () => {
    for (const mark of ["x", "\u{1F600}"]) {
      const events = Array.from({ length: 3000 }, (_, i) =>
        usageEvent({
          timestamp: 1_760_000_000_000 + i,
          model: "claude-sonnet-4-5",
          messageId: `msg_${mark}_${i}_${"a".repeat(i % 50)}`,
          requestId: i % 7 === 0 ? null : `req_${i}`,
          input: i,
          output: 1,
        }),
      );
      events.push(
        usageEvent({ timestamp: 1_760_000_000_000, model: "claude-sonnet-4-5", messageId: `msg_${mark.repeat(40_000)}`, requestId: "req_long", input: 1 }),
      );
      const saved = ledgerOf("session", events);
      writeDaemonState(path, stateOf(saved));
      const resumed = MessageLedger.resume(costOf, readDaemonState(path, ROOTS)!.ledger);
      expect([...resumed.entries()]).toEqual([...saved.entries()]);
    }
  });

  it("is none when no file is there; a file for other roots, from another build or damaged anywhere is refused, naming what failed", () => {
    expect(readDaemonState(path, ROOTS)).toBeNull();
    writeDaemonState(path, stateOf(ledgerOf("session", lines())));
    expect(() => readDaemonState(path, ["/elsewhere"])).toThrow(/^roots$/);
    expect(() => readDaemonState(path, [...ROOTS, "/elsewhere"])).toThrow(/^roots$/);
    expect(() => readDaemonState(path, ROOTS, "another build")).toThrow(/^made by another build$/);
    const good = readFileSync(path);
    // every byte past the header is under the checksum; the header's own are checked field by field
    for (let at = 0; at < good.length; at += 1 + Math.floor(good.length / 97)) {
      const bad = Buffer.from(good);
      bad[at]! ^= 0x10;
      writeFileSync(path, bad);
      expect(() => readDaemonState(path, ROOTS), `byte ${at}`).toThrow(StateInvalid);
    }
    for (const cut of [0, 63, 64, good.length - 1]) {
      writeFileSync(path, good.subarray(0, cut));
      expect(() => readDaemonState(path, ROOTS), `cut at ${cut}`).toThrow(StateInvalid);
    }
    writeFileSync(path, Buffer.concat([good, Buffer.alloc(8)]));
    expect(() => readDaemonState(path, ROOTS)).toThrow(/^buffers$/);
  });

  it("a file made by hand with a valid checksum is checked field by field: a StateInvalid or a state the ledger takes or refuses, never another error", () => {
    writeDaemonState(path, stateOf(ledgerOf("session", lines())));
    const good = readFileSync(path);
    const fields = [
      "format",
      "roots",
      "savedAt",
      "mode",
      "version",
      "rows",
      "idsWide",
      "wide",
      "buffers",
      "createdRequests",
      "keys",
      "links",
      "positions",
      "limits",
      "windows",
    ];
    const value = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(-1, 1e300, 0.5, "x", [], [[]], [[0, null]], [["k", -1]], [["p", 1, 1, null, 1, 1, null, null, null]]),
    );
    fc.assert(
      fc.property(fc.constantFrom(...fields), value, (field, v) => {
        writeFileSync(path, good);
        resign((json) => {
          json[field] = v;
        });
        let state: DaemonState | null = null;
        try {
          state = readDaemonState(path, ROOTS);
        } catch (e) {
          expect(e).toBeInstanceOf(StateInvalid);
          return;
        }
        expect(state).not.toBeNull();
        try {
          MessageLedger.resume(costOf, state!.ledger);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
        }
        try {
          if (state!.windows !== null) WindowEngine.resume(DEFAULT_CONFIG, state!.windows);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
        }
      }),
      { numRuns: 300 },
    );
    writeFileSync(path, good);
    resign((json) => {
      json["positions"] = [["/p", -1, 1, null, 0, 0, null, null, null]];
    });
    expect(() => readDaemonState(path, ROOTS)).toThrow(/^positions: offsets$/);
    writeFileSync(path, good);
    resign((json) => {
      json["rows"] = 99;
    });
    expect(() => readDaemonState(path, ROOTS)).toThrow(/^a number column of another length$/);
  });
});
