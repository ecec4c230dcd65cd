/**
 * `transfer(value, list?)`: marks an argument whose ArrayBuffers move to the
 * thread instead of being copied (the sender's buffers are detached).
 */

import { MessagePort } from "node:worker_threads";

import { typeError } from "../errors/errors.js";

/** Objects that can be moved between threads. */
export type Transferable = ArrayBuffer | MessagePort;

const TRANSFER = Symbol.for("parallel-threads.transfer");

/** A value marked by `transfer()`. */
export interface Transfer<T> {
  readonly [TRANSFER]: true;
  readonly value: T;
  readonly list: readonly Transferable[];
}

/**
 * What a value moves by default: itself (an ArrayBuffer or a MessagePort),
 * or a view's ArrayBuffer; not the ArrayBuffer of a Buffer that is only part
 * of it (Node's pool, for small Buffers, can't move): such a Buffer's bytes
 * are copied instead.
 */
function defaultList(value: unknown): Transferable[] {
  if (value instanceof ArrayBuffer || value instanceof MessagePort) return [value];
  if (!ArrayBuffer.isView(value) || !(value.buffer instanceof ArrayBuffer)) return [];
  if (Buffer.isBuffer(value) && value.byteLength !== value.buffer.byteLength) return [];
  return [value.buffer];
}

/**
 * Marks `value` to be moved, not copied, to the thread: the ArrayBuffers and
 * MessagePorts in `list` (by default the value itself, or a typed array's
 * buffer; a Buffer that is part of a larger ArrayBuffer is copied) are
 * transferred zero-copy and detached here. A MessagePort crosses only this
 * way. Typed as `T`, so it fits the parameter it is passed to.
 *
 * ```ts
 * await parallel((bytes: Uint8Array) => bytes.length)(transfer(new Uint8Array(1 << 24))).results();
 * ```
 */
export function transfer<T>(value: T, list?: readonly Transferable[]): T {
  if (list !== undefined && !Array.isArray(list))
    throw typeError("ERR_INVALID_ARG_TYPE", "transfer(): list must be an array");
  const marked: Transfer<T> = { [TRANSFER]: true, value, list: list ?? defaultList(value) };
  return marked as unknown as T;
}

/** Whether an argument was marked by `transfer()`. */
export function isTransfer(value: unknown): value is Transfer<unknown> {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[TRANSFER] === true;
}

/** ArrayBuffers found in a result, for `transferResult`. */
export function transferablesIn(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    if (current instanceof ArrayBuffer) found.add(current);
    else if (ArrayBuffer.isView(current)) {
      if (current.buffer instanceof ArrayBuffer) found.add(current.buffer);
    } else if (current instanceof Map) for (const [k, v] of current) stack.push(k, v);
    else if (current instanceof Set) for (const v of current) stack.push(v);
    else for (const key of Object.keys(current)) stack.push((current as Record<string, unknown>)[key]);
  }
  return [...found];
}
