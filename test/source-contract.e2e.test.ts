/**
 * The shared source contract: every source, fed the same synthetic session, arrives at the same
 * totals, and its health goes bad and recovers by itself. One harness per source lives in
 * test/sources/<name>.harness.ts (see harness.ts for the interface); this file runs them all.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { UsageSnapshotSchema, type UsageSnapshot } from "@claude-gauge/core";
import { waitFor, type RunningServer } from "./helpers/server-process.js";
import type { FedSource, SourceHarness } from "./sources/harness.js";
import { syntheticSession, totalsByModel, type ModelTotals } from "./sources/session.js";

const HARNESS_DIR = new URL("./sources/", import.meta.url);
const harnesses: SourceHarness[] = await Promise.all(
  readdirSync(fileURLToPath(HARNESS_DIR))
    .filter((f) => f.endsWith(".harness.ts"))
    .sort()
    .map(async (f) => ((await import(new URL(f, HARNESS_DIR).href)) as { harness: SourceHarness }).harness),
);

const fed: FedSource[] = [];
afterEach(async () => {
  await Promise.all(fed.splice(0).map((f) => f.stop()));
});

async function usage(s: RunningServer): Promise<UsageSnapshot> {
  return UsageSnapshotSchema.parse(await (await fetch(`${s.url}/usage`)).json());
}

async function modelTotals(s: RunningServer): Promise<ModelTotals[]> {
  const st = (await (await fetch(`${s.url}/stats?window=day`)).json()) as { byModel: ModelTotals[] };
  return st.byModel
    .map(({ model, input, output, cacheRead, cacheCreation, costUsd }) => ({ model, input, output, cacheRead, cacheCreation, costUsd }))
    .sort((a, b) => (a.model < b.model ? -1 : 1));
}

it("finds the harnesses", () => {
  expect(harnesses.map((h) => h.name).length).toBeGreaterThanOrEqual(3);
});

describe.each(harnesses)("source contract: $name", (h) => {
  it("the synthetic session gives the session's totals: both windows and every model's tokens exactly, cost to the harness's precision", async () => {
    const session = syntheticSession(Date.now());
    const tokens = session.reduce((n, r) => n + r.input + r.output + r.cacheRead + r.cacheCreation, 0);
    const f = await h.start(session);
    fed.push(f);
    const u = await waitFor(
      async () => {
        const x = await usage(f.server);
        return x.window_7d_tokens === tokens ? x : undefined;
      },
      15_000,
      `${h.name}: window_7d_tokens = ${tokens}`,
    );
    expect(u).toMatchObject({ source: h.kind, source_ok: true, window_5h_tokens: tokens, window_7d_tokens: tokens, last_model: "opus" });
    const want = totalsByModel(session);
    const got = await modelTotals(f.server);
    expect(got.map(({ costUsd: _c, ...t }) => t)).toEqual(want.map(({ costUsd: _c, ...t }) => t));
    for (const [i, g] of got.entries()) expect(g.costUsd, g.model).toBeCloseTo(want[i]!.costUsd, h.costDigits);
    const cost = want.reduce((n, m) => n + m.costUsd, 0);
    expect(u.cost_5h_usd).toBeCloseTo(cost, 1);
    expect(u.cost_7d_usd).toBeCloseTo(cost, 1);
  });

  it("health goes bad (source_ok false, STALL) and recovers by itself", async () => {
    const f = await h.start(syntheticSession(Date.now(), 3));
    fed.push(f);
    // 45 s: a source may notice a repair only at its safety rescan (the transcript tail's is 30 s)
    const state = (ok: boolean) =>
      waitFor(
        async () => {
          const x = await usage(f.server);
          return x.source_ok === ok ? x : undefined;
        },
        45_000,
        `${h.name}: source_ok = ${ok}`,
      );
    await state(true);
    await f.break();
    expect((await state(false)).stall).toBe(true);
    const hz = (await (await fetch(`${f.server.url}/healthz`)).json()) as { source_ok: boolean; sources: { problems: unknown[] }[] };
    expect(hz.source_ok).toBe(false);
    expect(hz.sources.flatMap((s) => s.problems).length).toBeGreaterThan(0);
    await f.repair();
    await state(true);
  });
});
