// System "poolifier": FixedThreadPool over ../workers/poolifier-worker.mjs.
// Defaults: availableParallelism() threads, no task queue (async tasks overlap).
import { FixedThreadPool, availableParallelism } from "poolifier";
import { fileURLToPath } from "node:url";

const file = fileURLToPath(new URL("../workers/poolifier-worker.mjs", import.meta.url));

export async function setup({ threads } = {}) {
  const size = threads ?? availableParallelism();
  const pool = new FixedThreadPool(size, file, { errorHandler: (e) => console.error(e) });
  return {
    call: (fn, arg, { transfer } = {}) => pool.execute(arg, fn, undefined, transfer ? [arg] : undefined),
    teardown: () => pool.destroy(),
    describe: () => ({ threads: size }),
  };
}
