// System "parallel-threads": the library under test, through its public API (SPEC §2, §5).
// With a thread count it uses its own ParallelExecutor({ maxThreads }); without
// one (fan-out defaults) it uses the shared default executor's `parallel`.
// `tuned` (fan-out): one thread per call, maxThreads 64 — one call, one thread
// (README "Threads") bounds a fan-out by maxThreads, and raising it is the
// documented option.
import * as pt from "parallel-threads";
import * as tasks from "../workers/tasks.mjs";

/**
 * The system's setup: errors carrying their call site's frames or not (README
 * "Performance"), calling `functions` (the task functions' source, or `tasks()`
 * handles).
 */
const TUNED_MAX_THREADS = 64;

export function setupWith({ callSiteStacks, functions = tasks, library = pt }) {
  const pt = library;
  return async function setup({ threads, tuned } = {}) {
    if (tuned) threads = TUNED_MAX_THREADS;
    const executor =
      threads || !callSiteStacks
        ? new pt.ParallelExecutor({ maxThreads: threads, idleTimeout: 600_000, callSiteStacks })
        : undefined;
    const parallel = executor ? (fn) => executor.parallel(fn) : pt.parallel;
    return {
      async call(fn, arg, { transfer } = {}) {
        const [r] = await parallel(functions[fn])(transfer ? pt.transfer(arg) : arg).results();
        return r;
      },
      callFuture(fn, arg) {
        return executor ? executor.executeOne(functions[fn], arg) : pt.ParallelExecutor.executeOne(functions[fn], arg);
      },
      map(fn, inputs) {
        return executor ? executor.map(functions[fn], inputs) : pt.ParallelExecutor.map(functions[fn], inputs);
      },
      callSync(fn, arg) {
        return parallel(functions[fn])(arg).resultsSync()[0];
      },
      async teardown() {
        // SPEC names no shutdown method; use whichever the executor offers.
        const close = executor?.close ?? executor?.shutdown ?? executor?.[Symbol.asyncDispose];
        if (typeof close === "function") await close.call(executor);
      },
      describe: () => ({ maxThreads: threads ?? "default", callSiteStacks }),
    };
  };
}

export const setup = setupWith({ callSiteStacks: true });

/**
 * The job rows (bench/jobs): the job's module as `tasks()` handles on the
 * default executor, at its defaults — `ParallelExecutor.map(handle, inputs)`
 * and the handle's own call, as a user writes them.
 */
export const setupJob = setupJobWith(pt);

/** `setupJob` on `library` (the installed parallel-threads, or another checkout's). */
export function setupJobWith(library) {
  return async function setupJob({ module }) {
    const handles = library.tasks(module);
    return {
      call: (fn, arg, { transfer } = {}) => handles[fn](transfer ? library.transfer(arg) : arg),
      map: (fn, inputs) => library.ParallelExecutor.map(handles[fn], inputs),
      async teardown() {},
      describe: () => ({ defaults: true }),
    };
  };
}

/** `map-tiny` sends this system the full million inputs (the pools get 100,000). */
export const MAP_TINY_FULL = true;
