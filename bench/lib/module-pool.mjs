// The hand-written pool of the job rows (systems bare-worker and bare-split):
// `size` workers that import the job's module (workers/bare-module-worker.mjs),
// one postMessage each way, calls round-robin and sent at once.
import { Worker } from "node:worker_threads";

const file = new URL("../workers/bare-module-worker.mjs", import.meta.url);

export function modulePool(module, size) {
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
    new Worker(file, { workerData: { module } }).on("message", onMessage).on("error", onError),
  );
  const send = (worker, message, transfer) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...message }, transfer);
    });
  return {
    size,
    call: (fn, arg, transfer) => send(workers[rr++ % size], { fn, arg }, transfer),
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
