// Scenario: CPU scaling. `threads × k` calls of fib(32) at once, against the same
// calls run one after another on this process's main thread; speedup = seq / par,
// best (min) time of each over the repetitions, measured alternately.
import { withSystem, now, checker } from "../lib/harness.mjs";
import { round } from "../lib/stats.mjs";
import { fib } from "../workers/tasks.mjs";

const N = 32;
const EXPECTED = 2178309;

export async function run({ load, threads, quick }) {
  const calls = threads * (quick ? 2 : 4);
  const reps = quick ? 1 : 3;
  return withSystem(load, { threads }, async (sys) => {
    const c = checker();
    // warm-up: JIT on every thread and here
    await Promise.all(Array.from({ length: threads * 2 }, () => sys.call("fib", 27)));
    fib(27);
    let seqMs = Infinity;
    let parMs = Infinity;
    for (let r = 0; r < reps; r++) {
      let t = now();
      for (let i = 0; i < calls; i++) c.check(fib(N), EXPECTED);
      seqMs = Math.min(seqMs, now() - t);
      t = now();
      const results = await Promise.all(Array.from({ length: calls }, () => sys.call("fib", N)));
      parMs = Math.min(parMs, now() - t);
      for (const v of results) c.check(v, EXPECTED);
    }
    return {
      metric: "speedup over sequential",
      unit: "× seq",
      value: round(seqMs / parMs, 3),
      extra: { seqMs: round(seqMs), parMs: round(parMs), calls, n: N, threads, wrong: c.wrong },
    };
  });
}
