/**
 * Context sources — what `parallel()` can enter — and how each is entered and
 * exited: context managers, generators that yield once, disposables, and
 * promises of disposables.
 */

import { typeError } from "../../errors/errors.js";

/** An object entered and later exited, like Python's context manager. */
export interface ContextManager<T> {
  /** Enters the context; its value is what the block gets. */
  enter(): T | Promise<T>;
  /** Exits the context; `error` is the error leaving the block, if any. Returning `true` suppresses it. */
  exit(error?: unknown): boolean | void | Promise<boolean | void>;
}

/** Everything `parallel()` can enter. */
export type ContextSource =
  | ContextManager<unknown>
  | Generator<unknown, unknown, unknown>
  | AsyncGenerator<unknown, unknown, unknown>
  | Disposable
  | AsyncDisposable
  | PromiseLike<Disposable | AsyncDisposable>;

/** The value a context source gives when entered. */
export type EnteredValue<C> =
  C extends ContextManager<infer T>
    ? Awaited<T>
    : C extends AsyncGenerator<infer T, unknown, unknown>
      ? T
      : C extends Generator<infer T, unknown, unknown>
        ? T
        : C extends PromiseLike<infer D>
          ? D
          : C extends Disposable | AsyncDisposable
            ? C
            : never;

/** An entered context: its value, and how to exit it. */
export interface Opened {
  readonly value: unknown;
  /** Exits; resolves true when it suppresses the error (only with `hasError`). */
  exit(hasError: boolean, error: unknown): Promise<boolean>;
  /** Whether `exit` can run synchronously (for `Symbol.dispose`). */
  readonly syncExit: ((hasError: boolean, error: unknown) => boolean) | undefined;
}

function isObject(value: unknown): value is Record<PropertyKey, unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null;
}

function isGenerator(value: Record<PropertyKey, unknown>): boolean {
  return typeof value.next === "function" && typeof value.throw === "function" && typeof value.return === "function";
}

/** Whether `value` is something `parallel()` can enter (functions never are: they are calls). */
export function isContextSource(value: unknown): value is ContextSource {
  if (!isObject(value) || typeof value === "function") return false;
  return (
    typeof value.then === "function" ||
    (typeof value.enter === "function" && typeof value.exit === "function") ||
    isGenerator(value) ||
    typeof value[Symbol.asyncDispose] === "function" ||
    typeof value[Symbol.dispose] === "function"
  );
}

/** The error a generator context gives when it does not yield exactly once. */
function badGenerator(what: string): Error {
  return Object.assign(new Error(`a generator context must yield exactly once: it ${what}`), {
    code: "ERR_PARALLEL_BAD_GENERATOR",
  });
}

/** Exits a generator context: resume it (or throw into it); true when it swallowed the error. */
function generatorExit(gen: Generator<unknown, unknown, unknown>, hasError: boolean, error: unknown): boolean {
  if (!hasError) {
    if (!gen.next().done) throw badGenerator("yielded again on exit");
    return false;
  }
  let step: IteratorResult<unknown>;
  try {
    step = gen.throw(error);
  } catch (thrown) {
    if (thrown === error) return false;
    throw thrown;
  }
  if (!step.done) throw badGenerator("yielded again after the error was thrown into it");
  return true;
}

async function asyncGeneratorExit(
  gen: AsyncGenerator<unknown, unknown, unknown>,
  hasError: boolean,
  error: unknown,
): Promise<boolean> {
  if (!hasError) {
    if (!(await gen.next()).done) throw badGenerator("yielded again on exit");
    return false;
  }
  let step: IteratorResult<unknown>;
  try {
    step = await gen.throw(error);
  } catch (thrown) {
    if (thrown === error) return false;
    throw thrown;
  }
  if (!step.done) throw badGenerator("yielded again after the error was thrown into it");
  return true;
}

function disposableOpened(resource: Record<PropertyKey, unknown>): Opened {
  const asyncDispose = resource[Symbol.asyncDispose] as (() => unknown) | undefined;
  const dispose = resource[Symbol.dispose] as (() => unknown) | undefined;
  if (typeof asyncDispose !== "function" && typeof dispose !== "function") {
    throw typeError("ERR_INVALID_ARG_TYPE", "a promise context must resolve to a Disposable or AsyncDisposable object");
  }
  const syncExit =
    typeof asyncDispose === "function"
      ? undefined
      : (): boolean => {
          dispose!.call(resource);
          return false;
        };
  return {
    value: resource,
    syncExit,
    async exit() {
      if (typeof asyncDispose === "function") await asyncDispose.call(resource);
      else dispose!.call(resource);
      return false;
    },
  };
}

/** Enters one source; resolves with its value and its exit. */
export async function open(source: ContextSource): Promise<Opened> {
  const s = source as unknown as Record<PropertyKey, unknown>;
  if (typeof s.then === "function") {
    const resource = await (source as PromiseLike<unknown>);
    if (!isObject(resource))
      throw typeError(
        "ERR_INVALID_ARG_TYPE",
        "a promise context must resolve to a Disposable or AsyncDisposable object",
      );
    return disposableOpened(resource);
  }
  if (typeof s.enter === "function" && typeof s.exit === "function") {
    const manager = source as ContextManager<unknown>;
    const value = await manager.enter();
    const exitSync = (hasError: boolean, error: unknown): boolean => {
      const result = hasError ? manager.exit(error) : manager.exit();
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === "function") {
        // Too late to wait for it: report its failure rather than crash on an unhandled rejection.
        Promise.resolve(result).catch((late: unknown) =>
          process.emitWarning(
            `parallel-threads: an asynchronous exit() called through Symbol.dispose failed: ${String(late)}`,
          ),
        );
        throw typeError(
          "ERR_PARALLEL_ASYNC_EXIT",
          "this context's exit() is asynchronous: use await using / Symbol.asyncDispose",
        );
      }
      return hasError && result === true;
    };
    return {
      value,
      syncExit: exitSync,
      async exit(hasError, error) {
        const result = await (hasError ? manager.exit(error) : manager.exit());
        return hasError && result === true;
      },
    };
  }
  if (isGenerator(s)) {
    const isAsync = typeof s[Symbol.asyncIterator] === "function";
    if (isAsync) {
      const gen = source as AsyncGenerator<unknown, unknown, unknown>;
      const first = await gen.next();
      if (first.done) throw badGenerator("returned without yielding");
      return {
        value: first.value,
        syncExit: undefined,
        exit: (hasError, error) => asyncGeneratorExit(gen, hasError, error),
      };
    }
    const gen = source as Generator<unknown, unknown, unknown>;
    const first = gen.next();
    if (first.done) throw badGenerator("returned without yielding");
    const syncExit = (hasError: boolean, error: unknown): boolean => generatorExit(gen, hasError, error);
    return { value: first.value, syncExit, exit: async (hasError, error) => syncExit(hasError, error) };
  }
  return disposableOpened(s);
}
