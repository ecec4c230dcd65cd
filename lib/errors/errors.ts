/**
 * The library's error classes, each with a stable `code` and a brand check
 * (`instanceof` works across two copies of the package), plus grouping and
 * argument-error helpers.
 */
import { brandFor, ExceptionGroup, hasBrand, isInstance, setBrand } from "./exception-group.js";
import { defineData, keepName } from "./properties.js";

export { ExceptionGroup } from "./exception-group.js";
export type { ErrorClass, ExceptionMatcher } from "./exception-group.js";

/** Options of our error constructors that take a cause. */
export interface CauseOptions {
  /**
   * The underlying error or reason (becomes `cause`). Unlike `Error`'s
   * option, `cause: undefined` means no cause: no own `cause` is created.
   */
  cause?: unknown;
}

/** `{ cause }` for `Error`'s constructor only when there is a cause. */
function causeOf(options: CauseOptions | undefined): ErrorOptions | undefined {
  return options?.cause === undefined ? undefined : { cause: options.cause };
}

function setName(ctor: { prototype: Error }, name: string): void {
  Object.defineProperty(ctor.prototype, "name", { value: name, writable: true, configurable: true });
}

const TIMEOUT = brandFor("TimeoutError");
const CANCELLED = brandFor("CancelledError");
const THREAD_CRASH = brandFor("ThreadCrashError");
const NOT_PORTABLE = brandFor("NotPortableError");
const CLONE = brandFor("CloneError");
const CHAIN_CONSUMED = brandFor("ChainConsumedError");

/** Calls (or `results()`) did not finish in time. Code `ERR_PARALLEL_TIMEOUT`. */
export class TimeoutError extends Error {
  static {
    keepName(this, "TimeoutError");
  }

  /** The stable code of this error: `ERR_PARALLEL_TIMEOUT`. */
  readonly code = "ERR_PARALLEL_TIMEOUT" as const;
  constructor(message = "The operation timed out", options?: CauseOptions) {
    super(message, causeOf(options));
    setBrand(this, TIMEOUT);
  }
  /** Brand check (works across copies of the package). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isInstance(this, TimeoutError, TIMEOUT, value);
  }
}
setName(TimeoutError, "TimeoutError");

/**
 * A call was cancelled; `cause` is the cancellation reason (for an aborted
 * signal, `signal.reason`). A fatal failure. Code `ERR_PARALLEL_CANCELLED`.
 */
export class CancelledError extends Error {
  static {
    keepName(this, "CancelledError");
  }

  /** The stable code of this error: `ERR_PARALLEL_CANCELLED`. */
  readonly code = "ERR_PARALLEL_CANCELLED" as const;
  constructor(message = "The call was cancelled", options?: CauseOptions) {
    super(message, causeOf(options));
    setBrand(this, CANCELLED);
  }
  /** Brand check (works across copies of the package). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isInstance(this, CancelledError, CANCELLED, value);
  }
}
setName(CancelledError, "CancelledError");

/** Options of {@link ThreadCrashError}. */
export interface ThreadCrashOptions extends CauseOptions {
  /** The thread's exit code, when it exited. */
  exitCode?: number;
}

/**
 * The thread running a call died (exited, crashed, ran out of memory, was
 * killed). A fatal failure. Code `ERR_PARALLEL_THREAD_CRASH`.
 */
export class ThreadCrashError extends Error {
  static {
    keepName(this, "ThreadCrashError");
  }

  /** The stable code of this error: `ERR_PARALLEL_THREAD_CRASH`. */
  readonly code = "ERR_PARALLEL_THREAD_CRASH" as const;
  /** The thread's exit code; absent when unknown. */
  declare readonly exitCode?: number;
  constructor(message: string, options?: ThreadCrashOptions) {
    super(message, causeOf(options));
    if (options?.exitCode !== undefined) {
      Object.defineProperty(this, "exitCode", {
        value: options.exitCode,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    setBrand(this, THREAD_CRASH);
  }
  /** Brand check (works across copies of the package). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isInstance(this, ThreadCrashError, THREAD_CRASH, value);
  }
}
setName(ThreadCrashError, "ThreadCrashError");

/**
 * A function can't run on a thread: it captures outer bindings (listed in
 * `captured`), is bound, native, or a method. Code `ERR_PARALLEL_NOT_PORTABLE`.
 */
export class NotPortableError extends TypeError {
  static {
    keepName(this, "NotPortableError");
  }

  /** The stable code of this error: `ERR_PARALLEL_NOT_PORTABLE`. */
  readonly code = "ERR_PARALLEL_NOT_PORTABLE" as const;
  /** The identifiers the function captures from enclosing scopes. */
  readonly captured: readonly string[];
  constructor(message: string, captured: readonly string[]) {
    super(message);
    this.captured = Object.freeze([...captured]);
    setBrand(this, NOT_PORTABLE);
  }
  /** Brand check (works across copies of the package). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isInstance(this, NotPortableError, NOT_PORTABLE, value);
  }
}
setName(NotPortableError, "NotPortableError");

/** Where and what {@link CloneError} could not clone. */
export interface CloneErrorDetails {
  /** 0-based position of the offending argument; absent for results. */
  argumentIndex?: number;
  /** The offending value's type, e.g. `"function"` or a class name. */
  valueType: string;
  /** Where in the argument the value sits, e.g. `"options.socket"`. */
  path?: string;
  /** The error that made it (such as the platform's `DataCloneError`). */
  cause?: unknown;
}

/**
 * A value can't cross threads by structured clone (a function, a symbol, a
 * user class instance…). Code `ERR_PARALLEL_CLONE`.
 */
export class CloneError extends TypeError {
  static {
    keepName(this, "CloneError");
  }

  /** The stable code of this error: `ERR_PARALLEL_CLONE`. */
  readonly code = "ERR_PARALLEL_CLONE" as const;
  /** 0-based position of the offending argument; absent for results. */
  declare readonly argumentIndex?: number;
  /** The offending value's type. */
  readonly valueType: string;
  /** Where in the argument the value sits. */
  declare readonly path?: string;
  constructor(message: string, details: CloneErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.argumentIndex !== undefined) defineData(this, "argumentIndex", details.argumentIndex);
    this.valueType = details.valueType;
    if (details.path !== undefined) defineData(this, "path", details.path);
    setBrand(this, CLONE);
  }
  /** Brand check (works across copies of the package). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isInstance(this, CloneError, CLONE, value);
  }
}
setName(CloneError, "CloneError");

/**
 * A chain link was used after `link.parallel(fn)(...)` consumed it.
 * Code `ERR_PARALLEL_CHAIN_CONSUMED`.
 */
export class ChainConsumedError extends Error {
  static {
    keepName(this, "ChainConsumedError");
  }

  /** The stable code of this error: `ERR_PARALLEL_CHAIN_CONSUMED`. */
  readonly code = "ERR_PARALLEL_CHAIN_CONSUMED" as const;
  constructor(message = "This chain link was consumed by .parallel(); use the link it returned") {
    super(message);
    setBrand(this, CHAIN_CONSUMED);
  }
  /** Brand check (works across copies of the package). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isInstance(this, ChainConsumedError, CHAIN_CONSUMED, value);
  }
}
setName(ChainConsumedError, "ChainConsumedError");

/**
 * True for fatal failures — `ThreadCrashError` and `CancelledError`, from
 * any copy of the package — the analogue of Python's `BaseException`s.
 */
export function isFatal(error: unknown): boolean {
  return hasBrand(error, THREAD_CRASH) || hasBrand(error, CANCELLED);
}

/**
 * How `results()` reports failures: one error is returned unchanged;
 * several become an `ExceptionGroup` with the fatal ones first, each part
 * keeping the given (chain) order. `errors` must not be empty.
 */
export function groupErrors(errors: readonly unknown[], message: string): unknown {
  if (errors.length === 1) return errors[0];
  const fatal = errors.filter(isFatal);
  const ordinary = errors.filter((e) => !isFatal(e));
  return new ExceptionGroup(message, [...fatal, ...ordinary]);
}

/** A built-in error with a Node-style `code`. */
export type CodedError<E extends Error = Error> = E & { readonly code: string };

/** A `TypeError` carrying `code` (an own enumerable property, like Node's). */
export function typeError(code: string, message: string): CodedError<TypeError> {
  return Object.assign(new TypeError(message), { code });
}

/** A `RangeError` carrying `code` (an own enumerable property, like Node's). */
export function rangeError(code: string, message: string): CodedError<RangeError> {
  return Object.assign(new RangeError(message), { code });
}
