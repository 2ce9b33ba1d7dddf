/*
 * The annunciator: OPUS SONNET HAIKU HOT WARN STALL IDLE, dark until lit. The rules are the
 * server's (core's computeLamps, docs/lamps.md); the page only shows them. How a lit lamp
 * behaves (HOT flashing, IDLE breathing) is style.css's business.
 */

export const LAMPS = ["opus", "sonnet", "haiku", "hot", "warn", "stall", "idle"] as const;
export type LampName = (typeof LAMPS)[number];

/** What each lamp says when lit, for screen readers. */
const MEANING: Record<LampName, string> = {
  opus: "newest model is Opus",
  sonnet: "newest model is Sonnet",
  haiku: "newest model is Haiku",
  hot: "token rate above the redline",
  warn: "a usage window is past its warn mark or the cache collapsed",
  stall: "a turn is waiting with no tokens, or the source is failing",
  idle: "nothing in flight",
};

export class LampRow {
  readonly root: HTMLUListElement;
  readonly #lamps = new Map<LampName, HTMLLIElement>();

  constructor() {
    this.root = document.createElement("ul");
    this.root.className = "lamps";
    this.root.setAttribute("aria-label", "Warning lamps");
    for (const name of LAMPS) {
      const li = document.createElement("li");
      li.className = `lamp lamp-${name}`;
      li.dataset["lamp"] = name;
      li.textContent = name.toUpperCase();
      this.root.appendChild(li);
      this.#lamps.set(name, li);
      this.#show(li, name, false);
    }
  }

  set(lit: Partial<Record<LampName, boolean>>): void {
    for (const name of LAMPS) {
      const li = this.#lamps.get(name);
      if (li) this.#show(li, name, lit[name] === true);
    }
  }

  #show(li: HTMLLIElement, name: LampName, on: boolean): void {
    const value = on ? "true" : "false";
    if (li.dataset["lit"] === value) return;
    li.dataset["lit"] = value;
    li.setAttribute("aria-label", `${name.toUpperCase()}: ${on ? `lit, ${MEANING[name]}` : "off"}`);
  }
}
