import { getJson, wsUrl } from "./api.js";
import { ClusterView } from "./cluster-view.js";
import { asSources, FirstRunView, firstRunNotice } from "./first-run.js";
import { LiveLink, type LinkState } from "./live-link.js";
import { NeedleAnimator } from "./needle-animator.js";
import type { UsageSnapshot } from "./snapshot.js";
import { asStats } from "./stats.js";
import { themeToggle } from "./theme.js";
import { UsageView } from "./usage-view.js";

/** how often the cluster re-reads the ceilings behind its scales, ms (they follow calibration) */
const CEILINGS_EVERY_MS = 5 * 60_000;
/** how often /healthz is read while the first-run notice shows (ms), and otherwise */
const SOURCES_EVERY_MS = { notice: 3000, quiet: 60_000 };

const STATE_TEXT: Record<LinkState, string> = {
  connecting: "CONNECTING",
  live: "LIVE",
  polling: "POLLING",
  reconnecting: "RECONNECTING",
  offline: "OFFLINE",
};

function h<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const animator = new NeedleAnimator();
const cluster = new ClusterView(animator);
const usage = new UsageView((s) => cluster.setCeilings(s.ceilings));

const bar = h("header", "topbar");
const brand = h("div", "brand", "CLAUDE·GAUGE");
const demo = h("span", "badge badge-demo", "DEMO");
demo.hidden = true;
demo.title = "Replaying a generated session (serve --demo)";
const source = h("span", "badge badge-source", "SOURCE FAILING");
source.hidden = true;
source.title = "The server cannot read some transcripts; numbers may be stale";
const pill = h("span", "link-state");
pill.setAttribute("role", "status");
const updated = h("span", "updated");
const nav = h("nav", "tabs");
nav.setAttribute("aria-label", "Pages");
const toCluster = h("a", "tab", "Cluster");
toCluster.href = "#";
const toUsage = h("a", "tab", "Usage");
toUsage.href = "#usage";
nav.append(toCluster, toUsage);
const status = h("div", "status");
status.append(demo, source, pill, updated);
bar.append(brand, status, nav, themeToggle());

const firstRun = new FirstRunView();
const main = h("main", "app");
main.append(firstRun.root, cluster.root, usage.root);
document.body.append(bar, main);

function route(): void {
  const onUsage = location.hash === "#usage";
  cluster.root.hidden = onUsage;
  usage.root.hidden = !onUsage;
  usage.setVisible(onUsage);
  toCluster.toggleAttribute("aria-current", !onUsage);
  toUsage.toggleAttribute("aria-current", onUsage);
  if (onUsage) toUsage.setAttribute("aria-current", "page");
  else toCluster.setAttribute("aria-current", "page");
  document.title = onUsage ? "Usage · claude-gauge" : "claude-gauge";
}
addEventListener("hashchange", route);
route();

function showState(state: LinkState): void {
  document.body.dataset["link"] = state;
  pill.dataset["state"] = state;
  pill.textContent = STATE_TEXT[state];
}

async function loadCeilings(): Promise<void> {
  try {
    const s = asStats(await getJson("/stats?window=day"));
    if (s) cluster.setCeilings(s.ceilings);
  } catch {
    // the scales keep their last numbers; the link shows whether the server is there
  }
}

let wasOffline = false;
const link = new LiveLink({
  wsUrl: wsUrl(),
  poll: () => getJson("/usage", 2000),
  onSnapshot: (s: UsageSnapshot) => {
    cluster.apply(s);
    usage.onSnapshot(s);
    demo.hidden = s.source !== "demo";
    source.hidden = s.source_ok;
    document.body.dataset["source"] = s.source;
    updated.textContent = `updated ${new Date(s.updated_at).toLocaleTimeString(undefined, { hour12: false })}`;
  },
  onState: (state) => {
    showState(state);
    cluster.setLink(state);
    // a restarted server may have been started with other ceilings
    if (wasOffline && state !== "offline") void loadCeilings();
    wasOffline = state === "offline";
  },
});

async function checkSources(): Promise<void> {
  try {
    const sources = asSources(await getJson("/healthz"));
    if (sources) firstRun.show(firstRunNotice(sources));
  } catch {
    // unreachable: the link state says so; the notice keeps what it knew
  }
  setTimeout(() => void checkSources(), firstRun.visible ? SOURCES_EVERY_MS.notice : SOURCES_EVERY_MS.quiet);
}

showState("connecting");
animator.sweep();
link.start();
void loadCeilings();
void checkSources();
setInterval(() => void loadCeilings(), CEILINGS_EVERY_MS);
