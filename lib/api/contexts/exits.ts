/**
 * Leaving entered contexts: in reverse chain order like nested `with` /
 * `await using`, or all at once with `parallelExit`.
 */

import { groupErrors } from "../../errors/errors.js";
import { SuppressedError } from "../../errors/suppressed-error.js";
import type { Opened } from "./sources.js";

/** The error leaving a scope, if any. */
export interface Leaving {
  hasError: boolean;
  error: unknown;
}

/**
 * Exits in reverse order; each exit sees the error left by the ones after it
 * (suppressed or replaced), as nested `with` does. With `canSuppress` false
 * (cleanup after failed enters) a `true` from exit is ignored.
 */
export async function exitInReverse(opened: readonly Opened[], leaving: Leaving, canSuppress = true): Promise<Leaving> {
  let { hasError, error } = leaving;
  for (let i = opened.length - 1; i >= 0; i--) {
    try {
      const suppress = await opened[i]!.exit(hasError, error);
      if (hasError && suppress && canSuppress) {
        hasError = false;
        error = undefined;
      }
    } catch (thrown) {
      error = hasError
        ? new SuppressedError(thrown, error, "an exit() failed while an error was leaving the block")
        : thrown;
      hasError = true;
    }
  }
  return { hasError, error };
}

/** The same as `exitInReverse`, synchronously (for `Symbol.dispose`). */
export function exitInReverseSync(opened: readonly Opened[], leaving: Leaving): Leaving {
  let { hasError, error } = leaving;
  for (let i = opened.length - 1; i >= 0; i--) {
    try {
      if (opened[i]!.syncExit!(hasError, error) && hasError) {
        hasError = false;
        error = undefined;
      }
    } catch (thrown) {
      error = hasError
        ? new SuppressedError(thrown, error, "an exit() failed while an error was leaving the block")
        : thrown;
      hasError = true;
    }
  }
  return { hasError, error };
}

/**
 * Exits all at once; each exit gets the error leaving the block and any of
 * them may suppress it; exit errors are grouped (fatal first, chain order).
 */
export async function exitInParallel(opened: readonly Opened[], leaving: Leaving): Promise<Leaving> {
  const outcomes = await Promise.allSettled(opened.map((o) => o.exit(leaving.hasError, leaving.error)));
  const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
  const suppressed = leaving.hasError && outcomes.some((o) => o.status === "fulfilled" && o.value);
  const stillLeaving = leaving.hasError && !suppressed;
  if (failures.length === 0) return stillLeaving ? leaving : { hasError: false, error: undefined };
  const exitError = groupErrors(failures, `${failures.length} context exits failed`);
  return {
    hasError: true,
    error: stillLeaving
      ? new SuppressedError(exitError, leaving.error, "exit() failed while an error was leaving the block")
      : exitError,
  };
}
