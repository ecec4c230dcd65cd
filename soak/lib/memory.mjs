// Memory and thread sampling of this process.

import { readdirSync } from "node:fs";
import { delay } from "./time.mjs";

export const MiB = 1024 * 1024;
export const mib = (bytes) => Math.round((bytes / MiB) * 10) / 10;

/** OS threads of this process (Linux); undefined elsewhere. */
export function osThreads() {
  try {
    return readdirSync("/proc/self/task").length;
  } catch {
    return undefined;
  }
}

/** Full GCs (global.gc: the runner re-runs itself with --expose-gc), then RSS and heap figures. */
export async function memory() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await delay(10);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}
