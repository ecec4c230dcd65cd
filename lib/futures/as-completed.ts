/** Iterating futures in completion order. */

import { withWaiterFrames } from "../errors/call-site-frames.js";
import { TimeoutError } from "../errors/errors.js";
import type { Future } from "./future.js";
import { completedRecord, type CompletedRecord } from "./records.js";

/**
 * Yields a settled record for each future as it settles (completion order);
 * with `timeout` (ms), ends with `TimeoutError` when not all settled in time.
 */
export async function* iterateCompleted<T>(
  futures: readonly Future<T>[],
  timeout: number | undefined,
): AsyncGenerator<CompletedRecord<T>, void, undefined> {
  const order: number[] = [];
  let wake: (() => void) | undefined;
  futures.forEach((future, index) =>
    future._onSettled(() => {
      order.push(index);
      wake?.();
    }),
  );
  const deadline = timeout === undefined ? undefined : performance.now() + timeout;
  for (let yielded = 0; yielded < futures.length;) {
    if (yielded < order.length) {
      const index = order[yielded++]!;
      const future = futures[index]!;
      if (future.state === "rejected") withWaiterFrames(future.exception(), iterateCompleted);
      yield completedRecord(future, index);
      continue;
    }
    const left = deadline === undefined ? undefined : deadline - performance.now();
    if (left !== undefined && left <= 0) {
      throw new TimeoutError(
        `${futures.length - yielded} of ${futures.length} calls did not complete within ${timeout} ms`,
      );
    }
    await new Promise<void>((resolve) => {
      const timer = left === undefined ? undefined : setTimeout(resolve, left);
      wake = () => {
        wake = undefined;
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
    });
  }
}
