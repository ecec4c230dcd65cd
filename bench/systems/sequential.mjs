// System "sequential": runs every task on the main thread (the no-thread reference).
import * as tasks from "../workers/tasks.mjs";

export async function setup() {
  return {
    call: async (fn, arg) => tasks[fn](arg),
    callSync: (fn, arg) => tasks[fn](arg),
    async teardown() {},
  };
}

/** The job rows (bench/jobs): the job's module on the main thread. */
export async function setupJob({ module }) {
  const tasks = await import(module);
  return {
    call: async (fn, arg) => tasks[fn](arg),
    map: async (fn, inputs) => inputs.map((input) => tasks[fn](input)),
    async teardown() {},
  };
}

/** `map-tiny` sends this system the full million inputs (the pools get 100,000). */
export const MAP_TINY_FULL = true;
