/**
 * Fuzzed values (SPEC §1, §9; issue 8), with fast-check:
 *
 * - random structured-cloneable values (nested objects, arrays, sparse
 *   arrays, Maps, Sets, Dates, RegExps, typed arrays, ArrayBuffers,
 *   DataViews, Buffers, SharedArrayBuffers, BigInts, boxed primitives,
 *   errors of the built-in classes, lone surrogates, -0, NaN, shared
 *   references and cycles) make a round trip through a thread call `(v) => v`
 *   and come back equal: 10,000 values, sent 100 to a call; plus top-level
 *   primitives one to a call (they travel through the core unserialized);
 * - random values with something non-cloneable somewhere inside (a function,
 *   a symbol, an instance of a user class or of a built-in that structured
 *   clone refuses) get `CloneError` synchronously at call time, naming the
 *   argument, and nothing starts; a thread call that returns such a value
 *   fails with `CloneError`, and the executor carries on.
 *
 * Equality is structural and strict (`sameValue` below): Object.is for
 * primitives (NaN equals NaN, -0 differs from 0), prototypes, property order,
 * holes, Map/Set order, and object identity (shared references and cycles
 * must come back as shared references and cycles). As with structuredClone,
 * an object with a null prototype arrives with Object.prototype; a typed
 * array arrives with its byteOffset, as a view of the copy of its own buffer
 * (shared with whatever else referenced it). A Buffer arrives as a Buffer:
 * one that is part of a larger ArrayBuffer (Node's pool) over a copy of its
 * own bytes alone, others as typed arrays do — more than structured clone
 * keeps, as for errors: an
 * error arrives with its class, name, message, cause, own properties (such
 * as `code`) and, for an AggregateError, its errors — more than structured
 * clone keeps (lib/values/).
 *
 * The tests at the end pin down bugs this fuzzing found (all fixed): values
 * structured clone refuses inside places the check didn't walk (a Proxy, an
 * error's `cause`, an error's own properties) threw a raw DataCloneError
 * instead of CloneError; errors as values lost their own properties; a typed
 * array and its ArrayBuffer sent together arrived unrelated.
 *
 * Functions passed to threads are re-created there from their source: they
 * must not use anything from this module.
 */
import test from "ava";
import fc from "fast-check";
import { execFile } from "node:child_process";
import path from "node:path";

import { CloneError, ParallelExecutor } from "parallel-threads";

const executor = new ParallelExecutor({ maxThreads: 2 });
test.after.always(() => executor.close());

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const BATCH = 100;

// ---------------------------------------------------------------- equality

type Path = string;

/** The first place where `got` differs from what `sent` should arrive as, or undefined. */
function difference(sent: unknown, got: unknown): Path | undefined {
  const pairs = new Map<object, object>();
  const taken = new Map<object, object>();
  function walk(a: unknown, b: unknown, at: Path): Path | undefined {
    if (typeof a !== "object" || a === null) {
      if (typeof a === "function" || typeof a === "symbol") return `${at}: can't compare ${typeof a}`;
      return Object.is(a, b) ? undefined : `${at}: ${describe(a)} arrived as ${describe(b)}`;
    }
    if (typeof b !== "object" || b === null) return `${at}: an object arrived as ${describe(b)}`;
    // Identity: a reference seen before must arrive as the same object.
    const earlier = pairs.get(a);
    if (earlier !== undefined)
      return earlier === b ? undefined : `${at}: a shared reference (or cycle) arrived as a copy`;
    if (taken.has(b)) return `${at}: two different objects arrived as one`;
    pairs.set(a, b);
    taken.set(b, a);

    if (ArrayBuffer.isView(a)) return views(a, b, at);
    if (a instanceof ArrayBuffer || a instanceof SharedArrayBuffer) {
      if (Object.getPrototypeOf(b) !== Object.getPrototypeOf(a))
        return `${at}: ${a.constructor.name} arrived as ${className(b)}`;
      return bytes(new Uint8Array(a), new Uint8Array(b as ArrayBuffer), at);
    }
    if (a instanceof Error) {
      if (!(b instanceof Error)) return `${at}: an error arrived as ${className(b)}`;
      if (Object.getPrototypeOf(b) !== Object.getPrototypeOf(a))
        return `${at}: ${className(a)} arrived as ${className(b)}`;
      if (a.name !== b.name || a.message !== b.message)
        return `${at}: ${a.name}: ${a.message} arrived as ${b.name}: ${b.message}`;
      if ("cause" in a !== "cause" in b) return `${at}: the cause ${"cause" in a ? "was lost" : "appeared"}`;
      const d = "cause" in a ? walk(a.cause, b.cause, `${at}.cause`) : undefined;
      if (d) return d;
      if (a instanceof AggregateError) {
        const e = walk(a.errors, (b as AggregateError).errors, `${at}.errors`);
        if (e) return e;
      }
      return ownKeys(a, b, at); // own properties such as `code`
    }
    const protoA = Object.getPrototypeOf(a) as object | null;
    const protoB = Object.getPrototypeOf(b) as object | null;
    const expectedProto = protoA === null ? Object.prototype : protoA; // null prototypes arrive as plain objects
    if (protoB !== expectedProto) return `${at}: ${className(a)} arrived as ${className(b)}`;
    if (a instanceof Date)
      return Object.is(a.getTime(), (b as Date).getTime())
        ? undefined
        : `${at}: date ${a.getTime()} arrived as ${(b as Date).getTime()}`;
    if (a instanceof RegExp) {
      const r = b as RegExp;
      return a.source === r.source && a.flags === r.flags
        ? undefined
        : `${at}: /${a.source}/${a.flags} arrived as /${r.source}/${r.flags}`;
    }
    if (a instanceof Number || a instanceof String || a instanceof Boolean || a instanceof BigInt) {
      return Object.is(a.valueOf(), (b as typeof a).valueOf())
        ? undefined
        : `${at}: boxed ${describe(a.valueOf())} arrived as ${describe((b as typeof a).valueOf())}`;
    }
    if (a instanceof Map) {
      const m = b as Map<unknown, unknown>;
      if (a.size !== m.size) return `${at}: a Map of ${a.size} arrived with ${m.size}`;
      const got = [...m];
      let i = 0;
      for (const [k, v] of a) {
        const d = walk(k, got[i]![0], `${at}<key ${i}>`) ?? walk(v, got[i]![1], `${at}<value ${i}>`);
        if (d) return d;
        i++;
      }
      return undefined;
    }
    if (a instanceof Set) {
      const s = b as Set<unknown>;
      if (a.size !== s.size) return `${at}: a Set of ${a.size} arrived with ${s.size}`;
      const got = [...s];
      let i = 0;
      for (const v of a) {
        const d = walk(v, got[i], `${at}<item ${i}>`);
        if (d) return d;
        i++;
      }
      return undefined;
    }
    if (Array.isArray(a)) {
      const r = b as unknown[];
      if (a.length !== r.length) return `${at}: length ${a.length} arrived as ${r.length}`;
      for (let i = 0; i < a.length; i++)
        if (i in a !== i in r)
          return `${at}[${i}]: a ${i in a ? "value" : "hole"} arrived as a ${i in r ? "value" : "hole"}`;
    }
    return ownKeys(a, b, at);
  }
  /** Own enumerable string keys, in order (array indexes included). */
  function ownKeys(a: object, b: object, at: Path): Path | undefined {
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    if (keysA.join("\u0000") !== keysB.join("\u0000"))
      return `${at}: keys ${JSON.stringify(keysA)} arrived as ${JSON.stringify(keysB)}`;
    for (const k of keysA) {
      const d = walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  function views(a: ArrayBufferView, b: unknown, at: Path): Path | undefined {
    const aProto = Object.getPrototypeOf(a) as object;
    const bProto = b === null || typeof b !== "object" ? null : (Object.getPrototypeOf(b) as object);
    if (aProto !== bProto) return `${at}: ${className(a)} arrived as ${className(b)}`;
    const v = b as ArrayBufferView;
    // A Buffer that is part of a larger ArrayBuffer (Node's pool) arrives
    // over a copy of its own bytes alone; one that spans its ArrayBuffer (and
    // every other view) as a view of the copy of its own buffer, at its
    // byteOffset (the same copy wherever else that buffer is referenced).
    const partBuffer = Buffer.isBuffer(a) && a.byteLength !== a.buffer.byteLength;
    const offset = partBuffer ? 0 : a.byteOffset;
    if (offset !== v.byteOffset) return `${at}: byteOffset ${a.byteOffset} arrived as ${v.byteOffset}`;
    if (partBuffer) {
      if (v.buffer.byteLength !== a.byteLength)
        return `${at}.buffer: ${v.buffer.byteLength} bytes sent for a view of ${a.byteLength}`;
    } else {
      const d = walk(a.buffer, v.buffer, `${at}.buffer`);
      if (d) return d;
    }
    if (a instanceof DataView) {
      return bytes(
        new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
        new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
        at,
      );
    }
    const x = a as unknown as ArrayLike<unknown>;
    const y = v as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return `${at}: ${x.length} elements arrived as ${y.length}`;
    for (let i = 0; i < x.length; i++)
      if (!Object.is(x[i], y[i])) return `${at}[${i}]: ${describe(x[i])} arrived as ${describe(y[i])}`;
    return undefined;
  }
  function bytes(x: Uint8Array, y: Uint8Array, at: Path): Path | undefined {
    if (x.length !== y.length) return `${at}: ${x.length} bytes arrived as ${y.length}`;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `${at}: byte ${i} differs`;
    return undefined;
  }
  return walk(sent, got, "value");
}

function className(v: unknown): string {
  if (v === null || typeof v !== "object") return typeof v;
  const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
  return proto === null ? "null-prototype object" : (proto.constructor?.name ?? "object");
}

function describe(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Object.is(v, -0)) return "-0";
  if (typeof v === "object" && v !== null) return className(v);
  return String(v);
}

test("the comparator itself: it tells -0 from 0, equates NaN, and checks holes, order, prototypes and identity", (t) => {
  t.is(difference([NaN, 1n, "a"], [NaN, 1n, "a"]), undefined);
  t.truthy(difference(-0, 0));
  t.truthy(difference([1, , 3], [1, undefined, 3]));
  t.truthy(
    difference(
      new Map([
        [1, 2],
        [3, 4],
      ]),
      new Map([
        [3, 4],
        [1, 2],
      ]),
    ),
  );
  t.truthy(difference({ a: 1, b: 2 }, { b: 2, a: 1 }));
  t.truthy(difference(new Int8Array([1]), new Uint8Array([1])));
  t.truthy(difference(new Date(1), new Date(2)));
  t.is(difference(new Date(NaN), new Date(NaN)), undefined);
  t.truthy(difference(new TypeError("x"), new Error("x")));
  const shared = { s: 1 };
  t.is(
    difference(
      [shared, shared],
      (() => {
        const c = { s: 1 };
        return [c, c];
      })(),
    ),
    undefined,
  );
  t.truthy(difference([shared, shared], [{ s: 1 }, { s: 1 }]));
  const cycle: Record<string, unknown> = { x: 1 };
  cycle["self"] = cycle;
  const copy: Record<string, unknown> = { x: 1 };
  copy["self"] = copy;
  t.is(difference(cycle, copy), undefined);
  t.truthy(difference(cycle, { x: 1, self: { x: 1, self: copy } }));
  t.is(difference(Object.assign(Object.create(null), { a: 1 }), { a: 1 }), undefined);
  const buffer = Buffer.from([1, 2]);
  const alone = Buffer.from(new Uint8Array([1, 2]).buffer);
  t.is(difference(buffer, alone), undefined, "a pooled Buffer arrives over a copy of its bytes alone");
  t.truthy(difference(buffer, new Uint8Array([1, 2])), "as a Buffer");
  t.truthy(difference(buffer, structuredClone(buffer)), "not as structuredClone makes it");
  const spanning = Buffer.alloc(2);
  const relatedCopy = (): [Buffer, ArrayBuffer] => {
    const copy = new ArrayBuffer(2);
    return [Buffer.from(copy), copy];
  };
  t.is(difference([spanning, spanning.buffer], relatedCopy()), undefined, "a Buffer spanning its ArrayBuffer…");
  t.truthy(difference([spanning, spanning.buffer], [alone, new ArrayBuffer(2)]), "…keeps its relation to it");
  t.truthy(difference(Object.assign(new Error("x"), { code: 1 }), new Error("x")), "an error's own properties count");
  const whole = new ArrayBuffer(4);
  const related = [whole, new Uint8Array(whole, 1)];
  t.is(difference(related, structuredClone(related)), undefined);
  t.truthy(
    difference(related, [new ArrayBuffer(4), new Uint8Array(new ArrayBuffer(4), 1)]),
    "a view's relation to its buffer counts",
  );
});

// ---------------------------------------------------------------- arbitraries

/** Strings with lone surrogates and NULs among ordinary characters (they travel serialized, not as UTF-8). */
const oddString = fc.string({
  unit: fc.constantFrom("a", "\u0000", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "😀", "é", "\u2028"),
});
const anyString = fc.oneof(fc.string({ unit: "binary" }), oddString);

const primitive = fc.oneof(
  fc.integer(),
  fc.double(), // NaN, ±0, ±Infinity, subnormals
  fc.constantFrom(-0, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, -(2 ** 53)),
  fc.bigInt(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  anyString,
);

const errorClasses = [Error, TypeError, RangeError, EvalError, ReferenceError, SyntaxError, URIError] as const;

const typedArray = fc.oneof(
  fc.int8Array(),
  fc.uint8Array(),
  fc.uint8ClampedArray(),
  fc.int16Array(),
  fc.uint16Array(),
  fc.int32Array(),
  fc.uint32Array(),
  fc.float32Array(),
  fc.float64Array(),
  fc.bigInt64Array(),
  fc.bigUint64Array(),
);

/** Leaves that are objects but not containers the fuzzer links into. */
const leafObject: fc.Arbitrary<unknown> = fc.oneof(
  fc.date({ noInvalidDate: false }),
  fc.constant(null).map(() => new Date(NaN)),
  fc
    .tuple(
      fc.constantFrom("a+", "^x$", "(\\d+)-(\\w*)", "[\\u{1F600}]", "", "\\/", "(?<n>.)\\k<n>"),
      fc.subarray(["d", "g", "i", "m", "s", "u", "y"]),
    )
    .map(([source, flags]) => new RegExp(source, flags.join(""))),
  typedArray,
  fc.uint8Array({ minLength: 2 }).map((a) => a.subarray(1)), // a view at an offset
  fc.uint8Array().map((a) => a.buffer),
  fc.uint8Array().map((a) => new DataView(a.buffer)),
  fc.uint8Array().map((a) => Buffer.from(a)), // pooled when small
  fc.uint8Array().map((a) => Buffer.from(a.buffer)), // spanning its ArrayBuffer
  fc.uint8Array({ minLength: 2 }).map((a) => Buffer.from(a.buffer, 1)), // part of a larger one
  fc.uint8Array().map((a) => {
    const shared = new SharedArrayBuffer(a.length);
    new Uint8Array(shared).set(a);
    return shared;
  }),
  fc.oneof(
    fc.double().map((n) => Object(n) as unknown),
    anyString.map((s) => Object(s) as unknown),
    fc.boolean().map((b) => Object(b) as unknown),
    fc.bigInt().map((b) => Object(b) as unknown),
  ),
  fc
    .tuple(
      fc.constantFrom(...errorClasses),
      anyString,
      fc.option(primitive, { nil: undefined }),
      fc.boolean(),
      fc.option(fc.oneof(fc.string(), fc.integer()), { nil: undefined }),
      fc.option(fc.string(), { nil: undefined }),
    )
    .map(([ErrorClass, message, cause, withCause, code, name]) => {
      const error = withCause ? new ErrorClass(message, { cause }) : new ErrorClass(message);
      if (code !== undefined) Object.assign(error, { code }); // own properties structured clone drops
      if (name !== undefined) error.name = name;
      return error;
    }),
  fc.tuple(fc.array(anyString, { maxLength: 3 }), anyString).map(
    ([messages, message]) =>
      new AggregateError(
        messages.map((m) => new RangeError(m)),
        message,
      ),
  ),
);

const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    primitive,
    leafObject,
    tie("array"),
    tie("object"),
    tie("map"),
    tie("set"),
    tie("sparse"),
  ),
  array: fc.array(tie("tree"), { maxLength: 5 }),
  sparse: fc.sparseArray(tie("tree"), { maxLength: 8, maxNumElements: 4 }),
  object: fc.dictionary(
    fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("__proto__", "constructor", "0", "1e3", "length")),
    tie("tree"),
    { maxKeys: 5 },
  ),
  map: fc.array(fc.tuple(tie("tree"), tie("tree")), { maxLength: 4 }).map((entries) => new Map(entries)),
  set: fc.array(tie("tree"), { maxLength: 4 }).map((items) => new Set(items)),
}));

/** A fresh copy of the containers of `value` (leaves are shared), so that linking never changes a generated value. */
function rebuild(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [rebuild(k), rebuild(v)]));
  if (value instanceof Set) return new Set([...value].map(rebuild));
  const proto = Object.getPrototypeOf(value) as object | null;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (const k of Object.keys(value)) define(copy, k, rebuild((value as unknown as Record<string, unknown>)[k]));
    return copy;
  }
  if (proto === Object.prototype || proto === null) {
    const copy = Object.create(proto) as Record<string, unknown>;
    for (const k of Object.keys(value)) define(copy, k, rebuild((value as Record<string, unknown>)[k]));
    return copy;
  }
  return value;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The containers (plain objects, arrays, Maps, Sets) inside `value`, each once. */
function containers(value: unknown, into: object[] = [], seen = new Set<object>()): object[] {
  if (typeof value !== "object" || value === null || seen.has(value)) return into;
  seen.add(value);
  const proto = Object.getPrototypeOf(value) as object | null;
  if (value instanceof Map) {
    into.push(value);
    for (const [k, v] of value) containers(v, containers(k, into, seen), seen);
  } else if (value instanceof Set) {
    into.push(value);
    for (const v of value) containers(v, into, seen);
  } else if (Array.isArray(value) || proto === Object.prototype || proto === null) {
    into.push(value);
    for (const k of Object.keys(value)) containers((value as Record<string, unknown>)[k], into, seen);
  }
  return into;
}

/** Adds references from containers to containers (back edges make cycles). */
function link(value: unknown, links: ReadonlyArray<readonly [number, number, string]>): unknown {
  const copy = rebuild(value);
  const nodes = containers(copy);
  if (nodes.length === 0) return copy;
  for (const [from, to, key] of links) {
    const source = nodes[from % nodes.length]!;
    const target = nodes[to % nodes.length]!;
    if (source instanceof Map) source.set(key, target);
    else if (source instanceof Set) source.add(target);
    else if (Array.isArray(source)) source.push(target);
    else define(source, `link ${key}`, target);
  }
  return copy;
}

const withReferences = fc
  .tuple(tree, fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 3 })), { maxLength: 4 }))
  .map(([value, links]) => link(value, links));

const anything = fc.anything({
  maxDepth: 4,
  maxKeys: 6,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withObjectString: true,
  stringUnit: "binary",
});

// ---------------------------------------------------------------- round trips

const echo = (values: unknown) => values;

async function roundTrips(arbitrary: fc.Arbitrary<unknown>, runs: number): Promise<number> {
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(arbitrary, { minLength: BATCH, maxLength: BATCH }), async (values) => {
      const got = await executor.executeOne(echo, values);
      sent += values.length;
      const d = difference(values, got);
      if (d !== undefined) throw new Error(d);
    }),
    { numRuns: runs, seed: SEED, endOnFailure: true },
  );
  return sent;
}

test("5,000 values from fc.anything (objects, arrays, sparse arrays, Maps, Sets, Dates, typed arrays, BigInts, boxed values, null prototypes) come back equal", async (t) => {
  t.timeout(60_000);
  const sent = await roundTrips(anything, 50);
  t.is(sent, 5_000, `seed ${SEED}`);
});

test("5,000 values with errors, buffers, RegExps, lone surrogates, shared references and cycles come back equal", async (t) => {
  t.timeout(60_000);
  const sent = await roundTrips(withReferences, 50);
  t.is(sent, 5_000, `seed ${SEED}`);
});

test("top-level primitives (carried by the core unserialized, strings too) come back identical: -0, NaN, lone surrogates", async (t) => {
  t.timeout(60_000);
  const single = (v: unknown) => v;
  await fc.assert(
    fc.asyncProperty(fc.array(primitive, { minLength: 1, maxLength: 4 }), async (args) => {
      const got = await Promise.all(args.map((v) => executor.executeOne(single, v)));
      args.forEach((v, i) => {
        if (!Object.is(v, got[i])) throw new Error(`${describe(v)} arrived as ${describe(got[i])}`);
      });
      const [chained] = await executor.parallel(single)(args[0]).results();
      if (!Object.is(args[0], chained))
        throw new Error(`${describe(args[0])} arrived as ${describe(chained)} through a chain`);
    }),
    { numRuns: 300, seed: SEED, endOnFailure: true },
  );
  t.pass();
});

// ---------------------------------------------------------------- non-cloneable values

/** Things the clone check must refuse wherever they sit. */
const poisons: ReadonlyArray<readonly [string, () => unknown]> = [
  ["arrow function", () => () => 1],
  ["async function", () => async () => 1],
  ["generator function", () => function* gen() {}],
  ["class", () => class Klass {}],
  ["symbol", () => Symbol("s")],
  ["boxed symbol", () => Object(Symbol("s"))],
  [
    "class instance",
    () =>
      new (class Point {
        x = 1;
      })(),
  ],
  [
    "class instance with methods",
    () =>
      new (class Counter {
        n = 0;
        inc() {
          return ++this.n;
        }
      })(),
  ],
  ["Map subclass instance", () => new (class Registry extends Map {})()],
  ["WeakMap", () => new WeakMap()],
  ["WeakSet", () => new WeakSet()],
  ["WeakRef", () => new WeakRef({})],
  ["Promise", () => Promise.resolve(1)],
  ["MessageChannel", () => new MessageChannel()],
  ["AbortController", () => new AbortController()],
  ["URL", () => new URL("https://example.com/")],
  ["bound function", () => function f() {}.bind(null)],
  ["native function", () => Math.max],
];

/** Puts `poison` somewhere inside a fresh copy of `value`: a property, an element, a Map key or value, a Set item, an error's property. */
function plant(value: unknown, poison: unknown, where: number, how: number): unknown {
  const copy = rebuild(value);
  const nodes = containers(copy);
  if (nodes.length === 0 || how % 7 === 6) {
    // Wrap: in an object, an array, or as an own property of an error.
    switch (how % 3) {
      case 0:
        return { wrapped: copy, poison };
      case 1:
        return [copy, poison];
      default:
        return [copy, Object.assign(new Error("carrier"), { poison })];
    }
  }
  const node = nodes[where % nodes.length]!;
  if (node instanceof Map) {
    if (how % 2 === 0) node.set(`k${how}`, poison);
    else node.set(poison, "value");
  } else if (node instanceof Set) node.add(poison);
  else if (Array.isArray(node)) node.push(poison);
  else define(node, `poison${how}`, poison);
  return copy;
}

const poisoned = fc
  .tuple(
    tree,
    fc.integer({ min: 0, max: poisons.length - 1 }),
    fc.nat(),
    fc.nat(),
    fc.integer({ min: 0, max: 3 }),
    fc.array(primitive, { maxLength: 3 }),
  )
  .map(([value, poisonIndex, where, how, argumentIndex, others]) => {
    const [name, make] = poisons[poisonIndex]!;
    const args: unknown[] = [...others];
    args.splice(Math.min(argumentIndex, args.length), 0, plant(value, make(), where, how));
    return { name, args, argumentIndex: Math.min(argumentIndex, others.length) };
  });

test("a non-cloneable value anywhere inside an argument gets CloneError synchronously, naming the argument; nothing starts (500 cases, 3 ways to call)", async (t) => {
  t.timeout(60_000);
  const takeAll = (...args: unknown[]) => args.length;
  const before = executor.stats().started;
  let refused = 0;
  let firstLinks = 0;
  fc.assert(
    fc.property(poisoned, fc.integer({ min: 0, max: 2 }), ({ name, args, argumentIndex }, way) => {
      let thrown: unknown;
      try {
        if (way === 0) executor.executeOne(takeAll, ...args);
        else if (way === 1) executor.parallel(takeAll)(...args);
        else {
          firstLinks++; // this first link does start; the poisoned second one must not
          executor
            .parallel(() => 0)()
            .parallel(takeAll)(...args);
        }
      } catch (error) {
        thrown = error;
      }
      if (!(thrown instanceof CloneError)) throw new Error(`${name}: expected CloneError, got ${String(thrown)}`);
      if (thrown.code !== "ERR_PARALLEL_CLONE") throw new Error(`${name}: code ${thrown.code}`);
      if (thrown.argumentIndex !== argumentIndex)
        throw new Error(`${name}: argumentIndex ${thrown.argumentIndex}, expected ${argumentIndex}`);
      refused++;
    }),
    { numRuns: 500, seed: SEED, endOnFailure: true },
  );
  t.is(refused, 500);
  t.is(executor.stats().started - before, firstLinks, "no call with a poisoned argument started");
  t.deepEqual(
    await executor
      .parallel((n: number) => n + 1)(1)
      .results(),
    [2],
    "the executor carries on",
  );
});

test("a thread call whose result holds something non-cloneable fails with CloneError (no argumentIndex); the thread and executor carry on (200 cases)", async (t) => {
  t.timeout(60_000);
  // The thread builds the value from a recipe: containers from the outside in, then the poison.
  const build = (recipe: { path: number[]; poison: number; filler: unknown }) => {
    const poisonsThere = [
      () => () => 1,
      () => Symbol("s"),
      () =>
        new (class Point {
          x = 1;
        })(),
      () => new WeakMap(),
      () => Promise.resolve(1),
      () => new (class Registry extends Map {})(),
    ];
    let value: unknown = poisonsThere[recipe.poison % poisonsThere.length]!();
    if (recipe.path.length === 0 && value instanceof Promise) value = [value]; // a returned promise is awaited, not sent
    for (const step of recipe.path) {
      switch (step % 6) {
        case 0:
          value = { inner: value, filler: recipe.filler };
          break;
        case 1:
          value = [recipe.filler, value];
          break;
        case 2:
          value = new Map([["key", value]]);
          break;
        case 3:
          value = new Map([[value, "value"]]);
          break;
        case 4:
          value = new Set([recipe.filler, value]);
          break;
        default:
          value = Object.assign(new Error("carrier"), { inner: value });
      }
    }
    return value;
  };
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.nat(),
      fc.oneof(primitive, fc.constant({ plain: [1, 2] })),
      async (path, poison, filler) => {
        const [record] = await executor.parallel(build)({ path, poison, filler }).settled();
        if (record.status !== "rejected") throw new Error(`fulfilled with ${String(record.value)}`);
        const error = record.reason;
        if (!(error instanceof CloneError)) throw new Error(`expected CloneError, got ${String(error)}`);
        if (error.argumentIndex !== undefined) throw new Error(`argumentIndex ${error.argumentIndex} on a result`);
      },
    ),
    { numRuns: 200, seed: SEED, endOnFailure: true },
  );
  t.deepEqual(
    await executor
      .parallel((n: number) => n * 2)(21)
      .results(),
    [42],
    "the executor carries on",
  );
});

// ---------------------------------------------------------------- bugs found by fuzzing (fixed)

// A Proxy, or a function or symbol in an error's `cause` (a non-enumerable
// own property that V8 serializes), once got V8's plain DataCloneError
// instead of CloneError naming the argument (SPEC §1).
test("values structured clone refuses in places the check doesn't walk (a Proxy, an error's cause) get CloneError too", (t) => {
  const takeAll = (...args: unknown[]) => args.length;
  const cases: Array<[string, unknown]> = [
    ["a Proxy", new Proxy({ a: 1 }, {})],
    ["a Proxy of an array", new Proxy([1], {})],
    ["an error whose cause is a function", new Error("x", { cause: () => 1 })],
    ["an error whose cause is a symbol", new Error("x", { cause: Symbol("s") })],
  ];
  for (const [what, value] of cases) {
    const error = t.throws(() => executor.executeOne(takeAll, 1, value), undefined, what);
    t.true(error instanceof CloneError, `${what}: ${String(error)}`);
    t.is((error as CloneError).argumentIndex, 1, what);
  }
});

// Structured clone keeps only the built-in error and typed array classes,
// and of an error only its message, stack and cause. Instances of user
// subclasses are refused (SPEC §9: they would arrive without their class);
// an AggregateError's errors and an error's own properties (`code`, an own
// `name`) arrive too (lib/values/), as thrown errors keep them.
test("errors and typed arrays of user classes in arguments are refused with CloneError or arrive with their class, name and properties", async (t) => {
  class ValidationError extends Error {
    override name = "ValidationError";
    field = "email";
  }
  class Bytes extends Uint8Array {}
  const cases: Array<[string, unknown, (got: unknown) => boolean]> = [
    [
      "an Error subclass",
      new ValidationError("bad"),
      (g) => (g as Error).name === "ValidationError" && (g as ValidationError).field === "email",
    ],
    [
      "an AggregateError",
      new AggregateError([new Error("inner")], "many"),
      (g) => (g as Error).name === "AggregateError" && (g as AggregateError).errors?.length === 1,
    ],
    [
      "an Error with a code",
      Object.assign(new Error("io"), { code: "E_IO" }),
      (g) => (g as { code?: string }).code === "E_IO",
    ],
    ["a Uint8Array subclass", new Bytes(2), (g) => (g as object).constructor?.name === "Bytes"],
  ];
  for (const [what, value, intact] of cases) {
    let got: unknown;
    let refused: unknown;
    try {
      got = await executor.executeOne((v: unknown) => v, value);
    } catch (error) {
      refused = error;
    }
    if (refused !== undefined) t.true(refused instanceof CloneError, `${what}: ${String(refused)}`);
    else t.true(intact(got), `${what} arrived as ${className(got)} ${String((got as Error)?.name ?? "")}`);
  }
});

// Node's v8.serialize writes a typed array as a copy of its bytes alone: a
// view and its ArrayBuffer sent together arrived unrelated. lib/values/transport.ts
// now uses V8's own structured clone of views, as structuredClone does.
test("a typed array and its ArrayBuffer sent together arrive related, as structuredClone keeps them", async (t) => {
  const buffer = new ArrayBuffer(8);
  const view = new Uint8Array(buffer, 2, 4);
  const [gotBuffer, gotView] = await executor.executeOne((pair: [ArrayBuffer, Uint8Array]) => pair, [buffer, view]);
  const reference = structuredClone([buffer, view] as [ArrayBuffer, Uint8Array]);
  t.is(reference[1].buffer, reference[0], "structuredClone keeps the relation");
  t.is(gotView.buffer, gotBuffer, "the view arrives as a view of the buffer sent with it");
  t.is(gotView.byteOffset, 2);
});

// Numbers cross the core packed in a Float64Array, and V8 keeps a number read
// from one a boxed double: a recursive fib(n) on a thread ran a third slower
// until integers were turned back into small integers (lib/wire/protocol.ts).
test("integers arrive as small integers, in arguments and results; -0 and fractions intact (child process)", async (t) => {
  const root = path.join(__dirname, "../..");
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ["--allow-natives-syntax", path.join(root, "__test__/fixtures/number-representation.cjs")],
      { cwd: root, timeout: 60_000 },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    );
  });
  t.deepEqual(JSON.parse(stdout), {
    oneArgument: true,
    severalArguments: [true, true, true],
    result: true,
    negativeZero: true,
    fraction: true,
  });
});

// The core packs a job's numbers into a reused 64-slot Float64Array on the
// thread, and drained outcomes into a 1,024-slot one on the caller; larger
// ones get a new array. Both sizes are crossed here.
test("a call with 200 number arguments, and 600 outcomes drained at once, arrive whole", async (t) => {
  const many = Array.from({ length: 200 }, (_, i) => i * 1.5 - 7);
  const sum = await executor.executeOne((...xs: number[]) => xs.reduce((a, b) => a + b, 0), ...many);
  t.is(
    sum,
    many.reduce((a, b) => a + b, 0),
  );
  const echoed = await executor.executeOne((...xs: number[]) => xs, ...many);
  t.deepEqual(echoed, many);

  const futures = Array.from({ length: 600 }, (_, i) => executor.executeOne((n: number) => n * 2, i));
  // Keep this thread busy so the outcomes pile up and arrive in one drain.
  const until = Date.now() + 300;
  while (Date.now() < until);
  t.deepEqual(
    await Promise.all(futures),
    Array.from({ length: 600 }, (_, i) => i * 2),
  );
});
