// System "parallel-threads-at" (optional): another checkout of the library,
// for before/after figures in one run: BENCH_PT_AT=/path/to/checkout (built:
// its dist/ and addon) node bench/run.mjs --systems parallel-threads,parallel-threads-at,…
// Otherwise as "parallel-threads" (its defaults: callSiteStacks on).
import { pathToFileURL } from "node:url";
import path from "node:path";

import { setupJobWith, setupWith } from "./parallel-threads.mjs";

const at = process.env.BENCH_PT_AT;
if (!at) throw new Error("parallel-threads-at: set BENCH_PT_AT to the checkout to measure");
const library = await import(pathToFileURL(path.join(path.resolve(at), "dist/index.js")).href);

export const setup = setupWith({ callSiteStacks: true, library });
export const setupJob = setupJobWith(library);
// map-tiny: 100,000 inputs, as the pools get (an older version may not chunk).
export const MAP_TINY_FULL = false;
