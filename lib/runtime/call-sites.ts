/**
 * Call sites: which frames of the program an error from a thread carries
 * after its own, per executor (`callSiteStacks`):
 * - `true` (default): the frames of the code that waits for the failed call,
 *   taken only when it fails (lib/errors/call-site-frames.ts): free for
 *   calls that succeed;
 * - `"capture-at-call"`: the frames of the `parallel()` call itself, captured
 *   when a chain starts: ~3.5 µs a chain on the calling thread (V8
 *   materialises the frames of optimised code), paid by every call;
 * - `false`: none.
 */

/** What an executor's errors carry. */
export type CallSiteStacks = boolean | "capture-at-call";

/** The site of a call whose failure takes the frames of the code that waits for it. */
export const WAITER_SITE: { readonly stack?: string } = Object.freeze({});
/** The site of a call whose errors carry no frames of the program. */
const NO_SITE: { readonly stack?: string } = Object.freeze({});

/** Executors whose setting is not the default. */
const settings = new Map<number, CallSiteStacks>();

/** Sets what `executor`'s errors carry. */
export function setCallSiteStacks(executor: number, setting: CallSiteStacks): void {
  if (setting === true) settings.delete(executor);
  else settings.set(executor, setting);
}

/**
 * The call site of a chain on `executor`: the stack of the caller of `entry`
 * when capturing at the call, else a marker (no capture, no allocation).
 */
export function captureCallSite(executor: number, entry: Function): { readonly stack?: string } {
  const setting = settings.get(executor);
  if (setting === undefined) return WAITER_SITE;
  if (setting === false) return NO_SITE;
  const site = {};
  Error.captureStackTrace(site, entry);
  return site;
}
