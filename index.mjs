// ESM entry: the same single instance as the CommonJS entry (one runtime per isolate).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const lib = require("./dist/index.js");

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
