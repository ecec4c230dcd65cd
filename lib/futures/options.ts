/** Options of calls and of waiting for results, and their validation. */

import { rangeError, typeError } from "../errors/errors.js";

/** Options of one call: `parallel(fn, options)`. */
export interface CallOptions {
  /** Milliseconds the call may run; past it, its thread is terminated and the call fails with `TimeoutError`. */
  timeout?: number;
  /** Aborting cancels the call: its thread is terminated and it fails with `CancelledError`. */
  signal?: AbortSignal;
  /** Move the ArrayBuffers of the result back instead of copying them. */
  transferResult?: boolean;
}

/** When `results()` settles. `"FIRST_COMPLETED"` is deliberately absent: it can't give a full tuple. */
export type ReturnWhen = "ALL_COMPLETED" | "FIRST_EXCEPTION";

/** Options of `results()` and `resultsSync()`. */
export interface ResultsOptions {
  /** Milliseconds to wait; then the wait fails with `TimeoutError` (the calls go on unless cancelled). */
  timeout?: number;
  /** `"ALL_COMPLETED"` (default) or `"FIRST_EXCEPTION"`: settle as soon as one call fails. */
  returnWhen?: ReturnWhen;
  /** Aborting cancels the calls still running and rejects with `CancelledError` (cause: the reason). */
  signal?: AbortSignal;
}

function checkObject(value: unknown, where: string): asserts value is Record<string, unknown> | undefined {
  if (value !== undefined && (typeof value !== "object" || value === null)) {
    throw typeError("ERR_INVALID_ARG_TYPE", `${where}: options must be an object`);
  }
}

/** Validates a duration in milliseconds (undefined allowed). */
export function checkDuration(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number")
    throw typeError("ERR_INVALID_ARG_TYPE", `${name} must be a number of milliseconds, got ${typeof value}`);
  if (Number.isNaN(value) || value < 0)
    throw rangeError("ERR_OUT_OF_RANGE", `${name} must be 0 or more milliseconds, got ${value}`);
  return value === Infinity ? undefined : value;
}

function checkSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw typeError("ERR_INVALID_ARG_TYPE", `${name} must be an AbortSignal`);
  return value;
}

/** Validates call options; returns a normalized copy. */
export function validateCallOptions(options: unknown, where: string): CallOptions | undefined {
  checkObject(options, where);
  if (options === undefined) return undefined;
  return {
    timeout: checkDuration(options.timeout, `${where}: timeout`),
    signal: checkSignal(options.signal, `${where}: signal`),
    transferResult: checkBoolean(options.transferResult, `${where}: transferResult`),
  };
}

function checkBoolean(value: unknown, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== "boolean")
    throw typeError("ERR_INVALID_ARG_TYPE", `${name} must be a boolean`);
  return value;
}

/** What no results options mean (shared: callers only read it). */
const DEFAULT_RESULTS_OPTIONS: Required<Pick<ResultsOptions, "returnWhen">> & ResultsOptions = Object.freeze({
  returnWhen: "ALL_COMPLETED",
  timeout: undefined,
  signal: undefined,
});

/** Validates results options; returns a normalized copy. */
export function validateResultsOptions(
  options: unknown,
  where: string,
): Required<Pick<ResultsOptions, "returnWhen">> & ResultsOptions {
  if (options === undefined) return DEFAULT_RESULTS_OPTIONS;
  checkObject(options, where);
  const returnWhen = options?.returnWhen ?? "ALL_COMPLETED";
  if (returnWhen === "FIRST_COMPLETED") {
    throw typeError(
      "ERR_INVALID_ARG_VALUE",
      `${where}: returnWhen "FIRST_COMPLETED" is not supported by results(): it can't give every result. Use asCompleted() or wait() instead`,
    );
  }
  if (returnWhen !== "ALL_COMPLETED" && returnWhen !== "FIRST_EXCEPTION") {
    throw typeError(
      "ERR_INVALID_ARG_VALUE",
      `${where}: returnWhen must be "ALL_COMPLETED" or "FIRST_EXCEPTION", got ${String(returnWhen)}`,
    );
  }
  return {
    returnWhen,
    timeout: checkDuration(options?.timeout, `${where}: timeout`),
    signal: checkSignal(options?.signal, `${where}: signal`),
  };
}
