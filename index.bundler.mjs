// ESM entry for bundlers (the package's "module" condition, which Node does
// not use): a static import of the CommonJS bundle, which they follow. Node
// loads index.mjs instead.
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
