// System "sequential": runs every task on the main thread (the no-thread reference).
import * as tasks from "../workers/tasks.mjs";

export async function setup() {
  return {
    call: async (fn, arg) => tasks[fn](arg),
    callSync: (fn, arg) => tasks[fn](arg),
    async teardown() {},
  };
}
