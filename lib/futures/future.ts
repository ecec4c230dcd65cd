/**
 * `Future<T>`: the handle of one call, in the shape of Python's
 * `concurrent.futures.Future`, and a `PromiseLike<T>`.
 */

import { withWaiterFrames } from "../errors/call-site-frames.js";
import { CancelledError } from "../errors/errors.js";

/** `settled`'s value; a failure takes the frames of the code that awaits the future (resumed here, V8 has them). */
async function settledValue<T>(settled: Promise<T>): Promise<T> {
  try {
    return await settled;
  } catch (error) {
    throw withWaiterFrames(error, settledValue);
  }
}

/** The states of a future. */
export type FutureState = "pending" | "running" | "fulfilled" | "rejected" | "cancelled";

type Listener = (future: Future<unknown>) => void;

/** How a future acts on its call (one object shared by all calls of a kind). */
export interface CallControl {
  /** Stops the call; false when it already settled. */
  cancel(call: number, reason: unknown): boolean;
  /** Whether a pending call got a thread. */
  hasStarted?(call: number): boolean;
  /** Someone awaits the unsettled `future` of `call`: a quick answer may be waited for briefly here. */
  awaited?(call: number, future: Future<unknown>): void;
}

/** The error `result()` and `exception()` throw while the future is not done. */
function notDone(): Error {
  return Object.assign(new Error("The future is not done yet"), { code: "ERR_FUTURE_NOT_DONE" });
}

/**
 * The handle of one call.
 *
 * ```ts
 * const future = ParallelExecutor.executeOne((n: number) => n * n, 7);
 * console.log(await future); // 49
 * ```
 */
export class Future<T> implements PromiseLike<T> {
  #state: FutureState = "running";
  #value: T | undefined;
  #error: unknown;
  /** Who waits for it to settle: one listener as itself (the usual case, no array), more in an array. */
  #listeners: Listener | Listener[] | undefined;
  #promise: Promise<T> | undefined;
  readonly #control: CallControl | undefined;
  readonly #call: number;

  /** @internal Made by the library; `control` acts on the call `call`. */
  constructor(control?: CallControl, call = 0) {
    this.#control = control;
    this.#call = call;
  }

  /** `"pending"` (waiting for a thread), `"running"`, `"fulfilled"`, `"rejected"` or `"cancelled"`. */
  get state(): FutureState {
    if (this.#state === "pending" && this.#control?.hasStarted?.(this.#call)) this.#state = "running";
    return this.#state;
  }

  /** Whether the call settled (fulfilled, rejected or cancelled). */
  get done(): boolean {
    return this.#state !== "running" && this.#state !== "pending";
  }

  /** The value; throws the error for a failed call, or `ERR_FUTURE_NOT_DONE`. */
  result(): T {
    if (this.#state === "fulfilled") return this.#value as T;
    if (!this.done) throw notDone();
    throw this.#error;
  }

  /** `undefined` for a value, the error for a failed call; throws `ERR_FUTURE_NOT_DONE`. */
  exception(): unknown {
    if (!this.done) throw notDone();
    return this.#state === "fulfilled" ? undefined : this.#error;
  }

  /** Cancels the call if it has not settled: it fails with `CancelledError`. Returns whether it did. */
  cancel(reason?: unknown): boolean {
    if (this.done) return false;
    this.#control?.cancel(this.#call, reason);
    return this._settle("cancelled", undefined, new CancelledError("The call was cancelled", { cause: reason }));
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (this.#promise === undefined && !this.done) this.#control?.awaited?.(this.#call, this as Future<unknown>);
    return this.#asPromise().then(onFulfilled, onRejected);
  }

  #asPromise(): Promise<T> {
    if (this.#promise === undefined) {
      this.#promise = settledValue(
        new Promise<T>((resolve, reject) => {
          this._onSettled(() => (this.#state === "fulfilled" ? resolve(this.#value as T) : reject(this.#error)));
        }),
      );
    }
    return this.#promise;
  }

  /** @internal Calls `listener` once the future settled (at once if it has). */
  _onSettled(listener: Listener): void {
    if (this.done) {
      listener(this as Future<unknown>);
      return;
    }
    const listeners = this.#listeners;
    if (listeners === undefined) this.#listeners = listener;
    else if (typeof listeners === "function") this.#listeners = [listeners, listener];
    else listeners.push(listener);
  }

  /** @internal Settles the future once; later calls are ignored. */
  _settle(state: "fulfilled" | "rejected" | "cancelled", value: T | undefined, error: unknown): boolean {
    if (this.done) return false;
    this.#state = state;
    this.#value = value;
    this.#error = error;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (typeof listeners === "function") listeners(this as Future<unknown>);
    else if (listeners !== undefined) for (const listener of listeners) listener(this as Future<unknown>);
    return true;
  }

  /** @internal Cancels the call when `signal` aborts (at once if it has). */
  _cancelOnAbort(signal: AbortSignal): void {
    if (signal.aborted) {
      this.cancel(signal.reason);
      return;
    }
    const onAbort = (): void => void this.cancel(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    this._onSettled(() => signal.removeEventListener("abort", onAbort));
  }

  /** @internal The call is waiting for a thread. */
  _markPending(): void {
    if (this.#state === "running") this.#state = "pending";
  }
}
