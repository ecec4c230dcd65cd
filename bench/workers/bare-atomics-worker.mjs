// Hand-written SharedArrayBuffer + Atomics ping-pong worker (the practical lower bound).
// Layout is shared with ../systems/bare-atomics.mjs: Int32 [REQ, RESP, FN, STATUS],
// Float64 [ARG, RESULT]. The worker parks in Atomics.wait on REQ, re-checks the
// sequence number after every wake, runs the task, publishes RESP and notifies.
import { workerData } from "node:worker_threads";
import * as tasks from "./tasks.mjs";
import { REQ, RESP, FN, STATUS, ARG, RESULT, FN_NAMES, STOP } from "./bare-atomics-layout.mjs";

const ctrl = new Int32Array(workerData.sab, 0, 4);
const data = new Float64Array(workerData.sab, 16, 2);
const fns = FN_NAMES.map((name) => tasks[name]);
let seen = 0;
const SPIN = workerData.spin;

function finish(seq, value, status) {
  data[RESULT] = value;
  ctrl[STATUS] = status;
  Atomics.store(ctrl, RESP, seq);
  Atomics.notify(ctrl, RESP);
}

function serve() {
  for (;;) {
    let req = Atomics.load(ctrl, REQ);
    for (let i = 0; i < SPIN && req === seen; i++) req = Atomics.load(ctrl, REQ);
    while (req === seen) {
      Atomics.wait(ctrl, REQ, seen);
      req = Atomics.load(ctrl, REQ); // a wake-up may be stale: re-check
    }
    if (req === STOP) return;
    seen = req;
    let r;
    try {
      const a = data[ARG];
      r = fns[ctrl[FN]]((a | 0) === a ? a | 0 : a); // small ints as Smis, as the other systems deliver them
    } catch {
      finish(req, NaN, 1);
      continue;
    }
    if (r && typeof r.then === "function") {
      // async task: answer when it settles, then park again (one call at a time)
      r.then(
        (v) => finish(req, v, 0),
        () => finish(req, NaN, 1),
      ).then(serve);
      return;
    }
    finish(req, r, 0);
  }
}

serve();
