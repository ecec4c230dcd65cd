/**
 * `map`'s defaults for CPU-bound work and its chunks: `concurrency` defaults
 * to the core count; `chunkSize` sends several inputs in one call, each
 * still its own outcome (values in input order, a failing input fails as
 * itself, the inputs after it don't run), `transfer()` inputs travel alone,
 * `timeout`/`signal` as without chunks, bad sizes refused. Proved with
 * counters and thread ids, never with timings.
 */
import { availableParallelism } from "node:os";
import path from "node:path";

import test from "ava";

import {
  CancelledError,
  CloneError,
  ExceptionGroup,
  ParallelExecutor,
  TimeoutError,
  tasks,
  transfer,
} from "parallel-threads";

const WORK_MAP_MJS = path.join(__dirname, "../../__test__/fixtures/work-map.mjs");

/** The thread an input ran on, and how many inputs of that thread ran before it. */
function where(n: number): { n: number; thread: number; before: number } {
  const g = globalThis as { ranHere?: number };
  const before = g.ranHere ?? 0;
  g.ranHere = before + 1;
  return { n, thread: require("node:worker_threads").threadId as number, before };
}

test("concurrency defaults to the core count (at most maxThreads)", async (t) => {
  const cores = availableParallelism();
  const executor = new ParallelExecutor({ maxThreads: cores + 2 });
  try {
    const sab = new SharedArrayBuffer(8); // [0] running now, [1] the most ever
    const counted = (input: { sab: SharedArrayBuffer; parties: number }): boolean => {
      const view = new Int32Array(input.sab);
      const now = Atomics.add(view, 0, 1) + 1;
      for (let seen = Atomics.load(view, 1); now > seen; seen = Atomics.load(view, 1))
        if (Atomics.compareExchange(view, 1, seen, now) === seen) break;
      // Stay until `parties` run at once (or 2 s): the most ever reaches the limit.
      const deadline = Date.now() + 2000;
      while (Atomics.load(view, 1) < input.parties && Date.now() < deadline) Atomics.wait(view, 0, now, 5);
      Atomics.sub(view, 0, 1);
      return true;
    };
    const inputs = Array.from({ length: 3 * (cores + 2) }, () => ({ sab, parties: cores }));
    await executor.map(counted, inputs, { chunkSize: 1 });
    t.is(Atomics.load(new Int32Array(sab), 1), cores, "as many at once as cores, never more");
    t.true(executor.stats().threads <= cores + 1, `${executor.stats().threads} threads for ${cores} cores`);
  } finally {
    await executor.close();
  }
});

test("chunkSize sends that many inputs in one call; they run in order on its thread, results in input order", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 4 });
  try {
    const inputs = Array.from({ length: 100 }, (_, n) => n);
    const results = await executor.map(where, inputs, { chunkSize: 10, concurrency: 3 });
    t.deepEqual(
      results.map((r) => r.n),
      inputs,
    );
    t.is(executor.stats().started, 10, "one call for each ten inputs");
    for (let chunk = 0; chunk < 10; chunk++) {
      const part = results.slice(chunk * 10, chunk * 10 + 10);
      t.true(
        part.every((r) => r.thread === part[0]!.thread),
        `chunk ${chunk} ran on one thread`,
      );
      t.true(
        part.every((r, i) => i === 0 || r.before === part[i - 1]!.before + 1),
        `chunk ${chunk} ran in order`,
      );
    }
  } finally {
    await executor.close();
  }
});

test('"auto" (the default) keeps every result, from arrays and generators of many tiny inputs', async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    const inputs = Array.from({ length: 50_000 }, (_, n) => n);
    const doubled = await executor.map((n: number) => n * 2, inputs);
    t.deepEqual(
      doubled,
      inputs.map((n) => n * 2),
    );
    t.true(executor.stats().started < 5_000, `${executor.stats().started} calls for 50,000 inputs`);
    function* generated(): Generator<string> {
      for (let n = 0; n < 20_000; n++) yield `#${n}`;
    }
    const lengths = await executor.map((s: string) => s.length, generated());
    t.is(lengths.length, 20_000);
    t.is(lengths[19_999], 6);
  } finally {
    await executor.close();
  }
});

test("an async function's inputs in a chunk each run after the last one settled", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    const overlapping = async (n: number): Promise<number> => {
      const g = globalThis as { busy?: number };
      g.busy = (g.busy ?? 0) + 1;
      const alone = g.busy === 1;
      await new Promise((resolve) => setTimeout(resolve, 1));
      g.busy--;
      if (!alone) throw new Error(`input ${n} overlapped another`);
      return n;
    };
    const inputs = Array.from({ length: 40 }, (_, n) => n);
    t.deepEqual(await executor.map(overlapping, inputs, { chunkSize: 8 }), inputs);
  } finally {
    await executor.close();
  }
});

test("a failing input in a chunk fails as itself; the ones after it in that chunk don't run", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 3 });
  try {
    const sab = new SharedArrayBuffer(4 * 30); // one slot an input: 1 once it ran
    const failing = (input: { n: number; sab: SharedArrayBuffer }): number => {
      Atomics.store(new Int32Array(input.sab), input.n, 1);
      if (input.n === 13) throw new RangeError("bad 13");
      if (input.n === 27) throw new TypeError("bad 27");
      return input.n;
    };
    const inputs = Array.from({ length: 30 }, (_, n) => ({ n, sab }));
    const error = (await executor
      .map(failing, inputs, { chunkSize: 10, concurrency: 3 })
      .catch((e: unknown) => e)) as ExceptionGroup;
    t.true(error instanceof ExceptionGroup, String(error));
    const [first, second] = error.exceptions as Error[];
    t.true(first instanceof RangeError && first.message === "bad 13");
    t.true(second instanceof TypeError && second.message === "bad 27");
    t.regex(first!.stack ?? "", /failing/, "the thread's frames are kept");
    const ran = Array.from(new Int32Array(sab));
    t.deepEqual(ran.slice(10, 20), [1, 1, 1, 1, 0, 0, 0, 0, 0, 0], "after 13, its chunk stopped");
    t.deepEqual(ran.slice(0, 10), Array(10).fill(1));

    const one = await t.throwsAsync(executor.map(failing, inputs.slice(10, 20), { chunkSize: 10 }), {
      instanceOf: RangeError,
      message: "bad 13",
    });
    t.truthy(one);
  } finally {
    await executor.close();
  }
});

test("a result that can't be sent back fails its own input with CloneError", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    const unsendable = (n: number): unknown => (n === 4 ? () => n : n);
    await t.throwsAsync(executor.map(unsendable, [0, 1, 2, 3, 4, 5, 6, 7], { chunkSize: 8 }), {
      instanceOf: CloneError,
    });
    t.deepEqual(await executor.map(unsendable, [0, 1, 2, 3], { chunkSize: 8 }), [0, 1, 2, 3]);
  } finally {
    await executor.close();
  }
});

test("inputs wrapped in transfer() travel alone, and arrive moved", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    const sizeOf = (input: number | ArrayBuffer): number => (typeof input === "number" ? input : input.byteLength);
    const a = new ArrayBuffer(16);
    const b = new ArrayBuffer(32);
    const inputs = [transfer(a, [a]), 1, 2, 3, transfer(b, [b]), 4] as unknown as (number | ArrayBuffer)[];
    t.deepEqual(await executor.map(sizeOf, inputs, { chunkSize: 10, concurrency: 1 }), [16, 1, 2, 3, 32, 4]);
    t.is(a.byteLength, 0, "moved, not copied");
    t.is(executor.stats().started, 4, "[a], [1, 2, 3], [b], [4]");
  } finally {
    await executor.close();
  }
});

test("timeout and signal stop a map of chunks and cancel what is running", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    const slow = (n: number): number => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
      return n;
    };
    const inputs = Array.from({ length: 40 }, (_, n) => n);
    await t.throwsAsync(executor.map(slow, inputs, { chunkSize: 5, timeout: 100 }), { instanceOf: TimeoutError });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("enough")), 50);
    await t.throwsAsync(executor.map(slow, inputs, { chunkSize: 5, signal: controller.signal }), {
      instanceOf: CancelledError,
    });
    t.deepEqual(await executor.map((n: number) => n + 1, [1, 2, 3], { chunkSize: 2 }), [2, 3, 4]);
  } finally {
    await executor.close();
  }
});

test("bad chunk sizes are refused", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    for (const chunkSize of [0, -1, 1.5, Number.NaN]) {
      await t.throwsAsync(
        executor.map((n: number) => n, [1], { chunkSize }),
        {
          instanceOf: RangeError,
          code: "ERR_OUT_OF_RANGE",
        },
      );
    }
    await t.throwsAsync(
      executor.map((n: number) => n, [1], { chunkSize: "big" as unknown as number }),
      {
        instanceOf: TypeError,
        code: "ERR_INVALID_ARG_TYPE",
      },
    );
  } finally {
    await executor.close();
  }
});

test("awaiting one quick call at a time (map of one input, executeOne) settles every time", async (t) => {
  const inc = (n: number): number => n + 1;
  for (let i = 0; i < 300; i++) {
    t.deepEqual(await ParallelExecutor.map(inc, [i]), [i + 1]);
    t.is(await ParallelExecutor.executeOne(inc, i), i + 1);
  }
});

test("a map of task calls stays on `concurrency` threads (loading the module leaves no thread busy)", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 8 });
  try {
    const work = tasks<{ square(n: number): { square: number; threadId: number } }>(WORK_MAP_MJS);
    const inputs = Array.from({ length: 200 }, (_, n) => n);
    const squares = await executor.map(work.square, inputs, { concurrency: 2, chunkSize: 1 });
    t.deepEqual(
      squares.map((s) => s.square),
      inputs.map((n) => n * n),
    );
    t.true(new Set(squares.map((s) => s.threadId)).size <= 2, "two threads ran the calls");
    t.true(executor.stats().threads <= 2, `${executor.stats().threads} threads for concurrency 2`);
  } finally {
    await executor.close();
  }
});
