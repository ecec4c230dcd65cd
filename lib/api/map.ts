/**
 * `executor.map(fn, inputs, options)`: one call per input, in the manner of
 * `concurrent.futures`' `Executor.map` — results in input order, at most
 * `concurrency` calls at once (at most `maxThreads`), inputs read as calls
 * free up (a million inputs never make a million futures at once). After a
 * failure no more calls start; those running finish, and the map rejects as
 * a chain does: one error as itself, several as an `ExceptionGroup` in input
 * order.
 */

import { withWaiterFrames } from "../errors/call-site-frames.js";
import { CancelledError, groupErrors, rangeError, TimeoutError, typeError } from "../errors/errors.js";
import type { Future } from "../futures/future.js";
import { checkDuration } from "../futures/options.js";
import { callTarget, type CallStarter } from "./chain.js";
import { checkCallable, registerFunction } from "./start-call.js";

/** Options of `map`. */
export interface MapOptions {
  /** Calls at once, at most; default and upper bound: the executor's `maxThreads`. For CPU-bound work, the core count is often best. */
  concurrency?: number;
  /** Milliseconds for the whole map; then it rejects with `TimeoutError`, starts no more calls and cancels those running. */
  timeout?: number;
  /** Aborting stops the map: no more calls start, those running are cancelled, it rejects with `CancelledError` (cause: the reason). */
  signal?: AbortSignal;
}

/** Validated `map` options. */
interface Checked {
  concurrency: number;
  timeout: number | undefined;
  signal: AbortSignal | undefined;
}

function validate(options: unknown, maxThreads: number): Checked {
  if (options !== undefined && (typeof options !== "object" || options === null))
    throw typeError("ERR_INVALID_ARG_TYPE", "map(): options must be an object");
  const o = (options ?? {}) as MapOptions;
  const concurrency = o.concurrency ?? maxThreads;
  if (typeof concurrency !== "number") throw typeError("ERR_INVALID_ARG_TYPE", "map(): concurrency must be a number");
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw rangeError("ERR_OUT_OF_RANGE", `map(): concurrency must be an integer of 1 or more, got ${concurrency}`);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    throw typeError("ERR_INVALID_ARG_TYPE", "map(): signal must be an AbortSignal");
  return {
    concurrency: Math.min(concurrency, maxThreads),
    timeout: checkDuration(o.timeout, "map(): timeout"),
    signal: o.signal,
  };
}

/** The inputs as an async iterator (sync iterables too). */
function iteratorOf<T>(inputs: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> | Iterator<T> {
  if (inputs !== null && typeof inputs === "object") {
    const asyncIterate = (inputs as AsyncIterable<T>)[Symbol.asyncIterator];
    if (typeof asyncIterate === "function") return asyncIterate.call(inputs);
  }
  const iterate = (inputs as Iterable<T> | null | undefined)?.[Symbol.iterator];
  if (typeof iterate !== "function")
    throw typeError("ERR_INVALID_ARG_TYPE", "map(): inputs must be an iterable or an async iterable");
  return iterate.call(inputs);
}

/**
 * Runs `fn(input)` for each input on `start`'s executor, `concurrency` at a
 * time; resolves with the results in input order.
 */
export async function mapOn<I, R>(
  start: CallStarter,
  maxThreads: number,
  fn: (input: I) => R,
  inputs: Iterable<I> | AsyncIterable<I>,
  options: MapOptions | undefined,
  site: object,
): Promise<Awaited<R>[]> {
  checkCallable(fn, "map()");
  const target = callTarget(fn);
  const { concurrency, timeout, signal } = validate(options, maxThreads);
  const iterator = iteratorOf(inputs);
  const results: Awaited<R>[] = [];
  const failed: { index: number; error: unknown }[] = [];
  const running = new Set<Future<unknown>>();
  let stopped: unknown; // why no more calls start (a TimeoutError, a CancelledError)
  let wake: (() => void) | undefined;
  const woken = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  const stop = (why: unknown): void => {
    if (stopped !== undefined) return;
    stopped = why;
    for (const future of running) future.cancel(why);
    wake?.();
  };
  const timer =
    timeout === undefined
      ? undefined
      : setTimeout(() => stop(new TimeoutError(`map() did not complete within ${timeout} ms`)), timeout);
  const onAbort = (): void =>
    stop(new CancelledError("map() was aborted; the calls still running were cancelled", { cause: signal?.reason }));
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (let index = 0; stopped === undefined && failed.length === 0; index++) {
      while (running.size >= concurrency && stopped === undefined) await woken();
      if (stopped !== undefined) break;
      const next = await iterator.next();
      if (next.done || stopped !== undefined) break;
      const { future } = start(target, [next.value], undefined, site);
      running.add(future);
      future._onSettled((f) => {
        running.delete(f);
        if (f.state === "fulfilled") results[index] = f.result() as Awaited<R>;
        else failed.push({ index, error: f.exception() });
        wake?.();
      });
    }
    while (running.size > 0) await woken();
  } catch (error) {
    stop(error);
    while (running.size > 0) await woken();
    throw error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    if (failed.length > 0 || stopped !== undefined) await (iterator as AsyncIterator<I>).return?.();
  }
  if (stopped !== undefined) throw withWaiterFrames(stopped, mapOn);
  if (failed.length > 0) {
    const errors = failed.sort((a, b) => a.index - b.index).map((f) => f.error);
    const error = errors.length === 1 ? errors[0] : groupErrors(errors, `${errors.length} of the map's calls failed`);
    throw withWaiterFrames(error, mapOn);
  }
  return results;
}
