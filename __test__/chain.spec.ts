/**
 * Typed parallel chains through the public API (SPEC §1, §2, §3, §9):
 * results, ordering, timeouts, returnWhen, consumed links, resultsSync,
 * settled, asCompleted, futures, cancellation, portability and errors
 * crossing threads.
 *
 * Functions passed to parallel() are re-created inside a thread from their
 * source: they must not use anything from this module (not even its imports,
 * which the CommonJS output rewrites); values go in as arguments.
 *
 * Tests that depend on one call being slower than another are `serial`, so
 * that other tests' calls can't fill the pool and delay them.
 */
import test from "ava";

import {
  CancelledError,
  ChainConsumedError,
  ExceptionGroup,
  NotPortableError,
  ParallelCalls,
  ThreadCrashError,
  TimeoutError,
  parallel,
  type CallOptions,
  type ResultsOptions,
} from "parallel-threads";

function toText(n: number): string {
  return `${n}`;
}

/** A portable call that sleeps `ms` asynchronously, then returns `value`. */
async function sleepThen<T>(ms: number, value: T): Promise<T> {
  await new Promise((r) => setTimeout(r, ms));
  return value;
}

/** A portable call that sleeps `ms` asynchronously, then throws an Error with `message`. */
async function sleepThenThrow(ms: number, message: string): Promise<never> {
  await new Promise((r) => setTimeout(r, ms));
  throw new Error(message);
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- results

test('the README example resolves with [3, "4", 5]', async (t) => {
  const [three, four, five] = await parallel(() => 1 + 2)()
    .parallel(toText)(4)
    .parallel(async () => 1 + 4)()
    .results();
  t.deepEqual([three, four, five], [3, "4", 5]);
  t.is(typeof four, "string");
});

test.serial("chain order is kept under random delays", async (t) => {
  const delays = Array.from({ length: 12 }, () => Math.floor(Math.random() * 41));
  const call = async (index: number, ms: number): Promise<number> => {
    await new Promise((r) => setTimeout(r, ms));
    return index;
  };
  let chain = parallel(call)(0, delays[0]!) as unknown as ParallelCalls<number[]>;
  for (let i = 1; i < 12; i++) {
    chain = chain.parallel(call)(i, delays[i]!) as unknown as ParallelCalls<number[]>;
  }
  t.deepEqual(await chain.results(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], `delays ${delays.join(",")}`);
});

test("arguments reach the thread and structured values come back", async (t) => {
  const [sum, obj] = await parallel((a: number, b: number) => a + b)(2, 40)
    .parallel((o: { list: number[]; when: Date }) => ({
      total: o.list.reduce((x, y) => x + y, 0),
      year: o.when.getUTCFullYear(),
    }))({
      list: [1, 2, 3],
      when: new Date(Date.UTC(2020, 0, 1)),
    })
    .results();
  t.is(sum, 42);
  t.deepEqual(obj, { total: 6, year: 2020 });
});

test.serial("results({ timeout }) rejects with TimeoutError; the calls go on and settle later", async (t) => {
  const calls = parallel(sleepThen)(600, "late").parallel(() => "quick")();
  const err = await t.throwsAsync(calls.results({ timeout: 50 }), { instanceOf: TimeoutError });
  t.is(err?.name, "TimeoutError");
  const [slow, quick] = calls.futures;
  t.false(slow.done, "the slow call was not stopped by the results() timeout");
  t.is(await slow, "late");
  t.is(await quick, "quick");
  t.is(slow.state, "fulfilled");
  t.deepEqual(await calls.results(), ["late", "quick"]);
});

test.serial('returnWhen "FIRST_EXCEPTION" rejects with the failure before a slower call finishes', async (t) => {
  const calls = parallel(sleepThen)(3000, "slow").parallel(sleepThenThrow)(0, "boom");
  const [slow] = calls.futures;
  const err = await t.throwsAsync(calls.results({ returnWhen: "FIRST_EXCEPTION" }));
  t.is(err?.message, "boom");
  t.false(slow.done, "the slow call was still running when results() rejected");
  t.is(slow.state, "running");
  calls.cancel();
  await t.throwsAsync(Promise.resolve(slow), { instanceOf: CancelledError });
});

test.serial('"ALL_COMPLETED" with two failures rejects with an ExceptionGroup in chain order', async (t) => {
  // The first failure in chain order is the last to happen.
  const calls = parallel(sleepThenThrow)(300, "first")
    .parallel(() => "ok")()
    .parallel(sleepThenThrow)(0, "second");
  const err = await t.throwsAsync(calls.results({ returnWhen: "ALL_COMPLETED" }), { instanceOf: ExceptionGroup });
  t.true(err instanceof AggregateError);
  const group = err as ExceptionGroup;
  t.is(group.exceptions.length, 2);
  t.deepEqual(
    group.exceptions.map((e) => (e as Error).message),
    ["first", "second"],
  );
  t.deepEqual(group.exceptions, group.errors);
});

test("one failure rejects with that error itself", async (t) => {
  const err = await t.throwsAsync(
    parallel(() => 1)()
      .parallel(sleepThenThrow)(0, "alone")
      .parallel(() => 3)()
      .results(),
  );
  t.false(err instanceof ExceptionGroup);
  t.is(err?.constructor, Error);
  t.is(err?.message, "alone");
});

test('returnWhen "FIRST_COMPLETED" is refused at run time with a TypeError', async (t) => {
  const calls = parallel(() => 1)();
  const options = { returnWhen: "FIRST_COMPLETED" } as unknown as ResultsOptions;
  let err: unknown;
  try {
    await calls.results(options);
  } catch (e) {
    err = e;
  }
  t.true(err instanceof TypeError);
  t.regex((err as Error).message, /FIRST_COMPLETED/);
  t.throws(() => calls.resultsSync(options), { instanceOf: TypeError, message: /FIRST_COMPLETED/ });
  t.deepEqual(await calls.results(), [1]);
});

// ---------------------------------------------------------------- consumed links

test("a consumed link throws ChainConsumedError for results, parallel, futures, settled, asCompleted", async (t) => {
  const link = parallel(() => 1)();
  const next = link.parallel(() => 2)();
  const consumed = { instanceOf: ChainConsumedError };

  // results() and settled() return promises: accept a throw or a rejection here
  // (the next test checks that they reject, as §9 says).
  const viaPromise = async (f: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await f();
    } catch (e) {
      return e;
    }
  };
  t.true((await viaPromise(() => link.results())) instanceof ChainConsumedError, "results()");
  t.true((await viaPromise(() => link.settled())) instanceof ChainConsumedError, "settled()");
  t.throws(() => link.resultsSync(), consumed, "resultsSync()");
  t.throws(() => link.parallel(() => 3), consumed, "parallel()");
  t.throws(() => link.futures, consumed, "futures");
  t.throws(() => link.asCompleted(), consumed, "asCompleted()");
  const err = t.throws(() => link.futures);
  t.is(err?.name, "ChainConsumedError");
  t.is((err as Error & { code?: string }).code, "ERR_PARALLEL_CHAIN_CONSUMED");

  // The chain that was returned is live.
  t.deepEqual(await next.results(), [1, 2]);
});

// §9: "Functions that return a promise report every error by rejecting."
test("results() and settled() on a consumed link reject (not throw) with ChainConsumedError (§9)", async (t) => {
  const link = parallel(() => 1)();
  link.parallel(() => 2)();
  await t.throwsAsync(() => link.settled(), { instanceOf: ChainConsumedError }, "settled() on a consumed link");
  await t.throwsAsync(() => link.results(), { instanceOf: ChainConsumedError }, "results() on a consumed link");
});

test("results() with bad options rejects (not throws) with RangeError / TypeError (§9)", async (t) => {
  const live = parallel(() => 1)();
  await t.throwsAsync(
    () => live.results({ timeout: -1 }),
    { instanceOf: RangeError },
    "results() with a negative timeout",
  );
  await t.throwsAsync(
    () => live.results(3 as unknown as ResultsOptions),
    { instanceOf: TypeError },
    "results() with non-object options",
  );
  await t.throwsAsync(
    () => live.results({ returnWhen: "FIRST_COMPLETED" } as unknown as ResultsOptions),
    { instanceOf: TypeError },
    "results() with FIRST_COMPLETED",
  );
  t.deepEqual(await live.results(), [1]);
});

test("choosing the link's starter consumes nothing; calling it does", async (t) => {
  const link = parallel(() => 1)();
  const starter = link.parallel((n: number) => n + 1);
  t.is(link.futures.length, 1, "not consumed before the starter is called");
  const next = starter(1);
  t.throws(() => link.futures, { instanceOf: ChainConsumedError });
  t.throws(() => starter(2), { instanceOf: ChainConsumedError }, "a starter can't be called twice");
  t.deepEqual(await next.results(), [1, 2]);
});

test.serial("cancel() on a consumed link still cancels the calls it held", async (t) => {
  const link = parallel(sleepThen)(5000, "never");
  const next = link.parallel(() => "two")();
  link.cancel("stop");
  const [first, second] = next.futures;
  t.is(first.state, "cancelled");
  const settled = await next.settled();
  t.is(settled[0].status, "rejected");
  const reason = (settled[0] as { reason: unknown }).reason;
  t.true(reason instanceof CancelledError);
  t.is((reason as Error).cause, "stop");
  t.deepEqual(settled[1], { status: "fulfilled", value: "two" });
  t.is(second.state, "fulfilled");
});

test.serial("Symbol.asyncDispose on a consumed link still cancels the calls it held", async (t) => {
  const link = parallel(sleepThen)(5000, "never");
  const next = link.parallel(() => "two")();
  await link[Symbol.asyncDispose]();
  t.is(next.futures[0].state, "cancelled");
  const records = await next.settled();
  t.true((records[0] as { reason: unknown }).reason instanceof CancelledError);
  t.deepEqual(records[1], { status: "fulfilled", value: "two" });
});

// ---------------------------------------------------------------- resultsSync

test("resultsSync() returns the tuple", (t) => {
  const result = parallel(() => 1 + 2)()
    .parallel(toText)(4)
    .parallel(async () => 1 + 4)()
    .resultsSync();
  t.deepEqual(result, [3, "4", 5]);
});

test("resultsSync() throws the error of a failing call", (t) => {
  const calls = parallel(() => 1)().parallel((m: string) => {
    throw new RangeError(m);
  })("sync failure");
  t.throws(() => calls.resultsSync(), { instanceOf: RangeError, message: "sync failure" });
});

test.serial("resultsSync({ timeout }) throws TimeoutError", async (t) => {
  const calls = parallel(sleepThen)(3000, "slow");
  t.throws(() => calls.resultsSync({ timeout: 50 }), { instanceOf: TimeoutError });
  t.false(calls.futures[0].done, "the call goes on after the wait timed out");
  calls.cancel();
  await t.throwsAsync(Promise.resolve(calls.futures[0]), { instanceOf: CancelledError });
});

// ---------------------------------------------------------------- settled, asCompleted, futures

test("settled() gives a record per call in chain order and never rejects", async (t) => {
  const records = await parallel(() => "a")()
    .parallel(sleepThenThrow)(0, "b failed")
    .parallel((n: number) => n * 2)(21)
    .settled();
  t.is(records.length, 3);
  t.deepEqual(records[0], { status: "fulfilled", value: "a" });
  t.is(records[1].status, "rejected");
  t.is(((records[1] as { reason: unknown }).reason as Error).message, "b failed");
  t.deepEqual(records[2], { status: "fulfilled", value: 42 });
});

test.serial("asCompleted() yields settled records in completion order", async (t) => {
  const calls = parallel(sleepThen)(900, "slowest").parallel(sleepThenThrow)(450, "middle").parallel(sleepThen)(
    0,
    "fastest",
  );
  const futures = calls.futures;
  const seen: Array<{ index: number; status: string; value?: unknown; reason?: unknown }> = [];
  for await (const record of calls.asCompleted()) {
    t.true(record.future === (futures as readonly unknown[])[record.index], "the record carries its future");
    t.true(record.future.done);
    seen.push(record);
  }
  t.deepEqual(
    seen.map((r) => r.index),
    [2, 1, 0],
  );
  t.deepEqual(seen[0], { index: 2, future: futures[2], status: "fulfilled", value: "fastest" });
  t.is(seen[1]!.status, "rejected");
  t.is((seen[1]!.reason as Error).message, "middle");
  t.deepEqual(seen[2], { index: 0, future: futures[0], status: "fulfilled", value: "slowest" });
});

test.serial("asCompleted({ timeout }) ends with TimeoutError", async (t) => {
  const calls = parallel(() => 1)().parallel(sleepThen)(3000, 2);
  const indices: number[] = [];
  await t.throwsAsync(
    async () => {
      for await (const record of calls.asCompleted({ timeout: 300 })) indices.push(record.index);
    },
    { instanceOf: TimeoutError },
  );
  t.deepEqual(indices, [0]);
  calls.cancel();
});

test.serial(
  "futures go from running to fulfilled or rejected; result(), exception(), ERR_FUTURE_NOT_DONE",
  async (t) => {
    const calls = parallel(sleepThen)(300, "value").parallel(sleepThenThrow)(300, "failure");
    const [ok, bad] = calls.futures;
    t.is(ok.state, "running");
    t.is(bad.state, "running");
    t.false(ok.done);
    t.throws(() => ok.result(), { code: "ERR_FUTURE_NOT_DONE" });
    t.throws(() => ok.exception(), { code: "ERR_FUTURE_NOT_DONE" });
    t.throws(() => bad.result(), { code: "ERR_FUTURE_NOT_DONE" });

    await calls.settled();
    t.is(ok.state, "fulfilled");
    t.true(ok.done);
    t.is(ok.result(), "value");
    t.is(ok.exception(), undefined);
    t.is(await ok, "value");

    t.is(bad.state, "rejected");
    t.true(bad.done);
    const thrown = t.throws(() => bad.result());
    t.is(thrown?.message, "failure");
    t.is(bad.exception(), thrown);
    t.false(bad.cancel(), "a settled future can't be cancelled");
    t.is(bad.state, "rejected");
  },
);

// ---------------------------------------------------------------- cancellation

test.serial("aborting results({ signal }) rejects with CancelledError whose cause is the reason", async (t) => {
  const calls = parallel(sleepThen)(5000, "never").parallel(() => "done")();
  const controller = new AbortController();
  const pending = calls.results({ signal: controller.signal });
  await delay(100);
  const reason = new Error("user pressed stop");
  controller.abort(reason);
  const err = await t.throwsAsync(pending, { instanceOf: CancelledError });
  t.is(err?.cause, reason);
  t.is((err as Error & { code?: string }).code, "ERR_PARALLEL_CANCELLED");
  t.is(calls.futures[0].state, "cancelled");
});

test("an already aborted signal rejects at once", async (t) => {
  const calls = parallel(sleepThen)(5000, "never");
  const err = await t.throwsAsync(calls.results({ signal: AbortSignal.abort("early") }), {
    instanceOf: CancelledError,
  });
  t.is(err?.cause, "early");
  t.is(calls.futures[0].state, "cancelled");
});

test.serial("cancel() makes results() reject with CancelledError", async (t) => {
  const calls = parallel(sleepThen)(5000, "never");
  const pending = calls.results();
  await delay(50);
  calls.cancel();
  await t.throwsAsync(pending, { instanceOf: CancelledError });
  t.is(calls.futures[0].state, "cancelled");
  t.deepEqual(await parallel(() => "after")().results(), ["after"]);
});

test.serial("a per-call signal cancels that call", async (t) => {
  const controller = new AbortController();
  const calls = parallel(sleepThen, { signal: controller.signal })(5000, "never").parallel(() => "other")();
  controller.abort("per call");
  const records = await calls.settled();
  t.is(records[0].status, "rejected");
  t.true((records[0] as { reason: unknown }).reason instanceof CancelledError);
  t.deepEqual(records[1], { status: "fulfilled", value: "other" });
});

test.serial("a per-call timeout stops an infinite loop with TimeoutError; later chains still work", async (t) => {
  const started = Date.now();
  const calls = parallel(
    () => {
      for (;;) {
        /* spin */
      }
    },
    { timeout: 200 },
  )().parallel(() => "fine")();
  const records = await calls.settled();
  t.is(records[0].status, "rejected");
  t.true((records[0] as { reason: unknown }).reason instanceof TimeoutError);
  t.deepEqual(records[1], { status: "fulfilled", value: "fine" });
  t.true(Date.now() - started < 10_000, "sanity bound");

  // results() rejects with the per-call TimeoutError too.
  await t.throwsAsync(
    parallel(
      () => {
        for (;;) {}
      },
      { timeout: 100 },
    )().results(),
    { instanceOf: TimeoutError },
  );
  t.deepEqual(
    await parallel((n: number) => n + 1)(1)
      .parallel(() => "again")()
      .results(),
    [2, "again"],
  );
});

test.serial("fatal failures come first in an ExceptionGroup, and FIRST_EXCEPTION prefers them (§3, §9)", async (t) => {
  const controller = new AbortController();
  const calls = parallel(sleepThenThrow)(0, "ordinary")
    .parallel(sleepThen, { signal: controller.signal })(5000, "never")
    .parallel(() => "fine")();
  await delay(200);
  controller.abort("stop it");
  const err = await t.throwsAsync(calls.results(), { instanceOf: ExceptionGroup });
  const exceptions = (err as ExceptionGroup).exceptions;
  t.is(exceptions.length, 2);
  t.true(exceptions[0] instanceof CancelledError, "the fatal CancelledError comes first");
  t.is((exceptions[1] as Error).message, "ordinary");
  const first = await t.throwsAsync(calls.results({ returnWhen: "FIRST_EXCEPTION" }));
  t.true(first instanceof CancelledError, "FIRST_EXCEPTION prefers the fatal failure");
});

test.serial("a thread that exits fails its call with ThreadCrashError; the other calls carry on", async (t) => {
  const records = await parallel(() => process.exit(3))()
    .parallel(sleepThen)(100, "carried on")
    .settled();
  t.is(records[0].status, "rejected");
  const crash = (records[0] as { reason: unknown }).reason as ThreadCrashError;
  t.true(crash instanceof ThreadCrashError, String(crash));
  t.is(crash.exitCode, 3);
  t.deepEqual(records[1], { status: "fulfilled", value: "carried on" });
  t.deepEqual(await parallel(() => "still works")().results(), ["still works"]);
  t.deepEqual(parallel(() => "sync too")().resultsSync(), ["sync too"]);
});

// ---------------------------------------------------------------- portability and errors

test("a closure is refused with NotPortableError naming the captured identifier", (t) => {
  const secretValue = 5;
  const err = t.throws(() => parallel(() => secretValue + 1), { instanceOf: NotPortableError });
  t.true(err instanceof TypeError);
  t.regex(err!.message, /secretValue/);
  t.regex(err!.message, /argument/);
  t.regex(err!.message, /tasks\(/);
  t.deepEqual([...(err as NotPortableError).captured], ["secretValue"]);
  t.is((err as NotPortableError).code, "ERR_PARALLEL_NOT_PORTABLE");
  // On a chain too, before anything runs.
  const chain = parallel(() => 1)();
  t.throws(() => chain.parallel(() => secretValue), { instanceOf: NotPortableError });
  t.is(chain.futures.length, 1, "the refused .parallel() did not consume the chain");
});

test("an error thrown in a thread arrives as a real TypeError with message and the call site in its stack", async (t) => {
  // Awaited here (not by t.throwsAsync): the stack ends with the frames of the code that waits.
  let err: Error | undefined;
  try {
    await parallel((m: string) => {
      throw new TypeError(m);
    })("thrown in the thread").results();
  } catch (error) {
    err = error as Error;
  }
  t.true(err instanceof TypeError);
  t.is(Object.getPrototypeOf(err), TypeError.prototype);
  t.is(err?.name, "TypeError");
  t.is(err?.message, "thrown in the thread");
  t.regex(err?.stack ?? "", /^TypeError: thrown in the thread/);
  t.regex(
    err?.stack ?? "",
    /parallel\(\) call site[^]*chain\.spec\.(js|ts)/,
    `the call site is in the stack:\n${err?.stack}`,
  );
});

test("error cause, code and own properties cross; non-Error throws arrive unchanged", async (t) => {
  const records = await parallel(() => {
    const inner = new RangeError("inner");
    throw Object.assign(new Error("outer", { cause: inner }), { code: "E_OUTER", detail: { n: 1 } });
  })()
    .parallel(() => {
      throw { plain: "object" };
    })()
    .parallel(() => {
      throw 42;
    })()
    .settled();
  const outer = (records[0] as { reason: unknown }).reason as Error & { code?: string; detail?: unknown };
  t.is(outer.message, "outer");
  t.is(outer.code, "E_OUTER");
  t.deepEqual(outer.detail, { n: 1 });
  t.true(outer.cause instanceof RangeError);
  t.is((outer.cause as Error).message, "inner");
  t.deepEqual((records[1] as { reason: unknown }).reason, { plain: "object" });
  t.is((records[2] as { reason: unknown }).reason, 42);
});

test("bad options: a negative timeout is a RangeError, non-object options a TypeError", (t) => {
  t.throws(() => parallel(() => 1, { timeout: -1 }), { instanceOf: RangeError });
  t.throws(() => parallel(() => 1, { timeout: Number.NaN }), { instanceOf: RangeError });
  t.throws(() => parallel(() => 1, 5 as unknown as CallOptions), { instanceOf: TypeError });
  t.throws(() => parallel(() => 1, "fast" as unknown as CallOptions), { instanceOf: TypeError });
  t.throws(() => parallel(() => 1, { timeout: "1s" } as unknown as CallOptions), { instanceOf: TypeError });
  t.throws(() => parallel(() => 1, { signal: {} } as unknown as CallOptions), { instanceOf: TypeError });
  t.throws(() => parallel(42 as unknown as () => number), { instanceOf: TypeError });

  const chain = parallel(() => 1)();
  t.throws(() => chain.parallel(() => 2, { timeout: -5 }), { instanceOf: RangeError });
  t.throws(() => chain.parallel(() => 2, null as unknown as CallOptions), { instanceOf: TypeError });
  t.throws(() => chain.resultsSync({ timeout: -1 }), { instanceOf: RangeError });
  t.throws(() => chain.resultsSync(7 as unknown as ResultsOptions), { instanceOf: TypeError });
  t.is(chain.futures.length, 1, "refused options did not consume the chain");
});
