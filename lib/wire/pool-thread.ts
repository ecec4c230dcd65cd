/**
 * How a pool thread knows it is one: lib/runtime/spawner.ts starts each thread on the
 * library's entry (dist/index.js) with this key in its workerData, and the
 * entry then starts the thread side (lib/runtime/thread.ts).
 */
import { isMainThread, workerData } from "node:worker_threads";

/** The workerData key that marks a pool thread. */
export const POOL_THREAD = "parallel-threads:pool-thread";

/** The workerData key holding the path of the addon the spawner loaded. */
export const ADDON_FILE = "parallel-threads:addon";

/** Whether this isolate is a pool thread started by lib/runtime/spawner.ts. */
export function isPoolThread(): boolean {
  return !isMainThread && (workerData as Record<string, unknown> | null)?.[POOL_THREAD] === true;
}

/** In a pool thread, the addon file its spawner loaded (the thread loads it directly). */
export function spawnerAddonFile(): string | undefined {
  const file = isPoolThread() ? (workerData as Record<string, unknown>)[ADDON_FILE] : undefined;
  return typeof file === "string" ? file : undefined;
}
