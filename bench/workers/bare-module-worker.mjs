// Hand-written worker_threads baseline for the job rows: imports the job's
// module (workerData.module) and answers { id, fn, arg } with one
// postMessage; { split: inputs, fn } runs fn over all of them in a loop.
import { parentPort, workerData } from "node:worker_threads";

const tasks = await import(workerData.module);

parentPort.on("message", async ({ id, fn, arg, split }) => {
  try {
    if (split !== undefined) return parentPort.postMessage({ id, result: split.map((input) => tasks[fn](input)) });
    parentPort.postMessage({ id, result: await tasks[fn](arg) });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e?.stack ?? e) });
  }
});
