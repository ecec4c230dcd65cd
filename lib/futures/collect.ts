/**
 * Turning settled futures into the outcome of `results()`: the values in
 * chain order, or the error(s) as python-parallel raises them.
 */

import { groupErrors, isFatal, TimeoutError } from "../errors/errors.js";
import type { Future } from "./future.js";

/** Errors of the failed futures among `futures`, in chain order. */
function failures(futures: readonly Future<unknown>[]): unknown[] {
  const errors: unknown[] = [];
  for (const future of futures) if (future.done && future.state !== "fulfilled") errors.push(future.exception());
  return errors;
}

/**
 * The outcome once the wait ended: `{ values }`, or `{ error }` — one error
 * as itself, several as an ExceptionGroup with fatal ones first; with
 * `"FIRST_EXCEPTION"`, the first failure (a fatal one preferred); after a
 * timeout with no failure, a TimeoutError.
 */
export function collect(
  futures: readonly Future<unknown>[],
  firstException: boolean,
  timeout: number | undefined,
): { values: unknown[] } | { error: unknown } {
  const values = fulfilledValues(futures);
  if (values !== undefined) return { values };
  const errors = failures(futures);
  if (errors.length > 0) {
    if (firstException || errors.length === 1) return { error: errors.find(isFatal) ?? errors[0] };
    return { error: groupErrors(errors, `${errors.length} parallel calls failed`) };
  }
  // Neither all fulfilled nor any failed: some are still running.
  return { error: new TimeoutError(`Not all parallel calls completed within ${timeout} ms`) };
}

/**
 * The values of `futures` once every one settled, or the error `collect`
 * makes of their failures (`results()` without options).
 */
export function allResults(futures: readonly Future<unknown>[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    let remaining = futures.length;
    const settle = (): void => {
      if (--remaining > 0) return;
      const values = fulfilledValues(futures);
      if (values !== undefined) return resolve(values);
      const outcome = collect(futures, false, undefined);
      if ("values" in outcome) resolve(outcome.values);
      else reject(outcome.error);
    };
    if (remaining === 0) resolve([]);
    for (const future of futures) future._onSettled(settle);
  });
}

/** The values of `futures` when every one fulfilled, else `undefined` (a plain loop: this runs for every chain). */
function fulfilledValues(futures: readonly Future<unknown>[]): unknown[] | undefined {
  const values = new Array<unknown>(futures.length);
  for (let i = 0; i < futures.length; i++) {
    const future = futures[i]!;
    if (future.state !== "fulfilled") return undefined;
    values[i] = future.result();
  }
  return values;
}

/** Whether the wait can end: all done, or (FIRST_EXCEPTION) one failed. */
export function waitIsOver(futures: readonly Future<unknown>[], firstException: boolean): boolean {
  let allDone = true;
  for (const future of futures) {
    if (!future.done) allDone = false;
    else if (firstException && future.state !== "fulfilled") return true;
  }
  return allDone;
}
