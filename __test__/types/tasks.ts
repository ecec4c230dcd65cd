/**
 * Type tests of tasks(): handles typed exactly as the module's exports.
 * Checked by `tsc -p __test__/types/tsconfig.json` (no emit); every
 * @ts-expect-error line must really be an error.
 *
 * These files compile as CommonJS, so importing the types of an ES module
 * needs the resolution-mode attribute (an ESM program writes plain
 * `typeof import("./work.mjs")`); the .cjs module needs nothing.
 */
import {
  ParallelExecutor,
  parallel,
  tasks,
  type Future,
  type ParallelCalls,
  type TaskHandle,
  type Tasks,
} from "parallel-threads";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<A, B>(_proof: Equal<A, B>): void {}

type Work = typeof import("../fixtures/work.mjs", { with: { "resolution-mode": "import" } });

const work = tasks<Work>(new URL("../fixtures/work.mjs", "file:///somewhere/__test__/types/"));
tasks<Work>("__test__/fixtures/work.mjs");
tasks<Work>("file:///somewhere/work.mjs");

// One handle per exported function, typed from the export's own signature.
assertType<typeof work, Tasks<Work>>(true);
assertType<typeof work.add, TaskHandle<(a: number, b: number) => number>>(true);
assertType<Parameters<typeof work.add>, [a: number, b: number]>(true);
assertType<ReturnType<typeof work.add>, Promise<number>>(true);
assertType<ReturnType<typeof work.greet>, Promise<string>>(true); // an async export: not Promise<Promise<string>>
assertType<ReturnType<typeof work.moduleInfo>, Promise<{ evaluations: number; threadId: number; format: "esm" }>>(true);
assertType<keyof typeof work, "add" | "greet" | "moduleInfo" | "fails">(true);

// @ts-expect-error a non-function export has no handle
void work.notAFunction;
// @ts-expect-error nor does a name the module doesn't export
void work.missing;
// @ts-expect-error arguments are checked when calling a handle
void work.add("1", 2);
// @ts-expect-error and their number
void work.greet();
// @ts-expect-error handles are read-only
work.add = work.add;

async function chains(): Promise<void> {
  const chain = parallel(work.add)(1, 2).parallel(work.greet)("x").parallel(work.moduleInfo)();
  assertType<typeof chain, ParallelCalls<[number, string, { evaluations: number; threadId: number; format: "esm" }]>>(
    true,
  );
  const [sum, text, info] = await chain.results();
  assertType<[typeof sum, typeof text, typeof info.format], [number, string, "esm"]>(true);

  // Mixed with inline functions.
  const mixed = await parallel((s: string) => s.length)("abc")
    .parallel(work.add)(4, 5)
    .results();
  assertType<typeof mixed, [number, number]>(true);

  // executeOne and an executor's parallel.
  const future = ParallelExecutor.executeOne(work.greet, "y");
  assertType<typeof future, Future<string>>(true);
  const executor = new ParallelExecutor({ maxThreads: 1 });
  const [viaExecutor] = executor.parallel(work.add)(1, 1).resultsSync();
  assertType<typeof viaExecutor, number>(true);

  // @ts-expect-error chain arguments are checked
  parallel(work.add)(1, "2");
  // @ts-expect-error executeOne arguments are checked
  ParallelExecutor.executeOne(work.greet, 42);
}
void chains;

// A CommonJS module's declarations work without the attribute.
const cjs = tasks<typeof import("../fixtures/work.cjs")>("__test__/fixtures/work.cjs");
assertType<typeof cjs.add, TaskHandle<(a: number, b: number) => number>>(true);
assertType<keyof typeof cjs, "add" | "moduleInfo">(true);

// Without a type argument the handles are unknown: any name, nothing known.
const untyped = tasks("__test__/fixtures/work.mjs");
// @ts-expect-error tasks() without a module type gives no handles
void untyped.add;

// @ts-expect-error tasks() takes a URL or a string
tasks<Work>(42);
