// The hand-written pools (systems bare-worker and bare-split): `size` workers
// running a worker file, one postMessage each way, calls round-robin and
// sent at once (no queue on the main side, so async calls overlap on a thread).
import { Worker } from "node:worker_threads";

const moduleWorker = new URL("../workers/bare-module-worker.mjs", import.meta.url);

/** `size` workers of `file` (with `workerData`), answering `{ id, result }` or `{ id, error }`. */
export function workerPool(file, size, workerData) {
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
  const workers = Array.from({ length: size }, () =>
    new Worker(file, { workerData }).on("message", onMessage).on("error", onError),
  );
  const send = (worker, message, transfer) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...message }, transfer);
    });
  return {
    size,
    /** `fn(arg)` on the next worker; `transfer`: move `arg` (an ArrayBuffer) instead of copying it. */
    call: (fn, arg, transfer) => send(workers[rr++ % size], { fn, arg }, transfer ? [arg] : undefined),
    /** Each worker runs `fn` over every size-th input in a loop (the floor: no per-input messages). */
    async split(fn, inputs) {
      const parts = await Promise.all(
        workers.map((w, k) => send(w, { fn, split: inputs.filter((_, i) => i % size === k) })),
      );
      return inputs.map((_, i) => parts[i % size][Math.floor(i / size)]);
    },
    teardown: () => Promise.all(workers.map((w) => w.terminate())),
  };
}

/** `size` workers that import the job's `module` (workers/bare-module-worker.mjs). */
export function modulePool(module, size) {
  return workerPool(moduleWorker, size, { module });
}
