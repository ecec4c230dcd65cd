/** `parallel(fn)`: the entry point of typed parallel chains. */

import type { ParallelCalls } from "./chain.js";
import type { CallOptions } from "../futures/options.js";
import { defaultExecutor } from "./executor.js";
import type { AnyFunction } from "./types.js";
import {
  checkContextSource,
  ParallelContexts,
  validateContextOptions,
  type ContextOptions,
} from "./contexts/parallel-contexts.js";
import type { ContextSource, EnteredValue } from "./contexts/sources.js";

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
): (...args: Parameters<F>) => ParallelCalls<[Awaited<ReturnType<F>>]>;
/**
 * Prepares a context to be entered concurrently with the others chained
 * after it (`.parallel(ctx2)`), then `.enter()` or `.with(block)`.
 *
 * ```ts
 * await parallel(oneCtx()).parallel(twoCtx()).with(async ([one, two]) => { … });
 * ```
 */
export function parallel<C extends ContextSource>(
  context: C,
  options?: ContextOptions,
): ParallelContexts<[EnteredValue<C>]>;
export function parallel(source: unknown, options?: unknown): unknown {
  if (typeof source === "function") return defaultExecutor().parallel(source as AnyFunction, options as CallOptions);
  checkContextSource(source, "parallel()");
  return new ParallelContexts<[]>([], validateContextOptions(options)).parallel(source);
}
