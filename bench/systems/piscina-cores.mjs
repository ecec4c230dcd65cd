// System "piscina-cores" (job rows only): Piscina tuned to the core count
// (minThreads = maxThreads = os.availableParallelism()).
import { availableParallelism } from "node:os";
import { setupJob as setupAt } from "./piscina.mjs";

export const setupJob = (options) => setupAt({ ...options, threads: availableParallelism() });
