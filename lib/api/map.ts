/**
 * `executor.map(fn, inputs, options)`: `fn` on each input, in the manner of
 * `concurrent.futures`' `Executor.map` — results in input order, at most
 * `concurrency` calls at once (at most `maxThreads`), inputs read as calls
 * free up (a million inputs never make a million futures at once). Short
 * inputs travel several to a call (`chunkSize`), each still its own outcome.
 * After a failure no more inputs start; those running finish, and the map
 * rejects as a chain does: one error as itself, several as an
 * `ExceptionGroup` in input order.
 */

import { availableParallelism } from "node:os";

import { withWaiterFrames } from "../errors/call-site-frames.js";
import { CancelledError, groupErrors, rangeError, TimeoutError, typeError } from "../errors/errors.js";
import type { Future } from "../futures/future.js";
import { checkDuration } from "../futures/options.js";
import { spinForQuickCalls, thrownBy, type WaitedCall } from "../runtime/caller.js";
import type { ChunkOutcome } from "../runtime/chunk.js";
import { isTransfer } from "../values/transfer.js";
import { CallFlag } from "../wire/protocol.js";
import { callTarget, type CallStarter } from "./chain.js";
import { chunkSizer, type ChunkSizer } from "./chunk-size.js";
import { checkCallable } from "./start-call.js";

/** Options of `map`. */
export interface MapOptions {
  /**
   * Calls at once, at most. Default: the core count
   * (`os.availableParallelism()`), for CPU-bound work; at most the
   * executor's `maxThreads`. Work that waits (I/O, timers) wants more.
   */
  concurrency?: number;
  /**
   * Inputs sent to a thread in one call: a positive integer, or `"auto"`
   * (default): one at first, then as many as take about 10 ms there (at
   * most 1024, and for an array at most an eighth of each call's share of
   * what is left), from the time calls took. The inputs of a call run one
   * after another, each awaited; each still has its own outcome.
   */
  chunkSize?: "auto" | number;
  /** Milliseconds for the whole map; then it rejects with `TimeoutError`, starts no more calls and cancels those running. */
  timeout?: number;
  /** Aborting stops the map: no more calls start, those running are cancelled, it rejects with `CancelledError` (cause: the reason). */
  signal?: AbortSignal;
}

/** Validated `map` options. */
interface Checked {
  concurrency: number;
  chunkSize: "auto" | number;
  timeout: number | undefined;
  signal: AbortSignal | undefined;
}

function validate(options: unknown, maxThreads: number): Checked {
  if (options !== undefined && (typeof options !== "object" || options === null))
    throw typeError("ERR_INVALID_ARG_TYPE", "map(): options must be an object");
  const o = (options ?? {}) as MapOptions;
  const concurrency = o.concurrency ?? availableParallelism();
  if (typeof concurrency !== "number") throw typeError("ERR_INVALID_ARG_TYPE", "map(): concurrency must be a number");
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw rangeError("ERR_OUT_OF_RANGE", `map(): concurrency must be an integer of 1 or more, got ${concurrency}`);
  const chunkSize = o.chunkSize ?? "auto";
  if (chunkSize !== "auto" && typeof chunkSize !== "number")
    throw typeError("ERR_INVALID_ARG_TYPE", 'map(): chunkSize must be "auto" or a number');
  if (chunkSize !== "auto" && (!Number.isInteger(chunkSize) || chunkSize < 1))
    throw rangeError("ERR_OUT_OF_RANGE", `map(): chunkSize must be an integer of 1 or more, got ${chunkSize}`);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    throw typeError("ERR_INVALID_ARG_TYPE", "map(): signal must be an AbortSignal");
  return {
    concurrency: Math.min(concurrency, maxThreads),
    chunkSize,
    timeout: checkDuration(o.timeout, "map(): timeout"),
    signal: o.signal,
  };
}

/** The inputs' iterator, and whether its `next()` returns promises. */
function iteratorOf<T>(inputs: Iterable<T> | AsyncIterable<T>): {
  iterator: Iterator<T> | AsyncIterator<T>;
  async: boolean;
} {
  if (inputs !== null && typeof inputs === "object") {
    const asyncIterate = (inputs as AsyncIterable<T>)[Symbol.asyncIterator];
    if (typeof asyncIterate === "function") return { iterator: asyncIterate.call(inputs), async: true };
  }
  const iterate = (inputs as Iterable<T> | null | undefined)?.[Symbol.iterator];
  if (typeof iterate !== "function")
    throw typeError("ERR_INVALID_ARG_TYPE", "map(): inputs must be an iterable or an async iterable");
  return { iterator: iterate.call(inputs), async: false };
}

/**
 * Reads inputs in chunks: synchronously from a sync iterable (no await per
 * input), awaiting each from an async one. An input wrapped in `transfer()`
 * travels alone (its list moves with the call's own arguments).
 */
class InputReader<I> {
  #held: { value: I } | undefined;
  done = false;
  constructor(
    readonly source: { iterator: Iterator<I> | AsyncIterator<I>; async: boolean },
    readonly stopped: () => boolean,
  ) {}

  /** Up to `size` inputs; fewer at the end or before a `transfer()` input, none once done or stopped. */
  async read(size: number): Promise<I[]> {
    const chunk: I[] = [];
    if (this.#held !== undefined) {
      chunk.push(this.#held.value);
      this.#held = undefined;
      if (isTransfer(chunk[0])) return chunk;
    }
    const { iterator, async } = this.source;
    while (chunk.length < size && !this.done) {
      const next = async ? await (iterator as AsyncIterator<I>).next() : (iterator as Iterator<I>).next();
      if (this.stopped()) return [];
      if (next.done) {
        this.done = true;
        break;
      }
      if (isTransfer(next.value)) {
        if (chunk.length === 0) return [next.value];
        this.#held = { value: next.value };
        break;
      }
      chunk.push(next.value);
    }
    return chunk;
  }

  /** Closes the iterator early (`return()`), as `for…of` would. */
  async close(): Promise<void> {
    await (this.source.iterator as AsyncIterator<I>).return?.();
  }
}

/**
 * Runs `fn(input)` for each input on `start`'s executor, `concurrency` calls
 * at a time; resolves with the results in input order.
 */
export async function mapOn<I, R>(
  start: CallStarter,
  maxThreads: number,
  fn: (input: I) => R,
  inputs: Iterable<I> | AsyncIterable<I>,
  options: MapOptions | undefined,
  site: { readonly stack?: string },
): Promise<Awaited<R>[]> {
  checkCallable(fn, "map()");
  const target = callTarget(fn);
  const { concurrency, chunkSize, timeout, signal } = validate(options, maxThreads);
  // A local() function runs here: one input a call.
  const count = Array.isArray(inputs) ? inputs.length : undefined;
  const sizer: ChunkSizer = chunkSizer("local" in target ? 1 : chunkSize, count, concurrency);
  const results: Awaited<R>[] = [];
  const failed: { index: number; error: unknown }[] = [];
  const running = new Map<Future<unknown>, WaitedCall>();
  let stopped: unknown; // why no more calls start (a TimeoutError, a CancelledError)
  const reader = new InputReader(iteratorOf(inputs), () => stopped !== undefined);
  let wake: (() => void) | undefined;
  const woken = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  /** Waits for a call to settle; calls that answer quickly are waited for briefly here first, as results() does. */
  const settledOne = (): Promise<void> => {
    const settled = woken(); // first: a call settling during the spin wakes it
    spinForQuickCalls([...running.values()]);
    return settled;
  };
  const stop = (why: unknown): void => {
    if (stopped !== undefined) return;
    stopped = why;
    for (const future of running.keys()) future.cancel(why);
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

  /** Records the outcome of one input. */
  const settled = (index: number, future: Future<unknown>): void => {
    if (future.state === "fulfilled") results[index] = future.result() as Awaited<R>;
    else failed.push({ index, error: future.exception() });
  };
  /** Records the outcomes of a chunk's inputs (from `index` on). */
  const chunkSettled = (index: number, future: Future<unknown>): void => {
    if (future.state !== "fulfilled") return settled(index, future);
    const [values, failure] = future.result() as ChunkOutcome;
    for (let i = 0; i < values.length; i++) results[index + i] = values[i] as Awaited<R>;
    if (failure !== undefined) failed.push({ index: index + values.length, error: thrownBy(failure, site) });
  };

  try {
    for (let index = 0; stopped === undefined && failed.length === 0 && !reader.done;) {
      while (running.size >= concurrency && stopped === undefined) await settledOne();
      if (stopped !== undefined || failed.length > 0) break;
      const chunk = await reader.read(sizer.next());
      if (chunk.length === 0 || stopped !== undefined || failed.length > 0) break;
      const first = index;
      index += chunk.length;
      const single = chunk.length === 1;
      const startedAt = performance.now();
      const link = single
        ? start(target, chunk, undefined, site)
        : start(target, [chunk], undefined, site, CallFlag.Chunk);
      const { future } = link;
      running.set(future, link);
      future._onSettled((f) => {
        running.delete(f);
        sizer.took(chunk.length, performance.now() - startedAt);
        (single ? settled : chunkSettled)(first, f);
        wake?.();
      });
    }
    while (running.size > 0) await settledOne();
  } catch (error) {
    stop(error);
    while (running.size > 0) await woken();
    throw error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    if ((failed.length > 0 || stopped !== undefined) && !reader.done) await reader.close();
  }
  if (stopped !== undefined) throw withWaiterFrames(stopped, mapOn);
  if (failed.length > 0) {
    const errors = failed.sort((a, b) => a.index - b.index).map((f) => f.error);
    const error = errors.length === 1 ? errors[0] : groupErrors(errors, `${errors.length} of the map's calls failed`);
    throw withWaiterFrames(error, mapOn);
  }
  return results;
}
