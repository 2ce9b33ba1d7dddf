import { createHash } from "node:crypto";

/** The serialized snapshot as transports serve it: computed once per change, never per request. */
export interface SnapshotFrame {
  json: string;
  etag: string;
}

export type FrameListener = (frame: SnapshotFrame) => void;

/**
 * Holds the newest serialized snapshot and tells subscribers when it changes. Frames whose JSON
 * equals the previous one apart from `updated_at` are not re-announced, so an idle daemon pushes
 * nothing but heartbeats.
 */
export class SnapshotFeed {
  #frame: SnapshotFrame;
  #key: string;
  readonly #listeners = new Set<FrameListener>();

  constructor(initial: object) {
    this.#frame = frameOf(initial);
    this.#key = keyOf(initial);
  }

  get current(): SnapshotFrame {
    return this.#frame;
  }

  /** Publishes a snapshot; returns whether anything besides the timestamp changed. */
  publish(snapshot: object): boolean {
    const key = keyOf(snapshot);
    this.#frame = frameOf(snapshot);
    if (key === this.#key) return false;
    this.#key = key;
    for (const l of this.#listeners) l(this.#frame);
    return true;
  }

  subscribe(l: FrameListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }
}

function frameOf(snapshot: object): SnapshotFrame {
  const json = JSON.stringify(snapshot);
  return { json, etag: `"${createHash("sha1").update(json).digest("base64url").slice(0, 16)}"` };
}

function keyOf(snapshot: object): string {
  const { updated_at: _ignored, ...rest } = snapshot as { updated_at?: unknown };
  return JSON.stringify(rest);
}
