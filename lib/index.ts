/**
 * parallel-threads: call functions in parallel, each call on its own thread,
 * with typed chains, exception groups and parallel contexts.
 */

import { isPoolThread } from "./pool-thread.js";

export { parallel } from "./parallel.js";
export { ParallelCalls } from "./chain.js";
export type { AnyFunction, FuturesOf, SettledOf, Starter } from "./chain.js";
export { transfer } from "./transfer.js";
export { tasks } from "./tasks.js";
export type { TaskHandle, Tasks } from "./tasks.js";
export { local } from "./local.js";
export { ParallelContexts } from "./contexts/parallel-contexts.js";
export type { ContextOptions, Entered } from "./contexts/parallel-contexts.js";
export type { ContextManager, ContextSource, EnteredValue } from "./contexts/sources.js";
export { SuppressedError } from "./suppressed-error.js";
export type { CallStartMessage, CallEndMessage } from "./diagnostics.js";
export type { Transferable } from "./transfer.js";
export { Future } from "./future.js";
export { wait, asCompleted } from "./wait.js";
export type { WaitResult, WaitReturnWhen } from "./wait.js";
export type { FutureState } from "./future.js";
export { ParallelExecutor, defaultMaxThreads } from "./executor.js";
export type { ExecutorOptions, ExecutorStats } from "./executor.js";
export type { Percentiles } from "./binding.js";
export type { CallOptions, ResultsOptions, ReturnWhen } from "./options.js";
export type { SettledRecord, CompletedRecord } from "./records.js";
export type { CauseOptions, CloneErrorDetails, ThreadCrashOptions } from "./errors.js";
export type { ErrorClass, ExceptionMatcher } from "./exception-group.js";
export type { TaskRef } from "./tasks.js";
export type { SuppressedErrorConstructor } from "./suppressed-error.js";
export {
  CancelledError,
  ChainConsumedError,
  CloneError,
  ExceptionGroup,
  NotPortableError,
  ThreadCrashError,
  TimeoutError,
} from "./errors.js";

// A pool thread runs this entry as its script (see lib/pool-thread.ts).
if (isPoolThread()) require("./worker.js");
