/**
 * How arguments and results cross threads: primitives travel as they are
 * through the core; everything else is serialized with the structured clone
 * algorithm (node:v8), after a check that refuses what would arrive broken.
 */

import { deserialize, serialize } from "node:v8";

import { PayloadKind } from "./binding.js";
import { checkCloneable } from "./clone-check.js";
import { errors } from "./lazy.js";
import { isTransfer, transferablesIn, type Transferable } from "./transfer.js";

/** A payload ready for the core: its kind and its data. */
export type Encoded = [PayloadKind, unknown];

/** What travels over a thread's MessagePort instead of through the core. */
export interface PortMessage {
  call: number;
  payload: unknown;
  transfer: Transferable[];
}

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

/**
 * Encodes call arguments; throws CloneError naming the argument that can't
 * cross. Arguments marked by `transfer()` or holding shared memory make the
 * payload travel over the thread's port: `[Port, { args, transfer }]`.
 */
export function encodeArgs(args: readonly unknown[]): Encoded {
  let fast = true;
  let port = false;
  let unwrapped: unknown[] | undefined;
  const transfer: Transferable[] = [];
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    if (isFastPrimitive(arg)) continue;
    fast = false;
    if (isTransfer(arg)) {
      unwrapped ??= args.slice();
      transfer.push(...arg.list);
      unwrapped[i] = arg = arg.value;
      port = true;
    }
    if (checkCloneable(arg, i)) port = true;
  }
  if (fast) return [PayloadKind.Values, args];
  if (port) return [PayloadKind.Port, { args: unwrapped ?? args, transfer }];
  return [PayloadKind.Serialized, serializeArgs(args)];
}

/**
 * Encodes one value (a result); throws CloneError when it can't cross. With
 * `viaPort` (the caller can read this thread's port) results that hold
 * shared memory, or all results when `moveBuffers`, travel over the port.
 */
export function encodeValue(value: unknown, viaPort = false, moveBuffers = false): Encoded {
  if (isFastPrimitive(value)) return [PayloadKind.Values, [value]];
  const shared = checkCloneable(value, undefined);
  if (viaPort && (shared || moveBuffers)) {
    return [PayloadKind.Port, { value, transfer: moveBuffers ? transferablesIn(value) : [] }];
  }
  return [PayloadKind.Serialized, serializeOrRefuse(value, undefined)];
}

/** `serialize`, with what it refuses reported as a CloneError. */
function serializeOrRefuse(value: unknown, argumentIndex: number | undefined): Buffer {
  try {
    return serialize(value);
  } catch (error) {
    const where = argumentIndex === undefined ? "the result" : `argument ${argumentIndex}`;
    throw new (errors().CloneError)(
      `${where} can't be sent to another thread: ${(error as Error)?.message ?? String(error)}`,
      {
        argumentIndex,
        valueType: typeof value === "object" && value !== null ? (value.constructor?.name ?? "object") : typeof value,
      },
    );
  }
}

/** Serializes the arguments; on a refusal, finds the argument to blame. */
function serializeArgs(args: readonly unknown[]): Buffer {
  try {
    return serialize(args);
  } catch (error) {
    args.forEach((arg, i) => serializeOrRefuse(arg, i));
    return serializeOrRefuse(args, undefined);
  }
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
