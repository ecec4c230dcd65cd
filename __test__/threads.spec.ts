/**
 * Threads (SPEC §1, §6): calls really run at the same time (proved with a
 * barrier, never with timings), what happens past maxThreads, idle threads
 * retiring, processes exiting by themselves, the addon in many isolates
 * (user workers started and terminated repeatedly), and nested calls.
 *
 * Functions passed to parallel() are re-created inside a thread from their
 * source: they must not use anything from this module; values go in as
 * arguments, and `require("parallel-threads")` inside a call resolves from
 * process.cwd() (the repo root under ava).
 */
import test from "ava";
import { execFile } from "node:child_process";
import path from "node:path";
import { Worker } from "node:worker_threads";

import { ParallelCalls, ParallelExecutor, parallel } from "parallel-threads";

const ROOT = path.join(__dirname, "../..");
const FIXTURES = path.join(ROOT, "__test__/fixtures");

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with "done" when `promise` settles, or "hung" after `ms` (the timer is cleared). */
async function settlesWithin(ms: number, promise: Promise<unknown>): Promise<"done" | "hung"> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then(() => "done" as const),
      new Promise<"hung">((r) => {
        timer = setTimeout(() => r("hung"), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A barrier: counts itself in, then waits (at most 10 s) until `parties`
 * calls have arrived. Returns whether the barrier was reached, so a failure
 * can't hang the test.
 */
function meet(sab: SharedArrayBuffer, parties: number): boolean {
  const counter = new Int32Array(sab);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const seen = Atomics.load(counter, 0);
    if (seen >= parties) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(counter, 0, seen, left);
  }
}

/** Blocks the thread for `ms` (synchronously), then returns `i`. */
function block(ms: number, i: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return i;
}

/** Extends `chain` to `n` calls of `fn`, the i-th with the arguments `args(i)`. */
function extend<A extends unknown[]>(
  chain: ParallelCalls<unknown[]>,
  fn: (...a: A) => unknown,
  n: number,
  args: (i: number) => A,
): ParallelCalls<unknown[]> {
  for (let i = 1; i < n; i++) chain = chain.parallel(fn)(...args(i)) as unknown as ParallelCalls<unknown[]>;
  return chain;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsed: number;
}

/** Runs `node <script>` from the repo root; kills it after `killAfter` ms. */
function runNode(script: string, killAfter = 20_000, args: string[] = []): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [script, ...args],
      { cwd: ROOT, timeout: killAfter, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, signal: child.signalCode, stdout, stderr, elapsed: Date.now() - started });
      },
    );
  });
}

// ---------------------------------------------------------------- running at the same time

test("eight calls meet at a shared barrier: they ran at the same time", async (t) => {
  const sab = new SharedArrayBuffer(4);
  const chain = extend(
    parallel(meet)(sab, 8) as unknown as ParallelCalls<unknown[]>,
    meet,
    8,
    () => [sab, 8] as [SharedArrayBuffer, number],
  );
  const reached = await chain.results();
  t.deepEqual(reached, [true, true, true, true, true, true, true, true]);
  t.is(new Int32Array(sab)[0], 8, "the buffer was shared, not copied");
});

test("eight calls of a separate executor meet at a shared barrier too", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 8 });
  try {
    const sab = new SharedArrayBuffer(4);
    const futures = Array.from({ length: 8 }, () => executor.executeOne(meet, sab, 8));
    t.deepEqual(await Promise.all(futures), Array(8).fill(true));
  } finally {
    executor.close();
  }
});

// ---------------------------------------------------------------- past maxThreads

test("past maxThreads, queued calls wait for a thread and all complete", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  let maxThreads = 0;
  const sampler = setInterval(() => {
    maxThreads = Math.max(maxThreads, executor.stats().threads);
  }, 10);
  try {
    const chain = extend(
      executor.parallel(block)(100, 0) as unknown as ParallelCalls<unknown[]>,
      block,
      6,
      (i) => [100, i] as [number, number],
    );
    const stats = executor.stats();
    t.true(stats.threads <= 2, `threads ${stats.threads}`);
    t.true(stats.queued >= 1, `some calls are queued: ${JSON.stringify(stats)}`);
    const results = await chain.results();
    t.deepEqual(results, [0, 1, 2, 3, 4, 5]);
    t.true(maxThreads <= 2, `at most 2 threads were seen, saw ${maxThreads}`);
    const after = executor.stats();
    t.true(after.threads <= 2, JSON.stringify(after));
    t.is(after.queued, 0);
    t.true(after.fulfilled >= 6, JSON.stringify(after));
  } finally {
    clearInterval(sampler);
    executor.close();
  }
});

test('a call queued past maxThreads has a "pending" future until it gets a thread (§9 Future.state)', async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    const chain = executor.parallel(block)(300, 0).parallel(block)(0, 1);
    const [first, second] = chain.futures;
    const states = [first.state, second.state];
    t.true(
      states.includes("pending"),
      `one of two calls on a 1-thread executor waits for the thread: ${states.join(",")}`,
    );
    t.deepEqual(await chain.results(), [0, 1]);
  } finally {
    executor.close();
  }
});

test("idle threads retire after idleTimeout", async (t) => {
  // 1 s: "warm right after the calls" must hold even when a loaded CI
  // machine runs this test's continuation late.
  const executor = new ParallelExecutor({ idleTimeout: 1000 });
  try {
    await Promise.all([
      executor.executeOne(block, 20, 0),
      executor.executeOne(block, 20, 1),
      executor.executeOne(() => 2),
    ]);
    t.true(executor.stats().threads >= 1, "threads are kept warm right after the calls");
    await delay(1500);
    const deadline = Date.now() + 6000;
    while (executor.stats().threads !== 0 && Date.now() < deadline) await delay(50);
    const stats = executor.stats();
    t.is(stats.threads, 0, JSON.stringify(stats));
    // The executor starts new threads when needed again.
    t.is(await executor.executeOne((n: number) => n + 1, 1), 2);
  } finally {
    executor.close();
  }
});

// ---------------------------------------------------------------- processes exit by themselves

for (const fixture of ["exits.cjs", "exits.mjs"]) {
  test(`a child process that used the library exits by itself (${fixture})`, async (t) => {
    const run = await runNode(path.join(FIXTURES, fixture));
    t.is(run.signal, null, `killed after ${run.elapsed} ms: it did not exit by itself\n${run.stderr}`);
    t.is(run.code, 0, run.stderr);
    t.is(run.stdout.trim(), JSON.stringify([3, 42, "SYNC", "own executor"]));
    t.true(run.elapsed < 10_000, `exited after ${run.elapsed} ms`);
  });
}

// ---------------------------------------------------------------- many isolates

/** Starts a user's own Worker running the fixture; resolves with its first message. */
function startUserWorker(workerData: unknown): { worker: Worker; message: Promise<unknown> } {
  const worker = new Worker(path.join(FIXTURES, "user-worker.cjs"), { workerData });
  const message = new Promise<unknown>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the user worker exited with code ${code} before posting`)));
  });
  return { worker, message };
}

// In this process the main thread uses the library first (it is the isolate
// that owns the pool's Workers); the child-process tests below cover user
// workers that are the first to use it.
test.serial("the addon loaded and used by many user worker threads that are then terminated, repeatedly", async (t) => {
  t.deepEqual(await parallel(() => "main first")().results(), ["main first"]);
  for (let round = 0; round < 5; round++) {
    const workers = Array.from({ length: 4 }, (_, i) => startUserWorker({ n: round * 10 + i, mode: "finish" }));
    const messages = await Promise.all(workers.map((w) => w.message));
    messages.forEach((m, i) => {
      const n = round * 10 + i;
      t.deepEqual(m, { ok: true, results: [n * 2, `${n}!`] }, `round ${round} worker ${i}`);
    });
    const terminated = Promise.all(workers.map((w) => w.worker.terminate()));
    t.is(await settlesWithin(5_000, terminated), "done", `round ${round}: terminate() returned`);
  }
  t.deepEqual(
    await parallel((x: number) => x + 1)(1)
      .parallel(async () => "main")()
      .results(),
    [2, "main"],
  );
  t.deepEqual(parallel(() => "sync")().resultsSync(), ["sync"]);
});

test.serial("user worker threads terminated while their calls are still running, repeatedly", async (t) => {
  t.deepEqual(await parallel(() => "main first")().results(), ["main first"]);
  for (let round = 0; round < 5; round++) {
    const workers = Array.from({ length: 4 }, () => startUserWorker({ n: 0, mode: "busy" }));
    const messages = await Promise.all(workers.map((w) => w.message));
    t.deepEqual(messages, ["started", "started", "started", "started"]);
    const terminated = Promise.all(workers.map((w) => w.worker.terminate()));
    t.is(await settlesWithin(5_000, terminated), "done", `round ${round}: terminate() returned`);
  }
  t.deepEqual(await parallel((x: number) => x * 3)(3).results(), [9]);
  t.deepEqual(parallel(() => "sync")().resultsSync(), ["sync"]);
});

for (const mode of ["terminate", "natural"]) {
  test(`user workers that use the library before the main thread does, then ${mode === "terminate" ? "are terminated" : "end by themselves"} (child process)`, async (t) => {
    const run = await runNode(path.join(FIXTURES, "user-workers-first.cjs"), 30_000, [mode]);
    t.is(run.signal, null, `steps done: ${run.stdout.trim()}; ${run.stderr.trim()} (after ${run.elapsed} ms)`);
    t.is(run.code, 0, run.stderr);
    t.is(run.stdout.trim(), JSON.stringify(["round 0", "round 1", "round 2", "main 2"]));
  });
}

// ---------------------------------------------------------------- nested calls

test("a thread call can make nested calls and await their results", async (t) => {
  const [outer] = await parallel(async (n: number) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parallel: inner } = require("parallel-threads");
    const [a, b] = await inner((x: number) => x + 1)(n)
      .parallel(async (x: number) => x * 2)(n)
      .results();
    return [a, b];
  })(20).results();
  t.deepEqual(outer, [21, 40]);
});

test("a synchronous thread call can make nested calls with resultsSync", async (t) => {
  const [outer, other] = await parallel((n: number) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parallel: inner } = require("parallel-threads");
    return inner((x: number) => `${x}`)(n)
      .parallel(async () => "async inner")()
      .resultsSync();
  })(7)
    .parallel(() => "sibling")()
    .results();
  t.deepEqual(outer, ["7", "async inner"]);
  t.is(other, "sibling");
});

test("nested calls past maxThreads are never starved into deadlock (child process, default executor of 2 threads)", async (t) => {
  const run = await runNode(path.join(FIXTURES, "nested-starve.cjs"), 20_000);
  t.is(run.signal, null, `killed after ${run.elapsed} ms: deadlocked\n${run.stderr}`);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout.trim(), JSON.stringify([2, 3, 30, 40, 50]));
});

// An idle pool thread waits in the core, not in its event loop, where V8
// would shrink the heap it grew while busy: lib/runtime/thread.ts asks for that after
// 200 ms of idleness (src/memory.rs).
const trims = process.platform === "win32" ? test.skip : test;
trims("an idle thread gives back the young generation it grew while busy", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    const youngGeneration = (garbage: number): number => {
      let keep: unknown[] = [];
      for (let i = 0; i < garbage; i++) {
        keep.push({ i, pair: [i, i] });
        if (keep.length > 20_000) keep = [];
      }
      const v8 = require("node:v8") as typeof import("node:v8");
      return v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.physical_space_size;
    };
    const busy = await executor.executeOne(youngGeneration, 200_000);
    await delay(600);
    const idle = await executor.executeOne(youngGeneration, 0);
    t.log(`young generation: ${(busy / 2 ** 20).toFixed(1)} MiB busy, ${(idle / 2 ** 20).toFixed(1)} MiB after idling`);
    t.true(idle < busy / 2, `${idle} bytes after idling, ${busy} while busy`);
  } finally {
    executor.close();
  }
});
