// ESM entry for Node: the same single instance as the CommonJS entry (one
// runtime per isolate). Loaded through createRequire: a static `import` of the
// CommonJS bundle makes Node's ESM loader scan it for export names first,
// ~20 ms of every cold start (measured). Bundlers get index.bundler.mjs (the
// package's "module" condition), whose static import they follow.
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
