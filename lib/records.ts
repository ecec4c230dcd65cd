/** The settled records that `settled()` and `asCompleted()` give. */

import type { Future } from "./future.js";

/** The outcome of one call, as `Promise.allSettled` shapes it. */
export type SettledRecord<T> = { status: "fulfilled"; value: T } | { status: "rejected"; reason: unknown };

/** A settled call in completion order: its chain `index` and `future` too. */
export type CompletedRecord<T> =
  | { index: number; future: Future<T>; status: "fulfilled"; value: T }
  | { index: number; future: Future<T>; status: "rejected"; reason: unknown };

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
