/**
 * Dynamic calls, executors and observability (SPEC §5, §6, §9; issue 7):
 * `executeOne`, `execute`, the `Future` API, `wait` with each `returnWhen`
 * and a timeout, `asCompleted` order and timeout, executors side by side,
 * `close()` and `Symbol.asyncDispose`, option validation, `execArgv` / `env`
 * / `resourceLimits` reaching the threads, `stats()`, `configureDefault`
 * (in a child process: it changes process-wide state) and the
 * diagnostics_channel events.
 *
 * Completion order and concurrency are proved with gates (shared memory the
 * test opens), never with timings; the only time bounds are generous sanity
 * ones. Each test that needs threads uses an executor of its own.
 *
 * Functions passed to threads are re-created there from their source: they
 * must not use anything from this module; values go in as arguments.
 */
import test from "ava";
import { execFile } from "node:child_process";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import path from "node:path";

import {
  CancelledError,
  CloneError,
  Future,
  NotPortableError,
  ParallelExecutor,
  TimeoutError,
  asCompleted,
  defaultMaxThreads,
  parallel,
  wait,
  type CallEndMessage,
  type CallStartMessage,
  type ExecutorOptions,
  type ExecutorStats,
  type WaitReturnWhen,
} from "parallel-threads";

const ROOT = path.join(__dirname, "../..");
const FIXTURES = path.join(ROOT, "__test__/fixtures");

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `predicate` every 10 ms until it holds or `ms` passed; returns whether it held. */
async function eventually(predicate: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (predicate()) return true;
    if (Date.now() > deadline) return false;
    await delay(10);
  }
}

// ---------------------------------------------------------------- gates

/** Slot of the arrival counter in a gate buffer; slots 0..14 are per-call gates. */
const ARRIVED = 15;

function newGates(): SharedArrayBuffer {
  return new SharedArrayBuffer(16 * 4);
}

/**
 * A portable call that counts itself in (slot 15), then blocks until gate
 * `i` opens: 1 returns `value`, 2 throws `Error("call i failed")`. Gives up
 * after 10 s with "gate timeout", so a broken test can't hang.
 */
function gatedAt<T>(sab: SharedArrayBuffer, i: number, value: T): T | "gate timeout" {
  const gates = new Int32Array(sab);
  Atomics.add(gates, 15, 1);
  Atomics.notify(gates, 15);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const state = Atomics.load(gates, i);
    if (state === 1) return value;
    if (state === 2) throw new Error(`call ${i} failed`);
    const left = deadline - Date.now();
    if (left <= 0) return "gate timeout";
    Atomics.wait(gates, i, 0, left);
  }
}

function arrived(sab: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(sab), ARRIVED);
}

/** Opens gate `i`: the call returns (or, with `fail`, throws). */
function release(sab: SharedArrayBuffer, i: number, fail = false): void {
  const gates = new Int32Array(sab);
  Atomics.store(gates, i, fail ? 2 : 1);
  Atomics.notify(gates, i);
}

function releaseAll(sab: SharedArrayBuffer, n: number): void {
  for (let i = 0; i < n; i++) if (Atomics.load(new Int32Array(sab), i) === 0) release(sab, i);
}

/** A settled-or-not probe: whether `promise` has settled by now. */
function probe(promise: Promise<unknown>): () => boolean {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return () => settled;
}

/** Runs `node <script>` from the repo root; kills it after `killAfter` ms. */
function runNode(
  script: string,
  killAfter = 30_000,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [script],
      { cwd: ROOT, timeout: killAfter, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, signal: child.signalCode, stdout, stderr });
      },
    );
  });
}

function square(n: number): number {
  return n * n;
}

// ---------------------------------------------------------------- executeOne

test("ParallelExecutor.executeOne runs fn(...args) on the default executor and returns a Future of its result", async (t) => {
  const future = ParallelExecutor.executeOne(square, 7);
  t.true(future instanceof Future);
  t.is(await future, 49);
  t.is(future.state, "fulfilled");
  t.is(future.result(), 49);
  const text = ParallelExecutor.executeOne(async (n: number, suffix: string) => `${n}${suffix}`, 1, "x");
  t.is(await text, "1x");
  const structured = ParallelExecutor.executeOne(
    (m: Map<string, Date>) => new Map([...m].map(([k, d]) => [k.toUpperCase(), d.getTime()])),
    new Map([["a", new Date(5)]]),
  );
  t.deepEqual(await structured, new Map([["A", 5]]));
  t.is(await ParallelExecutor.executeOne(() => undefined), undefined);
  t.is(await ParallelExecutor.executeOne((...all: number[]) => all.length, 1, 2, 3, 4), 4);
});

test("executeOne on an executor runs there; a throwing call rejects its future", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    t.is(await executor.executeOne(square, 9), 81);
    const failing = executor.executeOne((m: string) => {
      throw new RangeError(m);
    }, "no");
    const err = await failing.then(
      () => undefined,
      (e: unknown) => e,
    );
    t.true(err instanceof RangeError);
    t.is(failing.state, "rejected");
    t.is(failing.exception(), err);
    t.is(executor.stats().started, 2);
  } finally {
    executor.close();
  }
});

test("executeOne refuses, synchronously and before anything starts: a non-function, a closure, an uncloneable argument", (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    const notFn = t.throws(() => executor.executeOne(42 as unknown as () => void), { instanceOf: TypeError });
    t.is((notFn as TypeError & { code?: string }).code, "ERR_INVALID_ARG_TYPE");
    const outer = 3;
    const closure = t.throws(() => executor.executeOne((n: number) => n + outer, 1), { instanceOf: NotPortableError });
    t.deepEqual([...(closure as NotPortableError).captured], ["outer"]);
    const clone = t.throws(
      () =>
        executor.executeOne(
          (a: number, b: unknown) => [a, b],
          1,
          () => "code",
        ),
      { instanceOf: CloneError },
    );
    t.is((clone as CloneError).argumentIndex, 1);
    t.throws(() => ParallelExecutor.executeOne(null as unknown as () => void), {
      instanceOf: TypeError,
      code: "ERR_INVALID_ARG_TYPE",
    });
    t.is(executor.stats().started, 0, "nothing was started");
  } finally {
    executor.close();
  }
});

// ---------------------------------------------------------------- execute

test("execute(...thunks) runs each thunk on a thread and returns their futures in order", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 3 });
  try {
    const futures = executor.execute(
      () => 1,
      async () => "two",
      () => {
        throw new TypeError("three failed");
      },
      () => [4],
    );
    t.is(futures.length, 4);
    t.true(futures.every((f) => f instanceof Future));
    const records = await Promise.all(
      futures.map((f) =>
        Promise.resolve(f).then(
          (value) => ({ value }),
          (reason: unknown) => ({ reason }),
        ),
      ),
    );
    t.deepEqual(records[0], { value: 1 });
    t.deepEqual(records[1], { value: "two" });
    t.true((records[2] as { reason: unknown }).reason instanceof TypeError);
    t.deepEqual(records[3], { value: [4] });
    t.deepEqual(executor.execute(), [], "no thunks, no futures");
    t.is(executor.stats().started, 4);

    t.deepEqual(
      await Promise.all(
        ParallelExecutor.execute(
          () => "default",
          () => 2,
        ),
      ),
      ["default", 2],
    );
  } finally {
    executor.close();
  }
});

test("execute() refuses a non-function thunk with a TypeError naming its position, before anything starts", (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    const err = t.throws(() => executor.execute(() => 1, 5 as unknown as () => unknown), { instanceOf: TypeError });
    t.is((err as TypeError & { code?: string }).code, "ERR_INVALID_ARG_TYPE");
    t.regex(err!.message, /argument 1/);
    t.is(executor.stats().started, 0);
  } finally {
    executor.close();
  }
});

// Regression (fixed in b9f049f): execute() checked that each thunk is a
// function before starting any, but checked portability per thunk while
// starting them, so the thunks before a non-portable one had already started
// when NotPortableError was thrown: they ran, their futures lost to the caller.
test("execute() with a non-portable thunk starts none of the thunks", (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    const captured = 5;
    t.throws(
      () =>
        executor.execute(
          () => "first",
          () => captured,
        ),
      { instanceOf: NotPortableError },
    );
    t.is(executor.stats().started, 0, "the first thunk was started although execute() threw");
  } finally {
    executor.close();
  }
});

// ---------------------------------------------------------------- Future

test('Future: "pending" while queued past maxThreads, "running" on a thread; cancelling a pending call means it never runs', async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    const gates = newGates();
    const first = executor.executeOne(gatedAt, gates, 0, "one");
    t.true(await eventually(() => arrived(gates) === 1), "the first call is on the thread");
    t.is(first.state, "running");
    t.false(first.done);

    const second = executor.executeOne(gatedAt, gates, 1, "two");
    const third = executor.executeOne(gatedAt, gates, 2, "three");
    t.is(second.state, "pending", "queued past maxThreads");
    t.is(third.state, "pending");
    t.false(second.done);
    t.throws(() => second.result(), { code: "ERR_FUTURE_NOT_DONE" });
    t.throws(() => second.exception(), { code: "ERR_FUTURE_NOT_DONE" });
    t.is(executor.stats().queued, 2);

    t.true(second.cancel("not needed"), "cancel() of a pending call succeeds");
    t.is(second.state, "cancelled");
    t.true(second.done);
    const cancelled = second.exception() as CancelledError;
    t.true(cancelled instanceof CancelledError);
    t.is(cancelled.cause, "not needed");
    t.is(
      t.throws(() => second.result()),
      cancelled,
      "result() throws the CancelledError",
    );
    t.false(second.cancel("again"), "a done future can't be cancelled again");
    await t.throwsAsync(Promise.resolve(second), { instanceOf: CancelledError });
    t.is(executor.stats().queued, 1, "the cancelled call left the queue");

    release(gates, 0);
    release(gates, 2);
    t.is(await first, "one");
    t.is(await third, "three");
    t.is(third.state, "fulfilled");
    t.is(arrived(gates), 2, "the cancelled call never ran");
  } finally {
    executor.close();
  }
});

test("Future is PromiseLike: then() chains, await unwraps, and exception() is undefined for a value", async (t) => {
  const future = ParallelExecutor.executeOne(square, 4);
  const chained = future.then((v) => v + 1);
  t.true(chained instanceof Promise);
  t.is(await chained, 17);
  t.is(await future.then(undefined, () => "never"), 16);
  t.is(future.exception(), undefined);
  t.is(future.result(), 16);
  t.false(future.cancel(), "a fulfilled future can't be cancelled");
  t.is(future.state, "fulfilled");
});

test("cancel() of a running future fails it with CancelledError and frees its thread", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    const gates = newGates();
    const running = executor.executeOne(gatedAt, gates, 0, "never");
    t.true(await eventually(() => arrived(gates) === 1));
    t.true(running.cancel());
    t.is(running.state, "cancelled");
    // Its thread was terminated: the one-thread executor takes the next call.
    t.is(await executor.executeOne(square, 3), 9);
  } finally {
    executor.close();
  }
});

// ---------------------------------------------------------------- wait

/** An executor and three gated calls, all on threads. */
async function threeGated(t: {
  true(v: boolean, m?: string): void;
}): Promise<{ executor: ParallelExecutor; gates: SharedArrayBuffer; futures: Future<unknown>[] }> {
  const executor = new ParallelExecutor({ maxThreads: 3 });
  const gates = newGates();
  const futures = [0, 1, 2].map((i) => executor.executeOne(gatedAt, gates, i, `v${i}`));
  t.true(await eventually(() => arrived(gates) === 3), "three calls are running");
  return { executor, gates, futures };
}

test('wait "FIRST_COMPLETED" resolves when one call is done', async (t) => {
  const { executor, gates, futures } = await threeGated(t);
  try {
    const waiting = wait(futures, { returnWhen: "FIRST_COMPLETED" });
    const settled = probe(waiting);
    await delay(50);
    t.false(settled(), "nothing is done yet");
    release(gates, 1);
    const { done, notDone } = await waiting;
    t.true(done instanceof Set && notDone instanceof Set);
    t.deepEqual([...done], [futures[1]]);
    t.deepEqual(new Set(notDone), new Set([futures[0], futures[2]]));
  } finally {
    releaseAll(gates, 3);
    executor.close();
  }
});

test('wait "FIRST_EXCEPTION" resolves when one call fails, not when one succeeds', async (t) => {
  const { executor, gates, futures } = await threeGated(t);
  try {
    const waiting = wait(futures, { returnWhen: "FIRST_EXCEPTION" });
    const settled = probe(waiting);
    release(gates, 0);
    await futures[0];
    await delay(50);
    t.false(settled(), "a success does not end the wait");
    release(gates, 2, true);
    const { done, notDone } = await waiting;
    t.deepEqual(done, new Set([futures[0], futures[2]]));
    t.deepEqual(notDone, new Set([futures[1]]));
    t.is(futures[2]!.state, "rejected");
  } finally {
    releaseAll(gates, 3);
    executor.close();
  }
});

test('wait "ALL_COMPLETED" (the default) resolves when every call is done, failures included', async (t) => {
  const { executor, gates, futures } = await threeGated(t);
  try {
    const waiting = wait(futures);
    const settled = probe(waiting);
    release(gates, 0, true);
    release(gates, 1);
    await Promise.allSettled([futures[0], futures[1]]);
    await delay(50);
    t.false(settled(), "one call is still running");
    release(gates, 2);
    const { done, notDone } = await waiting;
    t.deepEqual(done, new Set(futures));
    t.is(notDone.size, 0);
    const explicit = await wait(futures, { returnWhen: "ALL_COMPLETED" });
    t.is(explicit.done.size, 3);
  } finally {
    releaseAll(gates, 3);
    executor.close();
  }
});

test("wait with a timeout resolves (never rejects) with the calls not done in notDone", async (t) => {
  const { executor, gates, futures } = await threeGated(t);
  try {
    for (const returnWhen of ["ALL_COMPLETED", "FIRST_COMPLETED", "FIRST_EXCEPTION"] as WaitReturnWhen[]) {
      const { done, notDone } = await wait(futures, { timeout: 100, returnWhen });
      t.is(done.size, 0, returnWhen);
      t.deepEqual(notDone, new Set(futures), returnWhen);
    }
    release(gates, 0);
    await futures[0];
    const partial = await wait(futures, { timeout: 100 });
    t.deepEqual(partial.done, new Set([futures[0]]));
    t.deepEqual(partial.notDone, new Set([futures[1], futures[2]]));
    t.true(
      futures.slice(1).every((f) => !f.done),
      "the calls go on after the wait timed out",
    );
  } finally {
    releaseAll(gates, 3);
    executor.close();
  }
});

test("wait: done futures, an empty list, futures of chains and of two executors", async (t) => {
  const empty = await wait([]);
  t.is(empty.done.size, 0);
  t.is(empty.notDone.size, 0);
  const a = ParallelExecutor.executeOne(square, 2);
  await a;
  const immediately = await wait([a], { returnWhen: "FIRST_EXCEPTION" });
  t.deepEqual(immediately.done, new Set([a]));
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    const chain = parallel(square)(3).parallel(async () => "x")();
    const mixed = [a, executor.executeOne(square, 5), ...chain.futures] as Future<unknown>[];
    const { done, notDone } = await wait(mixed);
    t.is(done.size, 4);
    t.is(notDone.size, 0);
    t.deepEqual(await Promise.all(mixed), [4, 25, 9, "x"]);
  } finally {
    executor.close();
  }
});

test("wait and asCompleted refuse bad arguments with coded TypeError/RangeError", (t) => {
  const f = ParallelExecutor.executeOne(square, 1);
  t.throws(() => wait(5 as unknown as Future<unknown>[]), { instanceOf: TypeError, code: "ERR_INVALID_ARG_TYPE" });
  t.throws(() => wait([f, Promise.resolve(1) as unknown as Future<number>]), {
    instanceOf: TypeError,
    code: "ERR_INVALID_ARG_TYPE",
  });
  t.throws(() => wait([f], { returnWhen: "SOMETIMES" as WaitReturnWhen }), {
    instanceOf: TypeError,
    code: "ERR_INVALID_ARG_VALUE",
  });
  t.throws(() => wait([f], { timeout: -1 }), { instanceOf: RangeError, code: "ERR_OUT_OF_RANGE" });
  t.throws(() => wait([f], { timeout: "1s" as unknown as number }), {
    instanceOf: TypeError,
    code: "ERR_INVALID_ARG_TYPE",
  });
  t.throws(() => asCompleted(null as unknown as Future<unknown>[]), {
    instanceOf: TypeError,
    code: "ERR_INVALID_ARG_TYPE",
  });
  t.throws(() => asCompleted([{} as Future<unknown>]), { instanceOf: TypeError, code: "ERR_INVALID_ARG_TYPE" });
  t.throws(() => asCompleted([f], { timeout: Number.NaN }), { instanceOf: RangeError, code: "ERR_OUT_OF_RANGE" });
});

// ---------------------------------------------------------------- asCompleted

test("asCompleted yields settled records in completion order (gates opened in the order 2, 0, 3, 1)", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 4 });
  const gates = newGates();
  try {
    const futures = [0, 1, 2, 3].map((i) => executor.executeOne(gatedAt, gates, i, `v${i}`));
    t.true(await eventually(() => arrived(gates) === 4));
    const order = [2, 0, 3, 1];
    const fails = new Set([3]);
    let next = 0;
    const openNext = (): void => {
      const i = order[next++];
      if (i !== undefined) release(gates, i, fails.has(i));
    };
    openNext();
    const seen: number[] = [];
    for await (const record of asCompleted(futures)) {
      seen.push(record.index);
      t.is(record.future, futures[record.index], "the record carries its future");
      if (record.status === "fulfilled") {
        t.is(record.value, `v${record.index}`);
        t.false("reason" in record);
      } else {
        t.true(fails.has(record.index));
        t.is((record.reason as Error).message, `call ${record.index} failed`);
        t.false("value" in record);
      }
      openNext();
    }
    t.deepEqual(seen, order);
  } finally {
    releaseAll(gates, 4);
    executor.close();
  }
});

test("asCompleted({ timeout }) yields what completed, then ends with TimeoutError", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 3 });
  const gates = newGates();
  try {
    const futures = [0, 1, 2].map((i) => executor.executeOne(gatedAt, gates, i, i));
    t.true(await eventually(() => arrived(gates) === 3));
    release(gates, 1);
    const seen: number[] = [];
    const err = await t.throwsAsync(async () => {
      for await (const record of asCompleted(futures, { timeout: 300 })) seen.push(record.index);
    });
    t.true(err instanceof TimeoutError, String(err));
    t.is((err as TimeoutError).code, "ERR_PARALLEL_TIMEOUT");
    t.deepEqual(seen, [1]);
    t.false(futures[0]!.done, "the calls go on");
  } finally {
    releaseAll(gates, 3);
    executor.close();
  }
});

test("asCompleted over futures already done yields them all at once", async (t) => {
  const futures = [ParallelExecutor.executeOne(square, 1), ParallelExecutor.executeOne(square, 2)];
  await Promise.all(futures);
  const records = [];
  for await (const record of asCompleted(futures, { timeout: 1000 })) records.push(record);
  t.deepEqual(records.map((r) => r.index).sort(), [0, 1]);
  t.deepEqual(records.map((r) => (r.status === "fulfilled" ? r.value : undefined)).sort(), [1, 4]);
});

// ---------------------------------------------------------------- executors side by side

/**
 * A portable call that counts itself running in `slot` (and its peak in
 * `slot + 1`) and arrived (slot 7), then waits for the release flag (slot
 * 0), at most 10 s. Returns how many calls of its slot ran with it.
 */
function occupy(sab: SharedArrayBuffer, slot: number): number {
  const cells = new Int32Array(sab);
  const now = Atomics.add(cells, slot, 1) + 1;
  for (let peak = Atomics.load(cells, slot + 1); now > peak; peak = Atomics.load(cells, slot + 1)) {
    if (Atomics.compareExchange(cells, slot + 1, peak, now) === peak) break;
  }
  Atomics.add(cells, 7, 1);
  const deadline = Date.now() + 10_000;
  while (Atomics.load(cells, 0) === 0 && Date.now() < deadline) Atomics.wait(cells, 0, 0, deadline - Date.now());
  Atomics.sub(cells, slot, 1);
  return now;
}

test("two executors with different maxThreads side by side: each runs up to its own maximum and queues the rest", async (t) => {
  const small = new ParallelExecutor({ maxThreads: 2 });
  const large = new ParallelExecutor({ maxThreads: 3 });
  const sab = new SharedArrayBuffer(8 * 4);
  const cells = new Int32Array(sab);
  const peaks = { small: { threads: 0, busy: 0 }, large: { threads: 0, busy: 0 } };
  const sampler = setInterval(() => {
    for (const [name, executor] of [
      ["small", small],
      ["large", large],
    ] as const) {
      const s = executor.stats();
      peaks[name].threads = Math.max(peaks[name].threads, s.threads);
      peaks[name].busy = Math.max(peaks[name].busy, s.busy);
    }
  }, 5);
  try {
    const smallCalls = Array.from({ length: 5 }, () => small.executeOne(occupy, sab, 1));
    const largeCalls = Array.from({ length: 5 }, () => large.executeOne(occupy, sab, 3));
    t.true(await eventually(() => Atomics.load(cells, 7) === 5), `2 + 3 calls are running: ${Atomics.load(cells, 7)}`);
    await delay(200); // room for a call past either maximum to start, if one could
    t.is(Atomics.load(cells, 7), 5, "no call started past its executor's maxThreads");
    const [s, l] = [small.stats(), large.stats()];
    t.is(s.busy, 2, JSON.stringify(s));
    t.is(s.queued, 3, JSON.stringify(s));
    t.true(s.threads <= 2, JSON.stringify(s));
    t.is(l.busy, 3, JSON.stringify(l));
    t.is(l.queued, 2, JSON.stringify(l));
    t.true(l.threads <= 3, JSON.stringify(l));
    t.is(smallCalls.filter((f) => f.state === "pending").length, 3);
    t.is(largeCalls.filter((f) => f.state === "pending").length, 2);

    Atomics.store(cells, 0, 1);
    Atomics.notify(cells, 0);
    await Promise.all([...smallCalls, ...largeCalls]);
    t.is(Atomics.load(cells, 7), 10, "every call ran");
    t.is(Atomics.load(cells, 2), 2, "the small executor ran 2 at once at most");
    t.is(Atomics.load(cells, 4), 3, "the large executor ran 3 at once at most");
    t.true(peaks.small.threads <= 2 && peaks.small.busy <= 2, JSON.stringify(peaks));
    t.true(peaks.large.threads <= 3 && peaks.large.busy <= 3, JSON.stringify(peaks));
    t.is(small.stats().started, 5);
    t.is(large.stats().started, 5);
  } finally {
    clearInterval(sampler);
    Atomics.store(cells, 0, 1);
    Atomics.notify(cells, 0);
    small.close();
    large.close();
  }
});

// ---------------------------------------------------------------- close and dispose

test("close(): new calls throw ERR_PARALLEL_EXECUTOR_CLOSED, a running call finishes, then the threads go away", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2, idleTimeout: 60_000 });
  const gates = newGates();
  try {
    t.is(await executor.executeOne(square, 2), 4);
    const running = executor.executeOne(gatedAt, gates, 0, "finished after close");
    t.true(await eventually(() => arrived(gates) === 1));
    executor.close();
    for (const [what, start] of [
      ["executeOne", () => executor.executeOne(square, 1)],
      ["execute", () => executor.execute(() => 1)],
      ["parallel", () => executor.parallel(square)],
    ] as const) {
      const err = t.throws(start, undefined, what);
      t.is((err as Error & { code?: string }).code, "ERR_PARALLEL_EXECUTOR_CLOSED", what);
    }
    t.notThrows(() => executor.close(), "close() twice is fine");
    release(gates, 0);
    t.is(await running, "finished after close");
    t.true(
      await eventually(() => executor.stats().threads === 0),
      `threads went away: ${JSON.stringify(executor.stats())}`,
    );
    t.is(executor.stats().started, 2, "stats() still answers after close()");
    t.is(await ParallelExecutor.executeOne(square, 5), 25, "the default executor is not affected");
  } finally {
    releaseAll(gates, 1);
    executor.close();
  }
});

test("close() retires idle threads at once (long before idleTimeout)", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 3, idleTimeout: 60_000 });
  await Promise.all([executor.executeOne(square, 1), executor.executeOne(square, 2)]);
  t.true(executor.stats().threads >= 1);
  executor.close();
  t.true(await eventually(() => executor.stats().threads === 0, 5000), JSON.stringify(executor.stats()));
});

test("`await using` an executor closes it at the end of the scope", async (t) => {
  let kept: ParallelExecutor | undefined;
  {
    await using executor = new ParallelExecutor({ maxThreads: 1 });
    kept = executor;
    t.is(await executor.executeOne(square, 6), 36);
  }
  t.throws(() => kept!.executeOne(square, 1), { code: "ERR_PARALLEL_EXECUTOR_CLOSED" });
  t.true(await eventually(() => kept!.stats().threads === 0), JSON.stringify(kept.stats()));
  const other = new ParallelExecutor({ maxThreads: 1 });
  await other[Symbol.asyncDispose]();
  t.throws(() => other.parallel(square), { code: "ERR_PARALLEL_EXECUTOR_CLOSED" });
});

// ---------------------------------------------------------------- options

test("executor options are validated: coded TypeError for wrong types, RangeError for out-of-range numbers", (t) => {
  const cases: [unknown, ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor, string][] = [
    [{ maxThreads: 0 }, RangeError, "ERR_OUT_OF_RANGE"],
    [{ maxThreads: -1 }, RangeError, "ERR_OUT_OF_RANGE"],
    [{ maxThreads: 1.5 }, RangeError, "ERR_OUT_OF_RANGE"],
    [{ maxThreads: Number.NaN }, RangeError, "ERR_OUT_OF_RANGE"],
    [{ maxThreads: Infinity }, RangeError, "ERR_OUT_OF_RANGE"],
    [{ maxThreads: "2" }, TypeError, "ERR_INVALID_ARG_TYPE"],
    [{ idleTimeout: -1 }, RangeError, "ERR_OUT_OF_RANGE"],
    [{ idleTimeout: Number.NaN }, RangeError, "ERR_OUT_OF_RANGE"],
    [{ idleTimeout: "10s" }, TypeError, "ERR_INVALID_ARG_TYPE"],
    [{ execArgv: "--no-warnings" }, TypeError, "ERR_INVALID_ARG_TYPE"],
    [{ execArgv: [1] }, TypeError, "ERR_INVALID_ARG_TYPE"],
    [{ env: "FOO=bar" }, TypeError, "ERR_INVALID_ARG_TYPE"],
    [{ env: null }, TypeError, "ERR_INVALID_ARG_TYPE"],
    [{ resourceLimits: 16 }, TypeError, "ERR_INVALID_ARG_TYPE"],
    [{ resourceLimits: null }, TypeError, "ERR_INVALID_ARG_TYPE"],
    [5, TypeError, "ERR_INVALID_ARG_TYPE"],
    [null, TypeError, "ERR_INVALID_ARG_TYPE"],
    ["fast", TypeError, "ERR_INVALID_ARG_TYPE"],
  ];
  for (const [options, ctor, code] of cases) {
    const label = JSON.stringify(options, (_k, v: unknown) =>
      typeof v === "number" && !Number.isFinite(v) ? String(v) : v,
    );
    const err = t.throws(() => new ParallelExecutor(options as ExecutorOptions), undefined, label);
    t.is(Object.getPrototypeOf(err), ctor.prototype, `${label}: ${err?.name}`);
    t.is((err as Error & { code?: string }).code, code, label);
    t.regex(err?.message ?? "", /ParallelExecutor/, `${label}: the message names the API`);
  }
  // configureDefault validates the same way, before changing anything.
  t.throws(() => ParallelExecutor.configureDefault({ maxThreads: 0 }), {
    instanceOf: RangeError,
    code: "ERR_OUT_OF_RANGE",
  });
  t.throws(() => ParallelExecutor.configureDefault({ maxThreads: "4" as unknown as number }), {
    instanceOf: TypeError,
    code: "ERR_INVALID_ARG_TYPE",
  });
  t.throws(() => ParallelExecutor.configureDefault({ env: 1 as unknown as Record<string, string> }), {
    instanceOf: TypeError,
    code: "ERR_INVALID_ARG_TYPE",
  });
});

// Regression (fixed in b9f049f): resourceLimits was only checked to be an
// object and its fields went to Worker unchecked: a string was silently
// ignored, and a negative size made every thread die at start, so every call
// failed later with ThreadCrashError instead of the constructor refusing it.
test("resourceLimits fields are validated too (a string is a TypeError, a negative size a RangeError)", (t) => {
  /** The error the constructor throws, or "accepted" (closing the executor it made). */
  const attempt = (options: ExecutorOptions): unknown => {
    try {
      new ParallelExecutor(options).close();
      return "accepted";
    } catch (error) {
      return error;
    }
  };
  const wrongType = attempt({ resourceLimits: { maxOldGenerationSizeMb: "16" as unknown as number } });
  t.true(wrongType instanceof TypeError, `a string size: ${String(wrongType)}`);
  const negative = attempt({ resourceLimits: { maxOldGenerationSizeMb: -5 } });
  t.true(negative instanceof RangeError, `a negative size: ${String(negative)}`);
});

test("env reaches the threads as the Worker env option: it replaces the environment", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1, env: { FOO: "bar", ANSWER: "42" } });
  try {
    const seen = await executor.executeOne(() => ({
      foo: process.env.FOO,
      answer: process.env.ANSWER,
      path: process.env.PATH,
    }));
    t.deepEqual(seen, { foo: "bar", answer: "42", path: undefined });
    t.is(process.env.FOO, undefined, "the caller's environment is unchanged");
  } finally {
    executor.close();
  }
});

test("the default executor's threads see the process environment", async (t) => {
  t.is(await ParallelExecutor.executeOne(() => process.env.PATH), process.env.PATH);
});

test("execArgv reaches the threads (and takes effect); the default is the process's", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1, execArgv: ["--no-deprecation"] });
  try {
    const seen = await executor.executeOne(() => ({
      execArgv: process.execArgv,
      noDeprecation: process.noDeprecation === true,
    }));
    t.deepEqual(seen, { execArgv: ["--no-deprecation"], noDeprecation: true });
  } finally {
    executor.close();
  }
  const plain = new ParallelExecutor({ maxThreads: 1 });
  try {
    t.deepEqual(await plain.executeOne(() => process.execArgv), process.execArgv);
  } finally {
    plain.close();
  }
});

test("resourceLimits reach the threads", async (t) => {
  const executor = new ParallelExecutor({
    maxThreads: 1,
    resourceLimits: { maxOldGenerationSizeMb: 64, stackSizeMb: 8 },
  });
  try {
    const limits = await executor.executeOne(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require("node:worker_threads").resourceLimits as Record<string, number>;
    });
    t.is(limits.maxOldGenerationSizeMb, 64);
    t.is(limits.stackSizeMb, 8);
  } finally {
    executor.close();
  }
});

// Regression (fixed in b9f049f): checkDuration() maps Infinity to undefined
// ("no limit" for call timeouts), and the executor then applied the default
// idleTimeout of 10 s, so `idleTimeout: Infinity` was accepted but retired
// idle threads after 10 s instead of never.
test("idleTimeout: Infinity keeps idle threads (not the 10 s default)", async (t) => {
  t.timeout(30_000);
  const executor = new ParallelExecutor({ maxThreads: 1, idleTimeout: Infinity });
  try {
    t.is(await executor.executeOne(square, 2), 4);
    await delay(11_500);
    t.is(executor.stats().threads, 1, JSON.stringify(executor.stats()));
  } finally {
    executor.close();
  }
});

test("defaultMaxThreads() is at least 8 (SPEC §9)", (t) => {
  t.true(Number.isInteger(defaultMaxThreads()));
  t.true(defaultMaxThreads() >= 8, String(defaultMaxThreads()));
});

// ---------------------------------------------------------------- stats

function checkPercentiles(
  t: { true(v: boolean, m?: string): void; is(a: unknown, b: unknown, m?: string): void },
  p: ExecutorStats["runTime"],
  count: number,
  what: string,
): void {
  t.is(p.count, count, `${what}.count`);
  for (const key of ["p50", "p90", "p99", "max"] as const)
    t.true(Number.isFinite(p[key]) && p[key] >= 0, `${what}.${key} = ${p[key]}`);
  t.true(p.p50 <= p.p90 && p.p90 <= p.p99 && p.p99 <= p.max, `${what} percentiles are ordered: ${JSON.stringify(p)}`);
}

test("stats() figures match what ran: counts, busy/queued while gated, queue-wait and run-time percentiles", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1, idleTimeout: 60_000 });
  const gates = newGates();
  try {
    const fresh = executor.stats();
    t.like(fresh, { started: 0, fulfilled: 0, failed: 0, queued: 0, busy: 0 });
    t.is(fresh.queueWait.count, 0);
    t.is(fresh.runTime.count, 0);

    const holding = executor.executeOne(gatedAt, gates, 0, "held");
    const waiting = executor.executeOne(square, 3);
    t.true(await eventually(() => arrived(gates) === 1));
    const during = executor.stats();
    t.like(during, { started: 2, fulfilled: 0, failed: 0, busy: 1, queued: 1, threads: 1 });
    const heldFor = Date.now();
    await delay(150);
    release(gates, 0);
    t.is(await holding, "held");
    t.is(await waiting, 9);
    const held = Date.now() - heldFor;

    const failing = executor.executeOne(() => {
      throw new Error("counted as failed");
    });
    await failing.then(
      () => undefined,
      () => undefined,
    );
    await executor.executeOne(async () => "async counts too");
    const blocking = executor.executeOne(
      (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms),
      60,
    );
    t.is(await blocking, "timed-out");

    const after = executor.stats();
    t.like(after, { started: 5, fulfilled: 4, failed: 1, queued: 0, busy: 0, starting: 0 });
    t.is(after.threads, 1);
    t.is(after.idle, 1);
    checkPercentiles(t, after.queueWait, 5, "queueWait");
    checkPercentiles(t, after.runTime, 5, "runTime");
    // Lower bounds the test itself guarantees (µs): the queued call waited while the gate was held,
    // and the gated and the blocking calls ran at least that long.
    t.true(
      after.queueWait.max >= 140_000,
      `queueWait.max ${after.queueWait.max} µs ≥ the ${held} ms the gate was held`,
    );
    t.true(after.runTime.max >= 140_000, `runTime.max ${after.runTime.max} µs`);
    t.true(after.runTime.p50 <= after.runTime.max);
    t.true(after.queueWait.max < 60_000_000 && after.runTime.max < 60_000_000, "sanity: microseconds, not nanoseconds");
  } finally {
    releaseAll(gates, 1);
    executor.close();
  }
});

test("stats() counts cancelled and timed-out calls as failed", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    const records = await executor
      .parallel(
        () => {
          for (;;) {
            /* spin */
          }
        },
        { timeout: 100 },
      )()
      .parallel(() => "fine")()
      .settled();
    t.is(records[0].status, "rejected");
    const cancelled = executor.executeOne(async () => new Promise(() => undefined));
    cancelled.cancel("enough");
    await Promise.resolve(cancelled).catch(() => undefined);
    t.like(executor.stats(), { started: 3, fulfilled: 1, failed: 2 });
  } finally {
    executor.close();
  }
});

// ---------------------------------------------------------------- configureDefault

test("ParallelExecutor.configureDefault({ maxThreads }) limits and widens the default executor (child process)", async (t) => {
  const run = await runNode(path.join(FIXTURES, "configure-default.cjs"));
  t.is(run.signal, null, `killed: ${run.stderr}`);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout.trim()) as Record<string, unknown>;
  t.deepEqual(report, {
    limitedRunning: 2,
    limitedPeak: 2,
    limitedCalls: 3,
    widenedMet: [true, true, true, true],
    refused: ["RangeError", "ERR_OUT_OF_RANGE"],
  });
});

// ---------------------------------------------------------------- diagnostics_channel

test.serial(
  "diagnostics_channel: call:start and call:end messages for a fulfilled, a failed and a cancelled call",
  async (t) => {
    const starts: CallStartMessage[] = [];
    const ends: CallEndMessage[] = [];
    const order: string[] = [];
    const NAMES = new Set(["diagDouble", "diagFail", "diagHang"]);
    const onStart = (message: unknown): void => {
      const m = message as CallStartMessage;
      if (!NAMES.has(m.name)) return;
      starts.push(m);
      order.push(`start ${m.name}`);
    };
    const onEnd = (message: unknown): void => {
      const m = message as CallEndMessage;
      if (!NAMES.has(m.name)) return;
      ends.push(m);
      order.push(`end ${m.name}`);
    };
    subscribe("parallel-threads:call:start", onStart);
    subscribe("parallel-threads:call:end", onEnd);
    const executor = new ParallelExecutor({ maxThreads: 3 });
    try {
      function diagDouble(n: number): number {
        return n * 2;
      }
      function diagFail(message: string): never {
        throw new RangeError(message);
      }
      async function diagHang(): Promise<never> {
        return new Promise<never>(() => undefined);
      }
      const records = await executor.parallel(diagDouble)(21).parallel(diagFail)("bad input").settled();
      const hanging = executor.executeOne(diagHang);
      hanging.cancel("stop");
      await Promise.resolve(hanging).catch(() => undefined);
      const defaultCall = await parallel(diagDouble)(1).results();
      t.deepEqual(defaultCall, [2]);

      t.is(starts.length, 4, JSON.stringify(starts));
      t.is(ends.length, 4, JSON.stringify(ends.map((e) => ({ ...e, error: String(e.error) }))));
      for (const start of starts) {
        t.deepEqual(Object.keys(start).sort(), ["call", "executor", "name"]);
        t.true(Number.isInteger(start.call) && Number.isInteger(start.executor));
      }
      t.is(new Set(starts.map((s) => s.call)).size, 4, "call ids are distinct");
      const mine = starts.filter((s) => s.executor === starts[0]!.executor);
      t.is(mine.length, 3, "three calls on the executor, one on the default executor");
      t.not(starts[3]!.executor, starts[0]!.executor);

      const endOf = (name: string, executorId?: number): CallEndMessage =>
        ends.find((e) => e.name === name && (executorId === undefined || e.executor === executorId))!;
      const ok = endOf("diagDouble", starts[0]!.executor);
      t.is(ok.state, "fulfilled");
      t.false("error" in ok, "no error on a fulfilled call");
      const failed = endOf("diagFail");
      t.is(failed.state, "rejected");
      t.true(failed.error instanceof RangeError);
      t.is((failed.error as Error).message, "bad input");
      t.is(failed.error, (records[1] as { reason: unknown }).reason, "the same error the caller got");
      const cancelled = endOf("diagHang");
      t.is(cancelled.state, "cancelled");
      t.true(cancelled.error instanceof CancelledError);
      for (const end of ends) {
        t.true(
          typeof end.durationMs === "number" && Number.isFinite(end.durationMs) && end.durationMs >= 0,
          `${end.name}: ${end.durationMs}`,
        );
        t.true(end.durationMs < 60_000, "sanity bound");
        const start = starts.find((s) => s.call === end.call);
        t.truthy(start, `${end.name}: its start was published`);
        t.is(start!.name, end.name);
        t.is(start!.executor, end.executor);
        t.true(order.indexOf(`start ${end.name}`) < order.lastIndexOf(`end ${end.name}`), "start before end");
      }
    } finally {
      unsubscribe("parallel-threads:call:start", onStart);
      unsubscribe("parallel-threads:call:end", onEnd);
      executor.close();
    }
  },
);

// ---------------------------------------------------------------- call sites

test("callSiteStacks: errors carry the waiting code's frames by default, the parallel() call's with \"capture-at-call\", none with false", async (t) => {
  const fail = (m: string): never => {
    throw new RangeError(m);
  };
  const waiter = new ParallelExecutor({ maxThreads: 1 });
  const atCall = new ParallelExecutor({ maxThreads: 1, callSiteStacks: "capture-at-call" });
  const none = new ParallelExecutor({ maxThreads: 1, callSiteStacks: false });
  /** The error of awaiting `what` here, in this test's own async function. */
  const caught = async (what: PromiseLike<unknown>): Promise<Error> => {
    try {
      await what;
    } catch (error) {
      return error as Error;
    }
    throw new Error("no failure");
  };
  try {
    for (const [executor, expected] of [
      [waiter, true],
      [atCall, true],
      [none, false],
    ] as const) {
      const viaChain = await caught(executor.parallel(fail)("chain").results());
      const viaFuture = await caught(executor.executeOne(fail, "future"));
      for (const error of [viaChain, viaFuture]) {
        t.true(error instanceof RangeError);
        t.is(/parallel\(\) call site[^]*executors\.spec\.(js|ts)/.test(error.stack ?? ""), expected, error.stack);
        t.regex(error.stack ?? "", /^RangeError: (chain|future)\n\s+at /, "the thread's own frames are there");
      }
    }
    t.throws(() => new ParallelExecutor({ callSiteStacks: "no" as unknown as boolean }), {
      instanceOf: TypeError,
      code: "ERR_INVALID_ARG_TYPE",
      message: /callSiteStacks must be a boolean or "capture-at-call"/,
    });
  } finally {
    waiter.close();
    atCall.close();
    none.close();
  }
});

test("public classes keep their own names (console.log shows TimeoutError, not a bundler's _TimeoutError)", (t) => {
  const lib = require("parallel-threads") as Record<string, { name: string }>;
  for (const name of [
    "ParallelExecutor",
    "ParallelCalls",
    "ParallelContexts",
    "ExceptionGroup",
    "TimeoutError",
    "CancelledError",
    "ThreadCrashError",
    "NotPortableError",
    "CloneError",
    "ChainConsumedError",
  ])
    t.is(lib[name]!.name, name);
  const { inspect } = require("node:util") as typeof import("node:util");
  t.regex(inspect(new (lib.TimeoutError as unknown as new (m: string) => Error)("late")), /^TimeoutError: late/);
});

test("ParallelExecutor.stats() reports the default executor", async (t) => {
  const before = ParallelExecutor.stats();
  await ParallelExecutor.executeOne((n: number) => n + 1, 1);
  const after = ParallelExecutor.stats();
  t.true(after.started >= before.started + 1);
  t.true(after.fulfilled >= before.fulfilled + 1);
  t.true(after.threads >= 1);
});
