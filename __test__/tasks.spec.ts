/**
 * Module tasks and nested calls (SPEC §1; issue 5): `tasks(module)` for
 * .mjs/.cjs/.js modules and for TypeScript under tsx (a real tsx run),
 * modules imported once per thread, clear errors for a missing export or
 * module, every way of naming the module, and a recursive parallel fan-out
 * deeper than maxThreads (in child processes, which can limit the default
 * executor).
 *
 * Fixture modules live in __test__/fixtures/; paths are absolute here (the
 * spec runs from build/__test__/), and one test uses a path relative to
 * process.cwd() (the repo root under ava).
 */
import test from "ava";
import { execFile } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { threadId as mainThreadId } from "node:worker_threads";

import { ParallelExecutor, parallel, tasks, type TaskHandle } from "parallel-threads";

const ROOT = path.join(__dirname, "../..");
const FIXTURES = path.join(ROOT, "__test__/fixtures");
const fixture = (name: string): string => path.join(FIXTURES, name);

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<A, B>(_proof: Equal<A, B>): void {}

// Specs compile to CommonJS: importing the types of an ES module needs the
// resolution-mode attribute there (ESM consumers write plain `typeof import(...)`).
type WorkMjs = typeof import("./fixtures/work.mjs", { with: { "resolution-mode": "import" } });
type WorkCjs = typeof import("./fixtures/work.cjs");

/** The shape every fixture's `moduleInfo()` returns. */
interface ModuleInfo {
  evaluations: number;
  threadId: number;
  format: string;
}
interface WorkModule {
  add(a: number, b: number): number;
  moduleInfo(): ModuleInfo;
}

// ------------------------------------------------------------- the basics

test("tasks() of an .mjs module: calling a handle runs the export on a thread and returns a promise of its result", async (t) => {
  const work = tasks<WorkMjs>(fixture("work.mjs"));
  const sum = work.add(2, 3);
  t.true(sum instanceof Promise);
  assertType<typeof sum, Promise<number>>(true);
  t.is(await sum, 5);
  const greeting = await work.greet("threads");
  assertType<typeof greeting, string>(true);
  t.is(greeting, "hello threads");
  const info = await work.moduleInfo();
  t.is(info.format, "esm");
  t.not(info.threadId, mainThreadId, "it ran on a thread");
});

for (const [file, format] of [
  ["work.mjs", "esm"],
  ["work.cjs", "cjs"],
  ["work.js", "js"],
] as const) {
  test(`tasks() of a ${path.extname(file)} module works directly and in chains`, async (t) => {
    const work = tasks<WorkModule>(fixture(file));
    t.is(await work.add(20, 22), 42);
    const [sum, info] = await parallel(work.add)(1, 2).parallel(work.moduleInfo)().results();
    t.is(sum, 3);
    t.is(info.format, format);
    t.is(info.evaluations, 1);
  });
}

test("a thread imports a task module once and keeps it loaded (maxThreads 1: every call sees one evaluation)", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 1 });
  try {
    for (const file of ["work.mjs", "work.cjs", "work.js"]) {
      const work = tasks<WorkModule>(fixture(file));
      const [first] = await executor.parallel(work.moduleInfo)().results();
      const [second] = await executor.parallel(work.moduleInfo)().results();
      const [sum] = await executor.parallel(work.add)(1, 1).results(); // another export of the same module
      const [third] = await executor.parallel(work.moduleInfo)().results();
      t.is(sum, 2);
      t.is(first.evaluations, 1, file);
      t.is(second.evaluations, 1, `${file}: the second call did not import it again`);
      t.is(third.evaluations, 1, `${file}: calling another export did not import it again`);
      t.is(second.threadId, first.threadId, "one thread ran them all");
      t.is(third.threadId, first.threadId);
    }
  } finally {
    executor.close();
  }
});

test("task handles in chains are typed from the exports' own signatures", async (t) => {
  const work = tasks<WorkMjs>(fixture("work.mjs"));
  const results = await parallel(work.add)(1, 2)
    .parallel(work.greet)("you")
    .parallel((n: number) => n * 2)(21)
    .results();
  assertType<typeof results, [number, string, number]>(true);
  t.deepEqual(results, [3, "hello you", 42]);

  const future = ParallelExecutor.executeOne(work.add, 40, 2);
  assertType<typeof future, import("parallel-threads").Future<number>>(true);
  t.is(await future, 42);

  assertType<typeof work.add, TaskHandle<(a: number, b: number) => number>>(true);
  // @ts-expect-error a non-function export has no handle
  void work.notAFunction;
  const neverCalled = (): void => {
    // @ts-expect-error the export's parameters are checked
    void parallel(work.add)("1", 2);
    // @ts-expect-error calling a handle directly is checked too
    void work.greet(5);
  };
  void neverCalled;
});

test('tasks<typeof import("./work.cjs")>: handles typed from a CommonJS module\'s declarations', async (t) => {
  const work = tasks<WorkCjs>(fixture("work.cjs"));
  const [sum, info] = await parallel(work.add)(2, 5).parallel(work.moduleInfo)().results();
  assertType<typeof sum, number>(true);
  assertType<typeof info, { evaluations: number; threadId: number; format: "cjs" }>(true);
  t.is(sum, 7);
  t.is(info.format, "cjs");
});

test("a task's error arrives as that error (class, message)", async (t) => {
  const work = tasks<WorkMjs>(fixture("work.mjs"));
  const error = await t.throwsAsync(work.fails("bad input"), { instanceOf: RangeError, message: "bad input" });
  t.truthy(error);
  const chained = await t.throwsAsync(parallel(work.fails)("in a chain").parallel(work.add)(1, 1).results());
  t.true(chained instanceof RangeError);
});

test("the handle has the export's name; the tasks object is not a thenable", (t) => {
  const work = tasks<WorkMjs>(fixture("work.mjs"));
  t.is(work.add.name, "add");
  t.is(typeof work.add, "function");
  t.is(work.add, work.add, "the same handle each time");
  t.is((work as unknown as { then?: unknown }).then, undefined, "awaiting the tasks object does not hang");
});

// ---------------------------------------------------------------- errors

test("a missing export fails the call with an error naming the export", async (t) => {
  const work = tasks<Record<string, (...args: unknown[]) => unknown>>(fixture("work.mjs"));
  const error = await t.throwsAsync(work.doesNotExist!());
  t.true(error instanceof Error);
  t.regex(error!.message, /doesNotExist/);
  t.regex(error!.message, /work\.mjs/);

  const notFunction = await t.throwsAsync(work.notAFunction!());
  t.regex(notFunction!.message, /notAFunction/);
});

test("a missing module fails the call with an error naming the module", async (t) => {
  const missing = tasks<Record<string, () => unknown>>(fixture("no-such-module.mjs"));
  const error = await t.throwsAsync(missing.anything!());
  t.regex(error!.message, /no-such-module\.mjs/);

  const [settled] = await parallel(missing.anything!)().settled();
  t.is(settled.status, "rejected");
});

test("bad module arguments are refused synchronously with TypeError", (t) => {
  t.throws(() => tasks(42 as never), { instanceOf: TypeError });
  t.throws(() => tasks(""), { instanceOf: TypeError });
  t.throws(() => tasks(undefined as never), { instanceOf: TypeError });
});

// ------------------------------------------------------ naming the module

test("a module can be named by path (absolute or relative to cwd), file: URL string, or URL object", async (t) => {
  const absolute = fixture("work.mjs");
  const relative = path.relative(process.cwd(), absolute);
  t.false(path.isAbsolute(relative));
  const ways: [string, URL | string][] = [
    ["absolute path", absolute],
    ["path relative to cwd", relative],
    ["file: URL string", pathToFileURL(absolute).href],
    ["URL object", pathToFileURL(absolute)],
    ["URL object of a .cjs module", pathToFileURL(fixture("work.cjs"))],
  ];
  for (const [how, where] of ways) {
    const work = tasks<WorkModule>(where);
    t.is(await work.add(2, 2), 4, how);
  }
});

// ------------------------------------------------------------- processes

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` from the repo root; killed after `killAfter` ms. */
function run(command: string, args: string[], killAfter: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, timeout: killAfter, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test("TypeScript under tsx: a .ts task module and an inline arrow with a nested named function run on threads", async (t) => {
  const tsx = path.join(ROOT, "node_modules/.bin/tsx");
  const result = await run(tsx, [fixture("tsx-consumer.mts")], 60_000);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(JSON.parse(result.stdout.trim()), {
    area: 9,
    text: "ab-ab-ab",
    onThread: true,
    squares: [1, 4, 9, 16],
    direct: 3,
  });
});

test("TypeScript under tsx: a ./work.js specifier finds work.ts when only the TypeScript file exists", async (t) => {
  const tsx = path.join(ROOT, "node_modules/.bin/tsx");
  const result = await run(tsx, [fixture("tsx-js-specifier.mts")], 60_000);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(JSON.parse(result.stdout.trim()), { area: 9, text: "ab-ab" });
});

for (const [how, command, args] of [
  ["the tsx CLI", path.join(ROOT, "node_modules/.bin/tsx"), []],
  ["node --import tsx", process.execPath, ["--import", "tsx"]],
] as const) {
  test(`TypeScript under ${how}: threads start without tsx and load it only for a task module that needs it`, async (t) => {
    const result = await run(command, [...args, fixture("tsx-loader-on-demand.mts")], 60_000);
    t.is(result.code, 0, result.stderr);
    t.deepEqual(JSON.parse(result.stdout.trim()), {
      parentHasTsx: true,
      before: { flags: [], files: 0 },
      enumResult: 41, // an enum and "./work-ts-helper.js" for a .ts file: only tsx loads it
      area: 9,
      explicitKeepsFlags: true, // an executor's own execArgv is used as given
    });
  });
}

// A recursive fan-out deeper than maxThreads: every fib(n) call runs fib(n-1)
// and fib(n-2) as parallel task calls from inside its thread and waits for
// them (blocking in resultsSync, or awaiting results). fib(6) makes 25 calls,
// nested 5 deep. Each runs in a child process: only there can the default
// executor (which nested calls use) be limited.
for (const [mode, n, maxThreads, expected] of [
  ["sync", 6, 2, 8],
  ["async", 6, 2, 8],
  ["sync", 6, 1, 8],
  ["async", 6, 1, 8],
] as const) {
  test(`nested calls: recursive parallel fib(${n}) with ${mode === "sync" ? "resultsSync()" : "await results()"} under maxThreads ${maxThreads} finishes`, async (t) => {
    const result = await run(
      process.execPath,
      [fixture("nested-fib.cjs"), mode, String(n), String(maxThreads)],
      60_000,
    );
    t.is(
      result.code,
      0,
      `exit code ${result.code} (null: killed after 60 s, i.e. deadlocked); stderr: ${result.stderr}`,
    );
    t.deepEqual(result.stdout.trim() ? JSON.parse(result.stdout.trim()) : undefined, { result: expected });
  });
}

test("nested calls: an async thread call awaiting a nested call under maxThreads 1 finishes", async (t) => {
  // The smallest form of the async fib case above: the nested call is started
  // while the outer call's synchronous part runs, then awaited.
  const result = await run(process.execPath, [fixture("nested-await.cjs")], 30_000);
  t.is(result.code, 0, `exit code ${result.code} (null: killed after 30 s, i.e. deadlocked); stderr: ${result.stderr}`);
  t.deepEqual(result.stdout.trim() ? JSON.parse(result.stdout.trim()) : undefined, { result: 50 });
});
