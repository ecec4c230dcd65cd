// System "tinypool-cores" (job rows only): Tinypool tuned to the core count
// (minThreads = maxThreads = os.availableParallelism()).
import { availableParallelism } from "node:os";
import { setupJob as setupAt } from "./tinypool.mjs";

export const setupJob = (options) => setupAt({ ...options, threads: availableParallelism() });
