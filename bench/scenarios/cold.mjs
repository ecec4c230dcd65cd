// Scenario: cold first call in a fresh process: from before the system's module
// import, through setup, to the first call's result (ms).
import { now, teardown } from "../lib/harness.mjs";
import { round } from "../lib/stats.mjs";

export async function run({ load, threads }) {
  const t0 = now();
  const mod = await load();
  const t1 = now();
  const sys = await mod.setup({ threads });
  const t2 = now();
  const r = await sys.call("inc", 41);
  const t3 = now();
  if (r !== 42) throw new Error(`wrong result ${r}`);
  await teardown(sys);
  return {
    metric: "import + setup + first call",
    unit: "ms",
    value: round(t3 - t0),
    extra: {
      importMs: round(t1 - t0),
      setupMs: round(t2 - t1),
      firstCallMs: round(t3 - t2),
      sinceProcessStartMs: round(t3),
      threads,
    },
  };
}
