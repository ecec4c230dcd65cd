/**
 * Call sites: the frames of the code that started a call, appended to the
 * stack of an error from its thread. Capturing them costs ~3.5 µs a chain on
 * the calling thread (V8 materialises the frames of optimised code), about
 * half of a tiny call's cost at high rates, so an executor can turn it off
 * (`callSiteStacks: false`).
 */

/** Executors whose calls don't capture their call site. */
const withoutSites = new Set<number>();

/** Turns call-site capture on or off for `executor`'s calls. */
export function setCallSiteStacks(executor: number, on: boolean): void {
  if (on) withoutSites.delete(executor);
  else withoutSites.add(executor);
}

/** The call site of a call on `executor`: the stack of the caller of `entry` (empty when turned off). */
export function captureCallSite(executor: number, entry: Function): { stack?: string } {
  const site = {};
  if (!withoutSites.has(executor)) Error.captureStackTrace(site, entry);
  return site;
}
