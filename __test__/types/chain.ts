/** Type tests of typed chains: results, argument checks, returnWhen, long chains. */
import { parallel, type ParallelCalls, type ResultsOptions, type ReturnWhen } from "parallel-threads";

import { expectType, type Equal, type Expect } from "./util.js";

function toText(n: number): string {
  return `${n}`;
}

export async function readmeExample(): Promise<void> {
  const results = await parallel(() => 1 + 2)()
    .parallel(toText)(4)
    .parallel(async () => 1 + 4)()
    .results();
  type _readme = Expect<Equal<typeof results, [number, string, number]>>;
  expectType<[number, string, number]>()(results);

  const [three, four, five] = results;
  expectType<number>()(three);
  expectType<string>()(four);
  expectType<number>()(five);

  // The chain itself, and resultsSync.
  const calls = parallel(() => 1 + 2)()
    .parallel(toText)(4)
    .parallel(async () => 1 + 4)();
  type _calls = Expect<Equal<typeof calls, ParallelCalls<[number, string, number]>>>;
  expectType<[number, string, number]>()(calls.resultsSync());
  expectType<[number, string, number]>()(calls.resultsSync({ timeout: 10, returnWhen: "FIRST_EXCEPTION" }));
}

export function awaitedResults(): void {
  // A promise result is unwrapped; a nested promise too (Awaited).
  const calls = parallel(async () => Promise.resolve("deep"))().parallel((): PromiseLike<boolean> =>
    Promise.resolve(true),
  )();
  type _awaited = Expect<Equal<typeof calls, ParallelCalls<[string, boolean]>>>;
  // void and never
  const other = parallel((): void => undefined)().parallel((): never => {
    throw new Error("x");
  })();
  type _voidNever = Expect<Equal<typeof other, ParallelCalls<[void, never]>>>;
}

export function argumentChecks(): void {
  const add = (a: number, b: number): number => a + b;
  const greet = (name: string, punctuation?: string): string => `hi ${name}${punctuation ?? ""}`;

  parallel(toText)(4);
  parallel(add)(1, 2);
  parallel(greet)("x");
  parallel(greet)("x", "!");

  // Wrong argument types.
  // @ts-expect-error toText takes a number
  parallel(toText)("4");
  // @ts-expect-error the second argument must be a number
  parallel(add)(1, "2");
  // @ts-expect-error the same check on .parallel()
  parallel(add)(1, 2).parallel(toText)("4");
  // @ts-expect-error punctuation is a string
  parallel(greet)("x", 1);

  // Wrong arity.
  // @ts-expect-error toText needs its argument
  parallel(toText)();
  // @ts-expect-error one argument too many
  parallel(toText)(1, 2);
  // @ts-expect-error add needs two arguments
  parallel(add)(1);
  // @ts-expect-error a nullary function takes no argument
  parallel(() => 1)(1);
  // @ts-expect-error too many on .parallel()
  parallel(() => 1)().parallel(add)(1, 2, 3);
  // @ts-expect-error too few on .parallel()
  parallel(() => 1)().parallel(greet)();

  // Not a function.
  // @ts-expect-error parallel() takes a function
  parallel(42);
  // @ts-expect-error .parallel() takes a function
  parallel(() => 1)().parallel("nope");
}

export async function returnWhen(): Promise<void> {
  const calls = parallel(() => 1)();
  await calls.results({ returnWhen: "ALL_COMPLETED" });
  await calls.results({ returnWhen: "FIRST_EXCEPTION" });
  // @ts-expect-error FIRST_COMPLETED can't give the full tuple
  await calls.results({ returnWhen: "FIRST_COMPLETED" });
  // @ts-expect-error the same for resultsSync
  calls.resultsSync({ returnWhen: "FIRST_COMPLETED" });
  // @ts-expect-error not an option value at all
  await calls.results({ returnWhen: "SOMETIMES" });
  // @ts-expect-error a timeout is a number of milliseconds
  await calls.results({ timeout: "1s" });
  // @ts-expect-error signal is an AbortSignal
  await calls.results({ signal: true });
  // @ts-expect-error call options: timeout is a number
  parallel(() => 1, { timeout: "1s" });

  type _returnWhen = Expect<Equal<ReturnWhen, "ALL_COMPLETED" | "FIRST_EXCEPTION">>;
  // @ts-expect-error FIRST_COMPLETED is not a ResultsOptions returnWhen
  const options: ResultsOptions = { returnWhen: "FIRST_COMPLETED" };
  void options;
}

export async function twelveCalls(): Promise<void> {
  const chain = parallel(() => 1)()
    .parallel((s: string) => s)("two")
    .parallel(() => true)()
    .parallel(async () => 4n)()
    .parallel(() => new Date())()
    .parallel((n: number) => ({ n }))(6)
    .parallel(() => [7])()
    .parallel(() => null)()
    .parallel(() => undefined)()
    .parallel((): "ten" => "ten")()
    .parallel(async (a: number, b: string): Promise<[number, string]> => [a, b])(11, "eleven")
    .parallel(() => new Map<string, number>())();
  type Twelve = [
    number,
    string,
    boolean,
    bigint,
    Date,
    { n: number },
    number[],
    null,
    undefined,
    "ten",
    [number, string],
    Map<string, number>,
  ];
  type _chain = Expect<Equal<typeof chain, ParallelCalls<Twelve>>>;
  const results = await chain.results();
  type _results = Expect<Equal<typeof results, Twelve>>;
  type _length = Expect<Equal<(typeof results)["length"], 12>>;
  expectType<"ten">()(results[9]);
  expectType<Map<string, number>>()(results[11]);
  // Past the end is an error.
  // @ts-expect-error there is no thirteenth result
  void results[12];
  // A thirteenth call still keeps the exact type.
  const thirteen = await chain
    .parallel((x: symbol) => x)(Symbol("s"))
    .results();
  type _thirteen = Expect<Equal<typeof thirteen, [...Twelve, symbol]>>;
}
