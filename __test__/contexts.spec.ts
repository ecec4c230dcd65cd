/**
 * Parallel contexts (SPEC §4, §9; issue 6): the intent of python-parallel's
 * context tests (src/tests/test_parallel.py, FutureContextCollection) through
 * the public API.
 *
 * Contexts are entered and exited on this thread, so the helpers here may
 * close over anything. Overlap is proved with barriers (each enter waits for
 * the others), never with timings; every wait that could hang on a bug is
 * bounded by `within()`.
 */
import test from "ava";
import { execFile } from "node:child_process";
import path from "node:path";

import {
  CancelledError,
  ChainConsumedError,
  ExceptionGroup,
  ParallelCalls,
  ParallelContexts,
  SuppressedError,
  TimeoutError,
  parallel,
  type ContextManager,
} from "parallel-threads";

// ---------------------------------------------------------------- helpers

/** Exact type equality, for compile-time checks of the entered tuple. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<A, B>(_proof: Equal<A, B>): void {}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
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

/** A barrier on this thread: each `arrive()` resolves once `parties` have arrived. */
function barrier(parties: number): { arrive(): Promise<void>; all: Promise<void> } {
  let arrived = 0;
  const all = deferred();
  return {
    arrive() {
      arrived++;
      if (arrived >= parties) all.resolve();
      return all.promise;
    },
    all: all.promise,
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** An error to test with, like the seed's `Woopsie`. */
class Woopsie extends Error {
  constructor(readonly id: number) {
    super(`Woopsie ${id}`);
    this.name = "Woopsie";
  }
}

/** What the contexts of a test did, in order. */
class Journal {
  readonly events: string[] = [];
  /** The arguments each exit got, by context name. */
  readonly exitArgs = new Map<string, unknown[]>();
}

interface Behaviour {
  /** Awaited at the start of enter (makes enter asynchronous). */
  beforeEnter?: () => Promise<unknown>;
  /** Enter throws (or rejects, when asynchronous) with this. */
  enterError?: unknown;
  /** Awaited at the start of exit (makes exit asynchronous). */
  beforeExit?: () => Promise<unknown>;
  /** Exit throws (or rejects) with this. */
  exitError?: unknown;
  /** What exit returns (true suppresses). */
  returns?: boolean;
}

/** A `ContextManager` that records its enter and exit in `journal`. */
function manager<T>(journal: Journal, name: string, value: T, b: Behaviour = {}): ContextManager<T> {
  const finishEnter = (): T => {
    if (b.enterError !== undefined) throw b.enterError;
    journal.events.push(`enter:${name}`);
    return value;
  };
  const finishExit = (): boolean | undefined => {
    if (b.exitError !== undefined) throw b.exitError;
    return b.returns;
  };
  return {
    enter() {
      const before = b.beforeEnter;
      if (before === undefined) return finishEnter();
      return before().then(finishEnter);
    },
    exit(...args: unknown[]) {
      journal.events.push(`exit:${name}`);
      journal.exitArgs.set(name, args);
      const before = b.beforeExit;
      if (before === undefined) return finishExit();
      return before().then(finishExit);
    },
  };
}

// ------------------------------------------------------ each kind of context

test("a context manager with a synchronous enter: its value arrives and exit() gets no error", async (t) => {
  const j = new Journal();
  const result = await parallel(manager(j, "a", 41)).with(([a]) => {
    assertType<typeof a, number>(true);
    j.events.push("block");
    return a + 1;
  });
  t.is(result, 42);
  t.deepEqual(j.events, ["enter:a", "block", "exit:a"]);
  t.deepEqual(j.exitArgs.get("a"), [], "exit() is called without an error argument");
});

test("a context manager with an asynchronous enter: its awaited value arrives", async (t) => {
  const j = new Journal();
  const ctx = await parallel(manager(j, "a", "value", { beforeEnter: tick })).enter();
  const [a] = ctx;
  assertType<typeof a, string>(true);
  t.is(a, "value");
  t.deepEqual(j.events, ["enter:a"]);
  await ctx[Symbol.asyncDispose]();
  t.deepEqual(j.events, ["enter:a", "exit:a"]);
});

test("a generator that yields once: entering runs it to the yield, exiting resumes it", async (t) => {
  const events: string[] = [];
  function* resource(): Generator<number, void, unknown> {
    events.push("setup");
    try {
      yield 7;
      events.push("resumed");
    } finally {
      events.push("teardown");
    }
  }
  const result = await parallel(resource()).with(([n]) => {
    assertType<typeof n, number>(true);
    events.push(`block:${n}`);
    return n * 2;
  });
  t.is(result, 14);
  t.deepEqual(events, ["setup", "block:7", "resumed", "teardown"]);
});

test("an async generator that yields once: entering awaits it to the yield, exiting resumes it", async (t) => {
  const events: string[] = [];
  async function* resource(): AsyncGenerator<{ id: string }, void, unknown> {
    await tick();
    events.push("setup");
    try {
      yield { id: "conn" };
      await tick();
      events.push("resumed");
    } finally {
      events.push("teardown");
    }
  }
  const ctx = await parallel(resource()).enter();
  const [conn] = ctx;
  assertType<typeof conn, { id: string }>(true);
  t.deepEqual(conn, { id: "conn" });
  t.deepEqual(events, ["setup"]);
  await ctx[Symbol.asyncDispose]();
  t.deepEqual(events, ["setup", "resumed", "teardown"]);
});

test("a Disposable: entering gives the object itself, exiting disposes it", async (t) => {
  const resource = {
    disposed: 0,
    [Symbol.dispose]() {
      this.disposed++;
    },
  };
  const seen = await parallel(resource).with(([r]) => {
    assertType<typeof r, typeof resource>(true);
    t.is(r.disposed, 0);
    return r;
  });
  t.is(seen, resource);
  t.is(resource.disposed, 1);
});

test("an AsyncDisposable: entering gives the object itself, exiting awaits its disposal", async (t) => {
  const events: string[] = [];
  const resource = {
    name: "async",
    async [Symbol.asyncDispose]() {
      await tick();
      events.push("disposed");
    },
  };
  const ctx = await parallel(resource).enter();
  t.is(ctx[0], resource);
  assertType<(typeof ctx)[0], typeof resource>(true);
  await ctx[Symbol.asyncDispose]();
  t.deepEqual(events, ["disposed"]);
});

test("a promise of a Disposable or AsyncDisposable: entering awaits it, exiting disposes the resource", async (t) => {
  const events: string[] = [];
  const sync = { kind: "sync" as const, [Symbol.dispose]: () => void events.push("sync disposed") };
  const later = deferred<{ kind: "async"; [Symbol.asyncDispose](): Promise<void> }>();
  const asyncResource = {
    kind: "async" as const,
    async [Symbol.asyncDispose]() {
      events.push("async disposed");
    },
  };
  setImmediate(() => later.resolve(asyncResource));
  const values = await parallel(Promise.resolve(sync))
    .parallel(later.promise)
    .with((v) => {
      assertType<typeof v, [typeof sync, { kind: "async"; [Symbol.asyncDispose](): Promise<void> }]>(true);
      return v;
    });
  t.is(values?.[0], sync);
  t.is(values?.[1], asyncResource);
  t.deepEqual(events, ["async disposed", "sync disposed"]);
});

test("every kind in one chain: a typed tuple in chain order, exits in reverse chain order", async (t) => {
  const j = new Journal();
  function* gen(): Generator<boolean, void, unknown> {
    try {
      yield true;
    } finally {
      j.events.push("exit:gen");
    }
  }
  async function* agen(): AsyncGenerator<bigint, void, unknown> {
    await tick();
    try {
      yield 5n;
    } finally {
      j.events.push("exit:agen");
    }
  }
  const disposable = { tag: "d", [Symbol.dispose]: () => void j.events.push("exit:disposable") };
  const asyncDisposable = { tag: "ad", [Symbol.asyncDispose]: async () => void j.events.push("exit:asyncDisposable") };
  const promised = { tag: "p", [Symbol.dispose]: () => void j.events.push("exit:promised") };

  const chain = parallel(manager(j, "sync", 1))
    .parallel(manager(j, "async", "two", { beforeEnter: tick }))
    .parallel(gen())
    .parallel(agen())
    .parallel(disposable)
    .parallel(asyncDisposable)
    .parallel(Promise.resolve(promised));
  assertType<
    typeof chain,
    ParallelContexts<[number, string, boolean, bigint, typeof disposable, typeof asyncDisposable, typeof promised]>
  >(true);

  const ctx = await chain.enter();
  t.deepEqual([...ctx], [1, "two", true, 5n, disposable, asyncDisposable, promised]);
  j.events.length = 0;
  await ctx[Symbol.asyncDispose]();
  t.deepEqual(j.events, [
    "exit:promised",
    "exit:asyncDisposable",
    "exit:disposable",
    "exit:agen",
    "exit:gen",
    "exit:async",
    "exit:sync",
  ]);
});

// ---------------------------------------------------------------- with()

test("with() resolves with the block's result, for synchronous and asynchronous blocks", async (t) => {
  const j = new Journal();
  const sync = await parallel(manager(j, "a", 2))
    .parallel(manager(j, "b", 3))
    .with(([a, b]) => a * b);
  assertType<typeof sync, number | undefined>(true);
  t.is(sync, 6);
  const asynchronous = await parallel(manager(j, "c", "x")).with(async ([c]) => {
    await tick();
    return `${c}!`;
  });
  t.is(asynchronous, "x!");
  t.deepEqual(j.events, ["enter:a", "enter:b", "exit:b", "exit:a", "enter:c", "exit:c"]);
});

test("the error leaving the block reaches every exit in reverse chain order, and with() rejects with it", async (t) => {
  const j = new Journal();
  const boom = new Woopsie(1);
  let generatorSaw: unknown;
  function* gen(): Generator<string, void, unknown> {
    try {
      yield "g";
    } catch (error) {
      generatorSaw = error;
      j.events.push("exit:gen");
      throw error;
    }
  }
  const disposable = { [Symbol.dispose]: () => void j.events.push("exit:disposable") };
  const error = await t.throwsAsync(
    parallel(manager(j, "first", 1))
      .parallel(gen())
      .parallel(disposable)
      .parallel(manager(j, "last", 4, { beforeExit: tick }))
      .with(() => {
        throw boom;
      }),
  );
  t.is(error, boom, "rejects with the block's own error");
  t.deepEqual(j.events, ["enter:first", "enter:last", "exit:last", "exit:disposable", "exit:gen", "exit:first"]);
  t.deepEqual(j.exitArgs.get("last"), [boom]);
  t.deepEqual(j.exitArgs.get("first"), [boom]);
  t.is(generatorSaw, boom, "the generator got the error thrown into it");
});

test("an asynchronous block's rejection is the error leaving the block", async (t) => {
  const j = new Journal();
  const boom = new Woopsie(2);
  const error = await t.throwsAsync(
    parallel(manager(j, "a", 1)).with(async () => {
      await tick();
      throw boom;
    }),
  );
  t.is(error, boom);
  t.deepEqual(j.exitArgs.get("a"), [boom]);
});

test("a thrown non-Error value, even undefined, leaves the block like any error", async (t) => {
  for (const thrown of [undefined, null, 0, "text"]) {
    const j = new Journal();
    const caught: unknown[] = [];
    function* gen(): Generator<number, void, unknown> {
      try {
        yield 1;
      } catch (error) {
        caught.push(error);
        throw error;
      }
    }
    let rejected = false;
    let reason: unknown = "not this";
    await parallel(manager(j, "a", 0))
      .parallel(gen())
      .with(() => Promise.reject(thrown))
      .catch((error: unknown) => {
        rejected = true;
        reason = error;
      });
    t.true(rejected, `with() rejects for ${String(thrown)}`);
    t.is(reason, thrown);
    t.deepEqual(j.exitArgs.get("a"), [thrown], "exit() got it as its argument (not called as if nothing happened)");
    t.deepEqual(caught, [thrown]);
  }
  const j = new Journal();
  t.is(
    await parallel(manager(j, "s", 0, { returns: true })).with(() => Promise.reject(undefined)),
    undefined,
    "and it can be suppressed",
  );
});

test("an exit returning true suppresses the error: with() resolves undefined; outer exits then see no error", async (t) => {
  // The seed's test_future_context_collection_exit_sequential_exceptions_bubble_into_exit.
  const j = new Journal();
  const w1 = new Woopsie(1);
  const w2 = new Woopsie(2);
  const result = await parallel(manager(j, "c0", 0, { returns: true })) // gets w2 from c1, suppresses it
    .parallel(manager(j, "c1", 1, { exitError: w2 })) // gets no error, raises w2
    .parallel(manager(j, "c2", 2, { returns: true })) // gets w1, suppresses it
    .parallel(manager(j, "c3", 3)) // gets w1, lets it through
    .with((): string => {
      throw w1;
    });
  t.is(result, undefined);
  t.deepEqual(j.exitArgs.get("c3"), [w1]);
  t.deepEqual(j.exitArgs.get("c2"), [w1]);
  t.deepEqual(j.exitArgs.get("c1"), [], "after c2 suppressed it, c1 exits as if nothing happened");
  t.deepEqual(j.exitArgs.get("c0"), [w2]);
});

/** The exits in `j`: in the order they ran, or sorted as [a, c, b] when they ran at once (parallelExit). */
function exitsOf(j: Journal, options: { parallelExit?: boolean } | undefined): string[] {
  const exits = j.events.filter((e) => e.startsWith("exit"));
  if (!options?.parallelExit) return exits;
  const rank = (e: string): number => ["exit:a", "exit:c", "exit:b"].indexOf(e);
  return exits.sort((x, y) => rank(x) - rank(y));
}

test("only `true` suppresses, with and without parallelExit (every exit signature of the seed)", async (t) => {
  const optionsList = [undefined, { parallelExit: false }, { parallelExit: true }];
  for (const options of optionsList) {
    for (const returns of [undefined, false]) {
      const j = new Journal();
      const boom = new Woopsie(3);
      const alone = parallel(manager(j, "a", 1, returns === undefined ? {} : { returns }), options);
      t.is(
        await t.throwsAsync(alone.with(() => Promise.reject(boom))),
        boom,
        `returns ${returns}, ${JSON.stringify(options)}`,
      );
      const chained = parallel(manager(j, "b", 1), options).parallel(
        manager(j, "c", 2, returns === undefined ? {} : { returns }),
      );
      t.is(await t.throwsAsync(chained.with(() => Promise.reject(boom))), boom);
      t.deepEqual(exitsOf(j, options), ["exit:a", "exit:c", "exit:b"]);
    }
    const j = new Journal();
    t.is(
      await parallel(manager(j, "a", 1, { returns: true }), options).with(() => Promise.reject(new Woopsie(4))),
      undefined,
    );
    t.is(
      await parallel(manager(j, "b", 1), options)
        .parallel(manager(j, "c", 2, { returns: true }))
        .with(() => Promise.reject(new Woopsie(5))),
      undefined,
    );
    t.deepEqual(exitsOf(j, options), ["exit:a", "exit:c", "exit:b"]);
  }
});

test("a generator that catches the error and doesn't rethrow suppresses it (like @contextmanager)", async (t) => {
  const caught: unknown[] = [];
  function* swallowing(): Generator<number, void, unknown> {
    try {
      yield 1;
    } catch (error) {
      caught.push(error);
    }
  }
  async function* swallowingAsync(): AsyncGenerator<number, void, unknown> {
    try {
      yield 2;
    } catch (error) {
      await tick();
      caught.push(error);
    }
  }
  const w = new Woopsie(6);
  t.is(await parallel(swallowing()).with(() => Promise.reject(w)), undefined);
  t.is(await parallel(swallowingAsync()).with(() => Promise.reject(w)), undefined);
  t.deepEqual(caught, [w, w]);
});

test("a generator that rethrows, or only has finally, lets the error through", async (t) => {
  const events: string[] = [];
  function* rethrowing(): Generator<number, void, unknown> {
    try {
      yield 1;
    } catch (error) {
      events.push("caught");
      throw error;
    }
  }
  function* cleanupOnly(): Generator<number, void, unknown> {
    try {
      yield 2;
    } finally {
      events.push("finally");
    }
  }
  const w = new Woopsie(7);
  t.is(await t.throwsAsync(parallel(rethrowing()).with(() => Promise.reject(w))), w);
  t.is(await t.throwsAsync(parallel(cleanupOnly()).with(() => Promise.reject(w))), w);
  t.deepEqual(events, ["caught", "finally"]);
});

test("a generator context must yield exactly once", async (t) => {
  function* never(): Generator<number, void, unknown> {
    return;
  }
  function* twice(): Generator<number, void, unknown> {
    yield 1;
    yield 2;
  }
  await t.throwsAsync(parallel(never()).enter(), { code: "ERR_PARALLEL_BAD_GENERATOR" });
  await t.throwsAsync(
    parallel(twice()).with(() => "ok"),
    { code: "ERR_PARALLEL_BAD_GENERATOR" },
  );
});

// ------------------------------------------------------- errors from exits

test("an exit that throws while an error leaves the block gives a SuppressedError (error: exit's, suppressed: block's)", async (t) => {
  const j = new Journal();
  const blockError = new Woopsie(1);
  const exitError = new Woopsie(2);
  const error = await t.throwsAsync(
    parallel(manager(j, "outer", 0))
      .parallel(manager(j, "inner", 1, { exitError }))
      .with(() => {
        throw blockError;
      }),
  );
  t.true(error instanceof SuppressedError);
  const suppressed = error as SuppressedError;
  t.is(suppressed.error, exitError);
  t.is(suppressed.suppressed, blockError);
  t.deepEqual(j.exitArgs.get("inner"), [blockError]);
  t.deepEqual(j.exitArgs.get("outer"), [suppressed], "the outer exit gets the error now leaving (the SuppressedError)");
});

test("two exits throwing while an error leaves nest their SuppressedErrors like await using", async (t) => {
  const j = new Journal();
  const blockError = new Woopsie(1);
  const innerError = new Woopsie(2);
  const outerError = new Woopsie(3);
  const error = (await t.throwsAsync(
    parallel(manager(j, "outer", 0, { exitError: outerError }))
      .parallel(manager(j, "inner", 1, { exitError: innerError, beforeExit: tick }))
      .with(() => Promise.reject(blockError)),
  )) as SuppressedError;
  t.true(error instanceof SuppressedError);
  t.is(error.error, outerError);
  const nested = error.suppressed as SuppressedError;
  t.true(nested instanceof SuppressedError);
  t.is(nested.error, innerError);
  t.is(nested.suppressed, blockError);
});

test("an outer exit may suppress the SuppressedError an inner exit raised", async (t) => {
  const j = new Journal();
  const result = await parallel(manager(j, "outer", 0, { returns: true }))
    .parallel(manager(j, "inner", 1, { exitError: new Woopsie(2) }))
    .with(() => Promise.reject(new Woopsie(1)));
  t.is(result, undefined);
  t.true(j.exitArgs.get("outer")?.[0] instanceof SuppressedError);
});

test("an exit that throws when nothing else went wrong rejects with that error itself", async (t) => {
  const j = new Journal();
  const exitError = new Woopsie(2);
  const error = await t.throwsAsync(
    parallel(manager(j, "a", 0))
      .parallel(manager(j, "b", 1, { exitError }))
      .with(() => "fine"),
  );
  t.is(error, exitError);
  t.deepEqual(j.exitArgs.get("a"), [exitError], "the outer exit still runs, and sees the error");
});

// ------------------------------------------------------------ entering

test("enters run concurrently: two asynchronous enters that each wait for the other both finish", async (t) => {
  const aStarted = deferred();
  const bStarted = deferred();
  const a = {
    async enter() {
      aStarted.resolve();
      await bStarted.promise; // never resolves if b is entered only after a finished
      return "a";
    },
    exit() {},
  };
  const b = {
    async enter() {
      bStarted.resolve();
      await aStarted.promise;
      return "b";
    },
    exit() {},
  };
  const values = await within(
    10_000,
    "the enters did not overlap",
    parallel(a)
      .parallel(b)
      .with((v) => [...v]),
  );
  t.deepEqual(values, ["a", "b"]);
});

test("eight enters overlap (a barrier of eight) and their values come in chain order, whatever order they finish in", async (t) => {
  // The seed's test_future_context_collection_enter_is_parallel and
  // ..._enter_returns_results_in_order.
  const everyone = barrier(8);
  const releases = Array.from({ length: 8 }, () => deferred());
  const finished: number[] = [];
  const make = (i: number): ContextManager<number> => ({
    async enter() {
      await everyone.arrive();
      await releases[i]!.promise;
      finished.push(i);
      return i;
    },
    exit() {},
  });
  const entering = parallel(make(0))
    .parallel(make(1))
    .parallel(make(2))
    .parallel(make(3))
    .parallel(make(4))
    .parallel(make(5))
    .parallel(make(6))
    .parallel(make(7))
    .with((values) => [...values]);
  await within(10_000, "not all eight enters were running at once", everyone.all);
  const order = [5, 2, 7, 0, 3, 6, 1, 4];
  for (const i of order) {
    releases[i]!.resolve();
    await tick();
  }
  t.deepEqual(await within(10_000, "entering did not finish", entering), [0, 1, 2, 3, 4, 5, 6, 7]);
  t.deepEqual(finished, order);
});

test("one failed enter rejects with that error itself; the entered ones exit in reverse chain order and can't suppress", async (t) => {
  const j = new Journal();
  const everyone = barrier(8);
  const w = new Woopsie(5);
  const contexts = Array.from({ length: 8 }, (_, i) =>
    manager(j, `c${i}`, i, {
      // Enters finish in a scrambled order: the exit order must not follow it.
      beforeEnter: async () => {
        await everyone.arrive();
        for (let k = 0; k < (i * 5) % 8; k++) await tick();
      },
      enterError: i === 5 ? w : undefined,
      returns: true, // would suppress, if it could
    }),
  );
  let chain = parallel(contexts[0]!) as ParallelContexts<unknown[]>;
  for (const cm of contexts.slice(1)) chain = chain.parallel(cm);
  let blockRan = false;
  const error = await t.throwsAsync(
    within(
      10_000,
      "entering did not finish",
      chain.with(() => {
        blockRan = true;
      }),
    ),
  );
  t.is(error, w);
  t.false(blockRan);
  t.deepEqual(
    j.events.filter((e) => e.startsWith("exit")),
    ["exit:c7", "exit:c6", "exit:c4", "exit:c3", "exit:c2", "exit:c1", "exit:c0"],
    "entered contexts exit in reverse chain order; the failed one is not exited",
  );
});

test("several failed enters reject with an ExceptionGroup of their errors in chain order", async (t) => {
  const j = new Journal();
  const everyone = barrier(8);
  const errors = Array.from({ length: 8 }, (_, i) => new Woopsie(i));
  const cms = errors.map((enterError, i) =>
    manager(j, `c${i}`, i, {
      beforeEnter: async () => {
        await everyone.arrive();
        for (let k = 0; k < 8 - i; k++) await tick(); // the last fails first
      },
      enterError,
    }),
  );
  let chain = parallel(cms[0]!) as ParallelContexts<unknown[]>;
  for (const cm of cms.slice(1)) chain = chain.parallel(cm);
  const error = await t.throwsAsync(within(10_000, "entering did not finish", chain.enter()));
  t.true(error instanceof ExceptionGroup);
  t.true(error instanceof AggregateError);
  t.deepEqual((error as ExceptionGroup).exceptions, errors);
  t.true((error as ExceptionGroup).exceptions.every((e, i) => e === errors[i]));
  t.deepEqual(j.events, []);
});

test("failed enters mixed with entered ones: only the failures are grouped, the entered ones exit", async (t) => {
  const j = new Journal();
  const w1 = new Woopsie(1);
  const w3 = new Woopsie(3);
  const error = await t.throwsAsync(
    parallel(manager(j, "c0", 0, { beforeEnter: tick }))
      .parallel(manager(j, "c1", 1, { enterError: w1 }))
      .parallel(manager(j, "c2", 2))
      .parallel(manager(j, "c3", 3, { beforeEnter: tick, enterError: w3 }))
      .enter(),
  );
  t.true(error instanceof ExceptionGroup);
  t.deepEqual((error as ExceptionGroup).exceptions, [w1, w3]);
  t.deepEqual(
    j.events.filter((e) => e.startsWith("exit")),
    ["exit:c2", "exit:c0"],
  );
});

test("fatal enter failures (CancelledError) come first in the group", async (t) => {
  const j = new Journal();
  const w0 = new Woopsie(0);
  const fatal = new CancelledError("gone");
  const w2 = new Woopsie(2);
  const error = await t.throwsAsync(
    parallel(manager(j, "c0", 0, { enterError: w0 }))
      .parallel(manager(j, "c1", 1, { beforeEnter: tick, enterError: fatal }))
      .parallel(manager(j, "c2", 2, { enterError: w2 }))
      .enter(),
  );
  t.true(error instanceof ExceptionGroup);
  t.deepEqual((error as ExceptionGroup).exceptions, [fatal, w0, w2]);
});

test("an exit failing during the cleanup of a failed enter gives a SuppressedError over the enter's error", async (t) => {
  // The seed's test_future_context_collection_enter_does_not_allow_suppressing_exception.
  const j = new Journal();
  const enterError = new Woopsie(1);
  const exitError = new Woopsie(2);
  const error = (await t.throwsAsync(
    parallel(manager(j, "c0", 0, { returns: true }))
      .parallel(manager(j, "c1", 1, { beforeEnter: tick, enterError, returns: true }))
      .parallel(manager(j, "c2", 2, { returns: true }))
      .parallel(manager(j, "c3", 3, { exitError, returns: true }))
      .parallel(manager(j, "c4", 4, { returns: true }))
      .enter(),
  )) as SuppressedError;
  t.true(error instanceof SuppressedError);
  t.is(error.error, exitError);
  t.is(error.suppressed, enterError);
  t.deepEqual(
    j.events.filter((e) => e.startsWith("exit")),
    ["exit:c4", "exit:c3", "exit:c2", "exit:c0"],
  );
});

// ---------------------------------------------------------- enter timeout

test("enter timeout: rejects with TimeoutError; a context entering later is exited as soon as it finishes", async (t) => {
  const j = new Journal();
  const slowRelease = deferred();
  const slowExited = deferred();
  const slow: ContextManager<string> = {
    async enter() {
      await slowRelease.promise;
      j.events.push("enter:slow");
      return "slow";
    },
    exit(...args: unknown[]) {
      j.events.push("exit:slow");
      j.exitArgs.set("slow", args);
      slowExited.resolve();
    },
  };
  let blockRan = false;
  await t.throwsAsync(
    within(
      10_000,
      "the enter timeout did not fire",
      parallel(manager(j, "fast0", 0), { timeout: 50 })
        .parallel(slow)
        .parallel(manager(j, "fast2", 2, { beforeEnter: tick }))
        .with(() => {
          blockRan = true;
        }),
    ),
    { instanceOf: TimeoutError },
  );
  t.false(blockRan);
  t.deepEqual(
    j.events,
    ["enter:fast0", "enter:fast2", "exit:fast2", "exit:fast0"],
    "the slow one is not exited before it entered",
  );
  slowRelease.resolve();
  await within(10_000, "the late context was never exited", slowExited.promise);
  t.deepEqual(j.events.slice(4), ["enter:slow", "exit:slow"]);
  t.deepEqual(j.exitArgs.get("slow"), [], "the late context exits without an error");
});

test("enter timeout with enter(): rejects with TimeoutError, late finishers exited", async (t) => {
  const release = deferred();
  const exited = deferred();
  const events: string[] = [];
  async function* late(): AsyncGenerator<number, void, unknown> {
    await release.promise;
    try {
      yield 1;
    } finally {
      events.push("late cleaned up");
      exited.resolve();
    }
  }
  await t.throwsAsync(parallel(late(), { timeout: 20 }).enter(), { instanceOf: TimeoutError });
  t.deepEqual(events, []);
  release.resolve();
  await within(10_000, "the late generator was never resumed", exited.promise);
  t.deepEqual(events, ["late cleaned up"]);
});

test("when enters fail and the enter timeout fires, all the errors come together in one ExceptionGroup", async (t) => {
  const j = new Journal();
  const release = deferred();
  const w = new Woopsie(1);
  const error = await t.throwsAsync(
    within(
      10_000,
      "the enter timeout did not fire",
      parallel(manager(j, "failing", 0, { enterError: w }), { timeout: 50 })
        .parallel(manager(j, "late", 1, { beforeEnter: () => release.promise }))
        .parallel(manager(j, "ok", 2))
        .enter(),
    ),
  );
  t.true(error instanceof ExceptionGroup);
  const exceptions = (error as ExceptionGroup).exceptions;
  t.is(exceptions.length, 2);
  t.true(exceptions.includes(w));
  t.is(exceptions.filter((e) => e instanceof TimeoutError).length, 1);
  t.deepEqual(j.events, ["enter:ok", "exit:ok"]);
  release.resolve();
  for (let i = 0; i < 100 && !j.events.includes("exit:late"); i++) await tick();
  t.deepEqual(j.events.slice(2), ["enter:late", "exit:late"], "the late context was exited once it entered");
});

test("an enter failing after the enter timeout is ignored (no unhandled rejection)", async (t) => {
  const release = deferred();
  const failedLate = deferred();
  const cm: ContextManager<number> = {
    async enter() {
      await release.promise;
      failedLate.resolve();
      throw new Woopsie(9);
    },
    exit() {
      t.fail("a context that failed to enter is never exited");
    },
  };
  await t.throwsAsync(parallel(cm, { timeout: 10 }).enter(), { instanceOf: TimeoutError });
  release.resolve();
  await failedLate.promise;
  for (let i = 0; i < 5; i++) await tick();
  t.pass();
});

test("an enter timeout that does not fire changes nothing", async (t) => {
  const j = new Journal();
  const result = await parallel(manager(j, "a", 1, { beforeEnter: tick }), { timeout: 10_000 })
    .parallel(manager(j, "b", 2))
    .with(([a, b]) => a + b);
  t.is(result, 3);
});

// ------------------------------------------------------------ exiting

test("exits run in reverse chain order, one after the other (await using)", async (t) => {
  const events: string[] = [];
  const make = (name: string): ContextManager<string> => ({
    enter: () => name,
    async exit() {
      events.push(`start:${name}`);
      await tick();
      await tick();
      events.push(`end:${name}`);
    },
  });
  {
    await using ctx = await parallel(make("a")).parallel(make("b")).parallel(make("c")).enter();
    const [a, b, c] = ctx;
    assertType<[typeof a, typeof b, typeof c], [string, string, string]>(true);
    t.deepEqual([a, b, c], ["a", "b", "c"]);
    events.push("block");
  }
  t.deepEqual(events, ["block", "start:c", "end:c", "start:b", "end:b", "start:a", "end:a"]);
});

test("parallelExit: all exits run at once (a barrier of eight exits)", async (t) => {
  // The seed's test_future_context_collection_exit_parallel_exits_in_parallel.
  const everyone = barrier(8);
  const make = (i: number): ContextManager<number> => ({
    enter: () => i,
    exit: () => everyone.arrive(),
  });
  let chain = parallel(make(0), { parallelExit: true }) as ParallelContexts<unknown[]>;
  for (let i = 1; i < 8; i++) chain = chain.parallel(make(i));
  const result = await within(
    10_000,
    "the exits did not all run at once",
    chain.with(() => "done"),
  );
  t.is(result, "done");

  // The same through enter() and Symbol.asyncDispose.
  const again = barrier(3);
  const cm = (i: number): ContextManager<number> => ({ enter: () => i, exit: () => again.arrive() });
  const ctx = await parallel(cm(0), { parallelExit: true }).parallel(cm(1)).parallel(cm(2)).enter();
  await within(10_000, "the disposal exits did not all run at once", Promise.resolve(ctx[Symbol.asyncDispose]()));
  t.pass();
});

test("parallelExit: each exit gets the outer error; without suppression with() rejects with it", async (t) => {
  const j = new Journal();
  const w = new Woopsie(1);
  const error = await t.throwsAsync(
    parallel(manager(j, "a", 0), { parallelExit: true })
      .parallel(manager(j, "b", 1, { beforeExit: tick }))
      .parallel(manager(j, "c", 2))
      .with(() => Promise.reject(w)),
  );
  t.is(error, w);
  for (const name of ["a", "b", "c"]) t.deepEqual(j.exitArgs.get(name), [w], name);
});

test("parallelExit: any one exit may suppress the outer error, and every exit still gets it", async (t) => {
  // The seed's test_future_context_collection_exit_parallel_allows_any_exit_to_suppress_outer_exception.
  for (const suppressing of [[0], [3], [7], [1, 6]]) {
    const j = new Journal();
    const w = new Woopsie(1);
    let chain = parallel(manager(j, "c0", 0, { returns: suppressing.includes(0) }), {
      parallelExit: true,
    }) as ParallelContexts<unknown[]>;
    for (let i = 1; i < 8; i++)
      chain = chain.parallel(manager(j, `c${i}`, i, { returns: suppressing.includes(i), beforeExit: tick }));
    t.is(await chain.with(() => Promise.reject(w)), undefined, `suppressed by ${suppressing.join(", ")}`);
    for (let i = 0; i < 8; i++) t.deepEqual(j.exitArgs.get(`c${i}`), [w]);
  }
});

test("parallelExit: one exit error is raised as itself, several as an ExceptionGroup in chain order", async (t) => {
  const j = new Journal();
  const e1 = new Woopsie(1);
  const one = await t.throwsAsync(
    parallel(manager(j, "a", 0), { parallelExit: true })
      .parallel(manager(j, "b", 1, { exitError: e1, beforeExit: tick }))
      .parallel(manager(j, "c", 2))
      .with(() => "fine"),
  );
  t.is(one, e1);

  const errors = Array.from({ length: 8 }, (_, i) => new Woopsie(i));
  const everyone = barrier(8);
  let chain = parallel(manager(j, "x0", 0, { exitError: errors[0], beforeExit: () => everyone.arrive() }), {
    parallelExit: true,
  }) as ParallelContexts<unknown[]>;
  for (let i = 1; i < 8; i++) {
    chain = chain.parallel(
      manager(j, `x${i}`, i, {
        exitError: errors[i],
        beforeExit: async () => {
          await everyone.arrive();
          for (let k = 0; k < 8 - i; k++) await tick(); // the last fails first
        },
      }),
    );
  }
  const group = await t.throwsAsync(
    within(
      10_000,
      "the exits did not finish",
      chain.with(() => "fine"),
    ),
  );
  t.true(group instanceof ExceptionGroup);
  t.deepEqual((group as ExceptionGroup).exceptions, errors);
});

test("parallelExit: exit errors while the outer error leaves — SuppressedError, unless an exit suppressed the outer error", async (t) => {
  const j = new Journal();
  const w1 = new Woopsie(1);
  const w2 = new Woopsie(2);
  const notSuppressed = (await t.throwsAsync(
    parallel(manager(j, "a", 0), { parallelExit: true })
      .parallel(manager(j, "b", 1, { exitError: w2 }))
      .with(() => Promise.reject(w1)),
  )) as SuppressedError;
  t.true(notSuppressed instanceof SuppressedError);
  t.is(notSuppressed.error, w2);
  t.is(notSuppressed.suppressed, w1);

  // The seed's test_future_context_collection_exit_parallel_only_passes_outer_exception:
  // the others suppress w1, so only the exit's own error remains.
  const suppressed = await t.throwsAsync(
    parallel(manager(j, "c", 0, { returns: true }), { parallelExit: true })
      .parallel(manager(j, "d", 1, { exitError: w2 }))
      .parallel(manager(j, "e", 2, { returns: true }))
      .with(() => Promise.reject(w1)),
  );
  t.is(suppressed, w2);
  t.deepEqual(j.exitArgs.get("d"), [w1], "the failing exit also got only the outer error");
});

test("Symbol.asyncDispose exits once: a second call is a no-op, also after an exit failed", async (t) => {
  const j = new Journal();
  const ctx = await parallel(manager(j, "a", 0))
    .parallel(manager(j, "b", 1))
    .enter();
  await ctx[Symbol.asyncDispose]();
  await ctx[Symbol.asyncDispose]();
  t.deepEqual(
    j.events.filter((e) => e.startsWith("exit")),
    ["exit:b", "exit:a"],
  );

  // The seed's test_future_context_collection_exit_is_idempotent_when_exit_fails.
  const k = new Journal();
  const w = new Woopsie(1);
  const failing = await parallel(manager(k, "c", 0, { exitError: w })).enter();
  t.is(await t.throwsAsync(failing[Symbol.asyncDispose]()), w);
  await t.notThrowsAsync(failing[Symbol.asyncDispose]());
  t.deepEqual(
    k.events.filter((e) => e.startsWith("exit")),
    ["exit:c"],
  );
});

test("Symbol.dispose exists when every context can exit synchronously, and exits them at once in reverse order", async (t) => {
  const events: string[] = [];
  function* gen(): Generator<string, void, unknown> {
    try {
      yield "g";
    } finally {
      events.push("exit:gen");
    }
  }
  const disposable = { [Symbol.dispose]: () => void events.push("exit:disposable") };
  const promised = { [Symbol.dispose]: () => void events.push("exit:promised") };
  const cm: ContextManager<number> = { enter: () => 1, exit: () => void events.push("exit:cm") };
  const ctx = await parallel(cm).parallel(gen()).parallel(disposable).parallel(Promise.resolve(promised)).enter();
  const dispose = ctx[Symbol.dispose];
  t.is(typeof dispose, "function");
  dispose!.call(ctx);
  t.deepEqual(
    events,
    ["exit:promised", "exit:disposable", "exit:gen", "exit:cm"],
    "exited synchronously, in reverse order",
  );
  dispose!.call(ctx);
  await ctx[Symbol.asyncDispose]();
  t.is(events.length, 4, "exits only once, whichever way it is disposed");
});

test("Symbol.dispose is absent when some context can only exit asynchronously", async (t) => {
  async function* agen(): AsyncGenerator<number, void, unknown> {
    yield 1;
  }
  const asyncDisposable = { [Symbol.asyncDispose]: async () => {} };
  const cm: ContextManager<number> = { enter: () => 1, exit: () => {} };
  const sources = [agen(), asyncDisposable, Promise.resolve(asyncDisposable)];
  for (const source of sources) {
    const ctx = await parallel(cm).parallel(source).enter();
    t.is(ctx[Symbol.dispose], undefined);
    t.is(typeof ctx[Symbol.asyncDispose], "function");
    await ctx[Symbol.asyncDispose]();
  }
});

test("Symbol.dispose over a context manager whose exit() turns out asynchronous: a clear error, no unhandled rejection", async (t) => {
  // A ContextManager's exit can only be known to be asynchronous once called.
  // Run in a child process: an unhandled rejection there ends the process.
  const root = path.join(__dirname, "../..");
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, "__test__/fixtures/dispose-async-exit.cjs")],
      { cwd: root, timeout: 30_000, killSignal: "SIGKILL" },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
  t.is(run.code, 0, run.stderr);
  t.deepEqual(run.stdout.trim() ? JSON.parse(run.stdout.trim()) : undefined, {
    code: "ERR_PARALLEL_ASYNC_EXIT",
    exits: ["async", "sync"],
  });
});

// ------------------------------------------------- misuse and bad inputs

test("enter() a second time rejects, as does with() after enter(); the contexts are entered once", async (t) => {
  const j = new Journal();
  const chain = parallel(manager(j, "a", 1));
  const ctx = await chain.enter();
  await t.throwsAsync(chain.enter(), { code: "ERR_PARALLEL_ALREADY_ENTERED" });
  await t.throwsAsync(
    chain.with(() => 1),
    { code: "ERR_PARALLEL_ALREADY_ENTERED" },
  );
  await ctx[Symbol.asyncDispose]();
  await t.throwsAsync(chain.enter(), { code: "ERR_PARALLEL_ALREADY_ENTERED" }, "also after the contexts were exited");
  t.deepEqual(j.events, ["enter:a", "exit:a"]);

  const used = parallel(manager(j, "b", 2));
  await used.with(() => undefined);
  await t.throwsAsync(used.enter(), { code: "ERR_PARALLEL_ALREADY_ENTERED" });
});

test(".parallel() after entering throws", async (t) => {
  const j = new Journal();
  const chain = parallel(manager(j, "a", 1));
  const ctx = await chain.enter();
  t.throws(() => chain.parallel(manager(j, "b", 2)), { code: "ERR_PARALLEL_ALREADY_ENTERED" });
  await ctx[Symbol.asyncDispose]();
  t.deepEqual(j.events, ["enter:a", "exit:a"]);
});

test("a consumed link throws ChainConsumedError; the chain it was passed to works", async (t) => {
  // The seed's test_future_context_collection_parallel_breaks_collection.
  const j = new Journal();
  const first = parallel(manager(j, "one", 1));
  const second = first.parallel(manager(j, "two", 2));
  await t.throwsAsync(first.enter(), { instanceOf: ChainConsumedError });
  await t.throwsAsync(
    first.with(() => 0),
    { instanceOf: ChainConsumedError },
  );
  t.throws(() => first.parallel(manager(j, "three", 3)), { instanceOf: ChainConsumedError });
  t.deepEqual(j.events, [], "nothing was entered by the consumed link");
  t.deepEqual(await second.with(([one, two]) => [one, two]), [1, 2]);
});

test("bad inputs are refused with TypeError", async (t) => {
  const bad: unknown[] = [42, "text", null, undefined, {}, { enter() {} }, { exit() {} }, [], Symbol("s")];
  for (const value of bad) {
    t.throws(() => parallel(value as never), { instanceOf: TypeError }, `parallel(${String(value)})`);
  }
  const chain = parallel({ enter: () => 1, exit: () => {} });
  t.throws(() => chain.parallel(7 as never), { instanceOf: TypeError });
  t.throws(() => chain.parallel({} as never), { instanceOf: TypeError });
  t.throws(() => chain.parallel((() => 1) as never), { instanceOf: TypeError }, "a function is a call, not a context");
  await t.throwsAsync(chain.with(42 as never), { instanceOf: TypeError });
  await t.throwsAsync(
    parallel(Promise.resolve(5) as unknown as PromiseLike<Disposable>).enter(),
    { instanceOf: TypeError },
    "a promise of a non-disposable",
  );

  const cm: ContextManager<number> = { enter: () => 1, exit: () => {} };
  t.throws(() => parallel(cm, { parallelExit: "yes" as never }), { instanceOf: TypeError });
  t.throws(() => parallel(cm, { timeout: -1 }), { instanceOf: RangeError });
  t.throws(() => parallel(cm, 5 as never), { instanceOf: TypeError });

  // The same inputs are type errors.
  // @ts-expect-error a number is neither a function nor a context
  t.throws(() => parallel(42));
  // @ts-expect-error a plain object without enter/exit is not a context
  t.throws(() => parallel({ name: "x" }));
  // @ts-expect-error enter without exit is not a context
  t.throws(() => parallel({ enter: () => 1 }));
});

test("a function is always a call, even with enter/exit properties", async (t) => {
  const fn = Object.assign(() => 6 * 7, {
    enter() {
      throw new Error("never entered");
    },
    exit() {
      throw new Error("never exited");
    },
  });
  const calls = parallel(fn)();
  t.true(calls instanceof ParallelCalls);
  t.false((calls as unknown) instanceof ParallelContexts);
  const results = await calls.results();
  assertType<typeof results, [number]>(true);
  t.deepEqual(results, [42]);
});
