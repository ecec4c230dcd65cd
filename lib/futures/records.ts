/** The settled records that `settled()` and `asCompleted()` give. */

import type { Future } from "./future.js";

/** The outcome of one call, as `Promise.allSettled` shapes it. */
export type SettledRecord<T> =
  | {
      /** The call returned a value. */
      status: "fulfilled";
      /** What it returned. */
      value: T;
    }
  | {
      /** The call failed (threw, timed out, was cancelled or crashed). */
      status: "rejected";
      /** Its error. */
      reason: unknown;
    };

/** A settled call in completion order, with its chain `index` and its `future`. */
export type CompletedRecord<T> = SettledRecord<T> & {
  /** Its position in the chain (or in the futures given). */
  index: number;
  /** Its future. */
  future: Future<T>;
};

/** The settled record of a done future. */
export function settledRecord<T>(future: Future<T>): SettledRecord<T> {
  return future.state === "fulfilled"
    ? { status: "fulfilled", value: future.result() }
    : { status: "rejected", reason: future.exception() };
}

/** The completion record of a done future at `index`. */
export function completedRecord<T>(future: Future<T>, index: number): CompletedRecord<T> {
  return { index, future, ...settledRecord(future) };
}
