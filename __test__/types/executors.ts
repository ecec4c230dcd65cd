/**
 * Type tests of executors (SPEC §5, issue 7): executeOne typed from the
 * function (both the static and the instance method), execute's thunks,
 * executor options, stats(), wait/asCompleted, close/dispose and the
 * diagnostics message types. futures.ts covers the basics of executeOne;
 * this file covers the rest. Every `@ts-expect-error` here is checked to be
 * a real error (an unused directive fails the build).
 */
import {
  ParallelExecutor,
  asCompleted,
  defaultMaxThreads,
  wait,
  type CallEndMessage,
  type CallStartMessage,
  type CompletedRecord,
  type ExecutorOptions,
  type ExecutorStats,
  type Future,
  type ParallelCalls,
  type Percentiles,
  type WaitResult,
  type WaitReturnWhen,
} from "parallel-threads";

import { expectType, type Equal, type Expect } from "./util.js";

function join(a: string, b: number, flag?: boolean): string {
  return `${a}${b}${flag ? "!" : ""}`;
}
async function fetchCount(url: string): Promise<number> {
  return url.length;
}
function sum(...values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export async function executeOneTyping(executor: ParallelExecutor): Promise<void> {
  // Typed from fn: parameters checked, the result awaited.
  const joined = executor.executeOne(join, "a", 1);
  type _joined = Expect<Equal<typeof joined, Future<string>>>;
  expectType<Future<string>>()(executor.executeOne(join, "a", 1, true));
  const counted = ParallelExecutor.executeOne(fetchCount, "https://example.org");
  type _counted = Expect<Equal<typeof counted, Future<number>>>;
  expectType<number>()(await counted);
  expectType<Future<number>>()(executor.executeOne(sum));
  expectType<Future<number>>()(executor.executeOne(sum, 1, 2, 3));
  const voided = executor.executeOne(() => {});
  type _voided = Expect<Equal<typeof voided, Future<void>>>;
  const nested = executor.executeOne(async () => ({ list: [1, 2], when: new Date() }));
  type _nested = Expect<Equal<typeof nested, Future<{ list: number[]; when: Date }>>>;

  // @ts-expect-error the optional third parameter is a boolean
  executor.executeOne(join, "a", 1, "yes");
  // @ts-expect-error the arguments are in the wrong order
  executor.executeOne(join, 1, "a");
  // @ts-expect-error the second argument is missing
  ParallelExecutor.executeOne(join, "a");
  // @ts-expect-error rest parameters are numbers
  executor.executeOne(sum, 1, "2");
  // @ts-expect-error the async function's argument is a string
  ParallelExecutor.executeOne(fetchCount, new URL("https://example.org"));
  // @ts-expect-error the result is a Future of number, not of string
  const wrong: Future<string> = ParallelExecutor.executeOne(fetchCount, "x");
  void wrong;
  // @ts-expect-error a string is not a function
  executor.executeOne("join");
}

export function executeTyping(executor: ParallelExecutor): void {
  const futures = executor.execute(
    () => 1,
    async () => "two",
    () => {},
  );
  type _futures = Expect<Equal<typeof futures, Future<unknown>[]>>;
  expectType<Future<unknown>[]>()(ParallelExecutor.execute());
  // @ts-expect-error a thunk takes no arguments
  executor.execute((n: number) => n);
  // @ts-expect-error every thunk must be a function
  ParallelExecutor.execute(() => 1, 2);
}

export function optionsTyping(): void {
  const full: ExecutorOptions = {
    maxThreads: 4,
    idleTimeout: 1000,
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, codeRangeSizeMb: 8, stackSizeMb: 4 },
    execArgv: ["--no-warnings"],
    env: { FOO: "bar", UNSET: undefined },
    callSiteStacks: false,
    niceIncrement: 0,
  };
  new ParallelExecutor(full);
  new ParallelExecutor();
  new ParallelExecutor({});
  ParallelExecutor.configureDefault({ maxThreads: 8 });
  expectType<void>()(ParallelExecutor.configureDefault({ idleTimeout: 5 }));
  expectType<number>()(defaultMaxThreads());

  // @ts-expect-error idleTimeout is a number of milliseconds
  new ParallelExecutor({ idleTimeout: "10s" });
  // @ts-expect-error callSiteStacks is a boolean
  new ParallelExecutor({ callSiteStacks: "off" });
  // @ts-expect-error niceIncrement is a number of nice steps
  new ParallelExecutor({ niceIncrement: "low" });
  // @ts-expect-error execArgv is an array of strings
  new ParallelExecutor({ execArgv: "--no-warnings" });
  // @ts-expect-error env values are strings
  new ParallelExecutor({ env: { FOO: 1 } });
  // @ts-expect-error resourceLimits sizes are numbers
  new ParallelExecutor({ resourceLimits: { maxOldGenerationSizeMb: "16" } });
  // @ts-expect-error no such option (a typo of maxThreads)
  new ParallelExecutor({ maxThread: 2 });
  // @ts-expect-error options are an object
  new ParallelExecutor(4);
  // @ts-expect-error configureDefault takes the same options
  ParallelExecutor.configureDefault({ maxThreads: "8" });
}

export async function executorMembers(executor: ParallelExecutor): Promise<void> {
  const stats = executor.stats();
  type _stats = Expect<Equal<typeof stats, ExecutorStats>>;
  const defaultStats = ParallelExecutor.stats();
  type _defaultStats = Expect<Equal<typeof defaultStats, ExecutorStats>>;
  // @ts-expect-error internal helpers are not part of the public type
  void executor._executeAt;
  // the callSiteStacks setting names what it does
  new ParallelExecutor({ callSiteStacks: "capture-at-call" });
  // @ts-expect-error only true, false or "capture-at-call"
  new ParallelExecutor({ callSiteStacks: "eager" });
  expectType<number>()(stats.threads);
  expectType<number>()(stats.idle);
  expectType<number>()(stats.busy);
  expectType<number>()(stats.starting);
  expectType<number>()(stats.queued);
  expectType<number>()(stats.started);
  expectType<number>()(stats.fulfilled);
  expectType<number>()(stats.failed);
  expectType<Percentiles>()(stats.queueWait);
  expectType<Percentiles>()(stats.runTime);
  type _percentiles = Expect<Equal<keyof Percentiles, "p50" | "p90" | "p99" | "max" | "count">>;
  // @ts-expect-error no such figure
  void stats.running;

  const chain = executor.parallel(join, { timeout: 100 })("a", 1).parallel(fetchCount)("u");
  type _chain = Expect<Equal<typeof chain, ParallelCalls<[string, number]>>>;
  // @ts-expect-error executor.parallel checks the arguments too
  executor.parallel(join)(1, "a");

  expectType<void>()(executor.close());
  expectType<Promise<void>>()(executor[Symbol.asyncDispose]());
  {
    await using scoped = new ParallelExecutor({ maxThreads: 1 });
    expectType<ParallelExecutor>()(scoped);
  }
}

export async function waitTyping(a: Future<number>, b: Future<number>, c: Future<string>): Promise<void> {
  const same = await wait([a, b]);
  type _same = Expect<Equal<typeof same, WaitResult<number>>>;
  type _sets = Expect<Equal<WaitResult<number>, { done: Set<Future<number>>; notDone: Set<Future<number>> }>>;
  const mixed = await wait<number | string>([a, c], { timeout: 10, returnWhen: "FIRST_EXCEPTION" });
  expectType<Set<Future<number | string>>>()(mixed.done);
  await wait([a], { returnWhen: "FIRST_COMPLETED" });
  type _when = Expect<Equal<WaitReturnWhen, "ALL_COMPLETED" | "FIRST_COMPLETED" | "FIRST_EXCEPTION">>;
  // @ts-expect-error not a returnWhen
  await wait([a], { returnWhen: "ANY" });
  // @ts-expect-error the timeout is a number of milliseconds
  await wait([a], { timeout: "1s" });
  // @ts-expect-error wait takes futures, not promises
  await wait([Promise.resolve(1)]);

  for await (const record of asCompleted([a, b], { timeout: 100 })) {
    type _record = Expect<Equal<typeof record, CompletedRecord<number>>>;
    expectType<number>()(record.index);
    expectType<Future<number>>()(record.future);
    if (record.status === "fulfilled") expectType<number>()(record.value);
    else expectType<unknown>()(record.reason);
  }
  // @ts-expect-error asCompleted has no returnWhen
  asCompleted([a], { returnWhen: "FIRST_COMPLETED" });
}

export function diagnosticsTyping(start: CallStartMessage, end: CallEndMessage): void {
  expectType<number>()(start.call);
  expectType<number>()(start.executor);
  expectType<string>()(start.name);
  expectType<"fulfilled" | "rejected" | "cancelled">()(end.state);
  expectType<number>()(end.durationMs);
  expectType<unknown>()(end.error);
  // @ts-expect-error a start message has no state
  void start.state;
}

export async function mapTypes(executor: ParallelExecutor): Promise<void> {
  const doubled = await executor.map((n: number) => n * 2, [1, 2, 3]);
  type _doubled = Expect<Equal<typeof doubled, number[]>>;
  const texts = await ParallelExecutor.map(async (n: number) => `${n}`, new Set([1]), { concurrency: 2 });
  type _texts = Expect<Equal<typeof texts, string[]>>;
  async function* words(): AsyncGenerator<string> {
    yield "a";
  }
  const lengths = await executor.map((s: string) => s.length, words(), {
    timeout: 1000,
    signal: AbortSignal.timeout(5000),
  });
  type _lengths = Expect<Equal<typeof lengths, number[]>>;
  // @ts-expect-error the inputs must match the function's parameter
  await executor.map((n: number) => n, ["x"]);
  // @ts-expect-error concurrency is a number
  await executor.map((n: number) => n, [1], { concurrency: "2" });
  await executor.map((n: number) => n, [1], { chunkSize: "auto" });
  await executor.map((n: number) => n, [1], { chunkSize: 64, concurrency: 4 });
  // @ts-expect-error chunkSize is "auto" or a number
  await executor.map((n: number) => n, [1], { chunkSize: "big" });
}
