// System "bare-worker": hand-written worker_threads pool, one postMessage each way.
// Calls go round-robin to the threads at once (no queue on the main side), so
// async calls overlap on a thread. Default size: os.availableParallelism().
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { modulePool } from "../lib/module-pool.mjs";

const file = new URL("../workers/bare-worker.mjs", import.meta.url);

export async function setup({ threads } = {}) {
  const size = threads ?? availableParallelism();
  const pending = new Map();
  let nextId = 0;
  let rr = 0;
  const onMessage = ({ id, result, error }) => {
    const p = pending.get(id);
    pending.delete(id);
    if (error !== undefined) p.reject(new Error(error));
    else p.resolve(result);
  };
  const onError = (e) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const workers = Array.from({ length: size }, () => new Worker(file).on("message", onMessage).on("error", onError));
  return {
    call(fn, arg, { transfer } = {}) {
      const id = nextId++;
      const w = workers[rr++ % size];
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, fn, arg }, transfer ? [arg] : undefined);
      });
    },
    teardown: () => Promise.all(workers.map((w) => w.terminate())),
    describe: () => ({ threads: size }),
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
