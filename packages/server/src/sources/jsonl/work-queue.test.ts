import { expect, it } from "vitest";
import { WorkQueue } from "./work-queue.js";

/** A job that runs until released, recording that it started. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const job = () => {
    log.push(name);
    return done;
  };
  return { job, release };
}

it("runs at most `limit` jobs at once, in the order they were queued", async () => {
  const q = new WorkQueue(2);
  const log: string[] = [];
  const jobs = ["a", "b", "c", "d"].map((k) => ({ k, ...gate(log, k) }));
  for (const j of jobs) q.add(j.k, j.job);
  expect(log).toEqual(["a", "b"]);
  jobs[1]!.release();
  await new Promise((r) => setImmediate(r));
  expect(log).toEqual(["a", "b", "c"]);
  for (const j of jobs) j.release();
  await new Promise((r) => setImmediate(r));
  expect(log).toEqual(["a", "b", "c", "d"]);
});

it("queues a waiting key once, and a running key again", async () => {
  const q = new WorkQueue(1);
  const log: string[] = [];
  const first = gate(log, "x1");
  q.add("x", first.job);
  q.add("y", gate(log, "y").job);
  q.add("y", gate(log, "y-again").job); // y is waiting: this one is dropped
  const second = gate(log, "x2");
  q.add("x", second.job); // x is running: it queues again
  expect(log).toEqual(["x1"]);
  first.release();
  await new Promise((r) => setImmediate(r));
  expect(log).toEqual(["x1", "y"]);
});
