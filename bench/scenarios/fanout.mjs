// Scenario: fan-out of 64 calls that each `await new Promise(r => setTimeout(r, 50))`,
// wall ms until all are done. Systems run at their default thread counts
// (`tuned`: with their documented option for async tasks). One unmeasured round first.
import { withSystem, now } from "../lib/harness.mjs";
import { median, round } from "../lib/stats.mjs";

const CALLS = 64;
const SLEEP_MS = 50;

export async function run({ load, quick, tuned }) {
  const reps = quick ? 1 : 3;
  return withSystem(load, { threads: undefined, tuned }, async (sys) => {
    const fan = () => Promise.all(Array.from({ length: CALLS }, () => sys.call("sleepAsync", SLEEP_MS)));
    await fan();
    const walls = [];
    for (let r = 0; r < reps; r++) {
      const t = now();
      const results = await fan();
      walls.push(now() - t);
      if (results.some((v) => v !== SLEEP_MS)) throw new Error("wrong results");
    }
    return {
      metric: "fan-out wall time",
      unit: "ms",
      value: round(median(walls)),
      extra: { min: round(Math.min(...walls)), reps, config: sys.describe?.() },
    };
  });
}
