// The job rows' setup for piscina and tinypool (same API): a pool over the
// job's module, at the library's defaults (`threads` unset) or with min = max
// = `threads`; maps as their docs show, `Promise.all` of `run` calls.

/** `setupJob` for the pool class `Pool` (Piscina or Tinypool). */
export function jobPoolOf(Pool) {
  return async function setupJob({ module, threads }) {
    const pool = new Pool({ filename: module, ...(threads ? { minThreads: threads, maxThreads: threads } : {}) });
    const run = (fn, arg, transfer) => pool.run(arg, { name: fn, transferList: transfer ? [arg] : undefined });
    return {
      call: (fn, arg, { transfer } = {}) => run(fn, arg, transfer),
      map: (fn, inputs) => Promise.all(inputs.map((input) => run(fn, input))),
      teardown: () => pool.destroy(),
      describe: () => ({ defaults: !threads, threads: threads ?? "default" }),
    };
  };
}
