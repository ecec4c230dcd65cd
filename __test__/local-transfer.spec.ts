/**
 * `local(fn)` and `transfer()` (SPEC §1, §9; issue 5): local calls on the
 * calling thread mixed with thread calls; ArrayBuffers moved (not copied) in
 * both directions, SharedArrayBuffers shared, CloneError for what can't cross
 * threads, and the structured-clone round trip of a rich value.
 *
 * Functions given to parallel() for thread calls are re-created inside a
 * thread: they use only their arguments and the globals a worker has.
 */
import test from "ava";
import { MessageChannel, threadId as mainThreadId, type MessagePort } from "node:worker_threads";

import {
  CloneError,
  ExceptionGroup,
  ParallelExecutor,
  TimeoutError,
  local,
  parallel,
  transfer,
} from "parallel-threads";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<A, B>(_proof: Equal<A, B>): void {}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** `promise`, or a rejection naming `what` after `ms` (so a bug can't hang the test). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} (still waiting after ${ms} ms)`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ================================================================= local()

test("local(): closures and live objects are allowed, and it runs on the calling thread", async (t) => {
  const seen = new Map<string, number>();
  let counter = 41;
  const [value, threadId] = await parallel(
    local(() => {
      counter++;
      seen.set("ran", counter);
      return counter;
    }),
  )()
    .parallel(local(() => require("node:worker_threads").threadId as number))()
    .results();
  t.is(value, 42);
  t.is(counter, 42, "it changed the caller's own variable");
  t.is(seen.get("ran"), 42);
  t.is(threadId, mainThreadId, "it ran on this thread");
});

test("local(): mixed with thread calls in one chain, results keep chain order and typing", async (t) => {
  const prefix = "local:";
  const results = await parallel((n: number) => ({
    n: n * 2,
    threadId: require("node:worker_threads").threadId as number,
  }))(21)
    .parallel(local(async (s: string) => `${prefix}${s}`))("x")
    .parallel(async (a: number, b: number) => a + b)(1, 2)
    .parallel(local((flag: boolean) => !flag))(false)
    .results();
  assertType<typeof results, [{ n: number; threadId: number }, string, number, boolean]>(true);
  t.is(results[0].n, 42);
  t.not(results[0].threadId, mainThreadId, "the thread call ran on a thread");
  t.deepEqual(results.slice(1), ["local:x", 3, true]);
});

test("local(): arguments are passed as they are (functions and class instances allowed, not cloned)", async (t) => {
  class Counter {
    count = 0;
    bump(): number {
      return ++this.count;
    }
  }
  const counter = new Counter();
  const callback = (n: number): number => n + 1;
  const [same, bumped] = await parallel(local((c: Counter, f: (n: number) => number) => [c, f(c.bump())] as const))(
    counter,
    callback,
  )
    .results()
    .then(([r]) => r);
  t.is(same, counter, "the very same object, not a copy");
  t.is(bumped, 2);
  t.is(counter.count, 1);
});

test("local(): a transfer() argument reaches the function as the value itself", async (t) => {
  const buffer = new ArrayBuffer(16);
  const [received] = await parallel(local((b: ArrayBuffer) => b))(transfer(buffer)).results();
  t.is(received, buffer, "a local call needs no move: it gets the buffer, not the transfer marker");
  t.is(buffer.byteLength, 16);
});

test("local(): errors propagate like thread calls (the error itself; several as an ExceptionGroup in chain order)", async (t) => {
  const syncError = new RangeError("sync local");
  const one = await t.throwsAsync(
    parallel(
      local(() => {
        throw syncError;
      }),
    )().results(),
  );
  t.is(one, syncError);

  const asyncError = new Error("async local");
  const group = await t.throwsAsync(
    parallel(() => {
      throw new TypeError("thread");
    })()
      .parallel(() => 1)()
      .parallel(local(async () => Promise.reject(asyncError)))()
      .results(),
  );
  t.true(group instanceof ExceptionGroup);
  const exceptions = (group as ExceptionGroup).exceptions;
  t.is(exceptions.length, 2);
  t.true(exceptions[0] instanceof TypeError);
  t.is((exceptions[0] as Error).message, "thread");
  t.is(exceptions[1], asyncError);

  const [settled] = await parallel(local(() => Promise.reject(asyncError)))().settled();
  t.deepEqual(settled, { status: "rejected", reason: asyncError });
});

test("local(): asynchronous local calls overlap (each waits for the other)", async (t) => {
  const a = deferred();
  const b = deferred();
  const results = await within(
    10_000,
    "the async local calls did not overlap",
    parallel(
      local(async () => {
        a.resolve();
        await b.promise;
        return "a";
      }),
    )()
      .parallel(
        local(async () => {
          b.resolve();
          await a.promise;
          return "b";
        }),
      )()
      .results(),
  );
  t.deepEqual(results, ["a", "b"]);
});

test("local(): resultsSync() refuses a chain with a local call (ERR_PARALLEL_LOCAL_IN_SYNC)", async (t) => {
  const chain = parallel((n: number) => n + 1)(1).parallel(local(() => "local"))();
  const error = t.throws(() => chain.resultsSync());
  t.is((error as Error & { code?: string }).code, "ERR_PARALLEL_LOCAL_IN_SYNC");
  t.deepEqual(await chain.results(), [2, "local"], "the chain still works with results()");
});

test("local(): a per-call timeout fails it with TimeoutError; the function is abandoned, not stopped", async (t) => {
  const finished = deferred<string>();
  const error = await t.throwsAsync(
    parallel(
      local(async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        finished.resolve("ran on");
        return "late";
      }),
      { timeout: 20 },
    )()
      .parallel(() => "thread")()
      .results(),
  );
  t.true(error instanceof TimeoutError);
  t.is(await within(10_000, "the abandoned local function never finished", finished.promise), "ran on");
});

// ============================================================== transfer()

test("transfer(ArrayBuffer): moved to the thread, the source is detached", async (t) => {
  const buffer = new ArrayBuffer(1024);
  new Uint8Array(buffer).fill(7);
  const chain = parallel((b: ArrayBuffer) => new Uint8Array(b).reduce((sum, x) => sum + x, 0))(transfer(buffer));
  t.deepEqual(await chain.results(), [7 * 1024]);
  t.is(buffer.byteLength, 0, "detached");
});

test("transfer(port): a MessagePort moves to the thread, which talks back on it while the call runs", async (t) => {
  const { port1, port2 } = new MessageChannel();
  const heard: unknown[] = [];
  port1.on("message", (message: unknown) => heard.push(message));
  const [result] = await parallel(async (port: MessagePort) => {
    for (let step = 1; step <= 3; step++) port.postMessage({ step });
    await new Promise((resolve) => setTimeout(resolve, 20));
    port.close();
    return "done";
  })(transfer(port2)).results();
  t.is(result, "done");
  for (let waited = 0; heard.length < 3 && waited < 5_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  port1.close();
  t.deepEqual(heard, [{ step: 1 }, { step: 2 }, { step: 3 }]);
});

test("a MessagePort outside transfer()'s list is refused with CloneError (it can only move)", (t) => {
  const { port1, port2 } = new MessageChannel();
  try {
    const error = t.throws(() => parallel((o: { port: MessagePort }) => typeof o)({ port: port1 }), {
      instanceOf: CloneError,
    });
    t.regex(error!.message, /argument 0 at port can't be sent.*transfer\(\)'s list/);
    t.throws(() => parallel((o: { port: MessagePort }) => typeof o)(transfer({ port: port1 }, [])), {
      instanceOf: CloneError,
    });
  } finally {
    port1.close();
    port2.close();
  }
});

function threadOfCall(): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("node:worker_threads").threadId;
}

function closePort(port: MessagePort): string {
  port.close();
  return "moved";
}

test("transfer(port) of a port that already moved: CloneError at the call, and its thread serves the next call", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  const { port1, port2 } = new MessageChannel();
  try {
    const [before] = await executor.parallel(threadOfCall)().results();
    t.deepEqual(await executor.parallel(closePort)(transfer(port2)).results(), ["moved"]);
    const error = t.throws(() => executor.parallel(closePort)(transfer(port2)), { instanceOf: CloneError });
    t.is(error!.code, "ERR_PARALLEL_CLONE");
    t.regex(error!.message, /^transfer\(\): what the list names could not be moved: /);
    t.truthy(error!.cause, "the platform's DataCloneError");
    const [after] = await executor.parallel(threadOfCall)().results();
    t.is(after, before, "the call was withdrawn before any of it ran: its thread was kept");
    t.is(executor.stats().threads, 1);
  } finally {
    port1.close();
    executor.close();
  }
});

test("transfer(port) of a port that already moved, while the call would wait for a thread: CloneError at the call, nothing queued", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    t.deepEqual(await executor.parallel(closePort)(transfer(port2)).results(), ["moved"]);
    const blocker = executor.parallel((g: SharedArrayBuffer) => Atomics.wait(new Int32Array(g), 0, 0, 10_000))(
      gate.buffer as SharedArrayBuffer,
    );
    t.throws(() => executor.parallel(closePort)(transfer(port2)), { instanceOf: CloneError });
    t.is(executor.stats().queued, 0, "the refused call left the queue");
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await blocker.results();
    t.deepEqual(
      await executor
        .parallel((n: number) => n + 1)(1)
        .results(),
      [2],
    );
  } finally {
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    port1.close();
    executor.close();
  }
});

test("transfer(Uint8Array): its buffer is moved; the thread gets the bytes", async (t) => {
  const bytes = new Uint8Array(4096).map((_, i) => i % 251);
  const expected = bytes.reduce((sum, x) => sum + x, 0);
  const chain = parallel((u: Uint8Array) => [u.constructor.name, u.length, u.reduce((sum, x) => sum + x, 0)] as const)(
    transfer(bytes),
  );
  const [[kind, length, sum]] = await chain.results();
  t.deepEqual([kind, length, sum], ["Uint8Array", 4096, expected]);
  t.is(bytes.byteLength, 0);
  t.is(bytes.buffer.byteLength, 0);
});

test("transfer(): the source is detached as soon as the call starts, also when the call waits for a thread", async (t) => {
  // One thread, kept busy by a call blocked on a SharedArrayBuffer: the
  // transfer call is queued. Its buffer must be gone at once all the same,
  // so a write made after the call started can't reach the thread.
  const executor = new ParallelExecutor({ maxThreads: 1 });
  const gate = new Int32Array(new SharedArrayBuffer(4));
  try {
    const blocker = executor.parallel((g: SharedArrayBuffer) => Atomics.wait(new Int32Array(g), 0, 0, 10_000))(
      gate.buffer as SharedArrayBuffer,
    );
    const buffer = new ArrayBuffer(8);
    new Uint8Array(buffer)[0] = 1;
    const queued = executor.parallel((b: ArrayBuffer) => [b.byteLength, new Uint8Array(b)[0]])(transfer(buffer));
    const lengthAtStart = buffer.byteLength;
    if (buffer.byteLength > 0) new Uint8Array(buffer)[0] = 99; // too late: the buffer was handed over
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await blocker.results();
    const [[length, first]] = await queued.results();
    t.is(length, 8);
    t.is(first, 1, "the thread got the bytes as they were when the call started");
    t.is(lengthAtStart, 0, "detached when the call started, not when it got a thread");
  } finally {
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    executor.close();
  }
});

test("transfer(value, list): the listed buffers inside a value are moved", async (t) => {
  const a = new ArrayBuffer(8);
  const b = new ArrayBuffer(16);
  const kept = new ArrayBuffer(32);
  const [total] = await parallel(
    (o: { a: ArrayBuffer; b: ArrayBuffer; kept: ArrayBuffer }) => o.a.byteLength + o.b.byteLength + o.kept.byteLength,
  )(transfer({ a, b, kept }, [a, b])).results();
  t.is(total, 56);
  t.is(a.byteLength, 0);
  t.is(b.byteLength, 0);
  t.is(kept.byteLength, 32, "a buffer not in the list is copied");
});

test("transfer() typing: the marked value fits the parameter", (t) => {
  const input = new Uint8Array(1);
  const marked = transfer(input);
  assertType<typeof marked, typeof input>(true);
  const buffer = transfer(new ArrayBuffer(1));
  assertType<typeof buffer, ArrayBuffer>(true);
  t.throws(() => transfer(new ArrayBuffer(1), "nope" as never), { instanceOf: TypeError });
});

test("transferResult: true moves the result's buffers back (the thread's copy is detached)", async (t) => {
  // One thread runs both calls, so the second sees what the first kept.
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    const keep = (transferResult: boolean): Promise<[Uint8Array]> =>
      executor
        .parallel(
          () => {
            const bytes = new Uint8Array(1 << 20).fill(3);
            (globalThis as Record<string, unknown>).__kept = bytes;
            return bytes;
          },
          { transferResult },
        )()
        .results();
    const keptLength = async (): Promise<number> =>
      (
        await executor
          .parallel(() => ((globalThis as Record<string, unknown>).__kept as Uint8Array).byteLength)()
          .results()
      )[0];

    const [moved] = await keep(true);
    t.true(moved instanceof Uint8Array);
    t.is(moved.length, 1 << 20);
    t.true(moved.every((x) => x === 3));
    t.is(await keptLength(), 0, "with transferResult the thread's buffer was moved (detached there)");

    const [copied] = await keep(false);
    t.is(copied.length, 1 << 20);
    t.is(await keptLength(), 1 << 20, "without it the result is a copy");
  } finally {
    executor.close();
  }
});

test("SharedArrayBuffer is shared: the thread's writes are seen by the caller", async (t) => {
  const shared = new SharedArrayBuffer(8);
  await parallel((s: SharedArrayBuffer) => {
    new Int32Array(s)[0] = 42;
  })(shared).results();
  t.is(new Int32Array(shared)[0], 42);
});

test("SharedArrayBuffer is shared while the call runs: the thread sees the caller's later writes", async (t) => {
  const shared = new SharedArrayBuffer(8);
  const cells = new Int32Array(shared);
  const chain = parallel((s: SharedArrayBuffer) => {
    const c = new Int32Array(s);
    Atomics.wait(c, 0, 0, 10_000); // until the caller says go (a copy would wait in vain)
    return c[1];
  })(shared);
  cells[1] = 7;
  Atomics.store(cells, 0, 1);
  Atomics.notify(cells, 0);
  t.deepEqual(await chain.results(), [7]);
});

test("SharedArrayBuffer made by a thread comes back shared, both ways", async (t) => {
  const [shared] = await parallel(() => {
    const s = new SharedArrayBuffer(12);
    new Int32Array(s)[0] = 5;
    return s;
  })().results();
  t.true(shared instanceof SharedArrayBuffer);
  const cells = new Int32Array(shared);
  t.is(cells[0], 5);
  cells[1] = 9;
  const [read] = await parallel((s: SharedArrayBuffer) => {
    const c = new Int32Array(s);
    c[2] = 11;
    return c[1];
  })(shared).results();
  t.is(read, 9);
  t.is(cells[2], 11);
});

test.serial(
  "a 64 MiB transfer takes no more time than a 1 KiB one, within a generous factor (sanity bound)",
  async (t) => {
    const timeOne = async (bytes: number): Promise<number> => {
      const buffer = new ArrayBuffer(bytes);
      const started = performance.now();
      const [length] = await parallel((b: ArrayBuffer) => b.byteLength)(transfer(buffer)).results();
      const elapsed = performance.now() - started;
      t.is(length, bytes);
      t.is(buffer.byteLength, 0);
      return elapsed;
    };
    await timeOne(1024); // warm up a thread and the function
    const small = Math.min(await timeOne(1024), await timeOne(1024), await timeOne(1024));
    const large = Math.min(await timeOne(64 << 20), await timeOne(64 << 20));
    t.log(`1 KiB: ${small.toFixed(2)} ms, 64 MiB: ${large.toFixed(2)} ms`);
    t.true(large < small * 50 + 500, `64 MiB took ${large.toFixed(1)} ms, 1 KiB ${small.toFixed(1)} ms`);
  },
);

// ============================================================== CloneError

test("CloneError for a function argument, before anything is dispatched, naming its position", (t) => {
  const first = t.throws(() => parallel((f: unknown) => typeof f)(() => 1), { instanceOf: CloneError });
  t.is((first as CloneError).argumentIndex, 0);
  t.regex((first as CloneError).valueType, /function/i);
  t.is((first as CloneError).code, "ERR_PARALLEL_CLONE");

  const second = t.throws(() => parallel((a: number, f: unknown) => a)(1, () => 2), { instanceOf: CloneError });
  t.is((second as CloneError).argumentIndex, 1);

  const nested = t.throws(() => parallel((o: unknown) => o)({ deep: [1, { fn: () => 3 }] }), {
    instanceOf: CloneError,
  });
  t.is((nested as CloneError).argumentIndex, 0);
  t.regex((nested as CloneError).valueType, /function/i);

  const chained = parallel(() => 1)();
  t.throws(() => chained.parallel((x: unknown) => x)(Math.max), { instanceOf: CloneError });
  t.notThrows(() => chained.results(), "the link that failed to start was not consumed");
});

test("CloneError for a class instance names the class; for a symbol names the type", (t) => {
  class Point {
    constructor(readonly x: number) {}
    norm(): number {
      return Math.abs(this.x);
    }
  }
  const instance = t.throws(() => parallel((p: Point) => p.x)(new Point(3)), { instanceOf: CloneError });
  t.is((instance as CloneError).argumentIndex, 0);
  t.regex((instance as CloneError).valueType, /Point/);
  t.regex((instance as CloneError).message, /Point/);

  const symbol = t.throws(() => parallel((a: number, s: symbol) => a)(1, Symbol("s")), { instanceOf: CloneError });
  t.is((symbol as CloneError).argumentIndex, 1);
  t.regex((symbol as CloneError).valueType, /symbol/i);
});

test("an argument that fails the clone check leaves transfer() buffers attached (nothing was dispatched)", (t) => {
  const buffer = new ArrayBuffer(64);
  t.throws(() => parallel((b: ArrayBuffer, f: unknown) => b.byteLength)(transfer(buffer), () => 1), {
    instanceOf: CloneError,
  });
  t.is(buffer.byteLength, 64);
});

test("built-ins that structured clone knows pass as arguments (a Buffer arrives as a Buffer)", async (t) => {
  const [kinds] = await parallel((values: unknown[]) =>
    values.map((v) => (Buffer.isBuffer(v) ? "Buffer" : Object.prototype.toString.call(v))),
  )([
    new Date(0),
    new Map([[1, 2]]),
    new Set([1]),
    /x/g,
    new RangeError("r"),
    new Float32Array(2),
    Buffer.from("hi"),
    new DataView(new ArrayBuffer(4)),
  ]).results();
  t.deepEqual(kinds, [
    "[object Date]",
    "[object Map]",
    "[object Set]",
    "[object RegExp]",
    "[object Error]",
    "[object Float32Array]",
    "Buffer",
    "[object DataView]",
  ]);
});

test("errors as values (arguments and results) keep class, own name, code, own properties, cause and an AggregateError's errors", async (t) => {
  const sent = Object.assign(new RangeError("too far", { cause: { at: 3 } }), { code: "E_FAR", limit: 10 });
  const aggregate = new AggregateError([sent, new TypeError("t")], "several");
  const [back, made] = await parallel((errors: [RangeError, AggregateError]) => errors)([sent, aggregate])
    .parallel(() => {
      const error = Object.assign(new Error("made in a thread"), { code: 7 });
      error.name = "MadeError";
      return { error, again: error };
    })()
    .results();
  t.true(back[0] instanceof RangeError);
  t.like(back[0], { message: "too far", code: "E_FAR", limit: 10 });
  t.deepEqual(back[0].cause, { at: 3 });
  t.true(back[1] instanceof AggregateError);
  t.is(back[1].errors[0], back[0], "a shared error stays shared");
  t.true(back[1].errors[1] instanceof TypeError);
  t.true(made.error instanceof Error);
  t.like(made.error, { name: "MadeError", message: "made in a thread", code: 7 });
  t.is(made.again, made.error);
});

test("a typed array arrives as a view of the ArrayBuffer sent with it, at its offset (as structuredClone does)", async (t) => {
  const buffer = new ArrayBuffer(8);
  const [[related, offset]] = await parallel(
    (b: ArrayBuffer, v: Uint16Array) => [v.buffer === b, v.byteOffset] as const,
  )(buffer, new Uint16Array(buffer, 2, 2)).results();
  t.true(related);
  t.is(offset, 2);
});

test("a value nested too deep for the serializer gets CloneError, also with errors inside", (t) => {
  for (const leaf of [1, Object.assign(new Error("deep"), { code: 1 })]) {
    let value: unknown = leaf;
    for (let i = 0; i < 100_000; i++) value = { value };
    const error = t.throws(() => parallel((v: unknown) => typeof v)(value), { instanceOf: CloneError });
    t.is(error?.argumentIndex, 0);
  }
});

test("an uncloneable result fails that call with CloneError (function, symbol, class instance)", async (t) => {
  const fn = await t.throwsAsync(parallel(() => () => 1)().results(), { instanceOf: CloneError });
  t.is((fn as CloneError).argumentIndex, undefined, "a result has no argument position");
  t.regex((fn as CloneError).valueType, /function/i);

  await t.throwsAsync(parallel(() => Symbol("s"))().results(), { instanceOf: CloneError });

  const instance = await t.throwsAsync(
    parallel(() => {
      class Box {
        constructor(readonly v: number) {}
        get(): number {
          return this.v;
        }
      }
      return new Box(1);
    })().results(),
    { instanceOf: CloneError },
  );
  t.regex((instance as CloneError | undefined)?.valueType ?? "", /Box/);

  // Only that call fails; the others in the chain deliver.
  const [ok, bad] = await parallel(() => "fine")()
    .parallel(() => ({ nested: [() => 2] }))()
    .settled();
  t.deepEqual(ok, { status: "fulfilled", value: "fine" });
  t.is(bad.status, "rejected");
  t.true(bad.status === "rejected" && bad.reason instanceof CloneError);
});

test("a nested value makes the round trip deep-equal (Map, Set, Date, RegExp, typed arrays, BigInt, cycles)", async (t) => {
  interface Rich {
    [key: string]: unknown;
  }
  const shared = { shared: true };
  const value: Rich = {
    number: 1.5,
    negativeZero: -0,
    nan: NaN,
    infinity: -Infinity,
    string: "text ✓",
    boolean: true,
    nothing: null,
    missing: undefined,
    big: 2n ** 70n,
    date: new Date(Date.UTC(2024, 1, 29, 12, 0, 0)),
    regexp: /a+b/gi,
    map: new Map<unknown, unknown>([
      ["key", { n: 1 }],
      [2, [3, 4]],
    ]),
    set: new Set<unknown>([1, "two", 3n]),
    bytes: Uint8Array.of(1, 2, 255),
    floats: Float64Array.of(1.5, -0, NaN),
    bigints: BigInt64Array.of(-1n, 2n ** 62n),
    nested: { deeper: { array: [1, [2, [3, { four: 4 }]]] } },
    sparse: [1, , 3],
    a: shared,
    b: shared,
  };
  value.self = value;
  (value.map as Map<unknown, unknown>).set("cycle", value);
  const loop: unknown[] = ["head"];
  loop.push(loop);
  value.loop = loop;

  const [back] = await parallel((v: unknown) => v)(value).results();
  const result = back as Rich;
  t.deepEqual(result, value);
  t.not(result, value, "a copy");
  t.is(result.self, result, "a cycle stays a cycle");
  t.is((result.map as Map<unknown, unknown>).get("cycle"), result);
  t.is((result.loop as unknown[])[1], result.loop);
  t.is(result.a, result.b, "a shared reference stays shared");
  t.true(Object.is(result.negativeZero, -0));
  t.true(result.bytes instanceof Uint8Array);
  t.true(result.bigints instanceof BigInt64Array);
  t.true(result.date instanceof Date);
  t.is((result.regexp as RegExp).flags, "gi");
  t.false(1 in (result.sparse as unknown[]), "a hole stays a hole");
});
