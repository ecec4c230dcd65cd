// System "bare-atomics": hand-written SharedArrayBuffer + Atomics ping-pong.
// One request slot per thread (see ../workers/bare-atomics-layout.mjs); extra
// calls wait in a main-side FIFO. Async callers wait with Atomics.waitAsync,
// resultsSync-style callers with Atomics.wait; both re-check the sequence
// number after every wake. Numbers only: no payload scenarios.
// BENCH_SPIN=N: both sides poll N times before parking (default 0, no spin).
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { REQ, RESP, FN, STATUS, ARG, RESULT, STOP, SAB_BYTES, FN_NAMES } from "../workers/bare-atomics-layout.mjs";

const file = new URL("../workers/bare-atomics-worker.mjs", import.meta.url);
const FN_INDEX = Object.fromEntries(FN_NAMES.map((n, i) => [n, i]));

const SPIN = Number(process.env.BENCH_SPIN ?? 0);

function makeSlot() {
  const sab = new SharedArrayBuffer(SAB_BYTES);
  const worker = new Worker(file, { workerData: { sab, spin: SPIN } });
  return { worker, ctrl: new Int32Array(sab, 0, 4), data: new Float64Array(sab, 16, 2), seq: 0, busy: false };
}

function send(slot, fnIndex, arg) {
  slot.busy = true;
  slot.data[ARG] = arg;
  slot.ctrl[FN] = fnIndex;
  const seq = ++slot.seq;
  Atomics.store(slot.ctrl, REQ, seq);
  Atomics.notify(slot.ctrl, REQ, 1);
  return seq;
}

function take(slot) {
  const value = slot.data[RESULT];
  const failed = slot.ctrl[STATUS] !== 0;
  slot.busy = false;
  return { value, failed };
}

export async function setup({ threads } = {}) {
  const slots = Array.from({ length: threads ?? availableParallelism() }, makeSlot);
  const queue = [];
  let head = 0;
  let crashed = null;
  for (const s of slots) s.worker.on("error", (e) => (crashed = e));

  function waitAsync(slot, seq, job) {
    for (;;) {
      let cur = Atomics.load(slot.ctrl, RESP);
      for (let i = 0; i < SPIN && cur !== seq; i++) cur = Atomics.load(slot.ctrl, RESP);
      if (cur === seq) return complete(slot, job);
      if (crashed) return job.reject(crashed);
      const w = Atomics.waitAsync(slot.ctrl, RESP, cur);
      if (w.async) return void w.value.then(() => waitAsync(slot, seq, job));
      // "not-equal": RESP moved in between: loop and re-check
    }
  }

  function complete(slot, job) {
    const { value, failed } = take(slot);
    if (head < queue.length) {
      const next = queue[head];
      queue[head++] = undefined;
      if (head === queue.length) queue.length = head = 0;
      waitAsync(slot, send(slot, next.fnIndex, next.arg), next);
    }
    if (failed) job.reject(new Error("task threw"));
    else job.resolve(value);
  }

  return {
    call(fn, arg) {
      return new Promise((resolve, reject) => {
        const job = { fnIndex: FN_INDEX[fn], arg, resolve, reject };
        const slot = slots.find((s) => !s.busy);
        if (slot) waitAsync(slot, send(slot, job.fnIndex, arg), job);
        else queue.push(job);
      });
    },
    callSync(fn, arg) {
      const slot = slots.find((s) => !s.busy);
      if (!slot) throw new Error("bare-atomics: callSync while every slot is busy");
      const seq = send(slot, FN_INDEX[fn], arg);
      for (let i = 0; i < SPIN && Atomics.load(slot.ctrl, RESP) !== seq; i++);
      for (;;) {
        const cur = Atomics.load(slot.ctrl, RESP);
        if (cur === seq) break;
        Atomics.wait(slot.ctrl, RESP, cur); // then re-check: the wake may be stale
      }
      const { value, failed } = take(slot);
      if (failed) throw new Error("task threw");
      return value;
    },
    async teardown() {
      for (const s of slots) {
        Atomics.store(s.ctrl, REQ, STOP);
        Atomics.notify(s.ctrl, REQ);
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
    describe: () => ({ threads: slots.length }),
  };
}
