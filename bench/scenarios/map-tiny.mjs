// Scenario (job row): a map of a million tiny inputs (n → n + 1), each system
// at its defaults in a fresh process, as users write it: `map` with
// parallel-threads (chunked, "auto"), `Promise.all` of one `run` per input
// for the pools (100,000 inputs for them: a million promises in their queues
// take minutes), a plain loop for sequential, and the bare-split floor (each
// worker loops over its share). Value: inputs per second, wall time from the
// system's setup to the last result.
import { now, teardown } from "../lib/harness.mjs";
import { round } from "../lib/stats.mjs";

const MODULE = new URL("../workers/tasks.mjs", import.meta.url).href;
const FULL = 1_000_000;
const ANCHOR = 100_000;

export async function run({ load, quick }) {
  const system = await load();
  const count = (system.MAP_TINY_FULL ? FULL : ANCHOR) / (quick ? 10 : 1);
  const inputs = Array.from({ length: count }, (_, i) => i);
  const t0 = now();
  const sys = await system.setupJob({ module: MODULE });
  const results = await sys.map("inc", inputs);
  const wall = now() - t0;
  await teardown(sys);
  let wrong = results.length === count ? 0 : 1;
  for (let i = 0; i < count && wrong === 0; i++) if (results[i] !== i + 1) wrong = 1;
  return {
    metric: `${count.toLocaleString("en")} tiny inputs (n + 1) through map`,
    unit: "inputs/s",
    value: round((count / wall) * 1000, 0),
    extra: { inputs: count, wallMs: round(wall, 0), wrong, ...sys.describe?.() },
  };
}
