/**
 * One call, one thread (SPEC §6 "One call, one thread", §9 Future.state).
 *
 * A thread runs one call at a time, from the call's start until it settles,
 * whether the function is synchronous or `async`: a call's code after an
 * `await` never waits behind another call's code on the same thread. These
 * tests prove it, and its consequences, with thread ids returned by the
 * calls, settle order, shared-memory barriers and `Future.state` — never with
 * timings (the only durations are generous guards, so that a failure can't
 * hang, and the lengths of the work the calls do):
 *
 * - async calls that first `await` still all run at once and meet at a
 *   barrier, cold and warm, for N ≤ maxThreads;
 * - a nested `resultsSync()` / `results()` after an `await` never lands on
 *   the thread that waits for it (so it never deadlocks), also with a
 *   1-thread default executor (a child process running
 *   fixtures/nested-after-await.cjs: `configureDefault` is process-wide);
 * - cancelling or timing out a call terminates only its own thread;
 * - a thread whose call settled but left a timer behind is not idle: the
 *   next call gets another thread while one can be had;
 * - past maxThreads, calls start one at a time, in FIFO order, and a call
 *   that waits for a thread has a "pending" future.
 *
 * Functions passed to parallel() are re-created inside a thread from their
 * source: they use nothing from this module (so each inlines its own barrier
 * or gate); values, SharedArrayBuffers included, go in as arguments. The
 * tests are serial: several start 16 threads, and this machine may have 2
 * cores.
 */
import test, { type ExecutionContext } from "ava";
import { execFile } from "node:child_process";
import path from "node:path";

import {
  CancelledError,
  ParallelCalls,
  ParallelExecutor,
  ThreadCrashError,
  TimeoutError,
  defaultMaxThreads,
  parallel,
  type ExecutorOptions,
} from "parallel-threads";

// ---------------------------------------------------------------- helpers (main thread)

const ROOT = path.join(__dirname, "../..");
const FIXTURES = path.join(ROOT, "__test__/fixtures");

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const HUNG: unique symbol = Symbol("hung");

/** Resolves with what `promise` resolves to, or `HUNG` after `ms` (the timer is cleared). */
async function settlesWithin<T>(ms: number, promise: PromiseLike<T>): Promise<T | typeof HUNG> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(promise),
      new Promise<typeof HUNG>((r) => {
        timer = setTimeout(() => r(HUNG), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `predicate` every 5 ms; resolves with whether it held within `ms`. */
async function until(ms: number, predicate: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await delay(5);
  }
  return true;
}

/** Runs `node <script>` from the repo root; kills it after `killAfter` ms. */
function runNode(
  script: string,
  killAfter: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; elapsed: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [script],
      { cwd: ROOT, timeout: killAfter, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, signal: child.signalCode, stdout, stderr, elapsed: Date.now() - started });
      },
    );
  });
}

/** Makes an executor that is closed when the test ends. */
function executorFor(t: ExecutionContext, options?: ExecutorOptions): ParallelExecutor {
  const executor = new ParallelExecutor(options);
  t.teardown(() => executor.close());
  return executor;
}

/** A chain of one call of `fn` per entry of `argsList`, on `on` (or the default executor). */
function chainOf<A extends unknown[], R>(
  on: ParallelExecutor | undefined,
  fn: (...args: A) => R,
  argsList: A[],
): ParallelCalls<Awaited<R>[]> {
  type Start = (...args: A) => ParallelCalls<unknown[]>;
  let chain = ((on ? on.parallel(fn) : parallel(fn)) as unknown as Start)(...argsList[0]!);
  for (const args of argsList.slice(1)) chain = (chain.parallel(fn) as unknown as Start)(...args);
  return chain as unknown as ParallelCalls<Awaited<R>[]>;
}

/** A settled record as one short line, for assertion messages. */
function describe(record: { status: "fulfilled"; value: unknown } | { status: "rejected"; reason: unknown }): string {
  if (record.status === "fulfilled") return `fulfilled ${JSON.stringify(record.value)}`;
  const reason = record.reason as Error | undefined;
  return `rejected ${reason?.name ?? typeof reason}: ${reason?.message ?? String(reason)}`;
}

// ---------------------------------------------------------------- functions run on threads

interface Met {
  met: boolean;
  threadId: number;
  work: number;
}

/**
 * An async call that first awaits (an `import()` or a short timer), then does
 * some CPU work, then meets the others at a barrier: it counts itself in
 * `sab[0]` and waits until `parties` calls arrived, or until `deadline`
 * (epoch ms, the same for every party so that a failure ends in bounded time).
 */
async function awaitThenMeet(
  sab: SharedArrayBuffer,
  parties: number,
  deadline: number,
  first: "import" | "timer",
): Promise<Met> {
  let threadId: number;
  if (first === "import") {
    ({ threadId } = await import("node:worker_threads"));
  } else {
    await new Promise((r) => setTimeout(r, 20));
    threadId = require("node:worker_threads").threadId;
  }
  let work = 0;
  for (let i = 0; i < 2_000_000; i++) work = (work * 31 + i) | 0;
  const counter = new Int32Array(sab);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
  for (;;) {
    const seen = Atomics.load(counter, 0);
    if (seen >= parties) return { met: true, threadId, work };
    const left = deadline - Date.now();
    if (left <= 0) return { met: false, threadId, work };
    Atomics.wait(counter, 0, seen, left);
  }
}

/**
 * Runs one round of `parties` calls of `awaitThenMeet` on `on`; returns what
 * went wrong (nothing when every call met the others on a thread of its own).
 */
async function barrierRound(
  on: ParallelExecutor | undefined,
  parties: number,
  first: "import" | "timer",
  label: string,
): Promise<string[]> {
  const sab = new SharedArrayBuffer(4);
  const deadline = Date.now() + 10_000;
  const argsList = Array.from(
    { length: parties },
    () => [sab, parties, deadline, first] as [SharedArrayBuffer, number, number, "import" | "timer"],
  );
  const chain = chainOf(on, awaitThenMeet, argsList);
  const settled = await settlesWithin(20_000, chain.settled());
  if (settled === HUNG) {
    chain.cancel();
    return [`${label}: the ${parties} calls did not settle within 20 s`];
  }
  const problems: string[] = [];
  const met = settled.filter((r) => r.status === "fulfilled" && r.value.met).length;
  const failed = settled.filter((r) => r.status === "rejected").map(describe);
  if (met < parties) {
    problems.push(
      `${label}: ${met} of ${parties} calls met the barrier, the others gave up after 10 s` +
        (failed.length > 0 ? ` or failed (${failed.join("; ")})` : ""),
    );
  }
  const ids = settled.map((r) => (r.status === "fulfilled" ? r.value.threadId : -1));
  if (new Set(ids).size < parties) {
    problems.push(`${label}: ${parties} calls ran on ${new Set(ids).size} threads (thread ids ${ids.join(",")})`);
  }
  return problems;
}

/** A cold round on a fresh executor, then a warm round on the same. */
async function coldAndWarm(on: ParallelExecutor, parties: number, first: "import" | "timer"): Promise<string[]> {
  const cold = await barrierRound(on, parties, first, "cold");
  const warm = await barrierRound(on, parties, first, "warm");
  return [...cold, ...warm];
}

// ---------------------------------------------------------------- async calls that await still run at once

test.serial(
  "two async calls that await import() run on two threads and meet at a barrier, cold and warm",
  async (t) => {
    const executor = executorFor(t, { maxThreads: 16 });
    t.deepEqual(await coldAndWarm(executor, 2, "import"), []);
  },
);

test.serial(
  "8 async calls that await import() all meet at a barrier, cold and warm (default maxThreads)",
  async (t) => {
    t.true(defaultMaxThreads() >= 8, `default maxThreads ${defaultMaxThreads()}`);
    const executor = executorFor(t);
    t.deepEqual(await coldAndWarm(executor, 8, "import"), []);
  },
);

test.serial("16 async calls that await import() all meet at a barrier, cold and warm (maxThreads 16)", async (t) => {
  const executor = executorFor(t, { maxThreads: 16 });
  t.deepEqual(await coldAndWarm(executor, 16, "import"), []);
});

test.serial(
  "4 async calls that await a timer all meet at a barrier, then the executor is at rest (maxThreads 4)",
  async (t) => {
    const executor = executorFor(t, { maxThreads: 4 });
    t.deepEqual(await barrierRound(executor, 4, "timer", "cold"), []);
    const atRest = await until(5_000, () => {
      const { busy, queued } = executor.stats();
      return busy === 0 && queued === 0;
    });
    const { busy, queued } = executor.stats();
    t.true(atRest, `5 s after the calls settled: busy ${busy}, queued ${queued}`);
  },
);

// ---------------------------------------------------------------- nested calls after an await

/** An async thread call that awaits, then waits for a nested call with resultsSync(). */
async function nestedResultsSyncAfterAwait(): Promise<number[]> {
  await null;
  const { parallel: inner } = require("parallel-threads");
  return inner(async () => 1)().resultsSync();
}

// Nested calls made inside a thread go to the default executor, whichever executor the outer call is on.
for (const where of ["default executor", "outer call on a 1-thread executor"] as const) {
  test.serial(`a nested resultsSync() after an await in a thread call settles (${where})`, async (t) => {
    const on = where === "default executor" ? undefined : executorFor(t, { maxThreads: 1 });
    const chain = chainOf(on, nestedResultsSyncAfterAwait, [[]]);
    const results = await settlesWithin(15_000, chain.results());
    if (results === HUNG) {
      chain.cancel();
      t.fail("the outer call did not settle within 15 s: the nested resultsSync() deadlocked");
      return;
    }
    t.deepEqual(results, [[1]]);
  });
}

/** An async thread call that awaits, then awaits a nested async call's results(); returns both thread ids. */
async function nestedResultsAfterAwait(): Promise<{ outer: number; inner: number }> {
  await null;
  const { threadId } = require("node:worker_threads");
  const { parallel: inner } = require("parallel-threads");
  const [innerId] = await inner(async () => require("node:worker_threads").threadId)().results();
  return { outer: threadId, inner: innerId };
}

test.serial("a nested await results() after an await settles, and the nested call ran on another thread", async (t) => {
  const chain = parallel(nestedResultsAfterAwait)();
  const results = await settlesWithin(15_000, chain.results());
  if (results === HUNG) {
    chain.cancel();
    t.fail("the outer call did not settle within 15 s");
    return;
  }
  const [{ outer, inner }] = results;
  t.not(inner, outer, `the nested call ran on the thread of the call that waits for it (thread ${outer})`);
});

test.serial(
  "nested resultsSync() and results() after an await settle on other threads with a 1-thread default executor (child process)",
  async (t) => {
    const run = await runNode(path.join(FIXTURES, "nested-after-await.cjs"), 20_000);
    t.is(run.signal, null, `killed after ${run.elapsed} ms: deadlocked\n${run.stderr}`);
    t.is(run.code, 0, run.stderr);
    t.is(run.stdout.trim(), JSON.stringify({ sameThread: { resultsSync: false, results: false } }));
  },
);

// ---------------------------------------------------------------- cancel and timeout touch one call only

// In these two tests the executor has one warm thread: A takes it at once,
// and B comes while A awaits (B's own new thread would still be starting).

/** Awaits a timer of `ms`, then returns its thread id. */
async function sleepThenThreadId(ms: number): Promise<number> {
  await new Promise((r) => setTimeout(r, ms));
  return require("node:worker_threads").threadId;
}

/** An async call that stores its thread id in `sab[0]`, then keeps its thread busy for `ms`. */
async function busyAfterSignalling(sab: SharedArrayBuffer, ms: number): Promise<string> {
  const view = new Int32Array(sab);
  Atomics.store(view, 0, require("node:worker_threads").threadId);
  Atomics.notify(view, 0);
  const end = Date.now() + ms;
  while (Date.now() < end);
  return "finished";
}

test.serial("cancelling one call never touches another call", async (t) => {
  const executor = executorFor(t, { maxThreads: 16 });
  await executor.executeOne(() => "warm");
  const sab = new SharedArrayBuffer(4);
  const chain = executor.parallel(sleepThenThreadId)(1_500).parallel(busyAfterSignalling)(sab, 2_000);
  const [a, b] = chain.futures;
  const bStarted = await until(10_000, () => Atomics.load(new Int32Array(sab), 0) !== 0);
  t.true(bStarted, "B started within 10 s");
  t.true(b.cancel(new Error("cancelled by the test")), "B was still running when it was cancelled");
  const settled = await settlesWithin(15_000, chain.settled());
  if (settled === HUNG) {
    chain.cancel();
    t.fail("the calls did not settle within 15 s");
    return;
  }
  const [aRecord, bRecord] = settled;
  t.false(
    aRecord.status === "rejected" && aRecord.reason instanceof ThreadCrashError,
    `A died with B's thread: ${describe(aRecord)}`,
  );
  t.is(aRecord.status, "fulfilled", `A (awaits 1.5 s): ${describe(aRecord)}`);
  t.true(bRecord.status === "rejected" && bRecord.reason instanceof CancelledError, `B: ${describe(bRecord)}`);
  t.is(a.state, "fulfilled");
  t.is(b.state, "cancelled");
  const bThread = Atomics.load(new Int32Array(sab), 0);
  if (aRecord.status === "fulfilled") t.not(aRecord.value, bThread, `A and B ran on the same thread ${bThread}`);
});

/**
 * Awaits until `sab[0]` is set (B started; at most 5 s), then does `ms` of
 * legitimate CPU work; returns its thread id.
 */
async function awaitThenWork(sab: SharedArrayBuffer, ms: number): Promise<number> {
  const view = new Int32Array(sab);
  const deadline = Date.now() + 5_000;
  while (Atomics.load(view, 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) for (let i = 0; i < 10_000; i++) x = (x * 31 + i) | 0;
  return require("node:worker_threads").threadId;
}

/** Sets `sab[0]`, then never settles. */
async function signalThenAwaitForever(sab: SharedArrayBuffer): Promise<never> {
  Atomics.store(new Int32Array(sab), 0, 1);
  await new Promise(() => {});
  throw new Error("unreachable");
}

test.serial("a call timing out never touches another call", async (t) => {
  const executor = executorFor(t, { maxThreads: 16 });
  await executor.executeOne(() => "warm");
  const sab = new SharedArrayBuffer(4);
  const chain = executor.parallel(awaitThenWork)(sab, 3_500).parallel(signalThenAwaitForever, { timeout: 300 })(sab);
  const settled = await settlesWithin(20_000, chain.settled());
  if (settled === HUNG) {
    chain.cancel();
    t.fail("the calls did not settle within 20 s");
    return;
  }
  const [aRecord, bRecord] = settled;
  t.false(
    aRecord.status === "rejected" && aRecord.reason instanceof ThreadCrashError,
    `A died with B's thread: ${describe(aRecord)}`,
  );
  t.is(aRecord.status, "fulfilled", `A (3.5 s of work after an await): ${describe(aRecord)}`);
  t.true(
    bRecord.status === "rejected" && bRecord.reason instanceof TimeoutError,
    `B (timeout 300): ${describe(bRecord)}`,
  );
});

// ---------------------------------------------------------------- leftovers keep a thread busy

/**
 * Returns 1 (and its thread id), leaving a timer behind that fires after
 * `after` ms, busies its thread for `ms`, then sets `sab[0]`.
 */
function returnLeavingBusyTimer(
  sab: SharedArrayBuffer,
  after: number,
  ms: number,
): { value: number; threadId: number } {
  setTimeout(() => {
    const end = Date.now() + ms;
    while (Date.now() < end);
    Atomics.store(new Int32Array(sab), 0, 1);
  }, after);
  return { value: 1, threadId: require("node:worker_threads").threadId };
}

/** Its thread id, and whether the leftover timer had finished when it ran. */
function probe(sab: SharedArrayBuffer): { threadId: number; leftoverDone: number } {
  return { threadId: require("node:worker_threads").threadId, leftoverDone: Atomics.load(new Int32Array(sab), 0) };
}

/** A call that leaves a busy timer (firing after `after` ms), then the next call; what each returned. */
async function leftoverThenProbe(
  executor: ParallelExecutor,
  after: number,
): Promise<
  string | { first: { value: number; threadId: number }; second: { threadId: number; leftoverDone: number } }
> {
  const sab = new SharedArrayBuffer(4);
  const first = await settlesWithin(10_000, executor.executeOne(returnLeavingBusyTimer, sab, after, 1_500));
  if (first === HUNG) return "the first call did not settle within 10 s";
  const future = executor.executeOne(probe, sab);
  const second = await settlesWithin(10_000, future);
  if (second === HUNG) {
    future.cancel();
    return "the second call did not settle within 10 s";
  }
  return { first, second };
}

test.serial(
  "a call's leftover busy timer keeps its thread busy: the next call runs on another thread (maxThreads 2)",
  async (t) => {
    const executor = executorFor(t, { maxThreads: 2 });
    const outcome = await leftoverThenProbe(executor, 0);
    if (typeof outcome === "string") return t.fail(outcome);
    const { first, second } = outcome;
    t.is(first.value, 1);
    t.not(second.threadId, first.threadId, "the second call waited behind the first call's leftover timer");
    t.is(second.leftoverDone, 0, "the second call ran only after the leftover timer finished");
  },
);

// At maxThreads no other thread can be had: rather than wait for leftovers
// that may never end (an interval, a keep-alive socket), a thread whose call
// settled takes the next waiting call alongside them (README "Threads").
test.serial(
  "with maxThreads 1, the thread still busy with a settled call's leftover timer takes the next call, and nothing hangs",
  async (t) => {
    const executor = executorFor(t, { maxThreads: 1 });
    for (const after of [0, 50]) {
      const outcome = await leftoverThenProbe(executor, after);
      if (typeof outcome === "string") return t.fail(`timer after ${after} ms: ${outcome}`);
      const { first, second } = outcome;
      t.is(first.value, 1);
      t.is(second.threadId, first.threadId, "the only thread ran both calls");
    }
  },
);

// ---------------------------------------------------------------- past maxThreads: FIFO, one at a time

interface Step {
  ticket: number;
  finishedBefore: number;
  threadId: number;
}

/** Takes a start ticket (`sab[0]`), notes how many calls finished (`sab[1]`), awaits `ms`, finishes. */
async function asyncStep(sab: SharedArrayBuffer, ms: number): Promise<Step> {
  const view = new Int32Array(sab);
  const ticket = Atomics.add(view, 0, 1);
  const finishedBefore = Atomics.load(view, 1);
  await new Promise((r) => setTimeout(r, ms));
  Atomics.add(view, 1, 1);
  return { ticket, finishedBefore, threadId: require("node:worker_threads").threadId };
}

/** The same as `asyncStep`, busy for `ms` instead of awaiting. */
function syncStep(sab: SharedArrayBuffer, ms: number): Step {
  const view = new Int32Array(sab);
  const ticket = Atomics.add(view, 0, 1);
  const finishedBefore = Atomics.load(view, 1);
  const end = Date.now() + ms;
  while (Date.now() < end);
  Atomics.add(view, 1, 1);
  return { ticket, finishedBefore, threadId: require("node:worker_threads").threadId };
}

test.serial("past maxThreads, async and sync calls run one at a time in FIFO order (maxThreads 1)", async (t) => {
  const executor = executorFor(t, { maxThreads: 1 });
  const sab = new SharedArrayBuffer(8);
  const chain = executor
    .parallel(asyncStep)(sab, 30)
    .parallel(syncStep)(sab, 5)
    .parallel(asyncStep)(sab, 30)
    .parallel(syncStep)(sab, 5)
    .parallel(asyncStep)(sab, 30);
  const completed: { index: number; step: Step | string }[] = [];
  const collected = await settlesWithin(
    15_000,
    (async () => {
      for await (const record of chain.asCompleted()) {
        completed.push({ index: record.index, step: record.status === "fulfilled" ? record.value : describe(record) });
      }
    })(),
  );
  if (collected === HUNG) {
    chain.cancel();
    t.fail(`the calls did not settle within 15 s; completed: ${JSON.stringify(completed)}`);
    return;
  }
  t.deepEqual(
    completed.map((c) => c.index),
    [0, 1, 2, 3, 4],
    "completion order",
  );
  const byIndex = [...completed].sort((x, y) => x.index - y.index).map((c) => c.step);
  t.deepEqual(
    byIndex.map((s) => (typeof s === "string" ? s : s.ticket)),
    [0, 1, 2, 3, 4],
    "start tickets, in chain order",
  );
  t.deepEqual(
    byIndex.map((s) => (typeof s === "string" ? s : s.finishedBefore)),
    [0, 1, 2, 3, 4],
    "calls finished before each call started: each started only after the one before it settled",
  );
  const ids = new Set(byIndex.map((s) => (typeof s === "string" ? s : s.threadId)));
  t.is(ids.size, 1, `all on the executor's one thread: ${[...ids].join(",")}`);
});

// ---------------------------------------------------------------- Future.state while waiting for a thread

/** Sets `sab[0]` (started), then awaits until `sab[1]` is set (counting its polls in `sab[2]`); returns its thread id. */
async function gated(sab: SharedArrayBuffer): Promise<{ opened: boolean; threadId: number }> {
  const view = new Int32Array(sab);
  Atomics.store(view, 0, 1);
  const deadline = Date.now() + 15_000;
  while (Atomics.load(view, 1) === 0 && Date.now() < deadline) {
    Atomics.add(view, 2, 1);
    await new Promise((r) => setTimeout(r, 5));
  }
  return { opened: Atomics.load(view, 1) === 1, threadId: require("node:worker_threads").threadId };
}

async function threadIdOf(): Promise<number> {
  return require("node:worker_threads").threadId;
}

test.serial(
  'Future.state is "pending" for a call that waits for the thread an awaiting call holds (maxThreads 1)',
  async (t) => {
    const executor = executorFor(t, { maxThreads: 1 });
    const sab = new SharedArrayBuffer(12);
    const view = new Int32Array(sab);
    const chain = executor.parallel(gated)(sab).parallel(threadIdOf)();
    const [first, second] = chain.futures;
    // The first call started and has awaited 20 times: the thread had every chance to take the second.
    const awaited = await until(10_000, () => Atomics.load(view, 0) === 1 && Atomics.load(view, 2) >= 20);
    t.true(awaited, "the first call started and awaited within 10 s");
    t.is(first.state, "running");
    t.is(second.state, "pending", "the second call started while the first one was still running on the only thread");
    Atomics.store(view, 1, 1);
    const results = await settlesWithin(20_000, chain.results());
    if (results === HUNG) {
      chain.cancel();
      t.fail("the calls did not settle within 20 s");
      return;
    }
    const [gate, secondThread] = results;
    t.true(gate.opened, "the first call saw the gate open");
    t.is(secondThread, gate.threadId, "one thread");
    t.is(first.state, "fulfilled");
    t.is(second.state, "fulfilled");
  },
);
