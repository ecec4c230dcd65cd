/**
 * `ParallelContexts`: contexts entered concurrently and exited like nested
 * `with` blocks — python-parallel's parallel context managers.
 */

import { ChainConsumedError, groupErrors, TimeoutError, typeError } from "../../errors/errors.js";
import { checkDuration } from "../../futures/options.js";
import { exitInParallel, exitInReverse, exitInReverseSync, type Leaving } from "./exits.js";
import { isContextSource, open, type ContextSource, type EnteredValue, type Opened } from "./sources.js";
import { keepName } from "../../errors/properties.js";

/** Options of the first `parallel(context, options)`. */
export interface ContextOptions {
  /** Milliseconds all enters may take; then `TimeoutError`, and late enters are exited as soon as they finish. */
  timeout?: number;
  /** Exit all contexts at once: each gets the error leaving the block, any may suppress it. */
  parallelExit?: boolean;
}

/** The entered values: the typed tuple, and `AsyncDisposable` to exit them all. */
export type Entered<R extends readonly unknown[]> = R & AsyncDisposable & Partial<Disposable>;

function notAlreadyEntered(): Error {
  return Object.assign(new Error("these contexts were already entered; make a new parallel() chain to enter again"), {
    code: "ERR_PARALLEL_ALREADY_ENTERED",
  });
}

/** Validates context options. */
export function validateContextOptions(
  options: unknown,
): Required<Pick<ContextOptions, "parallelExit">> & ContextOptions {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw typeError("ERR_INVALID_ARG_TYPE", "parallel(context): options must be an object");
  }
  const o = (options ?? {}) as ContextOptions;
  if (o.parallelExit !== undefined && typeof o.parallelExit !== "boolean") {
    throw typeError("ERR_INVALID_ARG_TYPE", "parallel(context): parallelExit must be a boolean");
  }
  return { timeout: checkDuration(o.timeout, "parallel(context): timeout"), parallelExit: o.parallelExit ?? false };
}

/** Checks that `value` can be entered. */
export function checkContextSource(value: unknown, where: string): asserts value is ContextSource {
  if (!isContextSource(value)) {
    throw typeError(
      "ERR_INVALID_ARG_TYPE",
      `${where} expects a function (a call) or a context: an object with enter()/exit(), a generator, a Disposable/AsyncDisposable, or a promise of one`,
    );
  }
}

/**
 * Contexts to enter concurrently, typed as the tuple `R` of their values.
 *
 * ```ts
 * await using ctx = await parallel(openDb(url)).parallel(openCache()).enter();
 * const [db, cache] = ctx;
 * ```
 */
export class ParallelContexts<R extends readonly unknown[]> {
  static {
    keepName(this, "ParallelContexts");
  }

  #sources: readonly ContextSource[] | undefined;
  readonly #options: ContextOptions & { parallelExit: boolean };
  #entered = false;

  /** @internal Made by `parallel(context)`. */
  constructor(sources: readonly ContextSource[], options: ContextOptions & { parallelExit: boolean }) {
    this.#sources = sources;
    this.#options = options;
  }

  #live(what: string): readonly ContextSource[] {
    if (this.#sources === undefined) {
      throw new ChainConsumedError(
        `${what}: this chain was passed on by a call to .parallel(); use the chain that call returned`,
      );
    }
    return this.#sources;
  }

  /** Adds one more context to enter concurrently (consumes this chain). */
  parallel<C extends ContextSource>(context: C): ParallelContexts<[...R, EnteredValue<C>]> {
    const sources = this.#live("parallel()");
    if (this.#entered) throw notAlreadyEntered();
    if (typeof context === "function") {
      throw typeError(
        "ERR_INVALID_ARG_TYPE",
        "parallel(): this chain enters contexts, and a function is always a call: start calls with their own parallel() chain",
      );
    }
    checkContextSource(context, "parallel()");
    this.#sources = undefined;
    return new ParallelContexts<[...R, EnteredValue<C>]>([...sources, context], this.#options);
  }

  /**
   * Enters every context concurrently. If some fail (or the timeout passes),
   * the entered ones are exited in reverse order and the errors are raised
   * (one as itself, several as an `ExceptionGroup`).
   */
  async enter(): Promise<Entered<R>> {
    const sources = this.#live("enter()");
    if (this.#entered) throw notAlreadyEntered();
    this.#entered = true;
    const opened = await enterAll(sources, this.#options.timeout);
    return enteredTuple(opened, this.#options.parallelExit) as unknown as Entered<R>;
  }

  /**
   * Enters the contexts, runs `block` with their values, and exits them with
   * the exact semantics of `with`: the error leaving the block reaches every
   * exit, an exit may suppress it; resolves with the block's result.
   */
  async with<T>(block: (values: R) => T | PromiseLike<T>): Promise<Awaited<T> | undefined> {
    if (typeof block !== "function") throw typeError("ERR_INVALID_ARG_TYPE", "with() expects a function");
    const sources = this.#live("with()");
    if (this.#entered) throw notAlreadyEntered();
    this.#entered = true;
    const opened = await enterAll(sources, this.#options.timeout);
    let leaving: Leaving = { hasError: false, error: undefined };
    let result: Awaited<T> | undefined;
    try {
      result = await block(opened.map((o) => o.value) as unknown as R);
    } catch (error) {
      leaving = { hasError: true, error };
    }
    const left = this.#options.parallelExit
      ? await exitInParallel(opened, leaving)
      : await exitInReverse(opened, leaving);
    if (left.hasError) throw left.error;
    return leaving.hasError ? undefined : result;
  }
}

/** Enters all sources concurrently, with the enter timeout; cleans up on failure. */
async function enterAll(sources: readonly ContextSource[], timeout: number | undefined): Promise<Opened[]> {
  const results: Array<{ ok: true; opened: Opened } | { ok: false; error: unknown } | undefined> = sources.map(
    () => undefined,
  );
  let timedOut = false;
  const attempts = sources.map((source, i) =>
    open(source).then(
      (opened) => {
        if (timedOut) void lateExit(opened);
        else results[i] = { ok: true, opened };
      },
      (error: unknown) => {
        if (!timedOut) results[i] = { ok: false, error };
      },
    ),
  );
  const all = Promise.all(attempts);
  if (timeout === undefined) await all;
  else {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      all,
      new Promise<void>((resolve) => (timer = setTimeout(() => ((timedOut = true), resolve()), timeout))),
    ]);
    clearTimeout(timer);
  }
  const errors = results.flatMap((r) => (r !== undefined && !r.ok ? [r.error] : []));
  if (timedOut) errors.push(new TimeoutError(`entering the contexts took longer than ${timeout} ms`));
  const entered = results.flatMap((r) => (r?.ok ? [r.opened] : []));
  if (errors.length === 0) return entered;
  const error = groupErrors(errors, `${errors.length} contexts failed to enter`);
  const left = await exitInReverse(entered, { hasError: true, error }, false);
  throw left.error;
}

/** Exits a context whose enter finished after the enter timeout (the seed leaks it; we don't). */
async function lateExit(opened: Opened): Promise<void> {
  try {
    await opened.exit(false, undefined);
  } catch (error) {
    process.emitWarning(
      `parallel-threads: exiting a context that entered after the enter timeout failed: ${String(error)}`,
    );
  }
}

/** The tuple of entered values, disposable (once) to exit them. */
function enteredTuple(opened: readonly Opened[], parallelExit: boolean): unknown[] {
  const values = opened.map((o) => o.value);
  let exited = false;
  Object.defineProperty(values, Symbol.asyncDispose, {
    enumerable: false,
    async value() {
      if (exited) return;
      exited = true;
      const none: Leaving = { hasError: false, error: undefined };
      const left = parallelExit ? await exitInParallel(opened, none) : await exitInReverse(opened, none);
      if (left.hasError) throw left.error;
    },
  });
  if (opened.every((o) => o.syncExit !== undefined)) {
    Object.defineProperty(values, Symbol.dispose, {
      enumerable: false,
      value() {
        if (exited) return;
        exited = true;
        const left = exitInReverseSync(opened, { hasError: false, error: undefined });
        if (left.hasError) throw left.error;
      },
    });
  }
  return values;
}
