import test, { type ExecutionContext } from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runInNewContext, runInThisContext } from "node:vm";

// Types come from the compiled declarations (lib/ is outside this rootDir); the
// module itself from build/portability-internals.js, bundled from lib/ for the tests
// (scripts/test-internals/portability.ts); the spec runs from build/__test__/.
type PortabilityModule = typeof import("../dist/portability/check.js");
type PortableFunction = import("../dist/portability/check.js").PortableFunction;

const portability = require(join(__dirname, "../portability-internals.js")) as PortabilityModule;
const { checkPortable, portabilityAnalysisCount } = portability;

/** A function made from exactly this source text, in the global scope of this thread. */
function src(code: string): Function {
  return runInThisContext(`(${code})`) as Function;
}

/** Re-creates a checked function as a worker would: from its source, in a fresh global scope. */
function recreate(portable: PortableFunction): (...args: unknown[]) => unknown {
  return runInNewContext(`(0, eval)(${JSON.stringify(`(${portable.source})`)})`) as (...args: unknown[]) => unknown;
}

function accepts(t: ExecutionContext, fn: Function): PortableFunction {
  let portable: PortableFunction | undefined;
  t.notThrows(() => {
    portable = checkPortable(fn);
  }, fn.toString());
  if (portable === undefined) throw new Error("not portable");
  return portable;
}

interface Rejected {
  readonly message: string;
  readonly captured: readonly string[];
}

function rejects(t: ExecutionContext, fn: Function, captured: readonly string[]): Rejected {
  const error = t.throws(() => checkPortable(fn), { code: "ERR_PARALLEL_NOT_PORTABLE" }) as unknown as Rejected & Error;
  t.is(error.name, "NotPortableError");
  t.deepEqual([...error.captured], [...captured]);
  return error;
}

// Values a non-portable function might capture.
const factor = 3;
function helper(x: number): number {
  return x + 1;
}
let counter = 0;
const key = "k";

// ---------------------------------------------------------------- accepted

test("accepts a self-contained arrow and re-creates it", (t) => {
  const portable = accepts(t, (a: number, b: number) => Math.max(a, b) * 2);
  t.is(portable.name, "anonymous");
  t.false(portable.isAsync);
  t.is(recreate(portable)(3, 4), 8);
});

test("a named function's reference to its own name is not a capture", (t) => {
  function fib(n: number): number {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
  }
  const portable = accepts(t, fib);
  t.is(portable.name, "fib");
  t.is(recreate(portable)(10), 55);
  const expression = src("function fact(n) { return n <= 1 ? 1 : n * fact(n - 1) }");
  t.is(recreate(accepts(t, expression))(5), 120);
});

test("uses fn.name for the name, anonymous when empty", (t) => {
  const named = (x: number) => x;
  t.is(accepts(t, named).name, "named");
  t.is(accepts(t, src("function () {}")).name, "anonymous");
});

test("async functions, arrows and methods are isAsync, like fn.constructor.name says", async (t) => {
  const fixtures: Function[] = [
    async (x: number) => x,
    async function work(x: number) {
      return x;
    },
    src("({ async m(x) { return x } }).m"),
    (x: number) => x,
    function plain() {},
    src("({ m() {} }).m"),
  ];
  for (const fn of fixtures) {
    t.is(accepts(t, fn).isAsync, fn.constructor.name === "AsyncFunction", fn.toString());
  }
  const recreated = recreate(accepts(t, async (x: number) => (await Promise.resolve(x)) * 2));
  t.is(await (recreated(21) as Promise<number>), 42);
});

test("accepts the globals a worker has", (t) => {
  const fn = src(`function () {
    return [Math, JSON, Buffer, process, setTimeout, clearTimeout, setImmediate, queueMicrotask,
      structuredClone, TextEncoder, TextDecoder, URL, URLSearchParams, AbortController, crypto,
      console, performance, fetch, WebAssembly, SharedArrayBuffer, Atomics, Promise, Intl,
      globalThis, undefined, NaN, Infinity, parseInt, BigInt, Symbol, Reflect, Proxy, atob, btoa,
      MessageChannel, EventTarget, Blob, DOMException, global, eval, hasOwnProperty];
  }`);
  accepts(t, fn);
});

test("accepts require() and import() (resolved in the thread)", (t) => {
  const fn = src(`async function (p) {
    const os = require("node:os");
    const path = await import("node:path");
    return path.join(p, String(os.cpus().length));
  }`);
  t.true(accepts(t, fn).isAsync);
});

test("`arguments` belongs to a non-arrow function, and arrows nested in it", (t) => {
  const fn = src("function () { const f = () => arguments.length; return f() + arguments[0] }");
  t.is(recreate(accepts(t, fn))(10, 20), 12);
});

test("a parameter shadows an outer binding of the same name", (t) => {
  const fn = (factor: number, helper: (n: number) => number) => helper(factor);
  accepts(t, fn);
});

test("var declarations are hoisted", (t) => {
  const fn = src("function () { x = 2; if (true) { for (var i = 0; i < 2; i++) { var x = x + i } } return x }");
  t.is(recreate(accepts(t, fn))(), 3);
});

test("var declarations are hoisted out of every kind of statement", (t) => {
  const fn = src(`function (o) {
    while (!a) { var a = 1 }
    do { var b = 2 } while (false);
    lbl: { var c = 3 }
    with (o) { var d = 4 }
    try { var e = 5 } catch (err) { var f = 6 } finally { var g = 7 }
    switch (o.k) { case 1: var h = 8 }
    for (var k in o) { var m = 9 }
    return [a, b, c, d, e, f, g, h, k, m].join();
  }`);
  t.is(recreate(accepts(t, fn))({ k: 0 }), "1,2,3,4,5,,7,,k,9");
});

test("function declarations are hoisted within their block", (t) => {
  const fn = src("function () { return twice(4); function twice(n) { return 2 * n } }");
  t.is(recreate(accepts(t, fn))(), 8);
});

test("closures inside the function may use the function's locals", (t) => {
  const fn = (n: number) => {
    const base = 10;
    let total = 0;
    const add = (k: number) => {
      total += base + k;
    };
    function more(): () => number {
      return () => total * n;
    }
    add(1);
    return more()();
  };
  t.is(recreate(accepts(t, fn))(2), 22);
});

test("destructuring parameters and their defaults may use earlier parameters", (t) => {
  const fn = src(`function ({ a, b = a * 2, ...rest }, [c, , d = c] = [1], ...more) {
    return [a, b, c, d, rest.z, more.length];
  }`);
  t.deepEqual(JSON.stringify(recreate(accepts(t, fn))({ a: 1, z: 9 }, [5], 0, 0)), "[1,2,5,5,9,2]");
});

test("destructuring declarations, with computed keys from locals", (t) => {
  const fn = src(`(o) => {
    const k = "x";
    const { [k]: value, y: [first] = [0] } = o;
    let z;
    ({ z = value } = {});
    return value + first + z;
  }`);
  t.is(recreate(accepts(t, fn))({ x: 1, y: [2] }), 4);
});

test("catch parameters, plain and destructured, are bound in the catch block", (t) => {
  const fn = src(`() => {
    try { throw new Error("boom") } catch (e) { var m = e.message }
    try { throw new Error("bang") } catch ({ message }) { m += message }
    try { JSON.parse("{") } catch { m += "!" }
    return m;
  }`);
  t.is(recreate(accepts(t, fn))(), "boombang!");
});

test("block-scoped let, const and class are bound in their block", (t) => {
  const fn = src(`(n) => {
    let out = 0;
    { const n2 = n * 2; class Box { constructor(v) { this.v = v } } out += new Box(n2).v }
    if (n) { let n2 = 1; out += n2 }
    return out;
  }`);
  t.is(recreate(accepts(t, fn))(5), 11);
});

test("for, for-in and for-of declarations are bound in the loop", (t) => {
  const fn = src(`(o) => {
    const seen = [];
    for (let i = 0; i < 2; i++) seen.push(i);
    for (const k in o) seen.push(k);
    for (const [a, b] of [[1, 2]]) seen.push(a + b);
    for (var v of [7]) ;
    return seen.join() + v;
  }`);
  t.is(recreate(accepts(t, fn))({ p: 1 }), "0,1,p,37");
});

test("class declarations and class expression names are bound", (t) => {
  const fn = src(`() => {
    class Node { static make() { return new Node() } }
    const Other = class Inner { clone() { return new Inner() } };
    return [Node.make() instanceof Node, new Other().clone() instanceof Other];
  }`);
  t.is(JSON.stringify(recreate(accepts(t, fn))()), "[true,true]");
});

test("labels are not identifiers", (t) => {
  const fn = src("() => { factor: for (;;) { helper: for (;;) { break factor } } return 1 }");
  accepts(t, fn);
});

test("object keys, member names and method keys are not references", (t) => {
  const fn = src("(o) => ({ factor: o.helper, counter() { return 1 }, get key() { return 2 } }).factor");
  accepts(t, fn);
});

test("shorthand properties and spreads of locals", (t) => {
  const fn = (a: number, o: object) => ({ a, ...o });
  t.is(JSON.stringify(recreate(accepts(t, fn))(1, { b: 2 })), '{"a":1,"b":2}');
});

test("this/super in nested functions, methods and classes belong to them", (t) => {
  const fn = src(`() => {
    const obj = { v: 1, get() { return this.v }, nested: function () { return this.v } };
    class Base { hi() { return "hi" } }
    class Child extends Base {
      f = this.hi(); static s = this.name; hi() { return super.hi() + "!" } static { this.t = 1 }
    }
    return obj.get() + obj.nested() + new Child().f + Child.s + Child.t;
  }`);
  t.is(recreate(accepts(t, fn))(), "2hi!Child1");
});

test("new.target in a function expression is its own", (t) => {
  accepts(t, src("function () { return new.target === undefined }"));
});

test("modern syntax: optional chaining, templates, regex, BigInt, numeric separators, ??=", (t) => {
  const fn = src(
    "(o) => { let r = o?.a?.[0] ?? 1_000; r ??= 2; return `${r}:${/a+/g.test('aa')}:${10n ** 2n}:${o?.f?.()}` }",
  );
  t.is(recreate(accepts(t, fn))({ a: [5] }), "5:true:100:undefined");
});

test("private fields and `#x in o` of classes declared inside the function", (t) => {
  const fn = src(`() => {
    class C { #x = 4; static has(o) { return #x in o } get() { return this.#x } }
    return C.has(new C()) && new C().get();
  }`);
  t.is(recreate(accepts(t, fn))(), 4);
});

test("switch cases share one block scope", (t) => {
  const fn = src("(n) => { switch (n) { case 1: let a = 1; return a; default: a = 2; return 0 } }");
  t.is(recreate(accepts(t, fn))(1), 1);
});

test("typeof of a local or a global is not a capture", (t) => {
  accepts(t, src("(x) => typeof x + typeof process"));
});

test("functions made by new Function are portable", (t) => {
  const fn = new Function("a", "b", "return a + b");
  const portable = accepts(t, fn);
  t.is(portable.name, "anonymous");
  t.is(recreate(portable)(2, 3), 5);
});

test("a function using `with` and sloppy-mode syntax parses", (t) => {
  accepts(t, src("function (o) { with (o) { return 010 + arguments.length } }"));
});

test("esbuild/tsx keepNames output: __name is provided, not a capture", (t) => {
  // What tsx emits for `(n) => { function inner(x) {…} class K {} const g = () => 1; … }`.
  const fn = src(
    'n=>{function inner(x){return x*2}__name(inner,"inner");const g=__name(()=>1,"g");' +
      'class K{static{__name(this,"K")}}return [inner(n)+g(),inner.name,g.name,K.name].join()}',
  );
  const portable = accepts(t, fn);
  t.is(recreate(portable)(5), "11,inner,g,K");
  rejects(t, src('()=>{const g=__name(()=>factor,"g");return g()}'), ["factor"]);
});

// ------------------------------------------------------- method shorthand

test("method shorthand becomes an equivalent, non-constructible expression", (t) => {
  const obj = {
    triple(x: number) {
      return x * 3;
    },
  };
  const portable = accepts(t, obj.triple);
  t.is(portable.name, "triple");
  const fn = recreate(portable);
  t.is(fn(4), 12);
  t.is(fn.name, "triple");
  t.throws(() => Reflect.construct(fn, []), { instanceOf: TypeError, message: /not a constructor/ });
});

test("async, getter, setter, computed-key, quoted and numeric-key methods", async (t) => {
  const obj = src(`({
    async twice(x) { return 2 * x },
    get answer() { return 42 },
    set value(v) { return v },
    [Symbol.iterator]() { return [1].values() },
    "a b"(x) { return x + 1 },
    7(x) { return x + 7 },
  })`) as unknown as Record<PropertyKey, Function>;
  const descriptor = (k: string) => Object.getOwnPropertyDescriptor(obj, k)!;
  const twice = recreate(accepts(t, obj.twice!));
  t.is(twice.constructor.name, "AsyncFunction");
  t.is(await (twice(4) as Promise<number>), 8);
  const getter = accepts(t, descriptor("answer").get!);
  t.is(getter.name, "get answer");
  t.is(recreate(getter)(), 42);
  t.is(recreate(accepts(t, descriptor("value").set!))(5), 5);
  t.is(String(recreate(accepts(t, obj[Symbol.iterator] as Function))()), "[object Array Iterator]");
  t.is(recreate(accepts(t, obj["a b"]!))(1), 2);
  t.is(recreate(accepts(t, obj[7]!))(1), 8);
});

test("class methods that don't use this: static, private and computed", (t) => {
  const C = src(`class {
    static sum(a, b) { return a + b }
    #secret(x) { return x * 5 }
    static peek(c) { return c.#secret }
    ["dyn" + "amic"](s) { return s.length }
  }`) as unknown as { sum: Function; peek(c: object): Function; new (): { dynamic: Function } };
  t.is(recreate(accepts(t, C.sum))(1, 2), 3);
  const secret = accepts(t, C.peek(new C()));
  t.is(secret.name, "#secret");
  t.is(recreate(secret)(2), 10);
  t.is(recreate(accepts(t, new C().dynamic))("abc"), 3);
});

test("a method named `function`, `async` or `get` is handled", (t) => {
  const obj = src("({ function() { return 1 }, async() { return 2 }, get() { return 3 } })") as unknown as Record<
    string,
    Function
  >;
  t.is(recreate(accepts(t, obj.function!))(), 1);
  t.false(accepts(t, obj.async!).isAsync);
  t.is(recreate(accepts(t, obj.async!))(), 2);
  t.is(recreate(accepts(t, obj.get!))(), 3);
});

// ---------------------------------------------------------------- rejected

test("rejects captured identifiers with the documented message", (t) => {
  const work = (x: number) => helper(x) * factor;
  const error = rejects(t, work, ["factor", "helper"]);
  t.is(
    error.message,
    'parallel(): function "work" is not portable: it uses "factor", "helper" from an enclosing scope. ' +
      "Pass those values as arguments (a module can't be: require() or import() it inside the function), " +
      "or move the function into a module file and call it through " +
      'tasks(new URL("./work.js", import.meta.url)) (CommonJS: tasks(require.resolve("./work.js"))).',
  );
});

test("one capture is named in the singular", (t) => {
  const error = rejects(t, (x: number) => x * factor, ["factor"]);
  t.regex(error.message, /it uses "factor" from an enclosing scope\. Pass that value as an argument \(.*\), or move/);
});

test("captured identifiers are sorted and deduplicated", (t) => {
  rejects(t, src("() => zeta + alpha + zeta + mid(alpha)"), ["alpha", "mid", "zeta"]);
});

test("captures inside nested closures count", (t) => {
  rejects(t, (xs: number[]) => xs.map((x) => x * factor), ["factor"]);
  rejects(t, src("function () { return function () { return () => outerName } }"), ["outerName"]);
});

test("captures in default parameters and destructuring defaults", (t) => {
  rejects(t, (a = factor) => a, ["factor"]);
  rejects(t, ({ a = factor }: { a?: number }) => a, ["factor"]);
  rejects(t, src("([x = helper()]) => x"), ["helper"]);
});

test("a default parameter can't see the body's var", (t) => {
  rejects(t, src("function (a = x) { var x = 1; return a }"), ["x"]);
});

test("captures in computed member keys and computed property keys", (t) => {
  rejects(t, (o: Record<string, number>) => o[key], ["key"]);
  rejects(t, () => ({ [key]: 1 }), ["key"]);
  rejects(t, src("({ [key]: v }) => v"), ["key"]);
  rejects(t, src("() => class { [key]() {} }"), ["key"]);
});

test("a shorthand property of an outer name is a capture", (t) => {
  rejects(t, () => ({ factor }), ["factor"]);
});

test("typeof of an undeclared or outer name is a capture", (t) => {
  rejects(t, src("() => typeof undeclaredThing"), ["undeclaredThing"]);
  rejects(t, () => typeof factor, ["factor"]);
});

test("assigning to an outer variable is a capture", (t) => {
  rejects(t, () => {
    counter++;
  }, ["counter"]);
  rejects(t, src("() => { [total, other.x] = [1, 2] }"), ["other", "total"]);
  rejects(t, src("() => { for (item of [1]) ; }"), ["item"]);
});

test("block-scoped names are not visible outside their block", (t) => {
  rejects(t, src("() => { { let y = 1 } return y }"), ["y"]);
  rejects(t, src("() => { for (let i = 0; i < 1; i++); return i }"), ["i"]);
  rejects(t, src("() => { try { throw 1 } catch (e) {} return e }"), ["e"]);
  rejects(t, src("() => { { class K {} } return K }"), ["K"]);
});

test("a function declared in a nested block is block-scoped (strict semantics)", (t) => {
  rejects(t, src("function () { { function inner() { return 1 } } return inner() }"), ["inner"]);
});

test("a label does not bind its name", (t) => {
  rejects(t, src("() => { factor: for (;;) break factor; return factor }"), ["factor"]);
});

test("captures in template literals and tagged templates", (t) => {
  rejects(t, () => `${factor}`, ["factor"]);
  rejects(t, src("() => tag`x${1}`"), ["tag"]);
});

test("captures in a nested class's extends clause and field initialisers", (t) => {
  rejects(t, src("() => class extends Base {}"), ["Base"]);
  rejects(t, src("() => class { x = defaultX; static { init() } }"), ["defaultX", "init"]);
});

test("a method's key is not in scope inside it", (t) => {
  const obj = src("({ fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) } })") as unknown as { fib: Function };
  rejects(t, obj.fib, ["fib"]);
});

test("an arrow's reference to the variable holding it is a capture", (t) => {
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  rejects(t, fact, ["fact"]);
});

test("module-wrapper names are not worker globals", (t) => {
  rejects(t, src("() => [__dirname, __filename, module, exports]"), ["__dirname", "__filename", "exports", "module"]);
});

test("globals added at run time by user code are captures", (t) => {
  (globalThis as Record<string, unknown>).userAddedGlobal = 1;
  try {
    rejects(t, src("() => userAddedGlobal"), ["userAddedGlobal"]);
  } finally {
    delete (globalThis as Record<string, unknown>).userAddedGlobal;
  }
});

test("private names of an enclosing class are captures", (t) => {
  const C = src(`class {
    #x = 1;
    static reader() { return (o) => o.#x }
    static tester() { return (o) => #x in o }
  }`) as unknown as { reader(): Function; tester(): Function };
  rejects(t, C.reader(), ["#x"]);
  rejects(t, C.tester(), ["#x"]);
});

// ------------------------------------------------ this, super, new.target

test("rejects a function expression that uses this", (t) => {
  const error = rejects(
    t,
    function (this: { n: number }) {
      return this.n;
    },
    ["this"],
  );
  t.regex(error.message, /it uses `this`, which would be lost on the thread/);
});

test("rejects an arrow that uses the this of the code around it", (t) => {
  const error = rejects(t, src("() => this"), ["this"]);
  t.regex(error.message, /`this` of the code around it/);
  rejects(t, src("function () { return () => () => this.x }"), ["this"]);
});

test("rejects class methods that use this or super", (t) => {
  class Counter {
    n = 1;
    inc(): number {
      return this.n + 1;
    }
    static create(): Counter {
      return new this();
    }
  }
  rejects(t, Counter.prototype.inc, ["this"]);
  rejects(t, Counter.create, ["this"]);
  const Child = src(
    "class extends Object { m() { return super.toString() } get g() { return () => super.valueOf() } }",
  ) as unknown as {
    prototype: { m: Function };
  };
  rejects(t, Child.prototype.m, ["super"]);
  rejects(t, Object.getOwnPropertyDescriptor(Child.prototype, "g")!.get!, ["super"]);
  const field = new (src("class { f = () => this }") as unknown as new () => { f: Function })().f;
  rejects(t, field, ["this"]);
});

test("an arrow's arguments and new.target belong to the code around it", (t) => {
  rejects(t, src("() => arguments[0]"), ["arguments"]);
  const error = rejects(t, src("function () { return () => new.target }").call(undefined) as Function, ["new.target"]);
  t.regex(error.message, /`new.target` of the function around it/);
});

test("rejects import.meta", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "portability-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "meta.mjs");
  writeFileSync(file, "export const where = () => import.meta.url;\n");
  const { where } = (await import(pathToFileURL(file).href)) as { where: Function };
  const error = rejects(t, where, ["import.meta"]);
  t.regex(error.message, /import\.meta/);
});

test("contextual uses and captures are reported together", (t) => {
  rejects(t, src("function () { return this.x + zeta }"), ["this", "zeta"]);
  const error = rejects(t, src("function () { return this.x + factor }"), ["factor", "this"]);
  t.regex(error.message, /it uses "factor" from an enclosing scope; it uses `this`/);
  t.regex(error.message, /Pass the values it needs as arguments, or move the function into a module file/);
});

// ---------------------------------------------- bound, native, class, generator

test("rejects bound functions, saying so", (t) => {
  const bound = ((x: number) => x).bind(null, 1);
  const error = rejects(t, bound, []);
  t.regex(error.message, /^parallel\(\): function "bound anonymous" is not portable: it is a bound function/);
});

test("rejects native functions and proxies, saying so", (t) => {
  t.regex(rejects(t, Math.max, []).message, /function "max" is not portable: it is a native function/);
  t.regex(rejects(t, new Proxy(() => 1, {}), []).message, /native function/);
});

test("rejects classes", (t) => {
  class Job {}
  const error = rejects(t, Job, []);
  t.regex(error.message, /class "Job" is not portable: a class is not a function to call/);
  rejects(t, src("class extends Array {}"), []);
});

test("rejects generator and async generator functions and methods", (t) => {
  for (const fn of [
    src("function* gen() { yield 1 }"),
    src("async function* agen() { yield 1 }"),
    (src("({ *m() {} })") as unknown as { m: Function }).m,
    (src("({ async *m() {} })") as unknown as { m: Function }).m,
  ]) {
    t.regex(rejects(t, fn, []).message, /is a generator function/);
  }
});

test("rejects a non-function with TypeError", (t) => {
  t.throws(() => checkPortable(42 as unknown as Function), { instanceOf: TypeError, message: /expected a function/ });
});

test("ignores an own toString override", (t) => {
  const fn = (x: number) => x;
  fn.toString = () => "() => capturedName";
  accepts(t, fn);
});

// ------------------------------------------------------------------ cache

test("the verdict is cached per function: a second check doesn't re-parse", (t) => {
  const fn = (x: number) => x + 1;
  const before = portabilityAnalysisCount();
  const first = checkPortable(fn);
  t.is(portabilityAnalysisCount(), before + 1);
  t.is(checkPortable(fn), first);
  t.is(portabilityAnalysisCount(), before + 1);
  checkPortable((x: number) => x + 1); // a different function object with the same source
  t.is(portabilityAnalysisCount(), before + 2);
});

test("rejections are cached too, and each check throws a fresh error", (t) => {
  const fn = (x: number) => x * factor;
  const before = portabilityAnalysisCount();
  const first = rejects(t, fn, ["factor"]);
  const second = rejects(t, fn, ["factor"]);
  t.is(portabilityAnalysisCount(), before + 1);
  t.not(first, second);
  t.is(first.message, second.message);
});
