import { asSnapshot, type UsageSnapshot } from "./snapshot.js";

/**
 * connecting: no contact yet · live: WebSocket open · polling: socket down, GET /usage answers ·
 * reconnecting: socket down, polls unanswered · offline: nothing heard for `offlineAfterMs`.
 */
export type LinkState = "connecting" | "live" | "polling" | "reconnecting" | "offline";

export interface LiveLinkOptions {
  wsUrl: string;
  /** GET /usage, for the fallback and for liveness probes */
  poll: () => Promise<unknown>;
  onSnapshot: (s: UsageSnapshot) => void;
  onState: (state: LinkState) => void;
  /** silence before the page declares the server gone, ms (the hardware's 10 s) */
  offlineAfterMs?: number;
  /** poll period while the socket is down, ms */
  pollMs?: number;
  /** first reconnect delay, ms; doubles per failure up to maxBackoffMs */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * The page's line to the server: the WebSocket when it can, GET /usage once a second while it
 * cannot, reconnecting with jittered exponential backoff. The server only pushes on change, so a
 * quiet socket is probed over HTTP every few seconds: a hung server shows as offline too.
 */
export class LiveLink {
  readonly #o: Required<Omit<LiveLinkOptions, "onSnapshot" | "onState" | "poll" | "wsUrl">> & LiveLinkOptions;
  #ws: WebSocket | null = null;
  #open = false;
  #attempt = 0;
  /** performance.now() when the server was last known to be there; null before the first frame */
  #lastContact: number | null = null;
  /** the last liveness probe over an open socket went unanswered */
  #probeFailed = false;
  /** a snapshot was accepted since the socket opened: only then does an open socket mean contact */
  #confirmed = false;
  /** performance.now() of the last frame or poll answer (the probe clock) */
  #lastMessage = 0;
  /** performance.now() when the current socket opened */
  #openedAt = 0;
  #started = 0;
  #state: LinkState = "connecting";
  #reconnect: ReturnType<typeof setTimeout> | null = null;
  #pollTimer: ReturnType<typeof setInterval> | null = null;
  #watchdog: ReturnType<typeof setInterval> | null = null;
  #polling = false;
  #lastPollAt = Number.NEGATIVE_INFINITY;
  /** the last poll answered (only meaningful while the socket is down) */
  #pollOk = false;
  #stopped = false;

  constructor(opts: LiveLinkOptions) {
    this.#o = { offlineAfterMs: 10_000, pollMs: 1000, backoffMs: 500, maxBackoffMs: 10_000, ...opts };
  }

  get state(): LinkState {
    return this.#state;
  }

  start(): void {
    this.#started = performance.now();
    this.#connect();
    this.#watchdog = setInterval(() => this.#check(), 250);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#reconnect) clearTimeout(this.#reconnect);
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#ws?.close();
  }

  #connect(): void {
    this.#reconnect = null;
    if (this.#stopped) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.#o.wsUrl);
    } catch {
      this.#closed();
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      this.#open = true;
      this.#openedAt = performance.now();
      this.#confirmed = false;
      this.#attempt = 0;
      this.#stopPolling();
      this.#check();
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== "string") return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(e.data);
      } catch {
        return;
      }
      this.#receive(parsed);
    };
    ws.onclose = () => {
      if (this.#ws === ws) this.#closed();
    };
  }

  #closed(): void {
    // a socket that was open says nothing yet about polling; a failed reconnect while polling works does not change it
    if (this.#open) this.#pollOk = false;
    this.#ws = null;
    this.#open = false;
    this.#probeFailed = false;
    this.#startPolling();
    if (this.#stopped || this.#reconnect) return;
    const base = Math.min(this.#o.maxBackoffMs, this.#o.backoffMs * 2 ** this.#attempt);
    this.#attempt += 1;
    // jitter: many pages reconnecting to a restarted server should not arrive together
    this.#reconnect = setTimeout(() => this.#connect(), base * (0.75 + Math.random() * 0.5));
    this.#check();
  }

  /** Takes a snapshot the page understands; false for anything else (it is not contact). */
  #receive(x: unknown): boolean {
    const s = asSnapshot(x);
    if (s === null) return false;
    this.#lastContact = performance.now();
    this.#lastMessage = this.#lastContact;
    this.#confirmed = this.#open;
    this.#o.onSnapshot(s);
    this.#check();
    return true;
  }

  #startPolling(): void {
    if (this.#pollTimer !== null) return;
    this.#pollTimer = setInterval(() => void this.#pollOnce(), this.#o.pollMs);
    void this.#pollOnce();
  }

  #stopPolling(): void {
    if (this.#pollTimer !== null) clearInterval(this.#pollTimer);
    this.#pollTimer = null;
  }

  async #pollOnce(): Promise<void> {
    // one request in flight, and never more than two a second however often the watchdog asks
    if (this.#polling || this.#stopped || performance.now() - this.#lastPollAt < 500) return;
    this.#polling = true;
    this.#lastPollAt = performance.now();
    try {
      // An answer the page cannot use (another contract version, a proxy's error page) fails the
      // probe: the needles must not stay frozen on the last good values behind an open socket.
      if (!this.#receive(await this.#o.poll())) throw new Error("not a snapshot");
      this.#pollOk = true;
      this.#probeFailed = false;
    } catch {
      // unreachable: the watchdog turns long silence into "offline"
      this.#pollOk = false;
      this.#probeFailed = this.#open;
    } finally {
      this.#polling = false;
    }
    this.#check();
  }

  #check(): void {
    const now = performance.now();
    // An open socket means the server is there (it pushes only on change, so silence is normal),
    // unless a probe says otherwise. The offline delay counts from when that stopped being true.
    if (this.#open && this.#confirmed && !this.#probeFailed) {
      if (now - this.#lastMessage > this.#o.offlineAfterMs / 2) void this.#pollOnce();
      this.#lastContact = now;
    }
    // The server greets a new socket with its snapshot; if that greeting was unusable (another
    // contract version) and nothing has changed since, only a probe can find out it is usable again.
    if (this.#open && !this.#confirmed && now - this.#openedAt > this.#o.pollMs) void this.#pollOnce();
    const silentMs = now - (this.#lastContact ?? this.#started);
    if (this.#open && this.#probeFailed) {
      // a hung server can hold a socket open: keep asking over HTTP, drop the socket once offline
      void this.#pollOnce();
      if (silentMs > this.#o.offlineAfterMs) this.#ws?.close();
    }
    const state: LinkState =
      silentMs > this.#o.offlineAfterMs
        ? "offline"
        : this.#open
          ? "live"
          : this.#lastContact === null
            ? "connecting"
            : this.#pollOk
              ? "polling"
              : "reconnecting";
    if (state !== this.#state) {
      this.#state = state;
      this.#o.onState(state);
    }
  }
}
