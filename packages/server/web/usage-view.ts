import { getJson } from "./api.js";
import { renderDayChart, SERIES } from "./day-chart.js";
import { compactTokens, fullNumber, percent, usd } from "./format.js";
import type { UsageSnapshot } from "./snapshot.js";
import { asStats, type StatsResponse, type StatsTotals, type StatsWindow, type ThresholdLevel } from "./stats.js";

const WINDOWS: [StatsWindow, string, string][] = [
  ["day", "Day", "in the last 24 h"],
  ["week", "Week", "this week"],
  ["all", "All", "in all kept history"],
];

const LEVEL_TEXT: Record<ThresholdLevel, string> = {
  ok: "below 50 %",
  "50": "past 50 %",
  "80": "past 80 %",
  "95": "past 95 %",
};

/** the least time between two /stats requests driven by live frames, ms */
const REFRESH_GAP_MS = 1000;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The usage page (`#usage`): totals, 50/80/95 % bands, tokens per day, by model and project. */
export class UsageView {
  readonly root: HTMLElement;
  #window: StatsWindow = "week";
  #visible = false;
  #lastFetch = 0;
  #pending: ReturnType<typeof setTimeout> | null = null;
  #seq = 0;
  #lastKey = "";
  readonly #buttons = new Map<StatsWindow, HTMLButtonElement>();
  readonly #big = h("span", "big");
  readonly #bigLabel = h("span", "big-label");
  readonly #sub = h("div", "headline-sub");
  readonly #bands = h("div", "bands");
  readonly #chart = h("div", "chart");
  #days: StatsResponse["byDay"] = [];
  #chartWidth = 0;
  readonly #models = h("div", "table-wrap");
  readonly #projects = h("div", "table-wrap");
  readonly #error = h("p", "usage-error");
  readonly #onStats: (s: StatsResponse) => void;

  /** `onStats` also hears every /stats answer (the cluster wants its ceilings). */
  constructor(onStats: (s: StatsResponse) => void) {
    this.#onStats = onStats;
    this.root = h("section", "usage");
    this.root.setAttribute("aria-label", "Usage");
    const head = h("div", "usage-head");
    const sw = h("div", "switch");
    sw.setAttribute("role", "group");
    sw.setAttribute("aria-label", "Window");
    for (const [w, label] of WINDOWS) {
      const b = h("button", undefined, label);
      b.type = "button";
      b.dataset["window"] = w;
      b.addEventListener("click", () => {
        this.#window = w;
        this.#markWindow();
        void this.refresh();
      });
      this.#buttons.set(w, b);
      sw.appendChild(b);
    }
    head.appendChild(sw);
    const headline = h("div", "headline");
    headline.append(this.#big, this.#bigLabel, this.#sub);
    const legend = h("ul", "legend");
    for (const [key, name] of SERIES) {
      const li = h("li", `legend-${key}`, name);
      legend.appendChild(li);
    }
    this.#error.hidden = true;
    this.#error.setAttribute("role", "status");
    this.root.append(
      head,
      headline,
      this.#error,
      this.#bands,
      h("h2", undefined, "Tokens per day"),
      legend,
      this.#chart,
      h("h2", undefined, "By model"),
      this.#models,
      h("h2", undefined, "By project"),
      this.#projects,
    );
    this.#markWindow();
    // the chart is drawn at its box's width (legible text on a phone): redraw when that changes
    new ResizeObserver(() => {
      if (this.#visible && this.#chartWidth !== this.#innerWidth()) this.#drawChart();
    }).observe(this.#chart);
    setInterval(() => {
      if (this.#visible) void this.refresh();
    }, 60_000);
  }

  /** the chart box's content width, CSS px (0 while hidden) */
  #innerWidth(): number {
    const cs = getComputedStyle(this.#chart);
    return Math.max(0, this.#chart.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight));
  }

  #drawChart(): void {
    this.#chartWidth = this.#innerWidth();
    this.#chart.replaceChildren(renderDayChart(this.#days, this.#chartWidth || undefined));
  }

  setVisible(v: boolean): void {
    this.#visible = v;
    if (v) void this.refresh();
  }

  /** Live frames: when the windows moved, the page's numbers follow (at most once a second). */
  onSnapshot(s: UsageSnapshot): void {
    const key = `${s.window_5h_tokens}/${s.window_7d_tokens}/${s.window_5h_pct}/${s.window_7d_pct}`;
    if (key === this.#lastKey) return;
    this.#lastKey = key;
    if (!this.#visible || this.#pending !== null) return;
    const wait = Math.max(0, this.#lastFetch + REFRESH_GAP_MS - performance.now());
    this.#pending = setTimeout(() => {
      this.#pending = null;
      void this.refresh();
    }, wait);
  }

  async refresh(): Promise<void> {
    const seq = ++this.#seq;
    this.#lastFetch = performance.now();
    let stats: StatsResponse | null;
    try {
      stats = asStats(await getJson(`/stats?window=${this.#window}`));
    } catch (e) {
      if (seq !== this.#seq) return;
      this.#error.hidden = false;
      this.#error.textContent = `Could not load /stats: ${(e as Error).message}`;
      return;
    }
    // a slow answer for a window the user already left must not overwrite the newer one
    if (seq !== this.#seq || stats === null) return;
    this.#error.hidden = true;
    this.#render(stats);
    this.#onStats(stats);
  }

  #markWindow(): void {
    for (const [w, b] of this.#buttons) b.setAttribute("aria-pressed", String(w === this.#window));
  }

  #render(s: StatsResponse): void {
    this.root.dataset["window"] = s.window;
    const label = WINDOWS.find(([w]) => w === s.window)?.[2] ?? "";
    this.#big.textContent = compactTokens(s.totals.total);
    this.#big.dataset["tokens"] = String(s.totals.total);
    this.#big.title = `${fullNumber(s.totals.total)} tokens`;
    this.#bigLabel.textContent = ` tokens ${label}`;
    this.#sub.textContent = `${usd(s.totals.costUsd)} API-equivalent · ${fullNumber(s.totals.messages)} messages`;
    this.#sub.dataset["cost"] = String(s.totals.costUsd);
    this.#sub.dataset["messages"] = String(s.totals.messages);

    this.#bands.replaceChildren(
      this.#band("window5h", "5 h window", s.thresholds.window5h, s.ceilings.window5hTokens, s.ceilings.basis),
      this.#band("window7d", "7 d window", s.thresholds.window7d, s.ceilings.window7dTokens, s.ceilings.basis),
    );
    this.#days = s.byDay;
    this.#drawChart();
    this.#models.replaceChildren(
      this.#table(
        "Model",
        "model",
        s.byModel.map((r) => [r.model, r]),
        s.totals.total,
      ),
    );
    this.#projects.replaceChildren(
      this.#table(
        "Project",
        "project",
        s.byProject.map((r) => [r.project, r]),
        s.totals.total,
      ),
    );
  }

  #band(id: string, title: string, t: { pct: number; level: ThresholdLevel }, ceiling: number, basis: string): HTMLElement {
    const card = h("div", `band level-${t.level}`);
    card.dataset["band"] = id;
    card.dataset["level"] = t.level;
    const head = h("div", "band-head");
    head.append(h("span", "band-title", title), h("span", "band-pct", percent(t.pct)));
    const track = h("div", "band-track");
    track.setAttribute("role", "meter");
    track.setAttribute("aria-label", `${title} used`);
    track.setAttribute("aria-valuemin", "0");
    track.setAttribute("aria-valuemax", "100");
    track.setAttribute("aria-valuenow", String(Math.round(t.pct * 100)));
    track.setAttribute("aria-valuetext", `${percent(t.pct)} of ${compactTokens(ceiling)} tokens, ${LEVEL_TEXT[t.level]}`);
    const fill = h("div", "band-fill");
    fill.style.width = `${Math.min(100, t.pct * 100)}%`;
    track.appendChild(fill);
    for (const mark of [50, 80, 95]) {
      const m = h("div", "band-mark");
      m.style.left = `${mark}%`;
      track.appendChild(m);
    }
    const foot = h("div", "band-foot", `${LEVEL_TEXT[t.level]} · ceiling ${compactTokens(ceiling)} tokens (${basis})`);
    card.append(head, track, foot);
    return card;
  }

  #table(title: string, kind: string, rows: [string, StatsTotals][], total: number): HTMLTableElement {
    const table = h("table", "totals");
    table.dataset["table"] = kind;
    const thead = table.createTHead().insertRow();
    for (const c of [title, "Tokens", "Input", "Output", "Cache write", "Cache read", "Cost", "Msgs"]) {
      const th = h("th", undefined, c);
      th.scope = "col";
      thead.appendChild(th);
    }
    const body = table.createTBody();
    if (rows.length === 0) {
      const cell = body.insertRow().insertCell();
      cell.colSpan = 8;
      cell.className = "empty";
      cell.textContent = "nothing in this window";
    }
    for (const [name, t] of rows) {
      const tr = body.insertRow();
      tr.dataset["name"] = name;
      tr.dataset["total"] = String(t.total);
      const th = h("th");
      th.scope = "row";
      const share = h("span", "share");
      share.style.width = `${total > 0 ? (t.total / total) * 100 : 0}%`;
      th.append(h("span", "row-name", name), share);
      tr.appendChild(th);
      for (const v of [t.total, t.input, t.output, t.cacheCreation, t.cacheRead]) {
        const td = tr.insertCell();
        td.textContent = fullNumber(v);
        td.dataset["value"] = String(v);
      }
      tr.insertCell().textContent = usd(t.costUsd);
      tr.insertCell().textContent = fullNumber(t.messages);
    }
    return table;
  }
}
