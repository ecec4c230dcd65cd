// Scenario: cold start in a fresh process: from before the system's module
// import, through setup, to the first results (ms). Without `burst`: one
// tiny call. With `burst`: `threads` calls of fib(30) started at once, so
// every thread starts and runs one call, and what each thread costs to
// start (a TypeScript loader it inherits, under tsx) shows in full.
import { now, teardown } from "../lib/harness.mjs";
import { round } from "../lib/stats.mjs";
import { fib } from "../workers/tasks.mjs";

const BURST_N = 30;

export async function run({ load, threads, burst = false }) {
  const [calls, fn, arg, expected] = burst ? [threads, "fib", BURST_N, fib(BURST_N)] : [1, "inc", 41, 42];
  const t0 = now();
  const mod = await load();
  const t1 = now();
  const sys = await mod.setup({ threads });
  const t2 = now();
  const results = await Promise.all(Array.from({ length: calls }, () => sys.call(fn, arg)));
  const t3 = now();
  if (results.some((r) => r !== expected)) throw new Error(`wrong result ${results.find((r) => r !== expected)}`);
  await teardown(sys);
  return {
    metric: burst ? `import + setup + ${calls} calls of fib(${BURST_N}) at once` : "import + setup + first call",
    unit: "ms",
    value: round(t3 - t0),
    extra: {
      importMs: round(t1 - t0),
      setupMs: round(t2 - t1),
      [burst ? "burstMs" : "firstCallMs"]: round(t3 - t2),
      sinceProcessStartMs: round(t3),
      threads,
      underTsx: process.execArgv.some((a) => a.includes("tsx")),
    },
  };
}
