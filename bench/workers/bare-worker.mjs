// Hand-written worker_threads baseline: one postMessage in, one postMessage out.
// Async results are answered when they settle, so sleeping calls overlap.
import { parentPort } from "node:worker_threads";
import * as tasks from "./tasks.mjs";

const reply = (id, result) => parentPort.postMessage({ id, result });
const fail = (id, error) => parentPort.postMessage({ id, error: String(error?.stack ?? error) });

parentPort.on("message", ({ id, fn, arg }) => {
  let r;
  try {
    r = tasks[fn](arg);
  } catch (e) {
    return fail(id, e);
  }
  if (r && typeof r.then === "function")
    r.then(
      (v) => reply(id, v),
      (e) => fail(id, e),
    );
  else reply(id, r);
});
