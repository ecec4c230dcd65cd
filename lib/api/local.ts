/**
 * `local(fn)`: a call that runs on the calling thread's event loop instead of
 * a thread of its own — for closures, live resources and objects that can't
 * move. Local calls overlap with each other only when they are asynchronous.
 */

import type { AnyFunction } from "./types.js";
import { TimeoutError, typeError } from "../errors/errors.js";
import { Future, type CallControl } from "../futures/future.js";
import type { CallOptions } from "../futures/options.js";
import { isTransfer } from "../values/transfer.js";

const LOCAL = Symbol.for("parallel-threads.local");

/**
 * Marks `fn` to run on the calling thread (closures and live objects allowed).
 * It can be mixed freely with thread calls in a chain.
 *
 * ```ts
 * const [rows, digest] = await parallel(local(() => db.query(sql)))().parallel(hash)(data).results();
 * ```
 * A local call can't be stopped, only abandoned: its `timeout` or `signal`
 * settles its future, while the function itself runs on.
 */
export function local<F extends AnyFunction>(fn: F): F {
  if (typeof fn !== "function") throw typeError("ERR_INVALID_ARG_TYPE", "local() expects a function");
  const marked = ((...args: unknown[]) => fn(...args)) as F;
  Object.defineProperty(marked, LOCAL, { value: fn });
  Object.defineProperty(marked, "name", { value: fn.name });
  return marked;
}

/** The function a `local()` wrapper stands for, if `fn` is one. */
export function localTarget(fn: Function): AnyFunction | undefined {
  return (fn as Partial<Record<typeof LOCAL, AnyFunction>>)[LOCAL];
}

/** A local call can't be stopped, only abandoned: cancelling settles its future. */
const LOCAL_CONTROL: CallControl = { cancel: () => true };

/** Starts a local call (in a microtask, after the chain's thread calls started). */
export function startLocalCall(
  fn: AnyFunction,
  args: readonly unknown[],
  options: CallOptions | undefined,
): Future<unknown> {
  const future = new Future<unknown>(LOCAL_CONTROL);
  queueMicrotask(() => {
    if (future.done) return;
    let result: unknown;
    try {
      // A local call needs no move: `transfer()` marks give their value.
      result = fn(...args.map((arg) => (isTransfer(arg) ? arg.value : arg)));
    } catch (error) {
      future._settle("rejected", undefined, error);
      return;
    }
    Promise.resolve(result).then(
      (value) => future._settle("fulfilled", value, undefined),
      (error: unknown) => future._settle("rejected", undefined, error),
    );
  });
  const timeout = options?.timeout;
  if (timeout !== undefined) {
    const timer = setTimeout(() => {
      future._settle(
        "rejected",
        undefined,
        new TimeoutError(
          `local call ${fn.name || "(anonymous)"}() ran past its timeout of ${timeout} ms; it was abandoned`,
        ),
      );
    }, timeout);
    future._onSettled(() => clearTimeout(timer));
  }
  if (options?.signal !== undefined) future._cancelOnAbort(options.signal);
  return future;
}
