// Scenario: a CPU-bound map. 40 inputs, one call each of fib(25), all results
// in input order: `executor.map` for parallel-threads, `Promise.all` of
// `run` calls for the pools (as their docs show), a plain loop for
// sequential. Wall ms, median of the repetitions after one warm-up round.
import { withSystem, now, checker } from "../lib/harness.mjs";
import { median, round } from "../lib/stats.mjs";
import { fib } from "../workers/tasks.mjs";

const INPUTS = 40;
const N = 25;

export async function run({ load, threads, quick }) {
  const reps = quick ? 2 : 5;
  const inputs = Array.from({ length: INPUTS }, (_, i) => N - (i % 3));
  const expected = inputs.map(fib);
  return withSystem(load, { threads }, async (sys) => {
    const c = checker();
    const mapped = () => (sys.map ? sys.map("fib", inputs) : Promise.all(inputs.map((n) => sys.call("fib", n))));
    await mapped(); // warm-up: threads started, JIT warm
    const walls = [];
    for (let r = 0; r < reps; r++) {
      const t = now();
      const results = await mapped();
      walls.push(now() - t);
      results.forEach((v, i) => c.check(v, expected[i]));
    }
    return {
      metric: "map wall time",
      unit: "ms",
      value: round(median(walls)),
      extra: {
        min: round(Math.min(...walls)),
        reps,
        inputs: INPUTS,
        threads,
        wrong: c.wrong,
        via: sys.map ? "map" : "Promise.all(run)",
      },
    };
  });
}
