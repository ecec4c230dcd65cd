/**
 * Errors thrown inside thread calls, as the caller sees them (SPEC §3,
 * issue 4), through the public API only: name, message, stack (the thread's
 * frames, then the `parallel()` call site), cause (recursively, including an
 * AggregateError's `errors`), `code` and other own enumerable properties;
 * built-in classes as real instances, other classes keeping their name,
 * non-Error throws unchanged, uncloneable properties named in
 * `lostProperties`, and rejections the same as throws.
 *
 * error-transport.spec.ts tests the encoding itself, unit by unit; this file
 * proves the same promises end to end, across a real thread.
 *
 * Functions passed to parallel() are re-created inside a thread from their
 * source: they must not use anything from this module (not even its imports);
 * values go in as arguments.
 */
import test from "ava";

import { ExceptionGroup, ParallelCalls, ParallelExecutor, TimeoutError, parallel } from "parallel-threads";

/** The line between the thread's frames and the call site's frames. */
const MARKER = "    at parallel() call site:";
/** This file's name as it appears in stack frames (compiled .js, or .ts with source maps). */
const THIS_FILE = /errors-fidelity\.spec\.(js|ts)/;

/** Runs the one-call chain and returns the reason it was rejected with (fails the test on a value). */
async function rejectionOf<R extends readonly unknown[]>(calls: ParallelCalls<R>): Promise<unknown> {
  const [record] = (await calls.settled()) as unknown as [{ status: string; value?: unknown; reason?: unknown }];
  if (record.status !== "rejected") throw new Error(`expected a rejection, got the value ${String(record.value)}`);
  return record.reason;
}

/** The lines of a stack, split at the call-site marker (the last one). */
function splitStack(stack: string | undefined): { head: string; thread: string[]; site: string[]; markers: number } {
  const lines = (stack ?? "").split("\n");
  const at = lines.lastIndexOf(MARKER);
  return {
    head: lines[0] ?? "",
    thread: lines.slice(1, at === -1 ? lines.length : at),
    site: at === -1 ? [] : lines.slice(at + 1),
    markers: lines.filter((l) => l === MARKER).length,
  };
}

// ---------------------------------------------------------------- portable throwers

/** Throws a built-in error class, by name, with `message`. */
function throwBuiltin(name: string, message: string): never {
  const ctor = (globalThis as unknown as Record<string, new (...a: unknown[]) => Error>)[name]!;
  if (name === "AggregateError") throw new ctor([], message);
  throw new ctor(message);
}

/** Makes the engine (not user code) throw each kind of built-in error. */
function engineError(kind: string): unknown {
  const anything = null as unknown as { x: number };
  switch (kind) {
    case "TypeError":
      return anything.x;
    case "RangeError":
      return new Array(-1);
    case "SyntaxError":
      return JSON.parse("{ not json");
    case "URIError":
      return decodeURIComponent("%");
    case "ReferenceError":
      return (0, eval)("thisNameIsNotDefinedAnywhere");
    default:
      return undefined;
  }
}

function throwFromNamedFunction(message: string): never {
  throw new Error(message);
}

/** A nested error graph: Error → AggregateError(errors: TypeError → RangeError, a string, an object; cause 42). */
function throwNested(): never {
  const deep = new RangeError("deepest");
  const member = new TypeError("first member", { cause: deep });
  const aggregate = new AggregateError([member, "a plain string", { plain: true }], "several things failed", {
    cause: 42,
  });
  throw new Error("top", { cause: aggregate });
}

/** An error with a code and assorted own enumerable properties, thrown (sync) or rejected (async). */
function makeRichError(): Error {
  const cause = new SyntaxError("inner");
  const error = new Error("rich", { cause }) as Error & Record<string, unknown>;
  error.code = "E_RICH";
  error.status = 503;
  error.details = { retry: true, after: [1, 2, 3] };
  error.when = new Date(0);
  error.lookup = new Map([["k", 1]]);
  error.bytes = new Uint8Array([1, 2, 3]);
  Object.defineProperty(error, "hidden", { value: "not enumerable", enumerable: false });
  return error;
}

function throwRich(): never {
  const cause = new SyntaxError("inner");
  const error = new Error("rich", { cause }) as Error & Record<string, unknown>;
  error.code = "E_RICH";
  error.status = 503;
  error.details = { retry: true, after: [1, 2, 3] };
  error.when = new Date(0);
  error.lookup = new Map([["k", 1]]);
  error.bytes = new Uint8Array([1, 2, 3]);
  Object.defineProperty(error, "hidden", { value: "not enumerable", enumerable: false });
  throw error;
}

async function rejectRich(): Promise<never> {
  await new Promise((r) => setTimeout(r, 5));
  const cause = new SyntaxError("inner");
  const error = new Error("rich", { cause }) as Error & Record<string, unknown>;
  error.code = "E_RICH";
  error.status = 503;
  error.details = { retry: true, after: [1, 2, 3] };
  error.when = new Date(0);
  error.lookup = new Map([["k", 1]]);
  error.bytes = new Uint8Array([1, 2, 3]);
  Object.defineProperty(error, "hidden", { value: "not enumerable", enumerable: false });
  throw error;
}

// ---------------------------------------------------------------- classes

const BUILTINS = [
  ["Error", Error],
  ["TypeError", TypeError],
  ["RangeError", RangeError],
  ["SyntaxError", SyntaxError],
  ["URIError", URIError],
  ["EvalError", EvalError],
  ["ReferenceError", ReferenceError],
  ["AggregateError", AggregateError],
] as const;

for (const [name, ctor] of BUILTINS) {
  test(`${name} thrown in a thread arrives as a real ${name}`, async (t) => {
    const err = (await rejectionOf(parallel(throwBuiltin)(name, `a ${name} from the thread`))) as Error;
    t.is(Object.getPrototypeOf(err), ctor.prototype, "the very class, not a look-alike");
    t.true(err instanceof ctor);
    t.true(err instanceof Error);
    t.is(err.name, name);
    t.is(err.message, `a ${name} from the thread`);
    t.is(String(err), `${name}: a ${name} from the thread`);
    t.true(err.stack?.startsWith(`${name}: a ${name} from the thread\n`), err.stack);
    t.false(Object.keys(err).includes("name"), "name is inherited, as on a local error");
    if (ctor === AggregateError) t.deepEqual((err as AggregateError).errors, []);
  });
}

test("errors raised by the engine itself arrive as their built-in classes", async (t) => {
  const kinds = ["TypeError", "RangeError", "SyntaxError", "URIError", "ReferenceError"] as const;
  const records = await Promise.all(kinds.map((kind) => parallel(engineError)(kind).settled()));
  records.forEach(([record], i) => {
    const kind = kinds[i]!;
    t.is(record.status, "rejected", kind);
    const err = (record as { reason: unknown }).reason as Error;
    t.is(
      Object.getPrototypeOf(err),
      (globalThis as unknown as Record<string, { prototype: object }>)[kind]!.prototype,
      kind,
    );
    t.is(err.name, kind);
    t.true(err.message.length > 0, `${kind} has the engine's message`);
  });
  const [reference] = await parallel(engineError)("ReferenceError").settled();
  t.regex((reference as { reason: Error }).reason.message, /thisNameIsNotDefinedAnywhere/);
});

test("a custom class keeps its name, message and own properties; a subclass of a built-in arrives as that built-in", async (t) => {
  const records = await parallel(() => {
    class HttpError extends Error {
      status: number;
      constructor(status: number) {
        super(`HTTP ${status}`);
        this.name = "HttpError";
        this.status = status;
      }
    }
    throw new HttpError(404);
  })()
    .parallel(() => {
      class ValidationError extends TypeError {
        constructor(field: string) {
          super(`${field} is invalid`);
          this.name = "ValidationError";
        }
      }
      throw new ValidationError("email");
    })()
    .parallel(() => {
      class Quiet extends RangeError {}
      Object.defineProperty(Quiet.prototype, "name", { value: "QuietRangeError" });
      throw new Quiet("named on the prototype");
    })()
    .settled();
  const [http, validation, quiet] = records.map((r) => (r as { reason: unknown }).reason) as [
    Error & { status?: number },
    Error,
    Error,
  ];
  t.true(http instanceof Error);
  t.is(http.name, "HttpError");
  t.is(http.message, "HTTP 404");
  t.is(http.status, 404);
  t.is(String(http), "HttpError: HTTP 404");
  t.true(http.stack?.startsWith("HttpError: HTTP 404\n"), http.stack);

  t.true(validation instanceof TypeError, "a subclass of TypeError arrives as a TypeError");
  t.is(validation.name, "ValidationError");
  t.is(validation.message, "email is invalid");

  t.true(quiet instanceof RangeError);
  t.is(quiet.name, "QuietRangeError", "a name from the prototype is kept too");
});

test("DOMExceptions arrive as DOMExceptions with their name and code", async (t) => {
  const records = await parallel(() => structuredClone(() => 1))()
    .parallel(() => {
      throw AbortSignal.abort().reason;
    })()
    .settled();
  const [clone, abort] = records.map((r) => (r as { reason: unknown }).reason) as [DOMException, DOMException];
  t.true(clone instanceof DOMException, String(clone));
  t.is(clone.name, "DataCloneError");
  t.is(clone.code, 25);
  t.true(abort instanceof DOMException, String(abort));
  t.is(abort.name, "AbortError");
});

test("the library's own errors thrown in a thread keep their classes (ExceptionGroup of TimeoutError and TypeError)", async (t) => {
  const err = await rejectionOf(
    parallel(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const lib = require("parallel-threads");
      throw new lib.ExceptionGroup("two failures", [new lib.TimeoutError("too slow"), new TypeError("bad")]);
    })(),
  );
  t.true(err instanceof ExceptionGroup, String(err));
  t.true(err instanceof AggregateError);
  const group = err as ExceptionGroup;
  t.is(group.message, "two failures");
  t.is(group.exceptions.length, 2);
  t.true(group.exceptions[0] instanceof TimeoutError);
  t.is((group.exceptions[0] as TimeoutError).code, "ERR_PARALLEL_TIMEOUT");
  t.true(group.exceptions[1] instanceof TypeError);
  const [timeouts, rest] = group.split(TimeoutError);
  t.is(timeouts?.exceptions.length, 1);
  t.is(rest?.exceptions.length, 1);
});

// ---------------------------------------------------------------- stack

test("the stack is the thread's frames, then the marker, then the call site with this file's frame", async (t) => {
  const err = (await rejectionOf(parallel(throwFromNamedFunction)("stacked"))) as Error;
  const { head, thread, site, markers } = splitStack(err.stack);
  t.is(head, "Error: stacked");
  t.is(markers, 1, err.stack);
  t.true(thread.length > 0 && thread.every((l) => /^\s+at /.test(l)), `thread frames:\n${thread.join("\n")}`);
  t.regex(thread[0]!, /throwFromNamedFunction/, "the first frame is the function that threw, in the thread");
  t.false(
    thread.some((l) => THIS_FILE.test(l)),
    "no frame of the caller before the marker",
  );
  t.true(site.length > 0 && site.every((l) => /^\s+at /.test(l)), `call-site frames:\n${site.join("\n")}`);
  t.regex(site[0]!, THIS_FILE, `the first call-site frame is this file's:\n${err.stack}`);
});

test("every public way to start a call puts the caller's frame first after the marker (parallel, .parallel, executor.parallel, executeOne, resultsSync)", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    const errors: [string, unknown][] = [];
    errors.push(["parallel()", await rejectionOf(parallel(throwFromNamedFunction)("a"))]);
    const chain = parallel(() => 1)().parallel(throwFromNamedFunction)("b");
    errors.push([".parallel()", ((await chain.settled()) as unknown as { reason: unknown }[])[1]!.reason]);
    errors.push(["executor.parallel()", await rejectionOf(executor.parallel(throwFromNamedFunction)("c"))]);
    errors.push([
      "executor.executeOne()",
      await executor.executeOne(throwFromNamedFunction, "d").then(
        () => undefined,
        (e: unknown) => e,
      ),
    ]);
    errors.push(["resultsSync()", t.throws(() => parallel(throwFromNamedFunction)("e").resultsSync())]);
    for (const [via, err] of errors) {
      const { site, markers } = splitStack((err as Error).stack);
      t.is(markers, 1, via);
      t.regex(site[0] ?? "", THIS_FILE, `${via}: the first call-site frame is the caller's:\n${(err as Error).stack}`);
    }
  } finally {
    executor.close();
  }
});

// Regression (fixed in b9f049f): the static ParallelExecutor.executeOne and
// both execute() variants captured the call site inside the library, so the
// library's own frames (executor.js, Array.map) came first after the marker
// and pushed the caller's frames towards the 10-frame stack limit.
test("ParallelExecutor.executeOne (static) and execute() put the caller's frame first after the marker", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    const capture = (f: PromiseLike<unknown>): Promise<unknown> =>
      Promise.resolve(f).then(
        () => undefined,
        (e: unknown) => e,
      );
    const errors: [string, unknown][] = [
      ["ParallelExecutor.executeOne()", await capture(ParallelExecutor.executeOne(throwFromNamedFunction, "f"))],
      [
        "ParallelExecutor.execute()",
        await capture(
          ParallelExecutor.execute(() => {
            throw new Error("g");
          })[0]!,
        ),
      ],
      [
        "executor.execute()",
        await capture(
          executor.execute(() => {
            throw new Error("h");
          })[0]!,
        ),
      ],
    ];
    for (const [via, err] of errors) {
      const { site } = splitStack((err as Error).stack);
      t.regex(
        site[0] ?? "",
        THIS_FILE,
        `${via}: the first call-site frame should be the caller's, got:\n${site.slice(0, 4).join("\n")}`,
      );
      t.false(
        site.some((l) => /[\\/](dist|lib)[\\/]executor\.(js|ts)/.test(l)),
        `${via}: no library frames in the call site`,
      );
    }
  } finally {
    executor.close();
  }
});

test("an error rethrown through a nested call keeps its class and cause, and both call sites", async (t) => {
  const err = (await rejectionOf(
    parallel(async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { parallel: inner } = require("parallel-threads");
      await inner(function innerThrower() {
        throw new TypeError("from two threads away", { cause: new RangeError("why") });
      })().results();
    })(),
  )) as Error;
  t.is(Object.getPrototypeOf(err), TypeError.prototype);
  t.is(err.message, "from two threads away");
  t.true(err.cause instanceof RangeError);
  t.is((err.cause as Error).message, "why");
  const { thread, site, markers } = splitStack(err.stack);
  t.is(markers, 2, `one marker per crossing:\n${err.stack}`);
  t.regex(thread[0]!, /innerThrower/);
  t.regex(site[0]!, THIS_FILE);
  t.false(thread.some((l) => THIS_FILE.test(l)));
  t.is(splitStack((err.cause as Error).stack).markers, 0, "a nested cause keeps its thread stack only");
});

// ---------------------------------------------------------------- cause, code, properties

test("cause arrives recursively, through an AggregateError's errors, with classes, messages and values", async (t) => {
  const top = (await rejectionOf(parallel(throwNested)())) as Error;
  t.is(Object.getPrototypeOf(top), Error.prototype);
  t.is(top.message, "top");
  const aggregate = top.cause as AggregateError;
  t.is(Object.getPrototypeOf(aggregate), AggregateError.prototype);
  t.is(aggregate.message, "several things failed");
  t.is(aggregate.cause, 42);
  t.true(Array.isArray(aggregate.errors));
  t.is(aggregate.errors.length, 3);
  const [member, text, object] = aggregate.errors as [TypeError, string, object];
  t.is(Object.getPrototypeOf(member), TypeError.prototype);
  t.is(member.message, "first member");
  t.true(member.stack?.startsWith("TypeError: first member\n"), "nested errors keep their own stacks");
  t.is(Object.getPrototypeOf(member.cause), RangeError.prototype);
  t.is((member.cause as Error).message, "deepest");
  t.false("cause" in (member.cause as Error), "no cause where there was none");
  t.is(text, "a plain string");
  t.deepEqual(object, { plain: true });
});

test("shared and cyclic references among errors keep their shape", async (t) => {
  const err = (await rejectionOf(
    parallel(() => {
      const shared = new Error("shared");
      const group = new AggregateError([shared, shared], "twice");
      const cyclic = new Error("cyclic", { cause: group }) as Error & { self?: unknown };
      (group as AggregateError & { cause?: unknown }).cause = cyclic;
      throw cyclic;
    })(),
  )) as Error;
  const group = err.cause as AggregateError;
  t.is(group.errors[0], group.errors[1], "one shared error arrives as one object");
  t.is(group.cause, err, "the cycle points back at the top error");
});

test("code and other own enumerable properties arrive with their values; non-enumerable ones stay behind", async (t) => {
  const err = (await rejectionOf(parallel(throwRich)())) as Error & Record<string, unknown>;
  t.is(err.message, "rich");
  t.is(err.code, "E_RICH");
  t.true(Object.keys(err).includes("code"), "code is an own enumerable property");
  t.is(err.status, 503);
  t.deepEqual(err.details, { retry: true, after: [1, 2, 3] });
  t.true(err.when instanceof Date);
  t.is((err.when as Date).getTime(), 0);
  t.deepEqual(err.lookup, new Map([["k", 1]]));
  t.deepEqual(err.bytes, new Uint8Array([1, 2, 3]));
  t.is(Object.getPrototypeOf(err.cause), SyntaxError.prototype);
  t.false("hidden" in err, "a non-enumerable property is not an own enumerable one: it does not cross");
  t.false("lostProperties" in err, "nothing was lost");
  t.deepEqual(Object.keys(err).sort(), ["bytes", "code", "details", "lookup", "status", "when"]);
});

test("a Node system error (fs) arrives with code, errno, syscall and path", async (t) => {
  const err = (await rejectionOf(
    parallel((file: string) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require("node:fs").readFileSync(file);
    })("/definitely/not/here/parallel-threads.txt"),
  )) as NodeJS.ErrnoException;
  t.true(err instanceof Error);
  t.is(err.code, "ENOENT");
  t.is(err.syscall, "open");
  t.is(err.path, "/definitely/not/here/parallel-threads.txt");
  t.is(typeof err.errno, "number");
  t.regex(err.message, /ENOENT/);
});

test("a numeric code arrives as a number", async (t) => {
  const err = (await rejectionOf(
    parallel(() => {
      throw Object.assign(new RangeError("numbered"), { code: 418 });
    })(),
  )) as RangeError & { code?: unknown };
  t.true(err instanceof RangeError);
  t.is(err.code, 418);
});

// ---------------------------------------------------------------- non-Error throws

test("thrown non-Error values arrive unchanged: string, number, boolean, bigint, plain object, array, undefined, null", async (t) => {
  const records = await parallel(() => {
    throw "a string";
  })()
    .parallel(() => {
      throw 42;
    })()
    .parallel(() => {
      throw false;
    })()
    .parallel(() => {
      throw 10n;
    })()
    .parallel(() => {
      throw { plain: "object", nested: { list: [1, "two"] } };
    })()
    .parallel(() => {
      throw [1, 2, 3];
    })()
    .parallel(() => {
      throw undefined;
    })()
    .parallel(() => {
      throw null;
    })()
    .settled();
  t.true(
    records.every((r) => r.status === "rejected"),
    JSON.stringify(records.map((r) => r.status)),
  );
  const reasons = records.map((r) => (r as { reason: unknown }).reason);
  t.is(reasons[0], "a string");
  t.is(reasons[1], 42);
  t.is(reasons[2], false);
  t.is(reasons[3], 10n);
  t.deepEqual(reasons[4], { plain: "object", nested: { list: [1, "two"] } });
  t.is(Object.getPrototypeOf(reasons[4]), Object.prototype);
  t.deepEqual(reasons[5], [1, 2, 3]);
  t.true(Array.isArray(reasons[5]));
  t.is(reasons[6], undefined);
  t.is(reasons[7], null);
});

test("a non-Error value rejected by an async function arrives unchanged too, and results() rejects with it", async (t) => {
  const reason = await parallel(async () => {
    await new Promise((r) => setTimeout(r, 5));
    return Promise.reject({ why: "rejected with an object" });
  })()
    .results()
    .then(
      () => "fulfilled",
      (e: unknown) => e,
    );
  t.deepEqual(reason, { why: "rejected with an object" });
  const undef = await parallel(async () => {
    throw undefined;
  })()
    .results()
    .then(
      () => "fulfilled",
      (e: unknown) => ["rejected with", e],
    );
  t.deepEqual(undef, ["rejected with", undefined]);
});

test("an uncloneable thrown value (a function, a symbol) becomes an Error saying so", async (t) => {
  const records = await parallel(() => {
    throw function notData() {};
  })()
    .parallel(() => {
      throw Symbol("nope");
    })()
    .settled();
  for (const record of records) {
    const err = (record as { reason: unknown }).reason as Error & { code?: string };
    t.true(err instanceof Error);
    t.is(err.code, "ERR_PARALLEL_UNCLONEABLE_THROW");
    t.regex(err.message, /uncloneable/);
    t.regex(err.stack ?? "", THIS_FILE, "it points at the call site");
  }
  t.regex((records[0] as { reason: Error }).reason.message, /notData/);
  t.regex((records[1] as { reason: Error }).reason.message, /nope/);
});

// ---------------------------------------------------------------- uncloneable properties

test("an error with uncloneable properties still arrives, with what could be kept and lostProperties", async (t) => {
  const err = (await rejectionOf(
    parallel(() => {
      const error = new TypeError("partly cloneable", { cause: new Error("cause kept") }) as TypeError &
        Record<string, unknown>;
      error.code = "E_PARTIAL";
      error.kept = { n: 1 };
      error.callback = () => "a function can't cross";
      error.token = Symbol("nor can a symbol");
      error.withMethod = { data: 1, method() {} };
      Object.defineProperty(error, "exploding", {
        enumerable: true,
        get() {
          throw new Error("getter throws");
        },
      });
      throw error;
    })(),
  )) as TypeError & Record<string, unknown>;
  t.is(Object.getPrototypeOf(err), TypeError.prototype, "the class survives");
  t.is(err.message, "partly cloneable", "the message is unchanged");
  t.is(err.code, "E_PARTIAL");
  t.deepEqual(err.kept, { n: 1 });
  t.is((err.cause as Error).message, "cause kept");
  t.true(Array.isArray(err.lostProperties));
  t.deepEqual([...(err.lostProperties as string[])].sort(), ["callback", "exploding", "token", "withMethod"]);
  for (const lost of ["callback", "token", "withMethod", "exploding"]) t.false(lost in err, `${lost} did not cross`);
});

test("an uncloneable property of a nested cause is named on that cause", async (t) => {
  const err = (await rejectionOf(
    parallel(() => {
      const cause = Object.assign(new Error("inner"), { fn: () => 1, ok: "yes" });
      throw new Error("outer", { cause });
    })(),
  )) as Error;
  const cause = err.cause as Error & Record<string, unknown>;
  t.false("lostProperties" in err, "the outer error lost nothing");
  t.deepEqual(cause.lostProperties, ["fn"]);
  t.is(cause.ok, "yes");
});

// ---------------------------------------------------------------- async is the same as sync

/** What a test can compare between two crossings of "the same" error. */
function shape(err: unknown): unknown {
  const e = err as Error & Record<string, unknown>;
  return {
    proto: Object.getPrototypeOf(e) === Error.prototype ? "Error" : "other",
    name: e.name,
    message: e.message,
    keys: Object.keys(e).sort(),
    values: Object.fromEntries(Object.keys(e).map((k) => [k, e[k]])),
    cause: { proto: Object.getPrototypeOf(e.cause) === SyntaxError.prototype, message: (e.cause as Error).message },
    head: (e.stack ?? "").split("\n")[0],
    site: THIS_FILE.test(splitStack(e.stack).site[0] ?? ""),
  };
}

test("a rejection of an async function arrives exactly as the same error thrown synchronously", async (t) => {
  const local = (() => {
    try {
      throw makeRichError();
    } catch (e) {
      return e;
    }
  })();
  const records = await parallel(throwRich)().parallel(rejectRich)().settled();
  const [sync, async] = records.map((r) => (r as { reason: unknown }).reason);
  t.deepEqual(shape(async), shape(sync));
  t.deepEqual(shape(sync), { ...(shape(local) as object), site: true }, "and as it was made in the thread");
  t.regex((async as Error).stack ?? "", /rejectRich/, "the async function's frame is in the stack");
});

test("the same error arrives intact through results(), settled(), resultsSync(), futures and executeOne()", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2 });
  try {
    const viaResults = await parallel(throwRich)()
      .results()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const viaSettled = await rejectionOf(parallel(throwRich)());
    const viaSync = t.throws(() => parallel(throwRich)().resultsSync());
    const viaFuture = await parallel(throwRich)().futures[0].then(
      () => undefined,
      (e: unknown) => e,
    );
    const future = executor.executeOne(throwRich);
    const viaExecuteOne = await future.then(
      () => undefined,
      (e: unknown) => e,
    );
    t.is(future.exception(), viaExecuteOne);
    t.is(
      t.throws(() => future.result()),
      viaExecuteOne as Error,
    );
    const expected = shape(viaResults);
    for (const [via, err] of [
      ["settled", viaSettled],
      ["resultsSync", viaSync],
      ["future", viaFuture],
      ["executeOne", viaExecuteOne],
    ] as const) {
      t.deepEqual(shape(err), expected, via);
    }
  } finally {
    executor.close();
  }
});
