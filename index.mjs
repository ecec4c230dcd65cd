// ESM entry: the same single instance as the CommonJS entry (one runtime per
// isolate). A static import, so that bundlers follow it.
import lib from "./dist/index.js";

export const {
  parallel,
  transfer,
  tasks,
  local,
  ParallelCalls,
  ParallelContexts,
  SuppressedError,
  Future,
  wait,
  asCompleted,
  ParallelExecutor,
  defaultMaxThreads,
  CancelledError,
  ChainConsumedError,
  CloneError,
  ExceptionGroup,
  NotPortableError,
  ThreadCrashError,
  TimeoutError,
} = lib;
