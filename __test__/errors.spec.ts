import test from "ava";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// Types come from the compiled declarations (lib/ is outside this rootDir).
type ErrorsModule = typeof import("../dist/errors/errors.js");
type SuppressedModule = typeof import("../dist/errors/suppressed-error.js");

// The internal modules, bundled from lib/ for the tests (scripts/test-internals/errors.ts).
const internals = require(path.join(__dirname, "../errors-internals.js")) as {
  errors: ErrorsModule;
  suppressed: SuppressedModule;
};
const errors = internals.errors;
const { SuppressedError } = internals.suppressed;
const {
  TimeoutError,
  CancelledError,
  ThreadCrashError,
  NotPortableError,
  CloneError,
  ChainConsumedError,
  ExceptionGroup,
  isFatal,
  groupErrors,
  typeError,
  rangeError,
} = errors;

/** A second copy of the package's error modules, loaded from another path. */
function loadSecondCopy(): ErrorsModule {
  const dir = mkdtempSync(path.join(tmpdir(), "parallel-threads-copy-"));
  const bundle = path.join(__dirname, "../errors-internals.js");
  copyFileSync(bundle, path.join(dir, "errors-internals.js"));
  return (require(path.join(dir, "errors-internals.js")) as { errors: ErrorsModule }).errors;
}
const copy = loadSecondCopy();

// ---------------------------------------------------------------- classes

test("each error class has its name, code, default message and base class", (t) => {
  const cases: [Error, string, string, ErrorConstructor | TypeErrorConstructor][] = [
    [new TimeoutError(), "TimeoutError", "ERR_PARALLEL_TIMEOUT", Error],
    [new CancelledError(), "CancelledError", "ERR_PARALLEL_CANCELLED", Error],
    [new ThreadCrashError("died"), "ThreadCrashError", "ERR_PARALLEL_THREAD_CRASH", Error],
    [new NotPortableError("captures x", ["x"]), "NotPortableError", "ERR_PARALLEL_NOT_PORTABLE", TypeError],
    [new CloneError("no", { valueType: "function" }), "CloneError", "ERR_PARALLEL_CLONE", TypeError],
    [new ChainConsumedError(), "ChainConsumedError", "ERR_PARALLEL_CHAIN_CONSUMED", Error],
  ];
  for (const [error, name, code, base] of cases) {
    t.is(error.name, name);
    t.is((error as Error & { code: string }).code, code);
    t.true(error instanceof base);
    t.true(error.message.length > 0, `${name} has a message`);
    t.true(String(error).startsWith(`${name}: `));
    t.true(error.stack?.startsWith(`${name}: `), `${name} stack header`);
    t.false(Object.keys(error).includes("name"), "name lives on the prototype");
  }
});

test("TimeoutError and CancelledError take a cause only when given", (t) => {
  t.false("cause" in new TimeoutError("slow"));
  const reason = new Error("user abort");
  const cancelled = new CancelledError("cancelled", { cause: reason });
  t.is(cancelled.cause, reason);
  t.is(cancelled.message, "cancelled");
  t.is(new TimeoutError(undefined, { cause: 1 }).cause, 1);
  t.false("cause" in new CancelledError("no reason", { cause: undefined }), "an undefined cause is no cause");
  t.false("cause" in new ThreadCrashError("x", { cause: undefined, exitCode: 1 }));
});

test("ThreadCrashError has exitCode only when known", (t) => {
  const crashed = new ThreadCrashError("exited", { exitCode: 3, cause: "oom" });
  t.is(crashed.exitCode, 3);
  t.is(crashed.cause, "oom");
  t.false("exitCode" in new ThreadCrashError("killed"));
});

test("NotPortableError keeps a frozen copy of the captured names", (t) => {
  const names = ["a", "b"];
  const error = new NotPortableError("captures a, b", names);
  names.push("c");
  t.deepEqual(error.captured, ["a", "b"]);
  t.true(Object.isFrozen(error.captured));
});

test("CloneError carries argumentIndex, valueType and path when given", (t) => {
  const full = new CloneError("arg 1", { argumentIndex: 1, valueType: "Socket", path: "options.socket" });
  t.is(full.argumentIndex, 1);
  t.is(full.valueType, "Socket");
  t.is(full.path, "options.socket");
  const result = new CloneError("result", { valueType: "function" });
  t.false("argumentIndex" in result);
  t.false("path" in result);
});

// ---------------------------------------------------------------- brand checks

test("instanceof works across two copies of the package", (t) => {
  t.not(copy.TimeoutError, TimeoutError);
  t.true(new copy.TimeoutError() instanceof TimeoutError);
  t.true(new TimeoutError() instanceof copy.TimeoutError);
  t.true(new copy.ThreadCrashError("x") instanceof ThreadCrashError);
  t.true(new copy.NotPortableError("x", []) instanceof NotPortableError);
  t.true(new copy.CloneError("x", { valueType: "y" }) instanceof CloneError);
  t.true(new copy.ChainConsumedError() instanceof ChainConsumedError);
  t.true(new copy.CancelledError() instanceof CancelledError);
  t.true(new copy.ExceptionGroup("g", [1]) instanceof ExceptionGroup);
  t.false(new copy.TimeoutError() instanceof CancelledError);
  t.false(new Error("plain") instanceof TimeoutError);
  t.false((null as unknown) instanceof TimeoutError);
});

test("an object carrying the brand passes instanceof", (t) => {
  const fake = { [Symbol.for("parallel-threads.TimeoutError")]: true };
  t.true(fake instanceof TimeoutError);
  t.false({ [Symbol.for("parallel-threads.TimeoutError")]: "yes" } instanceof TimeoutError);
});

test("subclasses keep ordinary instanceof semantics", (t) => {
  class SlowDatabase extends TimeoutError {}
  const sub = new SlowDatabase("db");
  t.true(sub instanceof SlowDatabase);
  t.true(sub instanceof TimeoutError);
  t.false(new TimeoutError() instanceof SlowDatabase);
  t.false(new copy.TimeoutError() instanceof SlowDatabase);
});

// ---------------------------------------------------------------- isFatal, groupErrors

test("isFatal is true only for ThreadCrashError and CancelledError, from any copy", (t) => {
  t.true(isFatal(new ThreadCrashError("x")));
  t.true(isFatal(new CancelledError()));
  t.true(isFatal(new copy.ThreadCrashError("x")));
  t.true(isFatal(new copy.CancelledError()));
  t.false(isFatal(new TimeoutError()));
  t.false(isFatal(new Error("x")));
  t.false(isFatal("crash"));
  t.false(isFatal(undefined));
});

test("groupErrors returns a single error unchanged", (t) => {
  const only = new RangeError("one");
  t.is(groupErrors([only], "calls failed"), only);
  t.is(groupErrors(["thrown string"], "calls failed"), "thrown string");
});

test("groupErrors puts fatal errors first, each part in chain order", (t) => {
  const a = new Error("a");
  const crash = new ThreadCrashError("crash");
  const b = new TypeError("b");
  const cancelled = new CancelledError();
  const c = "c";
  const group = groupErrors([a, crash, b, cancelled, c], "5 calls failed");
  t.true(group instanceof ExceptionGroup);
  const eg = group as InstanceType<typeof ExceptionGroup>;
  t.is(eg.message, "5 calls failed");
  t.deepEqual([...eg.exceptions], [crash, cancelled, a, b, c]);
});

test("groupErrors refuses an empty list", (t) => {
  t.throws(() => groupErrors([], "none"), { instanceOf: TypeError });
});

// ---------------------------------------------------------------- ExceptionGroup

test("ExceptionGroup is an AggregateError whose exceptions are its frozen errors", (t) => {
  const members = [new Error("a"), "b"];
  const cause = new Error("why");
  const group = new ExceptionGroup("two failed", members, { cause });
  t.true(group instanceof AggregateError);
  t.true(group instanceof Error);
  t.is(group.name, "ExceptionGroup");
  t.is(group.message, "two failed");
  t.is(group.cause, cause);
  t.is(group.exceptions, group.errors);
  t.deepEqual([...group.exceptions], members);
  t.not(group.errors, members);
  t.true(Object.isFrozen(group.exceptions));
  t.true(String(group).startsWith("ExceptionGroup: two failed"));
});

test("ExceptionGroup validates its arguments like Python", (t) => {
  const bad = (f: () => unknown, code: string) => {
    const error = t.throws(f, { instanceOf: TypeError });
    t.is((error as (Error & { code?: string }) | undefined)?.code, code);
  };
  bad(() => new ExceptionGroup(42 as unknown as string, [1]), "ERR_INVALID_ARG_TYPE");
  bad(() => new ExceptionGroup("m", 5 as unknown as Iterable<unknown>), "ERR_INVALID_ARG_TYPE");
  bad(() => new ExceptionGroup("m", null as unknown as Iterable<unknown>), "ERR_INVALID_ARG_TYPE");
  bad(() => new ExceptionGroup("m", []), "ERR_INVALID_ARG_VALUE");
  t.deepEqual([...new ExceptionGroup("from a set", new Set([1, 2])).exceptions], [1, 2]);
});

/** The shape of a group: message and members, leaves shown by message. */
function shape(value: unknown): unknown {
  if (value instanceof ExceptionGroup) return { [value.message]: value.exceptions.map(shape) };
  return value instanceof Error ? value.message : value;
}

function sample() {
  const t1 = new TypeError("t1");
  const v1 = new RangeError("v1");
  const t2 = new TypeError("t2");
  const v2 = new RangeError("v2");
  const inner = new ExceptionGroup("inner", [t2, v2]);
  const onlyTypes = new ExceptionGroup("only types", [new TypeError("t3")]);
  const cause = new Error("cause");
  const outer = new ExceptionGroup("outer", [t1, v1, inner, onlyTypes], { cause });
  return { outer, inner, onlyTypes, t1, v1, t2, v2, cause };
}

test("split by class keeps the nesting, messages, cause and stack", (t) => {
  const { outer, t1, t2, cause } = sample();
  const [match, rest] = outer.split(TypeError);
  t.deepEqual(shape(match), { outer: ["t1", { inner: ["t2"] }, { "only types": ["t3"] }] });
  t.deepEqual(shape(rest), { outer: ["v1", { inner: ["v2"] }] });
  t.is(match?.exceptions[0], t1, "leaves are the same objects");
  t.is((match?.exceptions[1] as InstanceType<typeof ExceptionGroup>).exceptions[0], t2);
  t.is(match?.cause, cause);
  t.is(rest?.cause, cause);
  t.is(match?.stack, outer.stack);
  t.not(match, outer);
});

test("split returns the group itself when it matches whole", (t) => {
  const { outer } = sample();
  t.deepEqual(
    outer.split(() => true),
    [outer, undefined],
  );
  t.deepEqual(outer.split(ExceptionGroup), [outer, undefined]);
  t.deepEqual(outer.split(Error), [outer, undefined]);
});

test("split with nothing matching gives no match and a derived rest", (t) => {
  const { outer } = sample();
  const [match, rest] = outer.split(SyntaxError);
  t.is(match, undefined);
  t.deepEqual(shape(rest), shape(outer));
});

test("the predicate also sees groups, and a matching nested group goes whole", (t) => {
  const { outer, inner, v1 } = sample();
  const seen: unknown[] = [];
  const [match, rest] = outer.split((e) => {
    seen.push(e);
    return e === inner || e === v1;
  });
  t.is(seen[0], outer);
  t.true(seen.includes(inner));
  t.false(seen.includes(inner.exceptions[0]), "a matching group's members are not visited");
  t.deepEqual(shape(match), { outer: ["v1", { inner: ["t2", "v2"] }] });
  t.is(match?.exceptions[1], inner);
  t.deepEqual(shape(rest), { outer: ["t1", { "only types": ["t3"] }] });
});

test("split accepts a list of classes and plain function predicates", (t) => {
  const { outer } = sample();
  const [byList] = outer.split([RangeError, SyntaxError]);
  t.deepEqual(shape(byList), { outer: ["v1", { inner: ["v2"] }] });
  const [byFunction] = outer.split(function (e) {
    return e instanceof Error && e.message.startsWith("t");
  });
  t.deepEqual(shape(byFunction), { outer: ["t1", { inner: ["t2"] }, { "only types": ["t3"] }] });
});

test("split and subgroup refuse a matcher that is neither class nor function", (t) => {
  const { outer } = sample();
  for (const matcher of [42, "TypeError", [TypeError, 1], null]) {
    const error = t.throws(() => outer.split(matcher as never), { instanceOf: TypeError });
    t.is((error as (Error & { code?: string }) | undefined)?.code, "ERR_INVALID_ARG_TYPE");
    t.throws(() => outer.subgroup(matcher as never), { instanceOf: TypeError });
  }
});

test("subgroup keeps the matching part and drops emptied nested groups", (t) => {
  const { outer, cause } = sample();
  const sub = outer.subgroup(RangeError);
  t.deepEqual(shape(sub), { outer: ["v1", { inner: ["v2"] }] });
  t.is(sub?.cause, cause);
  t.is(outer.subgroup(SyntaxError), undefined);
});

test("subgroup returns the group itself when nothing is left out", (t) => {
  const { outer, onlyTypes } = sample();
  t.is(
    outer.subgroup(() => true),
    outer,
  );
  t.is(
    outer.subgroup((e) => e instanceof Error),
    outer,
  );
  t.is(onlyTypes.subgroup(TypeError), onlyTypes);
  const sub = outer.subgroup(TypeError);
  t.is(sub?.exceptions[2], onlyTypes, "an unmodified nested group is kept as is");
});

test("derive can be overridden to keep a subclass", (t) => {
  class CallErrors<E = unknown> extends ExceptionGroup<E> {
    override derive<T>(exceptions: Iterable<T | InstanceType<typeof ExceptionGroup<T>>>) {
      return new CallErrors<T>(this.message, exceptions);
    }
  }
  const group = new CallErrors("calls", [new TypeError("a"), new RangeError("b")]);
  const [match, rest] = group.split(TypeError);
  t.true(match instanceof CallErrors);
  t.true(rest instanceof CallErrors);
  t.false(new ExceptionGroup("plain", [1]) instanceof CallErrors);
});

test("split recognizes nested groups made by another copy of the package", (t) => {
  const nested = new copy.ExceptionGroup("other copy", [new TypeError("t"), new RangeError("r")]);
  const group = new ExceptionGroup("outer", [nested, new TypeError("t0")]);
  const [match] = group.split(TypeError);
  t.deepEqual(shape(match), { outer: [{ "other copy": ["t"] }, "t0"] });
});

test("split with a type guard narrows the match type", (t) => {
  const group = new ExceptionGroup<Error>("g", [new TypeError("a"), new RangeError("b")]);
  const [match] = group.split((e): e is TypeError => e instanceof TypeError);
  const first: TypeError | InstanceType<typeof ExceptionGroup<TypeError>> | undefined = match?.exceptions[0];
  t.is((first as TypeError).message, "a");
});

// ---------------------------------------------------------------- argument errors

test("typeError and rangeError carry Node-style codes", (t) => {
  const type = typeError("ERR_INVALID_ARG_TYPE", "bad");
  t.true(type instanceof TypeError);
  t.is(type.code, "ERR_INVALID_ARG_TYPE");
  t.is(type.message, "bad");
  const range = rangeError("ERR_OUT_OF_RANGE", "too big");
  t.true(range instanceof RangeError);
  t.is(range.code, "ERR_OUT_OF_RANGE");
  t.true(Object.keys(range).includes("code"), "code is own and enumerable like Node's");
});

// ---------------------------------------------------------------- SuppressedError

test("SuppressedError has the TC39 shape", (t) => {
  const error = new Error("exit failed");
  const suppressed = new Error("block failed");
  const s = new SuppressedError(error, suppressed, "An error was suppressed");
  t.true(s instanceof Error);
  t.true(s instanceof SuppressedError);
  t.is(s.name, "SuppressedError");
  t.is(s.message, "An error was suppressed");
  t.is(s.error, error);
  t.is(s.suppressed, suppressed);
  t.deepEqual(Object.keys(s), [], "error and suppressed are non-enumerable");
  t.false(Object.hasOwn(s, "cause"));
  t.is(new SuppressedError(1, 2).message, "");
  t.false(Object.hasOwn(new SuppressedError(1, 2), "message"));
  const called = SuppressedError(1, 2, "no new");
  t.true(called instanceof SuppressedError);
  t.true(String(called).startsWith("SuppressedError: no new"));
  t.is(Object.getPrototypeOf(SuppressedError) as unknown, Error);
});

test("SuppressedError is the native one when the runtime has it", (t) => {
  const native = (globalThis as { SuppressedError?: unknown }).SuppressedError;
  if (typeof native === "function") t.is(SuppressedError as unknown, native);
  else t.is(SuppressedError.name, "SuppressedError");
});

test("a SuppressedError subclass gets its own prototype", (t) => {
  class ExitError extends SuppressedError {}
  const e = new ExitError(1, 2, "m");
  t.true(e instanceof ExitError);
  t.true(e instanceof SuppressedError);
  t.is(e.suppressed, 2);
});
