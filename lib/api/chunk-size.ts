/**
 * How many inputs `map` sends to a thread in one crossing. A fixed number,
 * or `"auto"`: start with one input a crossing and size each next chunk from
 * the time chunks took, so that a chunk runs for about `TARGET_MS`. Each
 * crossing leaves the thread waiting for the caller's event loop to send the
 * next chunk (tens of microseconds, more when the cores are busy): work
 * that takes 10 ms or more an input goes one input at a time, as without
 * chunks, and tiny inputs go up to `MAX_AUTO_CHUNK` at a time. When the
 * number of inputs is known (an array), a chunk holds at most an eighth of
 * each thread's share of what is left, so the threads finish together.
 */

/**
 * The time an automatically sized chunk aims to take. Measured with the
 * `pipeline` bench row (5,000 files parsed, ≈ 0.6 ms a file on 2 cores):
 * chunks of 1, 4, 16 and 64 files took 5.8, 3.6, 3.2 and 3.4 s.
 */
const TARGET_MS = 10;
/** The most inputs an automatically sized chunk holds. */
export const MAX_AUTO_CHUNK = 1024;

/** The chunk size of a map: `next()` before each chunk, `took()` after each settles. */
export interface ChunkSizer {
  /** How many inputs the next chunk takes. */
  next(): number;
  /** A chunk of `inputs` inputs settled `ms` milliseconds after it started. */
  took(inputs: number, ms: number): void;
}

/**
 * A sizer for `chunkSize` (validated: `"auto"` or a positive integer);
 * `count`: how many inputs there are, when known; `concurrency`: calls at once.
 */
export function chunkSizer(chunkSize: "auto" | number, count: number | undefined, concurrency: number): ChunkSizer {
  if (chunkSize !== "auto") return { next: () => chunkSize, took() {} };
  let size = 1;
  let sent = 0;
  return {
    next() {
      if (count === undefined) return size;
      const share = Math.ceil((count - sent) / (8 * concurrency));
      const next = Math.max(1, Math.min(size, share));
      sent += next;
      return next;
    },
    took(inputs, ms) {
      const perInput = Math.max(ms, 0.001) / inputs;
      // Grows at most twofold a chunk (a few slow inputs among fast ones
      // shrink it at once).
      const fits = Math.floor(TARGET_MS / perInput);
      size = Math.max(1, Math.min(fits, 2 * Math.max(size, inputs), MAX_AUTO_CHUNK));
    },
  };
}
