// System "tinypool": Tinypool over ../workers/tasks.mjs (tasks picked by `name`).
import Tinypool from "tinypool";

import { jobPoolOf } from "../lib/job-pool.mjs";

const filename = new URL("../workers/tasks.mjs", import.meta.url).href;

export async function setup({ threads, tuned } = {}) {
  const options = { filename, idleTimeout: 600_000 };
  if (threads) Object.assign(options, { minThreads: threads, maxThreads: threads });
  // documented knob for async tasks: several tasks in flight per worker
  if (tuned) options.concurrentTasksPerWorker = 64;
  const pool = new Tinypool(options);
  return {
    call: (fn, arg, { transfer } = {}) => pool.run(arg, { name: fn, transferList: transfer ? [arg] : undefined }),
    teardown: () => pool.destroy(),
    describe: () => ({ maxThreads: pool.options.maxThreads, minThreads: pool.options.minThreads }),
  };
}

/** The job rows (bench/jobs): see lib/job-pool.mjs. */
export const setupJob = jobPoolOf(Tinypool);
