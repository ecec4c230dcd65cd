/**
 * How arguments and results cross threads: primitives travel as they are
 * through the core; everything else is serialized with the structured clone
 * algorithm (V8's serializer, as `postMessage` uses it), after a check that
 * refuses what would arrive broken. Values holding Buffers, or errors with
 * parts structured clone drops, travel in an envelope (envelope.ts), so
 * Buffers arrive as Buffers and errors whole.
 */

import { Deserializer, Serializer } from "node:v8";

import { PayloadKind } from "../wire/protocol.js";
import { checkCloneable, Found } from "./clone-check.js";
import { fromEnvelope, isEnvelope, toEnvelope } from "./envelope.js";
import { CloneError } from "../errors/errors.js";
import { isTransfer, transferablesIn, type Transferable } from "./transfer.js";

/** A payload ready for the core: its kind and its data. */
export type Encoded = [PayloadKind, unknown];

/** What travels over a thread's MessagePort instead of through the core. */
export interface PortMessage {
  call: number;
  payload: unknown;
  transfer: Transferable[];
}

/**
 * The structured clone algorithm, as V8 implements it for `postMessage` and
 * `structuredClone`. Not `v8.serialize`: Node's DefaultSerializer writes each
 * typed array as a copy of its bytes alone, so a view and its ArrayBuffer
 * sent together would arrive unrelated and a typed array's offset is lost;
 * here they arrive as `structuredClone` makes them (and Buffers, which it
 * would make Uint8Arrays, travel in the envelope).
 */
function serialize(value: unknown): Buffer {
  const serializer = new Serializer();
  serializer.writeHeader();
  serializer.writeValue(value);
  return serializer.releaseBuffer();
}

function deserialize(data: Buffer): unknown {
  const deserializer = new Deserializer(data);
  deserializer.readHeader();
  return deserializer.readValue();
}

/** A value as it arrived, its errors and Buffers made whole when it came in an envelope. */
export function arrived(value: unknown): unknown {
  return isEnvelope(value) ? fromEnvelope(value) : value;
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
  let envelope = false;
  let unwrapped: unknown[] | undefined;
  const transfer: Transferable[] = [];
  /** What the call's `transfer()` lists move (so far): it crosses without a copy. */
  let moved: Set<unknown> | undefined;
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    if (isFastPrimitive(arg)) continue;
    fast = false;
    if (isTransfer(arg)) {
      unwrapped ??= args.slice();
      transfer.push(...arg.list);
      moved ??= new Set();
      for (const item of arg.list) moved.add(item);
      unwrapped[i] = arg = arg.value;
      port = true;
    }
    const found = checkCloneable(arg, i, moved);
    if (found & Found.SharedMemory) port = true;
    if (found & Found.Envelope) envelope = true;
  }
  if (fast) return [PayloadKind.Values, args];
  if (!port) return [PayloadKind.Serialized, serializeArgs(args, envelope)];
  const values = unwrapped ?? args;
  if (envelope) {
    try {
      return [PayloadKind.Port, { args: toEnvelope(values, moved), transfer }];
    } catch (error) {
      values.forEach((arg, i) => envelopeOrRefuse(arg, i));
      throw refusal(error, values, undefined);
    }
  }
  return [PayloadKind.Port, { args: values, transfer }];
}

/**
 * Encodes one value (a result); throws CloneError when it can't cross. With
 * `viaPort` (the caller can read this thread's port) results that hold
 * shared memory or a megabyte or more of ArrayBuffer memory, or all results
 * when `moveBuffers`, travel over the port.
 */
export function encodeValue(value: unknown, viaPort = false, moveBuffers = false): Encoded {
  if (typeof value === "number") return [PayloadKind.Number, value];
  if (isFastPrimitive(value)) return [PayloadKind.Values, [value]];
  const found = checkCloneable(value, undefined);
  // Buffers that are part of a larger ArrayBuffer are copied into the
  // envelope, so `moveBuffers` moves what the envelope holds.
  const sent = found & Found.Envelope ? envelopeOrRefuse(value, undefined) : value;
  if (viaPort && (found & (Found.SharedMemory | Found.Large) || moveBuffers)) {
    return [PayloadKind.Port, { value: sent, transfer: moveBuffers ? transferablesIn(sent) : [] }];
  }
  return [PayloadKind.Serialized, serializeOrRefuse(sent, undefined)];
}

/** What the serializer (or the envelope) refused, as a CloneError. */
function refusal(error: unknown, value: unknown, argumentIndex: number | undefined): Error {
  const where = argumentIndex === undefined ? "the result" : `argument ${argumentIndex}`;
  return new CloneError(`${where} can't be sent to another thread: ${(error as Error)?.message ?? String(error)}`, {
    argumentIndex,
    valueType: typeof value === "object" && value !== null ? (value.constructor?.name ?? "object") : typeof value,
  });
}

/** `serialize`, with what it refuses reported as a CloneError. */
function serializeOrRefuse(value: unknown, argumentIndex: number | undefined): Buffer {
  try {
    return serialize(value);
  } catch (error) {
    throw refusal(error, value, argumentIndex);
  }
}

/** `toEnvelope`, with a failure (nesting too deep) reported as a CloneError. */
function envelopeOrRefuse(value: unknown, argumentIndex: number | undefined): unknown {
  try {
    return toEnvelope(value);
  } catch (error) {
    throw refusal(error, value, argumentIndex);
  }
}

/** Serializes the arguments (in an envelope when `envelope`); on a refusal, finds the argument to blame. */
function serializeArgs(args: readonly unknown[], envelope: boolean): Buffer {
  try {
    return serialize(envelope ? toEnvelope(args) : args);
  } catch (error) {
    args.forEach((arg, i) => serializeOrRefuse(envelope ? envelopeOrRefuse(arg, i) : arg, i));
    throw refusal(error, args, undefined);
  }
}

/** Decodes arguments encoded by `encodeArgs` (as the core packed them). */
export function decodeArgs(kind: PayloadKind, data: unknown): unknown[] {
  if (kind === PayloadKind.Values || kind === PayloadKind.Numbers) return data as unknown[];
  if (kind === PayloadKind.Number) return [data];
  return arrived(deserialize(data as Buffer)) as unknown[];
}

/** Decodes a value encoded by `encodeValue` (as the core packed it). */
export function decodeValue(kind: PayloadKind, data: unknown): unknown {
  if (kind === PayloadKind.Number) return data;
  if (kind === PayloadKind.Values || kind === PayloadKind.Numbers) return (data as unknown[])[0];
  return arrived(deserialize(data as Buffer));
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
