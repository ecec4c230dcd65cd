/**
 * Refuses values that would not arrive intact on another thread: what the
 * structured clone algorithm rejects (functions, symbols, native handles) and
 * instances of user-defined classes (they would arrive as plain objects
 * without their methods). Linear in the size of the value; typed arrays and
 * buffers are not looked into. Reports what needs care on the way: shared
 * memory, and errors or Buffers that only arrive whole in an envelope.
 */

import { types } from "node:util";
import { MessagePort } from "node:worker_threads";

import { losesParts } from "./envelope.js";
import { CloneError } from "../errors/errors.js";

/** What `checkCloneable` found, as bits. */
export const enum Found {
  Nothing = 0,
  /** Shared memory: the value must travel over a MessagePort. */
  SharedMemory = 1,
  /** An error with parts structured clone drops, or a Buffer: the value crosses in an envelope (`toEnvelope`). */
  Envelope = 2,
  /** At least `LARGE_BYTES` of ArrayBuffer memory: copied fastest by a MessagePort (structured clone). */
  Large = 4,
}

/**
 * How much ArrayBuffer memory makes a value large: it then crosses by a
 * MessagePort (one structured clone) instead of as serialized bytes copied
 * into and out of the core (`payload-echo` bench row, 16 MiB both ways).
 */
export const LARGE_BYTES = 1 << 20;

/** Prototypes of the views structured clone recreates as they are. */
const viewPrototypes = new Set<object>([
  Int8Array.prototype,
  Uint8Array.prototype,
  Uint8ClampedArray.prototype,
  Int16Array.prototype,
  Uint16Array.prototype,
  Int32Array.prototype,
  Uint32Array.prototype,
  Float32Array.prototype,
  Float64Array.prototype,
  BigInt64Array.prototype,
  BigUint64Array.prototype,
  DataView.prototype,
  Buffer.prototype,
]);

const plainPrototypes = new Set<object | null>([
  null,
  Object.prototype,
  Array.prototype,
  Date.prototype,
  RegExp.prototype,
  Map.prototype,
  Set.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  BigInt.prototype,
  ArrayBuffer.prototype,
  SharedArrayBuffer.prototype,
  DataView.prototype,
  Error.prototype,
  AggregateError.prototype,
  EvalError.prototype,
  RangeError.prototype,
  ReferenceError.prototype,
  SyntaxError.prototype,
  TypeError.prototype,
  URIError.prototype,
]);

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return `function ${(value as { name?: string }).name || "(anonymous)"}`;
  if (typeof value !== "object") return typeof value;
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor;
  return ctor?.name ? `${ctor.name} instance` : "object";
}

function where(argumentIndex: number | undefined, path: string): string {
  const root = argumentIndex === undefined ? "the result" : `argument ${argumentIndex}`;
  return path ? `${root} at ${path}` : root;
}

function refuse(value: unknown, argumentIndex: number | undefined, path: string, why: string): never {
  const valueType = typeName(value);
  throw new CloneError(`${where(argumentIndex, path)} can't be sent to another thread: ${valueType} ${why}`, {
    argumentIndex,
    valueType,
    path: path || undefined,
  });
}

/**
 * Throws CloneError when `value` can't cross to another thread intact;
 * returns what needs care on the way (`Found` bits). `moved`: what a
 * `transfer()` list moves with it (a MessagePort crosses only that way).
 */
export function checkCloneable(value: unknown, argumentIndex: number | undefined, moved?: ReadonlySet<unknown>): Found {
  let found = Found.Nothing;
  let bytes = 0;
  const seen = new Set<object>();
  const stack: Array<[unknown, string]> = [[value, ""]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    const type = typeof current;
    if (type === "function") refuse(current, argumentIndex, path, "is not cloneable (pass data, not code)");
    if (type === "symbol") refuse(current, argumentIndex, path, "is not cloneable");
    if (type !== "object" || current === null) continue;
    const object = current as object;
    if (seen.has(object)) continue;
    seen.add(object);
    if (types.isProxy(object)) refuse(object, argumentIndex, path, "is a Proxy, which can't be cloned");
    if (ArrayBuffer.isView(object)) {
      if (!viewPrototypes.has(Object.getPrototypeOf(object) as object)) {
        refuse(
          object,
          argumentIndex,
          path,
          "would arrive as its built-in base class without its own class (send plain data)",
        );
      }
      if (object.buffer instanceof SharedArrayBuffer) found |= Found.SharedMemory;
      if (Buffer.isBuffer(object)) found |= Found.Envelope;
      bytes += object.byteLength;
      continue;
    }
    if (object instanceof ArrayBuffer) bytes += object.byteLength;
    if (object instanceof SharedArrayBuffer) found |= Found.SharedMemory;
    if (object instanceof MessagePort) {
      if (moved?.has(object)) continue; // transferred: it moves to the thread
      const how = argumentIndex === undefined ? "a result can't move one" : "pass it in transfer()'s list";
      refuse(object, argumentIndex, path, `can only be moved, not copied: ${how}`);
    }
    const proto = Object.getPrototypeOf(object) as object | null;
    if (!plainPrototypes.has(proto)) {
      refuse(object, argumentIndex, path, "would arrive as a plain object without its class (send plain data)");
    }
    if (object instanceof Map) {
      let i = 0;
      for (const [k, v] of object) {
        stack.push([k, `${path}<map key ${i}>`], [v, `${path}<map value ${i}>`]);
        i++;
      }
    } else if (object instanceof Set) {
      let i = 0;
      for (const v of object) stack.push([v, `${path}<set item ${i++}>`]);
    } else if (object instanceof Error) {
      // Structured clone keeps the class (built-in ones), message, stack and
      // cause; own properties and an AggregateError's errors go in an envelope.
      if ("cause" in object) stack.push([(object as { cause?: unknown }).cause, `${path}.cause`]);
      if (losesParts(object)) found |= Found.Envelope;
      if (object instanceof AggregateError) stack.push([object.errors, `${path}.errors`]);
      for (const key of Object.keys(object)) {
        stack.push([(object as unknown as Record<string, unknown>)[key], path ? `${path}.${key}` : key]);
      }
    } else if (!(object instanceof ArrayBuffer) && !(object instanceof SharedArrayBuffer)) {
      for (const key of Object.keys(object)) {
        stack.push([(object as Record<string, unknown>)[key], path ? `${path}.${key}` : key]);
      }
    }
  }
  return bytes >= LARGE_BYTES ? found | Found.Large : found;
}
