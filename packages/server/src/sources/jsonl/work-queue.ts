/**
 * Runs async jobs by key, a few at a time. A burst of watch events arrives in one turn of the event
 * loop (libuv hands over every pending inotify event at once): starting thousands of fs calls there
 * stalled HTTP for seconds. Queued here, an event costs a map insert, a key already waiting is not
 * queued twice (a file's create and write events become one job), and each turn of the loop only
 * finishes a few jobs before the next request is read.
 */
export class WorkQueue {
  readonly #limit: number;
  readonly #waiting = new Map<string, () => Promise<void>>();
  #running = 0;

  /** @param limit jobs in flight at once */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Queues `job` under `key` unless that key is already waiting (a running one may queue again). */
  add(key: string, job: () => Promise<void>): void {
    if (this.#waiting.has(key)) return;
    this.#waiting.set(key, job);
    this.#next();
  }

  #next(): void {
    while (this.#running < this.#limit && this.#waiting.size > 0) {
      const [key, job] = this.#waiting.entries().next().value as [string, () => Promise<void>];
      this.#waiting.delete(key);
      this.#running++;
      // jobs report fs failures as problems themselves; anything else is a bug and should surface
      void job().finally(() => {
        this.#running--;
        this.#next();
      });
    }
  }
}
