/**
 * Unit tests of the thrown face of the error codec (lib/values/error-transport.ts
 * over lib/values/value-codec.ts): `encodeThrown` in the "thread", a v8
 * round trip, `decodeThrown` in the "caller"; classes, names, codes, causes,
 * identity and cycles, lost properties, depth cut, call-site stacks and the
 * envelope's plain-data schema. errors-fidelity.spec.ts and
 * error-identity.spec.ts prove the same through the public API.
 */
import test from "ava";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";

// Types come from the compiled declarations (lib/ is outside this rootDir).
type ErrorsModule = typeof import("../dist/errors/errors.js");
type TransportModule = typeof import("../dist/values/error-transport.js");
type EncodedThrown = import("../dist/values/error-transport.js").EncodedThrown;
type EncodedError = import("../dist/values/error-transport.js").EncodedError;
type EncodedRecord = import("../dist/values/error-transport.js").EncodedRecord;

// The internal modules, bundled from lib/ for the tests (scripts/test-internals/errors.ts).
const internals = require(path.join(__dirname, "../errors-internals.js")) as {
  errors: ErrorsModule;
  errorTransport: TransportModule;
};
const {
  TimeoutError,
  CancelledError,
  ThreadCrashError,
  NotPortableError,
  CloneError,
  ChainConsumedError,
  ExceptionGroup,
} = internals.errors;
const { encodeThrown, decodeThrown, CALL_SITE_SEPARATOR, MAX_ERROR_DEPTH } = internals.errorTransport;

/** What the thread sends: encoded, then through v8 (de)serialization. */
function send(thrown: unknown): EncodedThrown {
  return v8.deserialize(v8.serialize(encodeThrown(thrown))) as EncodedThrown;
}

/** The thrown value's own encoding (its record, for an error), inside the envelope. */
function encodedValue(thrown: unknown): unknown {
  return encodeThrown(thrown).value;
}

/** A thrown value after crossing to the caller. */
function cross(thrown: unknown, callSiteStack?: string): unknown {
  return decodeThrown(send(thrown), callSiteStack);
}

type Coded = Error & { code?: unknown; lostProperties?: string[] } & Record<string, unknown>;

// ---------------------------------------------------------------- built-ins

test("built-in error classes arrive as real instances with name, message and stack", (t) => {
  const ctors = [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];
  for (const Ctor of ctors) {
    const original = new Ctor(`a ${Ctor.name}`);
    const arrived = cross(original) as Error;
    t.is(Object.getPrototypeOf(arrived), Ctor.prototype, Ctor.name);
    t.is(arrived.name, Ctor.name);
    t.is(arrived.message, original.message);
    t.is(arrived.stack, original.stack);
    t.false(Object.hasOwn(arrived, "name"), "a built-in's name stays on its prototype");
  }
});

test("an AggregateError arrives with its decoded errors", (t) => {
  const original = new AggregateError([new TypeError("t"), "s", 3], "many");
  const arrived = cross(original) as AggregateError;
  t.true(arrived instanceof AggregateError);
  t.is(arrived.message, "many");
  t.true(arrived.errors[0] instanceof TypeError);
  t.deepEqual(arrived.errors.slice(1), ["s", 3]);
  t.false(Object.keys(arrived).includes("errors"), "errors stays non-enumerable");
});

test("a DOMException arrives as a DOMException with its name and code", (t) => {
  const arrived = cross(new DOMException("stopped", "AbortError")) as DOMException;
  t.true(arrived instanceof DOMException);
  t.is(arrived.name, "AbortError");
  t.is(arrived.code, 20);
  t.is(arrived.message, "stopped");
});

// ---------------------------------------------------------------- other classes

class HttpError extends Error {
  override name = "HttpError";
  status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

test("another class arrives as an Error keeping its name and own properties", (t) => {
  const arrived = cross(new HttpError("not found", 404)) as Coded;
  t.is(Object.getPrototypeOf(arrived), Error.prototype);
  t.is(arrived.name, "HttpError");
  t.true(Object.hasOwn(arrived, "name"));
  t.is(String(arrived), "HttpError: not found");
  t.true(arrived.stack?.startsWith("HttpError: not found"));
  t.is(arrived["status"], 404);
  t.false("lostProperties" in arrived);
});

test("a subclass of a built-in arrives as that built-in, keeping its name", (t) => {
  class BadInput extends RangeError {
    override name = "BadInput";
  }
  const arrived = cross(new BadInput("too big")) as Error;
  t.true(arrived instanceof RangeError);
  t.is(arrived.name, "BadInput");
  t.is(String(arrived), "BadInput: too big");
});

test("a name given by a getter is read, a throwing one falls back to the class", (t) => {
  class Getter extends Error {
    override get name() {
      return "FromGetter";
    }
  }
  t.is((cross(new Getter("g")) as Error).name, "FromGetter");
  class Throwing extends TypeError {
    override get name(): string {
      throw new Error("no name");
    }
  }
  const arrived = cross(new Throwing("t")) as Error;
  t.true(arrived instanceof TypeError);
  t.is(arrived.name, "TypeError");
  t.is(arrived.message, "t");
});

test("code is kept, string or number, as an own enumerable property", (t) => {
  const system = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT", errno: -2, syscall: "open" });
  const arrived = cross(system) as Coded;
  t.is(arrived.code, "ENOENT");
  t.is(arrived["errno"], -2);
  t.is(arrived["syscall"], "open");
  t.true(Object.keys(arrived).includes("code"));
  t.is((cross(Object.assign(new Error("n"), { code: 7 })) as Coded).code, 7);
});

// ---------------------------------------------------------------- causes

test("a cause chain arrives recursively", (t) => {
  const root = new TypeError("root");
  const middle = new HttpError("middle", 500);
  middle.cause = root;
  const top = new Error("top", { cause: middle });
  const arrived = cross(top) as Error;
  const m = arrived.cause as Coded;
  t.is(m.name, "HttpError");
  t.is(m["status"], 500);
  t.true(m.cause instanceof TypeError);
  t.is((m.cause as Error).message, "root");
  t.false(Object.keys(arrived).includes("cause"), "cause stays non-enumerable");
});

test("a non-Error cause arrives unchanged, an undefined cause stays present", (t) => {
  t.is((cross(new Error("e", { cause: "because" })) as Error).cause, "because");
  t.deepEqual((cross(new Error("e", { cause: { id: 1, tags: ["a"] } })) as Error).cause, { id: 1, tags: ["a"] });
  const undefinedCause = cross(new Error("e", { cause: undefined })) as Error;
  t.true(Object.hasOwn(undefinedCause, "cause"));
  t.is(undefinedCause.cause, undefined);
  t.false(Object.hasOwn(cross(new Error("no cause")) as Error, "cause"));
});

test("an uncloneable cause arrives as an error describing it", (t) => {
  const arrived = cross(new Error("e", { cause: () => 1 })) as Error;
  const cause = arrived.cause as Coded;
  t.true(cause instanceof Error);
  t.is(cause.code, "ERR_PARALLEL_UNCLONEABLE_THROW");
});

test("cycles through cause and errors are kept", (t) => {
  const self = new Error("self");
  self.cause = self;
  const arrivedSelf = cross(self) as Error;
  t.is(arrivedSelf.cause, arrivedSelf);

  const a = new Error("a");
  const b = new TypeError("b", { cause: a });
  a.cause = b;
  const arrivedA = cross(a) as Error;
  t.true(arrivedA.cause instanceof TypeError);
  t.is((arrivedA.cause as Error).cause, arrivedA);

  const aggregate = new AggregateError([], "contains itself");
  aggregate.errors.push(aggregate);
  const arrivedAggregate = cross(aggregate) as AggregateError;
  t.is(arrivedAggregate.errors[0], arrivedAggregate);
});

test("an error shared by two members arrives as one object", (t) => {
  const shared = new RangeError("shared");
  const group = new ExceptionGroup("g", [new Error("x", { cause: shared }), shared]);
  const arrived = cross(group) as InstanceType<typeof ExceptionGroup>;
  t.is((arrived.exceptions[0] as Error).cause, arrived.exceptions[1]);
});

test("a property referring back to the error itself arrives as the error itself, nothing lost", (t) => {
  const error = Object.assign(new HttpError("loop", 508), { self: undefined as unknown });
  error.self = error;
  const arrived = cross(error) as Coded;
  t.is(arrived["self"], arrived);
  t.false("lostProperties" in arrived);
  t.true(Object.keys(arrived).includes("self"), "still an own enumerable property");
});

test("a property referring to the error's cause, and the cause referring back, keep their identity", (t) => {
  const cause = Object.assign(new RangeError("root"), { parent: undefined as unknown });
  const error = Object.assign(new Error("top", { cause }), { origin: cause });
  cause.parent = error;
  const arrived = cross(error) as Coded;
  const arrivedCause = arrived.cause as Coded;
  t.true(arrivedCause instanceof RangeError);
  t.is(arrived["origin"], arrivedCause, "the property and the cause are one object");
  t.is(arrivedCause["parent"], arrived, "the cause points back at the top error");
  t.false("lostProperties" in arrived);
  t.false("lostProperties" in arrivedCause);
});

test("errors inside properties and inside thrown plain values keep their class and own properties", (t) => {
  const inner = new HttpError("inner", 502);
  const arrived = cross(Object.assign(new Error("outer"), { details: { inner, list: [inner] } })) as Coded;
  const details = arrived["details"] as { inner: Coded; list: Coded[] };
  t.is(details.inner.name, "HttpError");
  t.is(details.inner["status"], 502);
  t.is(details.list[0], details.inner, "one error, referred to twice, arrives as one object");

  const thrown = cross({ failed: [Object.assign(new TypeError("t"), { code: "E_T" })] }) as { failed: Coded[] };
  t.true(thrown.failed[0] instanceof TypeError);
  t.is(thrown.failed[0]!.code, "E_T");
});

test("a property that can't be cloned is lost even when it also holds the error itself", (t) => {
  const error = Object.assign(new Error("e"), { pair: undefined as unknown });
  error.pair = { self: error, fn: () => 1 };
  const arrived = cross(error) as Coded;
  t.deepEqual(arrived.lostProperties, ["pair"]);
  t.false("pair" in arrived);
});

test("nesting deeper than the limit is cut and named in lostProperties", (t) => {
  let error = new Error("level 0");
  for (let i = 1; i <= MAX_ERROR_DEPTH + 10; i++) error = new Error(`level ${i}`, { cause: error });
  let arrived = cross(error) as Coded;
  let depth = 0;
  while (Object.hasOwn(arrived, "cause")) {
    arrived = arrived.cause as Coded;
    depth++;
  }
  t.is(depth, MAX_ERROR_DEPTH);
  t.deepEqual(arrived.lostProperties, ["cause"]);
});

// ---------------------------------------------------------------- properties

test("each property is tested alone: cloneable ones arrive, the rest are named", (t) => {
  const error = Object.assign(new Error("mixed"), {
    kept: { nested: [1, 2] },
    date: new Date(0),
    fn: () => 1,
    sym: Symbol("s"),
  });
  Object.defineProperty(error, "throws", {
    enumerable: true,
    get() {
      throw new Error("getter");
    },
  });
  Object.defineProperty(error, "hidden", { value: () => 2, enumerable: false });
  const arrived = cross(error) as Coded;
  t.is(arrived.message, "mixed", "the message is unchanged");
  t.deepEqual(arrived["kept"], { nested: [1, 2] });
  t.deepEqual(arrived["date"], new Date(0));
  t.deepEqual(arrived.lostProperties, ["fn", "sym", "throws"]);
  t.false("hidden" in arrived, "non-enumerable properties are not sent");
});

test("lostProperties accumulate over two crossings", (t) => {
  const first = cross(Object.assign(new Error("e"), { a: () => 1 })) as Coded;
  first["b"] = () => 2;
  const second = cross(first) as Coded;
  t.deepEqual(second.lostProperties, ["a", "b"]);
});

test("a throwing message getter gives an empty message", (t) => {
  const error = new Error("x");
  Object.defineProperty(error, "message", {
    get() {
      throw new Error("no");
    },
  });
  t.is((cross(error) as Error).message, "");
});

// ---------------------------------------------------------------- our classes

test("the library's own errors arrive as instances of their classes", (t) => {
  const reason = new Error("user abort");
  const cancelled = cross(new CancelledError("stop", { cause: reason })) as InstanceType<typeof CancelledError>;
  t.true(cancelled instanceof CancelledError);
  t.is(cancelled.code, "ERR_PARALLEL_CANCELLED");
  t.is((cancelled.cause as Error).message, "user abort");

  const timeout = cross(new TimeoutError("slow")) as InstanceType<typeof TimeoutError>;
  t.true(timeout instanceof TimeoutError);
  t.is(timeout.message, "slow");

  const crash = cross(new ThreadCrashError("died", { exitCode: 134 })) as InstanceType<typeof ThreadCrashError>;
  t.true(crash instanceof ThreadCrashError);
  t.is(crash.exitCode, 134);

  const notPortable = cross(new NotPortableError("captures x", ["x", "y"])) as InstanceType<typeof NotPortableError>;
  t.true(notPortable instanceof NotPortableError);
  t.true(notPortable instanceof TypeError);
  t.deepEqual(notPortable.captured, ["x", "y"]);

  const clone = cross(new CloneError("no", { argumentIndex: 2, valueType: "Socket", path: "a.b" })) as InstanceType<
    typeof CloneError
  >;
  t.true(clone instanceof CloneError);
  t.is(clone.argumentIndex, 2);
  t.is(clone.valueType, "Socket");
  t.is(clone.path, "a.b");

  const consumed = cross(new ChainConsumedError("used")) as Error;
  t.true(consumed instanceof ChainConsumedError);
  t.is(consumed.stack?.split("\n")[0], "ChainConsumedError: used");
});

test("a subclass of a library error keeps its library class and its name", (t) => {
  class DbTimeout extends TimeoutError {}
  Object.defineProperty(DbTimeout.prototype, "name", { value: "DbTimeout" });
  const arrived = cross(new DbTimeout("db")) as Error;
  t.true(arrived instanceof TimeoutError);
  t.is(arrived.name, "DbTimeout");
});

test("an ExceptionGroup arrives with nested groups, splittable", (t) => {
  const group = new ExceptionGroup("outer", [
    new TypeError("t1"),
    new ExceptionGroup("inner", [new RangeError("r"), new TypeError("t2")]),
  ]);
  const arrived = cross(group) as InstanceType<typeof ExceptionGroup>;
  t.true(arrived instanceof ExceptionGroup);
  t.true(Object.isFrozen(arrived.exceptions));
  const [match, rest] = arrived.split(TypeError);
  t.is(match?.exceptions.length, 2);
  t.true((match?.exceptions[1] as InstanceType<typeof ExceptionGroup>).exceptions[0] instanceof TypeError);
  t.is((rest?.exceptions[0] as InstanceType<typeof ExceptionGroup>).message, "inner");
});

// ---------------------------------------------------------------- non-Error values

test("thrown non-Error values arrive unchanged", (t) => {
  const values: unknown[] = [
    "a string",
    42,
    0n,
    true,
    undefined,
    null,
    { code: 1, nested: { list: [1, "2"] } },
    [1, [2]],
    new Map([["k", 1]]),
    new Set([1]),
    new Date(5),
    /re/g,
  ];
  for (const value of values) {
    const encoded = send(value);
    t.deepEqual(encoded.value, value, "sent as it is, not as a record");
    t.deepEqual(decodeThrown(encoded, new Error().stack), value);
  }
});

test("an uncloneable thrown value becomes an error describing it", (t) => {
  const encodedFn = send(function secret() {});
  t.like(encodedFn.value as EncodedRecord, { kind: "uncloneable", type: "function" });
  const fromFn = decodeThrown(encodedFn) as Coded;
  t.true(fromFn instanceof Error);
  t.is(fromFn.code, "ERR_PARALLEL_UNCLONEABLE_THROW");
  t.true(fromFn.message.startsWith("Thread threw an uncloneable value: function secret()"));

  const fromSymbol = cross(Symbol("tag")) as Coded;
  t.is(fromSymbol.message, "Thread threw an uncloneable value: Symbol(tag)");

  class Holder {
    fn = () => 1;
  }
  t.like(send(new Holder()).value as EncodedRecord, { kind: "uncloneable", type: "Holder" });

  const noString = Object.create(null) as object;
  Object.assign(noString, { f: () => 1 });
  t.like(send(noString).value as EncodedRecord, {
    kind: "uncloneable",
    description: "[object Object]",
    type: "Object",
  });
});

test("long descriptions are shortened", (t) => {
  const long = new Function(`return "${"x".repeat(500)}"`);
  const encoded = send(long).value as { description: string };
  t.true(encoded.description.length <= 201);
  t.true(encoded.description.endsWith("…"));
});

// ---------------------------------------------------------------- stacks

function callSite(): string | undefined {
  return new Error().stack;
}

test("the stack is the thread's frames, then the call site's", (t) => {
  const original = new TypeError("in thread");
  const site = callSite();
  const arrived = cross(original, site) as Error;
  const lines = arrived.stack?.split("\n") ?? [];
  const threadLines = original.stack?.split("\n") ?? [];
  t.deepEqual(lines.slice(0, threadLines.length), threadLines);
  t.is(lines[threadLines.length], CALL_SITE_SEPARATOR);
  t.deepEqual(lines.slice(threadLines.length + 1), site?.split("\n").slice(1));
  t.true(lines[threadLines.length + 1]?.includes("callSite"));
});

test("only the top-level error gets the call site; without one the stack is unchanged", (t) => {
  const inner = new Error("inner");
  const outer = new Error("outer", { cause: inner });
  const arrived = cross(outer, callSite()) as Error;
  t.is((arrived.cause as Error).stack, inner.stack);
  t.is((cross(outer) as Error).stack, outer.stack);
});

test("a call site whose message spans lines is cut at its first frame", (t) => {
  const site = new Error("two\nlines").stack ?? "";
  const arrived = cross(new Error("e"), site) as Error;
  t.false(arrived.stack?.includes("lines\n"));
  t.true(arrived.stack?.includes(`${CALL_SITE_SEPARATOR}\n    at `));
});

test("an error without a stack gets a header line, then the call site", (t) => {
  const error = new HttpError("bare", 400);
  Object.defineProperty(error, "stack", { value: undefined });
  const arrived = cross(error, callSite()) as Error;
  t.true(arrived.stack?.startsWith(`HttpError: bare\n${CALL_SITE_SEPARATOR}\n`));
});

test("an uncloneable throw's stack points at the call site", (t) => {
  const arrived = cross(() => 1, callSite()) as Error;
  t.true(arrived.stack?.startsWith(`Error: Thread threw an uncloneable value: () => 1\n${CALL_SITE_SEPARATOR}\n`));
});

// ---------------------------------------------------------------- the encoding itself

test("the encoding is plain data that v8.serialize accepts", (t) => {
  const error = Object.assign(new HttpError("e", 1), { fn: () => 1 });
  error.cause = error;
  const envelope = encodeThrown(error);
  t.notThrows(() => v8.serialize(envelope));
  const encoded = envelope.value as EncodedError;
  t.like(encoded, {
    kind: "error",
    name: "HttpError",
    message: "e",
    constructorName: "Error",
    props: { status: 1 },
    lost: ["fn"],
  });
  t.is(encoded.cause, encoded, "the cycle is a cycle in the data");
  t.like(encodedValue(new URIError("u")), { constructorName: "URIError" });
  t.like(encodedValue(new TimeoutError()), {
    constructorName: "TimeoutError",
    props: { code: "ERR_PARALLEL_TIMEOUT" },
  });
  t.like(encodedValue(new DOMException("d", "AbortError")), { code: 20 }, "an inherited code is sent too");
});

test("errors from another realm keep their built-in class; others have none", (t) => {
  const foreign = vm.runInNewContext('new TypeError("from vm")') as Error;
  t.false(foreign instanceof TypeError);
  t.like(encodedValue(foreign), { kind: "error", constructorName: "TypeError" });
  t.true(cross(foreign) instanceof TypeError);

  const custom = vm.runInNewContext('class TypeError2 extends Error {}; new TypeError2("x")') as Error;
  t.like(encodedValue(custom), { kind: "error", constructorName: "Error" });

  const fakeNamed = vm.runInNewContext(
    "class URIError { }; Object.setPrototypeOf(URIError.prototype, null); new URIError()",
  );
  t.is(encodedValue(fakeNamed), fakeNamed, "not an error at all: a value sent as it is");

  const noBuiltin = Object.setPrototypeOf(new Error("orphan"), null) as object;
  t.like(encodedValue(noBuiltin), { kind: "error", constructorName: undefined, message: "orphan" });
  const arrived = cross(noBuiltin) as Error;
  t.is(Object.getPrototypeOf(arrived), Error.prototype);
  t.is(arrived.name, "Error");
});
