// Scenario: a cold burst in a fresh process: from before the system's module
// import, through setup with `threads` threads, to the results of `threads`
// calls of fib(N) started at once (ms). Every thread starts and runs one
// call, so what each thread costs to start (a TypeScript loader it inherits,
// under tsx) shows in full.
import { now, teardown } from "../lib/harness.mjs";
import { round } from "../lib/stats.mjs";
import { fib } from "../workers/tasks.mjs";

const N = 30;

export async function run({ load, threads }) {
  const t0 = now();
  const mod = await load();
  const t1 = now();
  const sys = await mod.setup({ threads });
  const t2 = now();
  const results = await Promise.all(Array.from({ length: threads }, () => sys.call("fib", N)));
  const t3 = now();
  const expected = fib(N);
  const wrong = results.filter((r) => r !== expected).length;
  await teardown(sys);
  return {
    metric: `import + setup + ${threads} calls of fib(${N}) at once`,
    unit: "ms",
    value: round(t3 - t0),
    extra: {
      importMs: round(t1 - t0),
      setupMs: round(t2 - t1),
      burstMs: round(t3 - t2),
      threads,
      wrong,
      underTsx: process.execArgv.some((arg) => arg.includes("tsx")),
    },
  };
}
