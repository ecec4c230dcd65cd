// Scenario: throughput of many tiny calls with a fixed number in flight: `inFlight`
// lanes each await one inc(i) after another until the total is reached.
import { withSystem, now, checker } from "../lib/harness.mjs";
import { round } from "../lib/stats.mjs";

export async function run({ load, threads, quick, inFlight }) {
  const total = quick ? 10_000 : 100_000;
  return withSystem(load, { threads }, async (sys) => {
    const c = checker();
    const drive = async (count) => {
      let next = 0;
      const lane = async () => {
        while (next < count) {
          const i = next++;
          c.check(await sys.call("inc", i), i + 1);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, lane));
    };
    await drive(quick ? 1000 : 5000);
    const t = now();
    await drive(total);
    const ms = now() - t;
    return {
      metric: `calls/s, ${inFlight} in flight`,
      unit: "calls/s",
      value: Math.round((total / ms) * 1000),
      extra: { total, ms: round(ms), inFlight, threads, wrong: c.wrong },
    };
  });
}
