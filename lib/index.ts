/**
 * parallel-threads: call functions in parallel, each call on its own thread,
 * with typed chains, exception groups and parallel contexts.
 */

import { isPoolThread } from "./wire/pool-thread.js";

export { parallel } from "./api/parallel.js";
export { ParallelCalls } from "./api/chain.js";
export type { AnyFunction, FuturesOf, SettledOf, Starter } from "./api/chain.js";
export { transfer } from "./values/transfer.js";
export { tasks } from "./api/tasks.js";
export type { TaskHandle, Tasks } from "./api/tasks.js";
export { local } from "./api/local.js";
export { ParallelContexts } from "./api/contexts/parallel-contexts.js";
export type { ContextOptions, Entered } from "./api/contexts/parallel-contexts.js";
export type { ContextManager, ContextSource, EnteredValue } from "./api/contexts/sources.js";
export { SuppressedError } from "./errors/suppressed-error.js";
export type { CallStartMessage, CallEndMessage } from "./api/diagnostics.js";
export type { Transferable } from "./values/transfer.js";
export { Future } from "./futures/future.js";
export { wait, asCompleted } from "./futures/wait.js";
export type { WaitResult, WaitReturnWhen } from "./futures/wait.js";
export type { FutureState } from "./futures/future.js";
export { ParallelExecutor, defaultMaxThreads } from "./api/executor.js";
export type { ExecutorOptions, ExecutorStats, Percentiles } from "./api/executor.js";
export type { MapOptions } from "./api/map.js";
export type { CallOptions, ResultsOptions, ReturnWhen } from "./futures/options.js";
export type { SettledRecord, CompletedRecord } from "./futures/records.js";
export type { CauseOptions, CloneErrorDetails, ThreadCrashOptions } from "./errors/errors.js";
export type { ErrorClass, ExceptionMatcher } from "./errors/exception-group.js";
export type { TaskRef } from "./api/tasks.js";
export type { SuppressedErrorConstructor } from "./errors/suppressed-error.js";
export {
  CancelledError,
  ChainConsumedError,
  CloneError,
  ExceptionGroup,
  NotPortableError,
  ThreadCrashError,
  TimeoutError,
} from "./errors/errors.js";

// A pool thread runs this entry as its script (see lib/wire/pool-thread.ts).
if (isPoolThread()) require("./runtime/thread.js");
