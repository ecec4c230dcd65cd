// System "bare-split" (job rows only): the floor of a CPU-bound map. One bare
// worker per core, each running the task over its share of the inputs in a
// loop: no per-input message, no pool, no queue.
import { availableParallelism } from "node:os";
import { modulePool } from "../lib/module-pool.mjs";

export async function setupJob({ module }) {
  const pool = modulePool(module, availableParallelism());
  return {
    map: (fn, inputs) => pool.split(fn, inputs),
    teardown: pool.teardown,
    describe: () => ({ threads: pool.size, via: "split" }),
  };
}

/** `map-tiny` sends this system the full million inputs (the pools get 100,000). */
export const MAP_TINY_FULL = true;
