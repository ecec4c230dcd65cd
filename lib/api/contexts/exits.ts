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

/** Nothing leaving: an exit suppressed the error. */
const NOTHING_LEAVING: Leaving = Object.freeze({ hasError: false, error: undefined });

/** What leaves after an exit returned `suppress`. */
function afterExitReturned(leaving: Leaving, suppress: unknown, canSuppress: boolean): Leaving {
  return leaving.hasError && suppress && canSuppress ? NOTHING_LEAVING : leaving;
}

/** What leaves after an exit threw `thrown`: it, over the error that was leaving. */
function afterExitThrew(leaving: Leaving, thrown: unknown): Leaving {
  return {
    hasError: true,
    error: leaving.hasError
      ? new SuppressedError(thrown, leaving.error, "an exit() failed while an error was leaving the block")
      : thrown,
  };
}

/**
 * Exits in reverse order; each exit sees the error left by the ones after it
 * (suppressed or replaced), as nested `with` does. With `canSuppress` false
 * (cleanup after failed enters) a `true` from exit is ignored.
 */
export async function exitInReverse(opened: readonly Opened[], leaving: Leaving, canSuppress = true): Promise<Leaving> {
  for (let i = opened.length - 1; i >= 0; i--) {
    try {
      leaving = afterExitReturned(leaving, await opened[i]!.exit(leaving.hasError, leaving.error), canSuppress);
    } catch (thrown) {
      leaving = afterExitThrew(leaving, thrown);
    }
  }
  return leaving;
}

/** The same as `exitInReverse`, synchronously (for `Symbol.dispose`). */
export function exitInReverseSync(opened: readonly Opened[], leaving: Leaving): Leaving {
  for (let i = opened.length - 1; i >= 0; i--) {
    try {
      leaving = afterExitReturned(leaving, opened[i]!.syncExit!(leaving.hasError, leaving.error), true);
    } catch (thrown) {
      leaving = afterExitThrew(leaving, thrown);
    }
  }
  return leaving;
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
  if (failures.length === 0) return stillLeaving ? leaving : NOTHING_LEAVING;
  const exitError = groupErrors(failures, `${failures.length} context exits failed`);
  return {
    hasError: true,
    error: stillLeaving
      ? new SuppressedError(exitError, leaving.error, "exit() failed while an error was leaving the block")
      : exitError,
  };
}
