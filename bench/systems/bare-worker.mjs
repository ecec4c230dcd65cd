// System "bare-worker": hand-written worker_threads pool, one postMessage each way.
// Calls go round-robin to the threads at once (no queue on the main side), so
// async calls overlap on a thread. Default size: os.availableParallelism().
import { availableParallelism } from "node:os";
import { modulePool, workerPool } from "../lib/module-pool.mjs";

const file = new URL("../workers/bare-worker.mjs", import.meta.url);

export async function setup({ threads } = {}) {
  const pool = workerPool(file, threads ?? availableParallelism());
  return {
    call: (fn, arg, { transfer } = {}) => pool.call(fn, arg, transfer),
    teardown: pool.teardown,
    describe: () => ({ threads: pool.size }),
  };
}

/** The job rows (bench/jobs): a bare pool of `os.availableParallelism()` workers importing the job's module. */
export async function setupJob({ module, threads }) {
  const pool = modulePool(module, threads ?? availableParallelism());
  return {
    call: (fn, arg, { transfer } = {}) => pool.call(fn, arg, transfer),
    map: (fn, inputs) => Promise.all(inputs.map((input) => pool.call(fn, input))),
    teardown: pool.teardown,
    describe: () => ({ threads: pool.size }),
  };
}
