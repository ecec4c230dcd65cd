/**
 * Identity and cycles among errors crossing threads (SPEC §3), through the
 * public API: an error thrown in a thread and the same error returned as a
 * value arrive the same way (one codec, lib/values/value-codec.ts). A
 * property referring back to the error itself, or to its cause, arrives as
 * a reference to that very object, not as a copy, and nothing is reported
 * lost.
 *
 * Functions passed to parallel() are re-created inside a thread from their
 * source: they must not use anything from this module; values go in as
 * arguments.
 */
import test from "ava";

import { parallel, type ParallelCalls } from "parallel-threads";

type Rich = Error & Record<string, unknown>;

/** Throws or returns (by `how`) an error with a code and a property that refers to the error itself. */
function selfReferring(how: string): Error {
  const error = new Error("refers to itself") as Error & Record<string, unknown>;
  error.code = "E_SELF";
  error.self = error;
  if (how === "throw") throw error;
  return error;
}

/** Throws or returns (by `how`) a TypeError whose property refers to its cause, which refers back to it. */
function causeReferring(how: string): Error {
  const cause = new RangeError("root cause") as RangeError & Record<string, unknown>;
  const error = new TypeError("wrapper", { cause }) as TypeError & Record<string, unknown>;
  error.origin = cause;
  cause.parent = error;
  cause.retry = 3;
  if (how === "throw") throw error;
  return error;
}

/** The error a one-call chain failed or succeeded with, read through `settled()`. */
async function viaSettled(calls: ParallelCalls<readonly [Error]>): Promise<Rich> {
  const [record] = await calls.settled();
  return (record.status === "fulfilled" ? record.value : record.reason) as Rich;
}

/** The error a one-call chain failed or succeeded with, read through `results()`. */
async function viaResults(calls: ParallelCalls<readonly [Error]>): Promise<Rich> {
  return calls.results().then(
    ([value]) => value as Rich,
    (reason: unknown) => reason as Rich,
  );
}

const ways = [
  ["thrown, results()", "throw", viaResults],
  ["thrown, settled()", "throw", viaSettled],
  ["returned, results()", "return", viaResults],
  ["returned, settled()", "return", viaSettled],
] as const;

test("an error whose property refers to itself arrives as itself, thrown or returned", async (t) => {
  for (const [via, how, read] of ways) {
    const error = await read(parallel(selfReferring)(how));
    t.true(error instanceof Error, via);
    t.is(error.message, "refers to itself", via);
    t.is(error.code, "E_SELF", via);
    t.is(error.self, error, `${via}: the property is the error itself, not a copy`);
    t.false("lostProperties" in error, `${via}: nothing lost`);
    t.deepEqual(Object.keys(error), ["code", "self"], via);
  }
});

test("an error whose property refers to its own cause (and the cause back to it) keeps both references, thrown or returned", async (t) => {
  for (const [via, how, read] of ways) {
    const error = await read(parallel(causeReferring)(how));
    const cause = error.cause as Rich;
    t.is(Object.getPrototypeOf(error), TypeError.prototype, via);
    t.is(Object.getPrototypeOf(cause), RangeError.prototype, via);
    t.is(cause.message, "root cause", via);
    t.is(cause.retry, 3, `${via}: the cause keeps its own properties`);
    t.is(error.origin, cause, `${via}: the property and the cause are one object`);
    t.is(cause.parent, error, `${via}: the cause refers back to the error itself`);
    t.false(Object.keys(error).includes("cause"), `${via}: cause stays non-enumerable`);
    t.false("lostProperties" in error || "lostProperties" in cause, `${via}: nothing lost`);
  }
});
