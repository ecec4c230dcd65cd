// System "parallel-threads-cores" (job rows only): the library with its
// default executor's maxThreads set to the core count — what one call, one
// thread (SPEC §6: every call starts at once, up to maxThreads ≥ 8 by
// default) costs a CPU-bound service, shown beside the defaults.
import { availableParallelism } from "node:os";
import * as pt from "parallel-threads";

import { setupJobWith } from "./parallel-threads.mjs";

const atDefaults = setupJobWith(pt);

export async function setupJob(options) {
  pt.ParallelExecutor.configureDefault({ maxThreads: availableParallelism() });
  const sys = await atDefaults(options);
  return { ...sys, describe: () => ({ maxThreads: availableParallelism() }) };
}

export const MAP_TINY_FULL = true;
