/**
 * The frames of the code that started or waits for a call, appended to the
 * stack of an error from its thread after `CALL_SITE_SEPARATOR`.
 *
 * By default they are taken only when a call fails, where they are at hand
 * for free: the failure is marked (`takeWaiterFrames`) when it arrives, and
 * the first wait that reports it (`withWaiterFrames`) appends its own frames.
 * A wait that throws synchronously (`resultsSync()`) has its caller's frames
 * on the stack; one that rejects from an async function resumed after an
 * `await` has V8's async frames (`at async <the awaiting functions>`). A
 * call that succeeds costs nothing.
 */

/** The line between a thread's frames and the frames of the code that called. */
export const CALL_SITE_SEPARATOR = "    at parallel() call site:";

/** A frame of Node's own code. */
const NODE_INTERNAL = /[( ]node:internal\//;

/** Failures that take the frames of the first code that waits for them. */
const awaitingFrames = new WeakSet<object>();

/** Marks a call's failure to take the frames of the code that waits for it. */
export function takeWaiterFrames(error: unknown): void {
  if (typeof error === "object" && error !== null) awaitingFrames.add(error);
}

/**
 * Appends the frames of the code that waits (the callers of `below`) to
 * `error`, its cause and the members of a group, those of them that were
 * marked (and to a group holding marked members); returns `error`. Runs only
 * on the failure path.
 */
export function withWaiterFrames<E>(error: E, below: Function): E {
  if (typeof error !== "object" || error === null) return error;
  const { errors, cause } = error as { errors?: unknown; cause?: unknown };
  const parts = [cause, ...(Array.isArray(errors) ? errors : [])].filter(
    (part): part is object => typeof part === "object" && part !== null && awaitingFrames.has(part),
  );
  if (!awaitingFrames.has(error) && parts.length === 0) return error;
  const here: { stack?: string } = {};
  Error.captureStackTrace(here, below);
  // The continuation may run from Node's microtask loop: its frame is no one's call site.
  const frames = framesOf(here.stack ?? "")
    .split("\n")
    .filter((line) => !NODE_INTERNAL.test(line))
    .join("\n");
  for (const target of [error as object, ...parts]) {
    awaitingFrames.delete(target);
    appendFrames(target, frames);
  }
  return error;
}

/** Appends `frames` to an error's stack after the separator (nothing when there are none). */
export function appendFrames(error: object, frames: string): void {
  const stack = (error as { stack?: unknown }).stack;
  if (frames === "" || typeof stack !== "string") return;
  Object.defineProperty(error, "stack", {
    value: `${stack}\n${CALL_SITE_SEPARATOR}\n${frames}`,
    writable: true,
    configurable: true,
  });
}

/** The frames of an `Error().stack` (its lines from the first `at`). */
export function framesOf(stack: string): string {
  const lines = stack.split("\n");
  const first = lines.findIndex((line) => /^\s+at /.test(line));
  return first === -1 ? "" : lines.slice(first).join("\n");
}
