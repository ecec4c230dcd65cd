// Scenario: RSS per idle thread. Baseline RSS after importing the system; then a
// pool of 8 threads runs 8 concurrent blocking 200 ms calls (so each call needs a
// thread of its own), goes idle, and RSS is read again: (after - before) / 8.
// Run with --expose-gc (the registry passes it).
import { now, sleep, teardown } from "../lib/harness.mjs";
import { round } from "../lib/stats.mjs";

const THREADS = 8;
const MiB = 2 ** 20;

async function settledRss() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await sleep(100);
  }
  return process.memoryUsage().rss;
}

export async function run({ load }) {
  const mod = await load();
  const before = await settledRss();
  const sys = await mod.setup({ threads: THREADS });
  const t = now();
  const results = await Promise.all(Array.from({ length: THREADS }, () => sys.call("sleepSync", 200)));
  const busyMs = now() - t;
  if (results.some((r) => r !== 200)) throw new Error(`wrong results ${results}`);
  await sleep(300);
  const after = await settledRss();
  await teardown(sys);
  return {
    metric: "RSS per idle thread",
    unit: "MiB/thread",
    value: round((after - before) / THREADS / MiB),
    extra: {
      beforeMiB: round(before / MiB),
      afterMiB: round(after / MiB),
      threads: THREADS,
      // 8 × 200 ms calls on 8 threads take ~200 ms; far more means they did not all run at once
      busyMs: round(busyMs),
      gc: typeof globalThis.gc === "function",
    },
  };
}
