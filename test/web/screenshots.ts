// Renders the README's screenshots of the browser cluster:
//   npm run build && node --import tsx test/web/screenshots.ts            (into a temporary folder, to look at)
//   npm run build && node --import tsx test/web/screenshots.ts --update   (over the committed docs/screenshots/)
// Each shot is a real server on a transcript tree written from the demo's generator, cut at the
// moment of the story that shows the state (idle, HOT, WARN), so the pictures are reproducible.
import { appendFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { demoCeilings, demoDay, demoPastDays, type DemoLine } from "../../packages/server/src/sources/demo/demo-script.js";
import { launchChromium } from "../helpers/browser.js";
import { startServer, waitFor } from "../helpers/server-process.js";

const UPDATE = parseArgs({ options: { update: { type: "boolean" } } }).values.update === true;
const OUT = UPDATE ? fileURLToPath(new URL("../../docs/screenshots/", import.meta.url)) : mkdtempSync(join(tmpdir(), "cg-screenshots-"));
const SEED = 7;

interface Shot {
  file: string;
  /** seconds into the live session at which the tree is cut */
  at: number;
  hash?: string;
  theme?: "light" | "dark";
  /** lamps that must be lit (and the rest dark) for the picture to be right */
  lamps: string[];
  height?: number;
}

const SHOTS: Shot[] = [
  { file: "cluster-idle.png", at: 182, lamps: ["sonnet", "idle"] },
  { file: "cluster-hot.png", at: 292, lamps: ["opus", "hot"] },
  { file: "cluster-warn.png", at: 545, lamps: ["sonnet", "warn"] },
  { file: "cluster-dark.png", at: 292, lamps: ["opus", "hot"], theme: "dark" },
  { file: "usage.png", at: 545, lamps: ["sonnet", "warn"], hash: "#usage", height: 1300 },
];

function writeTree(lines: readonly DemoLine[]): string {
  const dir = mkdtempSync(join(tmpdir(), "cg-shots-"));
  for (const l of lines) {
    const path = join(dir, "projects", l.file);
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${l.json}\n`);
  }
  return dir;
}

const angleFor = (pos: number) => -157.5 + Math.round((pos * 944) / 1000) / 3;

async function settle(page: Page, url: string): Promise<void> {
  const u = (await (await fetch(`${url}/usage`)).json()) as Record<string, number>;
  const want: [string, number][] = [
    ["fuel5h", u["fuel_5h_pos"] ?? 0],
    ["tach", u["tach_pos"] ?? 0],
    ["fuel7d", u["fuel_7d_pos"] ?? 0],
  ];
  await waitFor(
    async () => {
      for (const [id, pos] of want) {
        const t = (await page.locator(`#gauge-${id} .needle`).getAttribute("transform")) ?? "";
        if (Math.abs(Number(/rotate\((-?[\d.]+)/.exec(t)?.[1]) - angleFor(pos)) > 0.01) return undefined;
      }
      return true;
    },
    10_000,
    "needles settled",
  );
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const browser = await launchChromium({ reducedMotion: "reduce", deviceScaleFactor: 1 });
  try {
    for (const shot of SHOTS) {
      const now = Date.now();
      const start = now - shot.at * 1000;
      const today = demoDay(start, SEED);
      const past = demoPastDays(start, SEED);
      const c = demoCeilings(today, past);
      const lines = [...past.flatMap((d) => d.lines), ...today.lines].filter((l) => l.t <= now);
      const dir = writeTree(lines);
      const server = await startServer(dir, ["--show-projects"], {
        CLAUDE_GAUGE_5H_CEILING: String(c.ceiling5hTokens),
        CLAUDE_GAUGE_7D_CEILING: String(c.ceiling7dTokens),
        CLAUDE_GAUGE_TACH_REDLINE: String(c.tachRedlineTokensPerMin),
      });
      try {
        const u = (await (await fetch(`${server.url}/usage`)).json()) as Record<string, unknown>;
        const lit = ["opus", "sonnet", "haiku", "hot", "warn", "stall", "idle"].filter((l) =>
          ["opus", "sonnet", "haiku"].includes(l) ? u["last_model"] === l : u[l] === true,
        );
        if (lit.join() !== shot.lamps.join()) throw new Error(`${shot.file}: lamps ${lit.join()} instead of ${shot.lamps.join()}`);
        const page = await browser.context.newPage();
        await page.setViewportSize({ width: 1280, height: shot.height ?? 940 });
        await page.emulateMedia({ colorScheme: shot.theme ?? "light" });
        await page.goto(`${server.url}/${shot.hash ?? ""}`);
        await waitFor(async () => ((await page.locator("body").getAttribute("data-link")) === "live" ? true : undefined), 5000, "live");
        if (shot.hash === "#usage") await page.locator(".day-chart").waitFor();
        else await settle(page, server.url);
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(OUT, shot.file), fullPage: true });
        await page.close();
        process.stdout.write(`wrote ${join(OUT, shot.file)} (${lit.join(" ")})\n`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await browser.close();
  }
}

await main();
