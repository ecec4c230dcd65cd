// System "parallel-threads-tasks" (optional): the library's `tasks(url)` module handles,
// i.e. the threads import ../workers/tasks.mjs instead of receiving function source.
import * as pt from "parallel-threads";

const handles = pt.tasks(new URL("../workers/tasks.mjs", import.meta.url));

export async function setup({ threads } = {}) {
  const executor = threads ? new pt.ParallelExecutor({ maxThreads: threads, idleTimeout: 600_000 }) : undefined;
  const parallel = executor ? (fn) => executor.parallel(fn) : pt.parallel;
  return {
    async call(fn, arg, { transfer } = {}) {
      const [r] = await parallel(handles[fn])(transfer ? pt.transfer(arg) : arg).results();
      return r;
    },
    callSync(fn, arg) {
      return parallel(handles[fn])(arg).resultsSync()[0];
    },
    async teardown() {
      const close = executor?.close ?? executor?.shutdown ?? executor?.[Symbol.asyncDispose];
      if (typeof close === "function") await close.call(executor);
    },
    describe: () => ({ maxThreads: threads ?? "default" }),
  };
}
