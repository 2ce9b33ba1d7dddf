import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { SnapshotFeed, SnapshotFrame } from "./snapshot-feed.js";

export interface WsPushOptions {
  /** at most this many pushes per second per client (changes in between are coalesced) */
  maxPerSecond?: number;
  /** ping interval (ms); a client that misses one pong is dropped */
  heartbeatMs?: number;
  /** a client whose socket buffers more than this (bytes) is too slow and is dropped */
  maxBufferedBytes?: number;
  maxClients?: number;
}

interface Client {
  ws: WebSocket;
  alive: boolean;
  lastSent: number;
  pending: SnapshotFrame | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * WebSocket push of the snapshot on `/ws`: the current frame on connect, then every change,
 * coalesced to maxPerSecond, plus pings. Frames are the same JSON as GET /usage.
 */
export class WsPush {
  readonly #wss: WebSocketServer;
  readonly #clients = new Set<Client>();
  readonly #feed: SnapshotFeed;
  readonly #minGap: number;
  readonly #maxBuffered: number;
  readonly #maxClients: number;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #unsubscribe: () => void;
  /** clients dropped for being slow or silent (for /metrics) */
  dropped = 0;

  constructor(feed: SnapshotFeed, opts: WsPushOptions = {}) {
    this.#feed = feed;
    this.#minGap = 1000 / (opts.maxPerSecond ?? 10);
    this.#maxBuffered = opts.maxBufferedBytes ?? 64 << 10;
    this.#maxClients = opts.maxClients ?? 32;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
    this.#unsubscribe = feed.subscribe((f) => {
      for (const c of this.#clients) this.#offer(c, f);
    });
    this.#heartbeat = setInterval(() => this.#ping(), opts.heartbeatMs ?? 15_000);
    this.#heartbeat.unref?.();
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /** Takes over an HTTP upgrade already checked for path and auth. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#clients.size >= this.#maxClients) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const c: Client = { ws, alive: true, lastSent: 0, pending: null, timer: null };
      this.#clients.add(c);
      ws.on("pong", () => {
        c.alive = true;
      });
      ws.on("close", () => this.#remove(c));
      ws.on("error", () => this.#remove(c));
      // Clients have nothing to say; anything they send is ignored (and bounded by maxPayload).
      this.#send(c, this.#feed.current);
    });
  }

  close(): void {
    this.#unsubscribe();
    clearInterval(this.#heartbeat);
    for (const c of this.#clients) {
      c.ws.close(1001, "server shutting down");
      this.#remove(c);
    }
    this.#wss.close();
  }

  #offer(c: Client, f: SnapshotFrame): void {
    const wait = c.lastSent + this.#minGap - performance.now();
    if (wait <= 0 && c.timer === null) {
      this.#send(c, f);
      return;
    }
    c.pending = f;
    if (c.timer === null) {
      c.timer = setTimeout(
        () => {
          c.timer = null;
          const p = c.pending;
          c.pending = null;
          if (p) this.#send(c, p);
        },
        Math.max(0, wait),
      );
    }
  }

  #send(c: Client, f: SnapshotFrame): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (c.ws.bufferedAmount > this.#maxBuffered) {
      this.dropped++;
      c.ws.terminate();
      this.#remove(c);
      return;
    }
    c.lastSent = performance.now();
    c.ws.send(f.json);
  }

  #ping(): void {
    for (const c of this.#clients) {
      if (!c.alive) {
        this.dropped++;
        c.ws.terminate();
        this.#remove(c);
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  #remove(c: Client): void {
    if (c.timer) clearTimeout(c.timer);
    this.#clients.delete(c);
  }
}
