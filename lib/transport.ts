/**
 * How arguments and results cross threads: primitives travel as they are
 * through the core; everything else is serialized with the structured clone
 * algorithm (node:v8), after a check that refuses what would arrive broken.
 */

import { deserialize, serialize } from "node:v8";

import { PayloadKind } from "./binding.js";
import { checkCloneable } from "./clone-check.js";

/** A payload ready for the core: its kind and its data. */
export type Encoded = [PayloadKind, unknown];

function isFastPrimitive(value: unknown): boolean {
  switch (typeof value) {
    case "number":
    case "boolean":
    case "undefined":
      return true;
    case "string":
      return (value as string).isWellFormed();
    default:
      return value === null;
  }
}

/** Encodes call arguments; throws CloneError naming the argument that can't cross. */
export function encodeArgs(args: readonly unknown[]): Encoded {
  let fast = true;
  for (let i = 0; i < args.length; i++) {
    if (!isFastPrimitive(args[i])) {
      fast = false;
      checkCloneable(args[i], i);
    }
  }
  if (fast) return [PayloadKind.Values, args];
  return [PayloadKind.Serialized, serialize(args)];
}

/** Encodes one value (a result); throws CloneError when it can't cross. */
export function encodeValue(value: unknown): Encoded {
  if (isFastPrimitive(value)) return [PayloadKind.Values, [value]];
  checkCloneable(value, undefined);
  return [PayloadKind.Serialized, serialize(value)];
}

/** Decodes arguments encoded by `encodeArgs`. */
export function decodeArgs(kind: PayloadKind, data: unknown): unknown[] {
  if (kind === PayloadKind.Values) return data as unknown[];
  return deserialize(data as Buffer) as unknown[];
}

/** Decodes a value encoded by `encodeValue`. */
export function decodeValue(kind: PayloadKind, data: unknown): unknown {
  if (kind === PayloadKind.Values) return (data as unknown[])[0];
  return deserialize(data as Buffer);
}

/** Serializes plain data the library itself sends (errors, reasons). */
export function encodeData(value: unknown): Encoded {
  return [PayloadKind.Serialized, serialize(value)];
}

/** Reads data sent with `encodeData`. */
export function decodeData(kind: PayloadKind, data: unknown): unknown {
  if (kind !== PayloadKind.Serialized) return undefined;
  return deserialize(data as Buffer);
}
