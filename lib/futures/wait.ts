/** `wait()` and `asCompleted()` over any futures, as in `concurrent.futures`. */

import { iterateCompleted } from "./as-completed.js";
import { typeError } from "../errors/errors.js";
import { Future } from "./future.js";
import { checkDuration } from "./options.js";
import type { CompletedRecord } from "./records.js";

/** When `wait()` resolves. */
export type WaitReturnWhen = "ALL_COMPLETED" | "FIRST_COMPLETED" | "FIRST_EXCEPTION";

/** What `wait()` resolves with. */
export interface WaitResult<T> {
  /** The futures that settled. */
  done: Set<Future<T>>;
  /** The futures still pending or running. */
  notDone: Set<Future<T>>;
}

function checkFutures<T>(futures: Iterable<Future<T>>, where: string): Future<T>[] {
  if (futures === null || typeof (futures as Iterable<Future<T>>)?.[Symbol.iterator] !== "function") {
    throw typeError("ERR_INVALID_ARG_TYPE", `${where}: futures must be an iterable of Future`);
  }
  const list = [...futures];
  list.forEach((f, i) => {
    if (!(f instanceof Future)) throw typeError("ERR_INVALID_ARG_TYPE", `${where}: item ${i} is not a Future`);
  });
  return list;
}

/**
 * Waits until the futures are done (`"ALL_COMPLETED"`), one is
 * (`"FIRST_COMPLETED"`), or one failed (`"FIRST_EXCEPTION"`), or `timeout`
 * ms passed. Never rejects on timeout: look at `notDone`.
 */
export function wait<T>(
  futures: Iterable<Future<T>>,
  options?: { timeout?: number; returnWhen?: WaitReturnWhen },
): Promise<WaitResult<T>> {
  const list = checkFutures(futures, "wait()");
  const timeout = checkDuration(options?.timeout, "wait(): timeout");
  const returnWhen = options?.returnWhen ?? "ALL_COMPLETED";
  if (!["ALL_COMPLETED", "FIRST_COMPLETED", "FIRST_EXCEPTION"].includes(returnWhen)) {
    throw typeError("ERR_INVALID_ARG_VALUE", `wait(): unknown returnWhen ${String(returnWhen)}`);
  }
  const result = (): WaitResult<T> => ({
    done: new Set(list.filter((f) => f.done)),
    notDone: new Set(list.filter((f) => !f.done)),
  });
  const over = (): boolean => {
    const done = list.filter((f) => f.done);
    if (done.length === list.length) return true;
    if (returnWhen === "FIRST_COMPLETED") return done.length > 0;
    if (returnWhen === "FIRST_EXCEPTION") return done.some((f) => f.state !== "fulfilled");
    return false;
  };
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const check = (): void => {
      if (finished || !over()) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(result());
    };
    for (const future of list) future._onSettled(check);
    check();
    if (!finished && timeout !== undefined) {
      timer = setTimeout(() => {
        finished = true;
        resolve(result());
      }, timeout);
    }
  });
}

/** Settled records of `futures` in completion order; `timeout` ends it with `TimeoutError`. */
export function asCompleted<T>(
  futures: Iterable<Future<T>>,
  options?: { timeout?: number },
): AsyncGenerator<CompletedRecord<T>, void, undefined> {
  const list = checkFutures(futures, "asCompleted()");
  return iterateCompleted(list, checkDuration(options?.timeout, "asCompleted(): timeout"));
}
