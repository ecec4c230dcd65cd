/**
 * A chunk of `map` on its thread: the function runs once per input, in
 * order, each awaited before the next starts, until one throws. The chunk's
 * result says what each input did: the values of those that returned, then
 * the error of the one that threw (the inputs after it did not run, as no
 * more calls start after a failure in a map).
 */

import type { EncodedThrown } from "../values/error-transport.js";

/** A chunk's result: the values of the inputs that returned, in order, and the failure of the next one. */
export type ChunkOutcome = [values: unknown[], failure?: EncodedThrown];

/** How the thread calls the function for one input, and encodes what it threw. */
export interface ChunkRunner {
  call(fn: Function, input: unknown): unknown;
  thrown(error: unknown): EncodedThrown;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

/** Runs `fn` on each input; synchronously while every input returns synchronously. */
export function runChunk(
  runner: ChunkRunner,
  fn: Function | Promise<Function>,
  inputs: unknown,
): ChunkOutcome | Promise<ChunkOutcome> {
  if (!Array.isArray(inputs)) throw new TypeError("a map chunk's argument must be an array of inputs");
  if (typeof fn !== "function") return fn.then((loaded) => runChunk(runner, loaded, inputs));
  const values: unknown[] = [];
  for (let i = 0; i < inputs.length; i++) {
    let value: unknown;
    try {
      value = runner.call(fn, inputs[i]);
    } catch (error) {
      return [values, runner.thrown(error)];
    }
    if (isThenable(value)) return finishAsync(runner, fn, inputs, values, value);
    values.push(value);
  }
  return [values];
}

/** The rest of a chunk once an input returned a promise. */
async function finishAsync(
  runner: ChunkRunner,
  fn: Function,
  inputs: unknown[],
  values: unknown[],
  pending: PromiseLike<unknown>,
): Promise<ChunkOutcome> {
  for (let i = values.length; ;) {
    try {
      values.push(await pending);
    } catch (error) {
      return [values, runner.thrown(error)];
    }
    if (++i >= inputs.length) return [values];
    try {
      pending = Promise.resolve(runner.call(fn, inputs[i]));
    } catch (error) {
      return [values, runner.thrown(error)];
    }
  }
}

/**
 * A chunk whose values could not all be sent back: those before the first
 * that can't, then that value's error (`encode` throws it).
 */
export function sendableOutcome(
  outcome: ChunkOutcome,
  encode: (value: unknown) => void,
  thrown: (error: unknown) => EncodedThrown,
): ChunkOutcome {
  const [values] = outcome;
  for (let i = 0; i < values.length; i++) {
    try {
      encode(values[i]);
    } catch (error) {
      return [values.slice(0, i), thrown(error)];
    }
  }
  return outcome;
}
