/**
 * `ParallelCalls`: a chain of calls running in parallel, typed as the tuple
 * of their results.
 */

import { withWaiterFrames } from "../errors/call-site-frames.js";
import { captureCallSite } from "../runtime/call-sites.js";
import { iterateCompleted } from "../futures/as-completed.js";
import { allResults, collect } from "../futures/collect.js";
import { CancelledError, ChainConsumedError } from "../errors/errors.js";
import type { Future } from "../futures/future.js";
import {
  validateCallOptions,
  validateResultsOptions,
  type CallOptions,
  type ResultsOptions,
} from "../futures/options.js";
import { settledRecord, type CompletedRecord, type SettledRecord } from "../futures/records.js";
import { prewarm, spinForQuickCalls, waitSync } from "../runtime/caller.js";
import { localTarget, startLocalCall } from "./local.js";
import { checkCallable, registerFunction, startCall, type Registered } from "./start-call.js";

import type { AnyFunction } from "./types.js";
import { keepName } from "../errors/properties.js";

export type { AnyFunction };

/** The futures of a chain, typed per position. */
export type FuturesOf<R extends readonly unknown[]> = { readonly [K in keyof R]: Future<R[K]> };

/** The settled records of a chain, typed per position. */
export type SettledOf<R extends readonly unknown[]> = { -readonly [K in keyof R]: SettledRecord<R[K]> };

/** The function `parallel(fn)` returns: `fn`'s parameters, starting the call. */
export type Starter<F extends AnyFunction, R extends readonly unknown[]> = (
  ...args: Parameters<F>
) => ParallelCalls<[...R, Awaited<ReturnType<F>>]>;

/** One call of a chain: its future and (for thread calls) its core id. */
export interface Link {
  readonly future: Future<unknown>;
  readonly call: number;
}

/** What a call runs: a `local()` function, or a function registered with the core (checked portable). */
export type CallTarget = { readonly local: AnyFunction } | Registered;

/** `fn` as a call target: checked and registered once, however many calls it makes. */
export function callTarget(fn: AnyFunction): CallTarget {
  const local = localTarget(fn);
  return local !== undefined ? { local } : registerFunction(fn);
}

/** Starts a call on its executor and returns its link. */
export interface CallStarter {
  /** `flags`: `CallFlag`s of the call (a thread call's only). */
  (target: CallTarget, args: readonly unknown[], options: CallOptions | undefined, site: object, flags?: number): Link;
  /** The executor's id in the core. */
  readonly executor: number;
}

/** A call on `executor`: on a thread, or on this thread for `local()` functions. */
export function threadCallStarter(executor: number): CallStarter {
  // The executor is about to be used: its first thread boots meanwhile
  // (only this one's: a program using its own executor boots no other).
  prewarm(executor);
  const start = (
    target: CallTarget,
    args: readonly unknown[],
    options: CallOptions | undefined,
    site: object,
    flags = 0,
  ): Link => {
    if ("local" in target) return { future: startLocalCall(target.local, args, options), call: LOCAL_CALL };
    return startCall(executor, target, args, options, site, flags);
  };
  return Object.assign(start, { executor });
}

/** `parallel(fn)` on a given call starter (an executor's): a chain of one call. */
export function parallelOn<F extends AnyFunction>(
  start: CallStarter,
  fn: F,
  options?: CallOptions,
): (...args: Parameters<F>) => ParallelCalls<[Awaited<ReturnType<F>>]> {
  return new ParallelCalls<[]>([], start).parallel(fn, options);
}

/** The `call` of a link that runs locally (it has no core id). */
const LOCAL_CALL = -1;

/**
 * Calls running in parallel, typed as the tuple `R` of their results.
 *
 * ```ts
 * const [a, b] = await parallel((x: number) => x + 1)(1).parallel(() => "two")().results();
 * ```
 */
export class ParallelCalls<R extends readonly unknown[]> implements AsyncDisposable {
  static {
    keepName(this, "ParallelCalls");
  }

  #links: readonly Link[] | undefined;
  /** Every link, also after the chain was passed on (for cancel and dispose). */
  readonly #held: readonly Link[];
  readonly #start: CallStarter;
  /** Where the chain's first call was made (shared by its later calls). */
  readonly #site: object | undefined;

  /** @internal Made by `parallel()` and `.parallel()`. */
  constructor(links: readonly Link[], start: CallStarter, site?: object) {
    this.#links = links;
    this.#held = links;
    this.#start = start;
    this.#site = site;
  }

  #live(what: string): readonly Link[] {
    if (this.#links === undefined) {
      throw new ChainConsumedError(
        `${what}: this chain was passed on by a call to .parallel(); use the chain that call returned`,
      );
    }
    return this.#links;
  }

  /** Starts one more call in parallel; returns a function with `fn`'s parameters. Calling it consumes this chain. */
  parallel<F extends AnyFunction>(fn: F, options?: CallOptions): Starter<F, R> {
    this.#live("parallel()");
    checkCallable(fn, "parallel()");
    const checked = validateCallOptions(options, "parallel()");
    const target = callTarget(fn);
    const starter = (...args: Parameters<F>): ParallelCalls<[...R, Awaited<ReturnType<F>>]> => {
      const links = this.#live("parallel()");
      // The call site, for the stacks of errors from the thread. Capturing a
      // stack costs ~3.5 µs, so a chain captures it once, at its first call.
      const site = this.#site ?? captureCallSite(this.#start.executor, starter);
      const link = this.#start(target, args, checked, site);
      this.#links = undefined;
      return new ParallelCalls<[...R, Awaited<ReturnType<F>>]>([...links, link], this.#start, site);
    };
    return starter;
  }

  /** The `Future` of each call, in chain order. */
  get futures(): FuturesOf<R> {
    return this.#live("futures").map((l) => l.future) as unknown as FuturesOf<R>;
  }

  /**
   * Resolves with the results in chain order. One failed call rejects with its
   * error, several with an `ExceptionGroup` (fatal failures first).
   */
  async results(options?: ResultsOptions): Promise<R> {
    try {
      return await this.#results(options);
    } catch (error) {
      // Resumed from the await: the stack holds the awaiting code's frames.
      throw withWaiterFrames(error, ParallelCalls.prototype.results);
    }
  }

  #results(options: ResultsOptions | undefined): Promise<R> {
    const futures = this.#live("results()").map((l) => l.future);
    if (options === undefined) {
      // The common case, kept lean: no timeout, no signal, every result.
      spinForQuickCalls(this.#held);
      return allResults(futures) as Promise<unknown> as Promise<R>;
    }
    const { returnWhen, timeout, signal } = validateResultsOptions(options, "results()");
    const firstException = returnWhen === "FIRST_EXCEPTION";
    if (!signal?.aborted) spinForQuickCalls(this.#held);
    return new Promise<R>((resolve, reject) => {
      let remaining = futures.length;
      let finished = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const outcome = collect(futures, firstException, timeout);
        if ("values" in outcome) resolve(outcome.values as unknown as R);
        else reject(outcome.error);
      };
      const onAbort = (): void => {
        if (finished) return;
        finished = true;
        if (timer !== undefined) clearTimeout(timer);
        this.#cancelLinks(futures, signal?.reason);
        reject(
          new CancelledError("results() was aborted; the calls still running were cancelled", {
            cause: signal?.reason,
          }),
        );
      };
      if (signal?.aborted) return onAbort();
      for (const future of futures) {
        future._onSettled((f) => {
          remaining--;
          if (remaining === 0 || (firstException && f.state !== "fulfilled")) finish();
        });
      }
      if (finished) return;
      if (timeout !== undefined) timer = setTimeout(finish, timeout);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * The same as `results()`, blocking the calling thread. Every call must be a
   * thread call (a local call can't finish while its thread is blocked).
   */
  resultsSync(options?: ResultsOptions): R {
    const links = this.#live("resultsSync()");
    const { returnWhen, timeout, signal } = validateResultsOptions(options, "resultsSync()");
    const futures = links.map((l) => l.future);
    if (links.some((l) => l.call === LOCAL_CALL && !l.future.done)) {
      throw Object.assign(
        new Error(
          "resultsSync() can't wait for a local() call: it runs on this thread, which resultsSync() would block. Use results()",
        ),
        { code: "ERR_PARALLEL_LOCAL_IN_SYNC" },
      );
    }
    if (signal?.aborted) {
      this.#cancelLinks(futures, signal.reason);
      throw new CancelledError("resultsSync() was aborted; the calls still running were cancelled", {
        cause: signal.reason,
      });
    }
    const deadline = timeout === undefined ? undefined : performance.now() + timeout;
    const calls: number[] = [];
    for (const link of links) if (!link.future.done) calls.push(link.call);
    waitSync(calls, returnWhen === "FIRST_EXCEPTION", deadline);
    const outcome = collect(futures, returnWhen === "FIRST_EXCEPTION", timeout);
    if ("values" in outcome) return outcome.values as unknown as R;
    throw withWaiterFrames(outcome.error, ParallelCalls.prototype.resultsSync);
  }

  /** Resolves (never rejects) with a settled record per call, in chain order. */
  async settled(): Promise<SettledOf<R>> {
    const futures = this.#live("settled()").map((l) => l.future);
    await Promise.all(futures.map((f) => new Promise<void>((resolve) => f._onSettled(() => resolve()))));
    for (const future of futures)
      if (future.state === "rejected") withWaiterFrames(future.exception(), ParallelCalls.prototype.settled);
    return futures.map((f) => settledRecord(f)) as unknown as SettledOf<R>;
  }

  /** Settled records in completion order (for progress reporting). */
  asCompleted(options?: Pick<ResultsOptions, "timeout">): AsyncGenerator<CompletedRecord<R[number]>, void, undefined> {
    const futures = this.#live("asCompleted()").map((l) => l.future);
    const { timeout } = validateResultsOptions(
      options === undefined ? undefined : { timeout: options.timeout },
      "asCompleted()",
    );
    return iterateCompleted(futures as Future<R[number]>[], timeout);
  }

  /** Cancels the calls still running: their threads are terminated and they fail with `CancelledError`. */
  cancel(reason?: unknown): void {
    this.#cancelLinks(this.#allFutures(), reason);
  }

  /** Cancels whatever is still running when an `await using` scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.cancel(new CancelledError("the chain's scope ended"));
  }

  #allFutures(): Future<unknown>[] {
    return this.#held.map((l) => l.future);
  }

  #cancelLinks(futures: readonly Future<unknown>[], reason: unknown): void {
    for (const future of futures) future.cancel(reason);
  }
}
