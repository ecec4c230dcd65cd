/**
 * `executor.map(fn, inputs, options)` and `ParallelExecutor.map`: one call
 * per input, results in input order, at most `concurrency` (≤ maxThreads)
 * at once (chunks: map-chunks.spec.ts), inputs read as calls free up (sync and async iterables), failures
 * as a chain reports them, `timeout` and `signal`, bad input refused.
 * Concurrency is proved with shared counters, never with timings.
 */
import test from "ava";

import { CancelledError, ExceptionGroup, ParallelExecutor, TimeoutError } from "parallel-threads";

interface Tracked {
  /** [0] running now, [1] the most ever, [2] arrivals at the barrier. */
  sab: SharedArrayBuffer;
  n: number;
  ms: number;
  /** This many calls must be running at once (the first ones meet at a barrier; 0: none). */
  parties: number;
}

/** Counts itself in, meets the others at the barrier if it is one of the first, works `ms`, counts itself out. */
function tracked(input: Tracked): { value: number; met: boolean } {
  const view = new Int32Array(input.sab);
  const now = Atomics.add(view, 0, 1) + 1;
  for (let seen = Atomics.load(view, 1); now > seen; seen = Atomics.load(view, 1))
    if (Atomics.compareExchange(view, 1, seen, now) === seen) break;
  let met = true;
  if (input.n < input.parties) {
    Atomics.add(view, 2, 1);
    Atomics.notify(view, 2);
    const deadline = Date.now() + 10_000;
    for (let seen = Atomics.load(view, 2); seen < input.parties; seen = Atomics.load(view, 2)) {
      if (Date.now() > deadline) {
        met = false;
        break;
      }
      Atomics.wait(view, 2, seen, 50);
    }
  }
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, input.ms);
  Atomics.sub(view, 0, 1);
  return { value: input.n * 2, met };
}

test("results come in input order, one call per input, at most concurrency at once", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 4 });
  try {
    const sab = new SharedArrayBuffer(12);
    const inputs = Array.from({ length: 12 }, (_, n) => ({ sab, n, ms: 5, parties: 2 }));
    const results = await executor.map(tracked, inputs, { concurrency: 2 });
    t.deepEqual(
      results.map((r) => r.value),
      inputs.map((i) => i.n * 2),
    );
    t.true(results[0]!.met && results[1]!.met, "two ran at once");
    t.true(Atomics.load(new Int32Array(sab), 1) <= 2, "never more than two at once");
    t.is(executor.stats().started, 12);
  } finally {
    executor.close();
  }
});

test("concurrency is never more than maxThreads", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 3 });
  try {
    const sab = new SharedArrayBuffer(12);
    const inputs = Array.from({ length: 9 }, (_, n) => ({ sab, n, ms: 5, parties: 3 }));
    const results = await executor.map(tracked, inputs, { concurrency: 50 });
    t.true(
      results.slice(0, 3).every((r) => r.met),
      "three ran at once",
    );
    t.true(Atomics.load(new Int32Array(sab), 1) <= 3, "never more than maxThreads");
  } finally {
    executor.close();
  }
});

test("inputs are read as calls free up: a long generator is not drained up front", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    const sab = new SharedArrayBuffer(8); // [0]: calls running, [1]: the gate
    let pulled = 0;
    function* inputs(): Generator<{ sab: SharedArrayBuffer; n: number }> {
      for (let n = 0; n < 40; n++) {
        pulled++;
        yield { sab, n };
      }
    }
    const gated = (input: { sab: SharedArrayBuffer; n: number }): number => {
      const view = new Int32Array(input.sab);
      Atomics.add(view, 0, 1);
      Atomics.wait(view, 1, 0, 10_000); // until the test opens the gate
      return input.n;
    };
    const mapped = executor.map(gated, inputs());
    const view = new Int32Array(sab);
    for (let i = 0; i < 1000 && Atomics.load(view, 0) < 2; i++) await new Promise((r) => setTimeout(r, 5));
    t.is(Atomics.load(view, 0), 2, "two calls are running");
    t.true(pulled <= 3, `${pulled} of 40 inputs were read while two calls ran`);
    Atomics.store(view, 1, 1);
    Atomics.notify(view, 1);
    t.deepEqual(
      await mapped,
      Array.from({ length: 40 }, (_, n) => n),
    );
    t.is(pulled, 40);
  } finally {
    executor.close();
  }
});

test("async iterables work, and ParallelExecutor.map runs on the default executor", async (t) => {
  async function* inputs(): AsyncGenerator<string> {
    for (const word of ["a", "bb", "ccc"]) {
      await new Promise((r) => setTimeout(r, 1));
      yield word;
    }
  }
  const lengths: number[] = await ParallelExecutor.map((s: string) => s.length, inputs());
  t.deepEqual(lengths, [1, 2, 3]);
  t.deepEqual(await ParallelExecutor.map(async (n: number) => n * n, new Set([3, 4])), [9, 16]);
  t.deepEqual(await ParallelExecutor.map((n: number) => n, []), []);
});

test("one failure rejects with that error; no more calls start after it", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    let pulled = 0;
    function* inputs(): Generator<number> {
      for (let n = 0; n < 100; n++) {
        pulled++;
        yield n;
      }
    }
    const error = await t.throwsAsync(
      executor.map((n: number) => {
        if (n === 3) throw new RangeError(`bad ${n}`);
        return n;
      }, inputs()),
      { instanceOf: RangeError, message: "bad 3" },
    );
    t.truthy(error);
    t.true(pulled <= 5, `pulled ${pulled} inputs`);
  } finally {
    executor.close();
  }
});

test("several failures reject with an ExceptionGroup in input order", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 3 });
  try {
    const failing = (input: { n: number; sab: SharedArrayBuffer }): number => {
      // All three start before any fails: a barrier.
      const view = new Int32Array(input.sab);
      Atomics.add(view, 0, 1);
      const deadline = Date.now() + 10_000;
      while (Atomics.load(view, 0) < 3 && Date.now() < deadline) Atomics.wait(view, 0, Atomics.load(view, 0), 10);
      throw new Error(`failed ${input.n}`);
    };
    const sab = new SharedArrayBuffer(4);
    const error = (await executor
      .map(
        failing,
        [0, 1, 2].map((n) => ({ n, sab })),
        { concurrency: 3 },
      )
      .catch((e: unknown) => e)) as ExceptionGroup;
    t.true(error instanceof ExceptionGroup, String(error));
    t.deepEqual(
      error.exceptions.map((e) => (e as Error).message),
      ["failed 0", "failed 1", "failed 2"],
    );
  } finally {
    executor.close();
  }
});

test("timeout rejects with TimeoutError and cancels what is running; signal with CancelledError", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    const forever = (): Promise<never> => new Promise(() => {});
    await t.throwsAsync(executor.map(forever, [1, 2, 3], { timeout: 100 }), { instanceOf: TimeoutError });
    const controller = new AbortController();
    const reason = new Error("enough");
    setTimeout(() => controller.abort(reason), 50);
    const cancelled = await t.throwsAsync(executor.map(forever, [1, 2, 3], { signal: controller.signal }), {
      instanceOf: CancelledError,
    });
    t.is(cancelled?.cause, reason);
    // What was running was cancelled: the executor is free again.
    t.deepEqual(await executor.map((n: number) => n, [7]), [7]);
  } finally {
    executor.close();
  }
});

test("bad arguments are refused", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    await t.throwsAsync(
      executor.map((n: number) => n, 5 as unknown as number[]),
      {
        instanceOf: TypeError,
        message: /iterable/,
      },
    );
    await t.throwsAsync(
      executor.map((n: number) => n, [1], { concurrency: 0 }),
      {
        instanceOf: RangeError,
        code: "ERR_OUT_OF_RANGE",
      },
    );
    await t.throwsAsync(executor.map("x" as unknown as (n: number) => number, [1]), { instanceOf: TypeError });
    const factor = 2;
    await t.throwsAsync(
      executor.map((n: number) => n * factor, [1]),
      { name: "NotPortableError" },
    );
    executor.close();
    await t.throwsAsync(
      executor.map((n: number) => n, [1]),
      { message: /closed/ },
    );
  } finally {
    executor.close();
  }
});
