/**
 * Refuses values that would not arrive intact on another thread: what the
 * structured clone algorithm rejects (functions, symbols, native handles) and
 * instances of user-defined classes (they would arrive as plain objects
 * without their methods). Linear in the size of the value; typed arrays and
 * buffers are not looked into.
 */

import { CloneError } from "./errors.js";

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

/** Throws CloneError when `value` can't cross to another thread intact. */
export function checkCloneable(value: unknown, argumentIndex: number | undefined): void {
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
    if (ArrayBuffer.isView(object)) continue;
    const proto = Object.getPrototypeOf(object) as object | null;
    if (!plainPrototypes.has(proto) && !(object instanceof Error)) {
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
    } else if (!(object instanceof ArrayBuffer) && !(object instanceof SharedArrayBuffer)) {
      for (const key of Object.keys(object)) {
        stack.push([(object as Record<string, unknown>)[key], path ? `${path}.${key}` : key]);
      }
    }
  }
}

/** Whether a value holds a SharedArrayBuffer (it must travel over a port). */
export function holdsSharedMemory(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    if (current instanceof SharedArrayBuffer) return true;
    if (ArrayBuffer.isView(current)) {
      if (current.buffer instanceof SharedArrayBuffer) return true;
      continue;
    }
    if (current instanceof Map) for (const [k, v] of current) stack.push(k, v);
    else if (current instanceof Set) for (const v of current) stack.push(v);
    else for (const key of Object.keys(current)) stack.push((current as Record<string, unknown>)[key]);
  }
  return false;
}
