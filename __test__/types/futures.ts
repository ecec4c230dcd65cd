/** Type tests of futures, settled records, asCompleted and ParallelExecutor.executeOne. */
import {
  ParallelExecutor,
  parallel,
  type CompletedRecord,
  type Future,
  type FutureState,
  type FuturesOf,
  type SettledRecord,
} from "parallel-threads";

import { expectType, type Equal, type Expect } from "./util.js";

function toText(n: number): string {
  return `${n}`;
}

export async function futuresPerPosition(): Promise<void> {
  const calls = parallel(() => 1 + 2)()
    .parallel(toText)(4)
    .parallel(async () => true)();
  const futures = calls.futures;
  type _futures = Expect<Equal<typeof futures, FuturesOf<[number, string, boolean]>>>;
  type _asTuple = Expect<Equal<[...typeof futures], [Future<number>, Future<string>, Future<boolean>]>>;
  const [first, second, third] = futures;
  type _first = Expect<Equal<typeof first, Future<number>>>;
  type _second = Expect<Equal<typeof second, Future<string>>>;
  type _third = Expect<Equal<typeof third, Future<boolean>>>;
  type _length = Expect<Equal<(typeof futures)["length"], 3>>;
  expectType<Future<string>>()(futures[1]);

  // Future is PromiseLike of its value; result() and exception().
  const value = await second;
  expectType<string>()(value);
  expectType<number>()(first.result());
  expectType<unknown>()(first.exception());
  expectType<boolean>()(first.done);
  expectType<FutureState>()(first.state);
  type _states = Expect<Equal<FutureState, "pending" | "running" | "fulfilled" | "rejected" | "cancelled">>;
  expectType<boolean>()(first.cancel());

  // @ts-expect-error the second future holds a string
  const wrong: Future<number> = futures[1];
  void wrong;
  // @ts-expect-error futures is read-only
  futures[0] = first;
}

export async function settledPerPosition(): Promise<void> {
  const records = await parallel(() => 1 + 2)()
    .parallel(toText)(4)
    .settled();
  type _records = Expect<Equal<typeof records, [SettledRecord<number>, SettledRecord<string>]>>;
  const [a, b] = records;
  if (a.status === "fulfilled") expectType<number>()(a.value);
  else expectType<unknown>()(a.reason);
  if (b.status === "fulfilled") {
    expectType<string>()(b.value);
    // @ts-expect-error a fulfilled record has no reason
    void b.reason;
  }
  // @ts-expect-error value only exists once status is narrowed
  void a.value;
  type _record = Expect<
    Equal<SettledRecord<number>, { status: "fulfilled"; value: number } | { status: "rejected"; reason: unknown }>
  >;
}

export async function asCompletedRecords(): Promise<void> {
  const calls = parallel(() => 1)().parallel(toText)(2);
  for await (const record of calls.asCompleted()) {
    type _record = Expect<Equal<typeof record, CompletedRecord<number | string>>>;
    expectType<number>()(record.index);
    if (record.status === "fulfilled") expectType<number | string>()(record.value);
  }
}

export async function executeOne(): Promise<void> {
  const square = ParallelExecutor.executeOne((n: number) => n * n, 7);
  type _square = Expect<Equal<typeof square, Future<number>>>;
  const text = ParallelExecutor.executeOne(async (n: number, suffix: string) => `${n}${suffix}`, 1, "x");
  type _text = Expect<Equal<typeof text, Future<string>>>;
  expectType<string>()(await text);
  const none = ParallelExecutor.executeOne(() => undefined);
  type _none = Expect<Equal<typeof none, Future<undefined>>>;

  // @ts-expect-error the argument must be a number
  ParallelExecutor.executeOne((n: number) => n * n, "7");
  // @ts-expect-error missing argument
  ParallelExecutor.executeOne((n: number) => n * n);
  // @ts-expect-error one argument too many
  ParallelExecutor.executeOne((n: number) => n * n, 7, 8);
  // @ts-expect-error not a function
  ParallelExecutor.executeOne(7);

  const executor = new ParallelExecutor({ maxThreads: 2, idleTimeout: 1000 });
  const own = executor.executeOne(toText, 3);
  type _own = Expect<Equal<typeof own, Future<string>>>;
  // @ts-expect-error the instance method checks its arguments too
  executor.executeOne(toText, "3");
  const chain = executor
    .parallel(toText)(1)
    .parallel(() => 2)();
  expectType<[string, number]>()(await chain.results());
  const thunks = ParallelExecutor.execute(
    () => 1,
    () => "two",
  );
  type _thunks = Expect<Equal<typeof thunks, Future<unknown>[]>>;
  // @ts-expect-error maxThreads is a number
  new ParallelExecutor({ maxThreads: "2" });
}
