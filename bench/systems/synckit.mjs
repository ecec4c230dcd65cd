// System "synckit": createSyncFn over ../workers/synckit-worker.mjs (blocking calls only).
import { createSyncFn } from "synckit";

const workerUrl = new URL("../workers/synckit-worker.mjs", import.meta.url);

export async function setup() {
  const syncFn = createSyncFn(workerUrl);
  return {
    callSync: (fn, arg) => syncFn(fn, arg),
    call: async (fn, arg) => syncFn(fn, arg),
    async teardown() {},
  };
}
