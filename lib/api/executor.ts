/**
 * `ParallelExecutor`: a pool of threads with its own options, its own
 * `parallel`, and dynamic calls that return futures.
 */

import { captureCallSite, setCallSiteStacks } from "../runtime/call-sites.js";
import type { WorkerOptions } from "node:worker_threads";

import { binding } from "../wire/binding.js";
import { callTarget, parallelOn, threadCallStarter, type CallStarter, type ParallelCalls } from "./chain.js";
import type { AnyFunction } from "./types.js";
import { rangeError, typeError } from "../errors/errors.js";
import type { Future } from "../futures/future.js";
import { checkDuration, type CallOptions } from "../futures/options.js";
import { encodeSpawnOptions } from "../runtime/spawner.js";
import { localTarget } from "./local.js";
import { mapOn, type MapOptions } from "./map.js";
import { checkCallable, registerFunction } from "./start-call.js";
import { keepName } from "../errors/properties.js";

/** Options of an executor. */
export interface ExecutorOptions {
  /** Threads at most; calls past it wait for a thread. Default: `defaultMaxThreads()`. */
  maxThreads?: number;
  /** Milliseconds an idle thread is kept warm before it is retired. Default 10 000. */
  idleTimeout?: number;
  /** Heap limits of each thread (Worker `resourceLimits`). */
  resourceLimits?: WorkerOptions["resourceLimits"];
  /**
   * Node options of each thread (Worker `execArgv`), used as given; default:
   * the process's, without tsx's loader (loaded only for a TypeScript task).
   */
  execArgv?: string[];
  /** Environment of each thread (Worker `env`). */
  env?: Record<string, string | undefined>;
  /**
   * How many nice steps (0–19) a thread lowers its priority by when it takes
   * a call while more threads are running calls than there are cores (it
   * then gives way to the program's event loop; threads that fit the cores
   * keep the program's priority). Default 10; 0 never lowers. Once lowered,
   * a thread stays so. Linux takes the steps as they are; macOS runs lowered
   * threads at the `utility` QoS class, Windows at `BELOW_NORMAL` (`LOWEST`
   * from 10).
   */
  niceIncrement?: number;
  /**
   * Which frames of the program errors from threads carry after the
   * thread's own. `true` (default): those of the code that waits for the
   * failed call (`await …results()`, `resultsSync()`, `await future`…),
   * taken only when a call fails, so free for calls that succeed.
   * `"capture-at-call"`: those of the `parallel()` call itself, captured when
   * each chain starts (~3.5 µs a chain, paid by every call). `false`: none.
   */
  callSiteStacks?: boolean | "capture-at-call";
}

/**
 * The default `maxThreads`: 16, or twice the cores where that is more. A
 * thread costs ≈ 8.5 MiB and 30–50 ms to start (measured on 2 cores), so 16
 * idle-warm threads cost ≈ 140 MiB at most; CPU-bound calls gain nothing past
 * the core count, while calls that block (Atomics.wait, sync I/O) need
 * threads of their own — python-parallel's tests start 8 such calls at once.
 */
export function defaultMaxThreads(): number {
  return DEFAULTS.maxThreads;
}

/** The defaults of an executor's options, as the core defines them. */
const DEFAULTS = binding.executorDefaults();

function validate(options: unknown): Required<Pick<ExecutorOptions, "maxThreads" | "idleTimeout">> & ExecutorOptions {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw typeError("ERR_INVALID_ARG_TYPE", "ParallelExecutor: options must be an object");
  }
  const o = (options ?? {}) as ExecutorOptions;
  const maxThreads = o.maxThreads ?? defaultMaxThreads();
  if (typeof maxThreads !== "number")
    throw typeError("ERR_INVALID_ARG_TYPE", "ParallelExecutor: maxThreads must be a number");
  if (!Number.isInteger(maxThreads) || maxThreads < 1 || maxThreads > 4096) {
    throw rangeError(
      "ERR_OUT_OF_RANGE",
      `ParallelExecutor: maxThreads must be an integer from 1 to 4096, got ${maxThreads}`,
    );
  }
  // Infinity: idle threads are never retired.
  const idleTimeout =
    o.idleTimeout === Infinity
      ? Infinity
      : (checkDuration(o.idleTimeout, "ParallelExecutor: idleTimeout") ?? DEFAULTS.idleTimeoutMs);
  if (o.execArgv !== undefined && (!Array.isArray(o.execArgv) || o.execArgv.some((a) => typeof a !== "string"))) {
    throw typeError("ERR_INVALID_ARG_TYPE", "ParallelExecutor: execArgv must be an array of strings");
  }
  if (o.env !== undefined && (typeof o.env !== "object" || o.env === null)) {
    throw typeError("ERR_INVALID_ARG_TYPE", "ParallelExecutor: env must be an object");
  }
  if (o.resourceLimits !== undefined) checkResourceLimits(o.resourceLimits);
  if (o.niceIncrement !== undefined) {
    if (typeof o.niceIncrement !== "number")
      throw typeError("ERR_INVALID_ARG_TYPE", "ParallelExecutor: niceIncrement must be a number");
    if (!Number.isInteger(o.niceIncrement) || o.niceIncrement < 0 || o.niceIncrement > 19)
      throw rangeError(
        "ERR_OUT_OF_RANGE",
        `ParallelExecutor: niceIncrement must be an integer from 0 to 19, got ${o.niceIncrement}`,
      );
  }
  if (
    o.callSiteStacks !== undefined &&
    typeof o.callSiteStacks !== "boolean" &&
    o.callSiteStacks !== "capture-at-call"
  ) {
    throw typeError("ERR_INVALID_ARG_TYPE", 'ParallelExecutor: callSiteStacks must be a boolean or "capture-at-call"');
  }
  return { ...o, maxThreads, idleTimeout };
}

const RESOURCE_LIMITS = [
  "maxOldGenerationSizeMb",
  "maxYoungGenerationSizeMb",
  "codeRangeSizeMb",
  "stackSizeMb",
] as const;

function checkResourceLimits(limits: unknown): void {
  if (typeof limits !== "object" || limits === null) {
    throw typeError("ERR_INVALID_ARG_TYPE", "ParallelExecutor: resourceLimits must be an object");
  }
  for (const key of RESOURCE_LIMITS) {
    const value = (limits as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== "number")
      throw typeError("ERR_INVALID_ARG_TYPE", `ParallelExecutor: resourceLimits.${key} must be a number`);
    if (!(value > 0) || !Number.isFinite(value)) {
      throw rangeError(
        "ERR_OUT_OF_RANGE",
        `ParallelExecutor: resourceLimits.${key} must be a positive number of MB, got ${value}`,
      );
    }
  }
}

function spawnOptions(o: ExecutorOptions & { idleTimeout: number }): Buffer {
  return encodeSpawnOptions({
    idleTimeout: o.idleTimeout,
    resourceLimits: o.resourceLimits,
    execArgv: o.execArgv,
    env: o.env,
    niceIncrement: o.niceIncrement,
  });
}

/** Percentiles of recent durations, in microseconds (nearest rank over the last 1024 calls). */
export interface Percentiles {
  /** The median. */
  p50: number;
  /** The 90th percentile. */
  p90: number;
  /** The 99th percentile. */
  p99: number;
  /** The largest. */
  max: number;
  /** How many recent calls they come from. */
  count: number;
}

/** Figures of an executor's threads and calls. */
export interface ExecutorStats {
  /** Threads alive (including those starting). */
  threads: number;
  /** Threads with no call. */
  idle: number;
  /** Threads running or awaiting calls. */
  busy: number;
  /** Threads being started. */
  starting: number;
  /** Calls waiting for a thread (past maxThreads). */
  queued: number;
  /** Calls started since the executor was made. */
  started: number;
  /** Calls that returned a value. */
  fulfilled: number;
  /** Calls that failed (threw, timed out, were cancelled or crashed). */
  failed: number;
  /** Queue wait of recent calls (submit → a thread takes the call), µs. */
  queueWait: Percentiles;
  /** Run time of recent calls (a thread took the call → it settled), µs. */
  runTime: Percentiles;
}

/**
 * A pool of threads. `ParallelExecutor.executeOne` and friends use the
 * process-wide default executor; `new ParallelExecutor(options)` makes a
 * separate one.
 */
export class ParallelExecutor implements AsyncDisposable {
  static {
    keepName(this, "ParallelExecutor");
  }

  readonly #id: number;
  readonly #start: CallStarter;
  /** `maxThreads` of a separate executor (the default one's can change: `configureDefault`). */
  readonly #maxThreads: number | undefined;
  #closed = false;

  /** Makes an executor with its own threads and options; its first thread starts booting at once. */
  constructor(options?: ExecutorOptions) {
    if ((options as unknown) === THE_DEFAULT) {
      this.#id = DEFAULT_EXECUTOR_ID;
      this.#maxThreads = undefined;
    } else {
      const o = validate(options);
      this.#maxThreads = o.maxThreads;
      this.#id = binding.createExecutor(o.maxThreads, o.idleTimeout, spawnOptions(o));
      setCallSiteStacks(this.#id, o.callSiteStacks ?? true);
    }
    // Also starts the executor's first thread booting.
    this.#start = threadCallStarter(this.#id);
  }

  /** Runs `fn(...args)` on a thread of the default executor; returns its future. */
  static executeOne<F extends AnyFunction>(fn: F, ...args: Parameters<F>): Future<Awaited<ReturnType<F>>> {
    return defaultExecutor().#executeAt(captureCallSite(DEFAULT_EXECUTOR_ID, ParallelExecutor.executeOne), fn, args);
  }

  /** Runs each thunk on a thread of its own (default executor); returns their futures in order. */
  static execute(...thunks: Array<() => unknown>): Future<unknown>[] {
    return defaultExecutor().#executeAllAt(captureCallSite(DEFAULT_EXECUTOR_ID, ParallelExecutor.execute), thunks);
  }

  /**
   * `map` on the default executor: `fn(input)` for each input, results in
   * input order (see the instance method).
   */
  static map<I, R>(
    fn: (input: I) => R,
    inputs: Iterable<I> | AsyncIterable<I>,
    options?: MapOptions,
  ): Promise<Awaited<R>[]> {
    return defaultExecutor().#mapAt(captureCallSite(DEFAULT_EXECUTOR_ID, ParallelExecutor.map), fn, inputs, options);
  }

  /** Figures of the default executor's threads and calls (see `stats()`). */
  static stats(): ExecutorStats {
    return defaultExecutor().stats();
  }

  /** Changes the default executor's options (e.g. `maxThreads`) for the whole process. */
  static configureDefault(options: ExecutorOptions): void {
    const o = validate(options);
    defaultConfiguredMaxThreads = o.maxThreads;
    binding.configureExecutor(DEFAULT_EXECUTOR_ID, o.maxThreads, o.idleTimeout, spawnOptions(o));
    setCallSiteStacks(DEFAULT_EXECUTOR_ID, o.callSiteStacks ?? true);
  }

  /** `parallel(fn)` on this executor's threads. */
  parallel<F extends AnyFunction>(
    fn: F,
    options?: CallOptions,
  ): (...args: Parameters<F>) => ParallelCalls<[Awaited<ReturnType<F>>]> {
    this.#checkOpen();
    return parallelOn(this.#start, fn, options);
  }

  /**
   * Runs `fn(input)` for each input, one call per input, at most
   * `concurrency` (default `maxThreads`) at once; resolves with the results
   * in input order. Inputs may be any iterable or async iterable, read as
   * calls free up. After a failure no more calls start; the map rejects as a
   * chain does (one error as itself, several as an `ExceptionGroup`).
   *
   * ```ts
   * const digests = await executor.map((text: string) => require("node:crypto").hash("sha256", text), texts);
   * ```
   */
  map<I, R>(fn: (input: I) => R, inputs: Iterable<I> | AsyncIterable<I>, options?: MapOptions): Promise<Awaited<R>[]> {
    return this.#mapAt(captureCallSite(this.#id, this.map), fn, inputs, options);
  }

  #mapAt<I, R>(
    site: object,
    fn: (input: I) => R,
    inputs: Iterable<I> | AsyncIterable<I>,
    options: MapOptions | undefined,
  ): Promise<Awaited<R>[]> {
    try {
      this.#checkOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    return mapOn(this.#start, this.#maxThreads ?? defaultConfiguredMaxThreads, fn, inputs, options, site);
  }

  /** Runs `fn(...args)` on a thread of this executor; returns its future. */
  executeOne<F extends AnyFunction>(fn: F, ...args: Parameters<F>): Future<Awaited<ReturnType<F>>> {
    return this.#executeAt(captureCallSite(this.#id, this.executeOne), fn, args);
  }

  /** Runs each thunk on a thread of its own; returns their futures in order. */
  execute(...thunks: Array<() => unknown>): Future<unknown>[] {
    return this.#executeAllAt(captureCallSite(this.#id, this.execute), thunks);
  }

  /** `executeOne` with the caller's site already captured. */
  #executeAt<F extends AnyFunction>(site: object, fn: F, args: Parameters<F>): Future<Awaited<ReturnType<F>>> {
    this.#checkOpen();
    checkCallable(fn, "executeOne()");
    return this.#start(callTarget(fn), args, undefined, site).future as Future<Awaited<ReturnType<F>>>;
  }

  /** `execute` with the caller's site already captured. */
  #executeAllAt(site: object, thunks: Array<() => unknown>): Future<unknown>[] {
    this.#checkOpen();
    // Check every thunk before starting any: all start, or none.
    const targets = thunks.map((t, i) => {
      checkCallable(t, `execute() argument ${i}`);
      return callTarget(t);
    });
    return targets.map((target) => this.#start(target, [], undefined, site).future);
  }

  /** Figures of this executor's threads and calls. */
  stats(): ExecutorStats {
    const raw = binding.executorStats(this.#id);
    if (raw === null) throw new Error("the executor is gone");
    return { ...raw, queueWait: { ...raw.queueWait }, runTime: { ...raw.runTime } };
  }

  /** Stops taking calls; idle threads end now, busy ones when their calls are done. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    binding.closeExecutor(this.#id);
  }

  /** `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw Object.assign(new Error("this ParallelExecutor is closed and takes no new calls"), {
        code: "ERR_PARALLEL_EXECUTOR_CLOSED",
      });
    }
  }
}

/** The default executor's `maxThreads` as last configured. */
let defaultConfiguredMaxThreads = DEFAULTS.maxThreads;

/** The core's id of the default executor (it exists from the core's start). */
const DEFAULT_EXECUTOR_ID = 0;
/** Passed to the constructor (module-private) to wrap the core's default executor. */
const THE_DEFAULT = Symbol("the default executor");
let defaultInstance: ParallelExecutor | undefined;

/** The process-wide executor that `parallel()` and the static methods use; made on first use. */
export function defaultExecutor(): ParallelExecutor {
  return (defaultInstance ??= new ParallelExecutor(THE_DEFAULT as unknown as ExecutorOptions));
}
