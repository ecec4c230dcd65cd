/**
 * Starting one thread call: the portability check, argument encoding,
 * submitting to the core, and the future that tracks it.
 */

import { binding } from "./binding.js";
import { typeError } from "./errors.js";
import { Future } from "./future.js";
import { checkPortable } from "./portability.js";
import { attach, track, untrack } from "./runtime.js";
import { encodeArgs } from "./transport.js";
import { validateCallOptions, type CallOptions } from "./options.js";

/** A function as the core knows it: its registered id and how it runs. */
interface Registered {
  readonly id: number;
  readonly isAsync: boolean;
  readonly name: string;
}

const registered = new WeakMap<Function, Registered>();

/** Checks (once) that `fn` can run on a thread, and registers its source. */
export function registerFunction(fn: Function): Registered {
  let entry = registered.get(fn);
  if (entry === undefined) {
    const portable = checkPortable(fn);
    entry = { id: binding.registerFunction(portable.source), isAsync: portable.isAsync, name: portable.name };
    registered.set(fn, entry);
  }
  return entry;
}

/** Starts `fn(...args)` on a thread of `executor`; returns its future. */
export function startCall(
  executor: number,
  fn: Registered,
  args: readonly unknown[],
  options: CallOptions | undefined,
  site: { stack?: string },
): { future: Future<unknown>; call: number } {
  attach();
  const [kind, data] = encodeArgs(args);
  const timeout = options?.timeout;
  const call = binding.submit(executor, fn.id, kind, data, 0, fn.isAsync, timeout);
  const future: Future<unknown> = new Future(() => {
    untrack(call);
    return binding.cancel(call, 0, []);
  });
  track(call, { future, site, name: `${fn.name}()`, timeout });
  const signal = options?.signal;
  if (signal !== undefined) {
    if (signal.aborted) future.cancel(signal.reason);
    else {
      const onAbort = (): void => void future.cancel(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      future._onSettled(() => signal.removeEventListener("abort", onAbort));
    }
  }
  return { future, call };
}

/** Validates `parallel(fn, options)` arguments. */
export function checkCallable(fn: unknown, where: string): asserts fn is Function {
  if (typeof fn !== "function") {
    throw typeError("ERR_INVALID_ARG_TYPE", `${where} expects a function, got ${fn === null ? "null" : typeof fn}`);
  }
}

export { validateCallOptions };
