// System "piscina": Piscina pool over ../workers/tasks.mjs (tasks picked by `name`).
import Piscina from "piscina";

const filename = new URL("../workers/tasks.mjs", import.meta.url).href;

export async function setup({ threads, tuned } = {}) {
  const options = { filename, idleTimeout: 600_000 };
  if (threads) Object.assign(options, { minThreads: threads, maxThreads: threads });
  // documented knob for async tasks: several tasks in flight per worker
  if (tuned) options.concurrentTasksPerWorker = 64;
  const pool = new Piscina(options);
  return {
    call: (fn, arg, { transfer } = {}) => pool.run(arg, { name: fn, transferList: transfer ? [arg] : undefined }),
    teardown: () => pool.destroy(),
    describe: () => ({ maxThreads: pool.maxThreads, minThreads: pool.minThreads }),
  };
}

/**
 * The job rows (bench/jobs): a pool over the job's module, at Piscina's defaults
 * (`threads` unset) or with min = max = `threads`; maps as the docs show,
 * `Promise.all` of `run` calls.
 */
export async function setupJob({ module, threads }) {
  const pool = new Piscina({ filename: module, ...(threads ? { minThreads: threads, maxThreads: threads } : {}) });
  const run = (fn, arg, transfer) => pool.run(arg, { name: fn, transferList: transfer ? [arg] : undefined });
  return {
    call: (fn, arg, { transfer } = {}) => run(fn, arg, transfer),
    map: (fn, inputs) => Promise.all(inputs.map((input) => run(fn, input))),
    teardown: () => pool.destroy(),
    describe: () => ({ defaults: !threads, threads: threads ?? "default" }),
  };
}
