// The functions the phases pass to parallel()/executeOne. They are re-created inside threads
// from their source: each uses only its arguments (no imports, nothing from module scope).

// Tiny calls of the soak: [function, arguments of call i, expected value of call i].
export const TINY = [
  [(i) => i + 1, (i) => [i], (i) => i + 1],
  [(i) => `#${i}`, (i) => [i], (i) => `#${i}`],
  [async (i) => i * 2, (i) => [i], (i) => i * 2],
  [(o) => ({ i: o.i, sq: (o.i * o.i) % 1000003 }), (i) => [{ i }], (i) => ({ i, sq: (i * i) % 1000003 })],
  [(a, b) => [b, a], (i) => [i, `x${i % 10}`], (i) => [`x${i % 10}`, i]],
];

// Healthy calls mixed with the faults, same shape; sync and async.
export const healthySync = [
  [(i) => i * 7 + 1, (i) => [i], (i) => i * 7 + 1],
  [
    (i, ms) => {
      const end = Date.now() + ms;
      while (Date.now() < end);
      return -i;
    },
    (i) => [i, i % 4],
    (i) => -i,
  ],
  [(o) => ({ echo: o.i, ok: true }), (i) => [{ i }], (i) => ({ echo: i, ok: true })],
];
export const healthyAsync = [
  [
    async (i, ms) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return i + 0.5;
    },
    (i) => [i, i % 20],
    (i) => i + 0.5,
  ],
];

// Fault calls, and the calls of the cancel storms.
export const exitCall = (code) => process.exit(code);
export const timerCall = async (tag) => {
  setTimeout(() => {
    throw new Error(`left-behind timer ${tag}`);
  }, 5);
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  return "the timer did not fire";
};
export const oomCall = () => {
  const hoard = [];
  for (let i = 0; ; i++) hoard.push({ i, payload: new Array(1000).fill(i) });
};
export const spinCall = () => {
  for (;;) {
    /* until stopped */
  }
};
export const spinAfterAwait = async () => {
  await new Promise((resolve) => setTimeout(resolve, 1));
  for (;;) {
    /* until stopped */
  }
};
export const blockCall = (ms) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
};
export const sleepCall = async (ms) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
};
export const quickCall = (i) => i + 1;

/** Counts itself in at gate[0], waits (≤ 2 s) until `n` probes are in, so that each runs on a thread of its own. */
export const heapProbe = (gate, n) => {
  const flags = new Int32Array(gate);
  Atomics.add(flags, 0, 1);
  Atomics.notify(flags, 0);
  const deadline = Date.now() + 2_000;
  for (let seen = Atomics.load(flags, 0); seen < n && Date.now() < deadline; seen = Atomics.load(flags, 0))
    Atomics.wait(flags, 0, seen, 50);
  if (typeof globalThis.gc === "function") globalThis.gc(); // threads inherit --expose-gc
  const m = process.memoryUsage();
  return {
    threadId: require("node:worker_threads").threadId,
    heapTotal: m.heapTotal,
    heapUsed: m.heapUsed,
    external: m.external,
  };
};
