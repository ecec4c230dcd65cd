/**
 * `SuppressedError` (TC39 explicit resource management): the native one
 * where the runtime has it (V8 13.x, e.g. Node 24), else a ponyfill with the
 * same shape. The global is never modified.
 */
import { defineHidden } from "./properties.js";

/** An error raised while handling another one, which it suppressed. */
export interface SuppressedError extends Error {
  /** The error raised while handling `suppressed` (e.g. by an exit). */
  error: unknown;
  /** The error that was being handled and got suppressed. */
  suppressed: unknown;
}

/** The `SuppressedError` constructor; callable with or without `new`. */
export interface SuppressedErrorConstructor {
  new (error: unknown, suppressed: unknown, message?: string): SuppressedError;
  (error: unknown, suppressed: unknown, message?: string): SuppressedError;
  /** The prototype of its instances. */
  readonly prototype: SuppressedError;
}

// Follows the spec steps: an Error object with newTarget's prototype, then
// non-enumerable own `error` and `suppressed`.
function SuppressedErrorPonyfill(
  this: unknown,
  error: unknown,
  suppressed: unknown,
  message?: string,
): SuppressedError {
  const args = message === undefined ? [] : [String(message)];
  const instance = Reflect.construct(Error, args, new.target ?? SuppressedErrorPonyfill) as SuppressedError;
  defineHidden(instance, "error", error);
  defineHidden(instance, "suppressed", suppressed);
  return instance;
}
Object.setPrototypeOf(SuppressedErrorPonyfill, Error);
Object.setPrototypeOf(SuppressedErrorPonyfill.prototype, Error.prototype);
defineHidden(SuppressedErrorPonyfill.prototype, "name", "SuppressedError");
defineHidden(SuppressedErrorPonyfill.prototype, "message", "");
Object.defineProperty(SuppressedErrorPonyfill, "name", { value: "SuppressedError" });

const native = (globalThis as { SuppressedError?: unknown }).SuppressedError;

/**
 * `SuppressedError`: `globalThis.SuppressedError` when the runtime has one,
 * else the ponyfill (Node 20 and 22). Use it where `await using` would
 * produce one, so results match the native semantics.
 *
 * @example
 * throw new SuppressedError(exitError, blockError, "An error was suppressed during disposal");
 */
export const SuppressedError: SuppressedErrorConstructor =
  typeof native === "function"
    ? (native as SuppressedErrorConstructor)
    : (SuppressedErrorPonyfill as unknown as SuppressedErrorConstructor);
