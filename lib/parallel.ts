/** `parallel(fn)`: the entry point of typed parallel chains. */

import { ParallelCalls, threadCallStarter, type AnyFunction, type CallStarter } from "./chain.js";
import type { CallOptions } from "./options.js";
import { setTaskRunner } from "./tasks.js";

/**
 * Prepares `fn` to run on a thread of its own; returns a function with `fn`'s
 * parameters that starts the call and returns the chain.
 *
 * ```ts
 * const [three, four] = await parallel(() => 1 + 2)().parallel((n: number) => `${n}`)(4).results();
 * ```
 * `fn` must be portable (self-contained, or a task from `tasks()`): a closure
 * is refused with `NotPortableError`.
 */
export function parallel<F extends AnyFunction>(
  fn: F,
  options?: CallOptions,
): (...args: Parameters<F>) => ParallelCalls<[Awaited<ReturnType<F>>]> {
  return parallelOn(DEFAULT_STARTER(), fn, options);
}

let defaultStarter: CallStarter | undefined;
function DEFAULT_STARTER(): CallStarter {
  return (defaultStarter ??= threadCallStarter(0));
}

/** `parallel(fn)` on a given call starter (an executor's). */
export function parallelOn<F extends AnyFunction>(
  start: CallStarter,
  fn: F,
  options?: CallOptions,
): (...args: Parameters<F>) => ParallelCalls<[Awaited<ReturnType<F>>]> {
  return new ParallelCalls<[]>([], start).parallel(fn, options);
}

setTaskRunner(async (handle, args) => {
  const [result] = await parallel(handle)(...args).results();
  return result;
});
