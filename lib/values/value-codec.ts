/**
 * The value codec: what structured clone would lose, crossing threads as
 * plain data — errors (their class, own properties, an AggregateError's
 * members) and Buffers (their class; structured clone makes a `Buffer` a
 * `Uint8Array` over a copy of its whole ArrayBuffer) — whether thrown in a
 * thread (error-transport.ts) or inside argument and result values
 * (envelope.ts). `encode` turns a value into an envelope that structured
 * clone carries whole: containers (arrays, plain objects, Maps, Sets) are
 * copied, each error in them becomes its record (class, name, message, stack,
 * code, cause, an AggregateError's members, own enumerable properties, all
 * encoded the same way), each Buffer a record of its bytes (only the view's
 * bytes, copied when the Buffer is part of a larger ArrayBuffer), and the
 * envelope lists every record. Structured clone keeps identity, so `decode`
 * knows a record by that list alone (no user data can pass for one) and
 * rebuilds each error and Buffer once: shared references and cycles among
 * errors and values (`err.self = err`, `err.cause.parent = err`) arrive as
 * they were, thrown or returned.
 */
import { serialize } from "node:v8";
import { types } from "node:util";

import { classOf, createError, type ErrorClassName } from "./error-classes.js";
import { defineData, defineHidden } from "../errors/properties.js";

/** An error, as plain data. Every `unknown` member is encoded (see the module comment). */
export interface EncodedError {
  kind: "error";
  /** The error's `name` (read through getters). */
  name: string;
  message: string;
  /** The error's stack string, if it had one. */
  stack?: string;
  /** The class to rebuild (`classOf`); `undefined` rebuilds an `Error`. */
  constructorName: ErrorClassName | undefined;
  /** A string or number `code` that is not an own enumerable property (those are in `props`). */
  code?: string | number;
  /** Present when the error had a `cause` (even `undefined`). */
  cause?: unknown;
  /** The members of an `AggregateError` (or `ExceptionGroup`). */
  errors?: unknown;
  /** Own enumerable properties, but `message`, `stack`, `cause` and an aggregate's `errors`. */
  props: Record<string, unknown>;
  /** Names of properties dropped (lossy encoding): not cloneable, throwing getters, or nesting too deep. */
  lost?: string[];
}

/** A value that can't be cloned (lossy encoding), described; it arrives as an Error saying so. */
export interface EncodedUncloneable {
  kind: "uncloneable";
  /** `String(value)`, shortened. */
  description: string;
  /** `typeof value`, or the class name for objects. */
  type: string;
}

/** A Buffer: its bytes (a Uint8Array over exactly them); it arrives as a Buffer over the same bytes. */
export interface EncodedBuffer {
  kind: "buffer";
  bytes: Uint8Array;
}

/** What stands for an error, a Buffer or an uncloneable value in an envelope. */
export type EncodedRecord = EncodedError | EncodedBuffer | EncodedUncloneable;

const RECORDS = "\0parallel-threads:errors";

/** A value with its errors encoded: what crosses. */
export interface Envelope {
  /** The value: primitives and other objects as they are, containers copied, errors as their records. */
  value: unknown;
  /** Every record in `value`; being in this list is what makes an object a record. */
  "\0parallel-threads:errors": EncodedRecord[];
}

/**
 * How `encode` treats what structured clone would refuse. `"lossy"` (thrown
 * values, which must arrive whatever they hold): an own property of an error
 * that can't be cloned is dropped and named in `lost`; a value, cause or
 * member that can't be cloned becomes an `EncodedUncloneable`; errors nested
 * deeper than MAX_ERROR_DEPTH are cut. `"exact"` (values that passed the
 * clone check): everything is kept, for the serializer to refuse.
 */
export type Encoding = "lossy" | "exact";

/** Error nesting (through cause, errors or properties) deeper than this is cut, in lossy encoding. */
export const MAX_ERROR_DEPTH = 64;

// ---------------------------------------------------------------- property helpers

const NOT_READ = Symbol("not read");

/** Reads a property, turning a throwing getter (or proxy trap) into NOT_READ. */
function read(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return NOT_READ;
  }
}

function has(target: object, key: string): boolean {
  try {
    return key in target;
  } catch {
    return false;
  }
}

function keysOf(target: object): string[] {
  try {
    return Object.keys(target);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------- what a value is

function isErrorLike(value: object): boolean {
  if (types.isNativeError(value)) return true;
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

type ContainerKind = "array" | "object" | "map" | "set";

/** The containers the codec copies (as structured clone would); undefined for other objects. */
function containerKind(value: object): ContainerKind | undefined {
  if (types.isProxy(value)) return undefined;
  if (Array.isArray(value)) return "array";
  if (types.isMap(value)) return "map";
  if (types.isSet(value)) return "set";
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null ? "object" : undefined;
}

function isCloneable(value: unknown): boolean {
  try {
    serialize(value);
    return true;
  } catch {
    return false;
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function describe(value: unknown): string {
  const text = safeString(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  try {
    const name: unknown = Object.getPrototypeOf(value)?.constructor?.name;
    return typeof name === "string" && name !== "" ? name : "Object";
  } catch {
    return "Object";
  }
}

function nameOf(error: object, fallback: string): string {
  const name = read(error, "name");
  if (typeof name === "string") return name;
  return name === undefined || name === NOT_READ ? fallback : safeString(name);
}

/**
 * Whether structured clone would lose part of this error (the clone check
 * asks): own enumerable properties, an own `name`, an AggregateError's members.
 */
export function losesParts(error: Error): boolean {
  return Object.keys(error).length > 0 || Object.hasOwn(error, "name") || error instanceof AggregateError;
}

// ---------------------------------------------------------------- encoding

interface Encoder {
  lossy: boolean;
  /** What moves with the value (its transfer list): Buffers over those ArrayBuffers keep their place in them. */
  moved: ReadonlySet<unknown> | undefined;
  /** Each object met so far: its copy, or its error's record. */
  copies: Map<object, unknown>;
  /** Each uncloneable value described so far (lossy). */
  described: Map<unknown, EncodedUncloneable>;
  /** Whether each leaf object clones (lossy). */
  leaves: WeakMap<object, boolean>;
  records: EncodedRecord[];
}

/**
 * `value` as an envelope; see the module comment and {@link Encoding}.
 * `moved`: what is transferred with it (a Buffer over one of its ArrayBuffers keeps its
 * view instead of a copy of its bytes).
 */
export function encode(value: unknown, encoding: Encoding, moved?: ReadonlySet<unknown>): Envelope {
  const encoder: Encoder = {
    lossy: encoding === "lossy",
    moved,
    copies: new Map(),
    described: new Map(),
    leaves: new WeakMap(),
    records: [],
  };
  const encoded = encodeMember(encoder, value, 0);
  return { [RECORDS]: encoder.records, value: encoded };
}

/** A value standing alone (the value itself, a cause, a member): encoded whole, else (lossy) described. */
function encodeMember(encoder: Encoder, value: unknown, depth: number): unknown {
  return fits(encoder, value, depth) ? encodeValue(encoder, value, depth) : uncloneable(encoder, value);
}

/**
 * Whether `value` can be encoded whole (always, when exact): everything in
 * it clones, and it holds no new error when `depth` (the depth new errors
 * in it get) is past MAX_ERROR_DEPTH. Errors are not looked into: their
 * own parts are dropped one by one.
 */
function fits(encoder: Encoder, value: unknown, depth: number): boolean {
  if (!encoder.lossy) return true;
  const stack = [value];
  const visited = new Set<object>();
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current === "function" || typeof current === "symbol") return false;
    if (typeof current !== "object" || current === null) continue;
    if (visited.has(current) || encoder.copies.has(current)) continue;
    visited.add(current);
    if (isErrorLike(current)) {
      if (depth > MAX_ERROR_DEPTH) return false;
      continue;
    }
    if (Buffer.isBuffer(current)) continue;
    const kind = containerKind(current);
    if (kind === undefined) {
      if (!leafClones(encoder, current)) return false;
      continue;
    }
    if (!pushMembers(current, kind, stack)) return false;
  }
  return true;
}

/** Pushes a container's keys and values onto `stack`; false when a getter throws. */
function pushMembers(container: object, kind: ContainerKind, stack: unknown[]): boolean {
  if (kind === "map") {
    (container as Map<unknown, unknown>).forEach((v, k) => stack.push(k, v));
  } else if (kind === "set") {
    (container as Set<unknown>).forEach((v) => stack.push(v));
  } else {
    for (const key of Object.keys(container)) {
      const member = read(container, key);
      if (member === NOT_READ) return false;
      stack.push(member);
    }
  }
  return true;
}

function leafClones(encoder: Encoder, leaf: object): boolean {
  let clones = encoder.leaves.get(leaf);
  if (clones === undefined) {
    clones = !types.isProxy(leaf) && isCloneable(leaf);
    encoder.leaves.set(leaf, clones);
  }
  return clones;
}

/** `value` encoded whole (it fits); new errors in it get `depth`. Containers are copied without recursion. */
function encodeValue(encoder: Encoder, value: unknown, depth: number): unknown {
  const pending: Array<[source: object, copy: object]> = [];
  const inner = (member: unknown): unknown => encodeShallow(encoder, member, depth, pending);
  const root = inner(value);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, copy] = next;
    if (copy instanceof Map) {
      (source as Map<unknown, unknown>).forEach((v, k) => copy.set(inner(k), inner(v)));
    } else if (copy instanceof Set) {
      (source as Set<unknown>).forEach((v) => copy.add(inner(v)));
    } else {
      for (const key of Object.keys(source)) {
        const member = read(source, key);
        defineData(copy, key, inner(member === NOT_READ ? undefined : member));
      }
    }
  }
  return root;
}

/** One level of `value`: a primitive or leaf as it is, an error as its record, a container as a copy to fill. */
function encodeShallow(encoder: Encoder, value: unknown, depth: number, pending: Array<[object, object]>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const known = encoder.copies.get(value);
  if (known !== undefined) return known;
  if (isErrorLike(value)) return encodeError(encoder, value, depth);
  if (Buffer.isBuffer(value)) return encodeBuffer(encoder, value);
  const kind = containerKind(value);
  if (kind === undefined) return value; // a leaf: structured clone copies it (Date, RegExp, buffers…)
  const copy =
    kind === "array"
      ? new Array<unknown>((value as unknown[]).length)
      : kind === "map"
        ? new Map()
        : kind === "set"
          ? new Set()
          : {};
  encoder.copies.set(value, copy);
  pending.push([value, copy]);
  return copy;
}

/**
 * A Buffer's record. A Buffer that is part of a larger ArrayBuffer (Node's
 * 8 KiB pool for small ones) sends a copy of its own bytes alone, unless that
 * ArrayBuffer is shared or moves with the value; one that spans its whole
 * ArrayBuffer sends a view of it, so its relation to that ArrayBuffer stays.
 */
function encodeBuffer(encoder: Encoder, buffer: Buffer): EncodedBuffer {
  const whole = buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength;
  const kept = whole || !(buffer.buffer instanceof ArrayBuffer) || encoder.moved?.has(buffer.buffer) === true;
  const bytes = kept ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
  const record: EncodedBuffer = { kind: "buffer", bytes };
  encoder.copies.set(buffer, record);
  encoder.records.push(record);
  return record;
}

function uncloneable(encoder: Encoder, value: unknown): EncodedUncloneable {
  let record = encoder.described.get(value);
  if (record === undefined) {
    record = { kind: "uncloneable", description: describe(value), type: typeName(value) };
    encoder.described.set(value, record);
    encoder.records.push(record);
  }
  return record;
}

function encodeError(encoder: Encoder, error: object, depth: number): EncodedError {
  const constructorName = classOf(error);
  const message = read(error, "message");
  const stack = read(error, "stack");
  const record: EncodedError = {
    kind: "error",
    name: nameOf(error, constructorName ?? "Error"),
    message: message === undefined || message === NOT_READ ? "" : safeString(message),
    constructorName,
    props: {},
  };
  if (typeof stack === "string") record.stack = stack;
  encoder.copies.set(error, record); // before its parts: references back to it find the record
  encoder.records.push(record);
  const cut = encoder.lossy && depth >= MAX_ERROR_DEPTH;
  const keys = keysOf(error);
  const lost: string[] = [];

  const code = read(error, "code");
  if ((typeof code === "string" || typeof code === "number") && !keys.includes("code")) record.code = code;
  if (has(error, "cause")) {
    if (cut) lost.push("cause");
    else record.cause = encodeMember(encoder, read(error, "cause"), depth + 1);
  }
  const errors = read(error, "errors");
  const aggregate =
    (constructorName === "AggregateError" || constructorName === "ExceptionGroup") && Array.isArray(errors);
  if (aggregate && cut) lost.push("errors");
  else if (aggregate) {
    record.errors = fits(encoder, errors, depth + 1)
      ? encodeValue(encoder, errors, depth + 1)
      : errors.map((member: unknown) => encodeMember(encoder, member, depth + 1));
  }

  for (const key of keys) {
    if (key === "message" || key === "stack" || key === "cause" || (aggregate && key === "errors")) continue;
    const value = read(error, key);
    if (value !== NOT_READ && fits(encoder, value, depth + 1)) {
      defineData(record.props, key, encodeValue(encoder, value, depth + 1));
    } else {
      lost.push(key);
    }
  }
  if (lost.length > 0) record.lost = lost;
  return record;
}

// ---------------------------------------------------------------- decoding

interface Decoder {
  records: Set<unknown>;
  /** Each record decoded so far, and its error or Buffer. */
  rebuilt: Map<object, Error | Buffer>;
  /** Containers already being restored. */
  visited: Set<object>;
}

/** Whether a received value is an envelope made by `encode`. */
export function isEnvelope(value: unknown): value is Envelope {
  return typeof value === "object" && value !== null && Object.hasOwn(value, RECORDS);
}

/** Whether the envelope's value arrives as an Error: an error's record, or an uncloneable value's. */
export function holdsError(envelope: Envelope): boolean {
  const value = envelope.value as EncodedRecord;
  return value?.kind !== "buffer" && envelope[RECORDS].includes(value);
}

/**
 * The value of a received envelope, each record rebuilt (once) as an error
 * or a Buffer, and the copied containers restored in place. Built-in classes come back
 * as real instances, ours with their brand, other classes as an `Error`
 * with an own `name`; `stack`, `cause` and `errors` are non-enumerable own
 * properties, `code` and the other properties enumerable ones; properties
 * dropped are named in an own `lostProperties` array (added to one the error
 * already had). An uncloneable value becomes an `Error` with code
 * `ERR_PARALLEL_UNCLONEABLE_THROW`.
 */
export function decode(envelope: Envelope): unknown {
  const decoder: Decoder = { records: new Set(envelope[RECORDS]), rebuilt: new Map(), visited: new Set() };
  return decodeValue(decoder, envelope.value);
}

function decodeValue(decoder: Decoder, value: unknown): unknown {
  const pending: object[] = [];
  const inner = (member: unknown): unknown => decodeShallow(decoder, member, pending);
  const root = inner(value);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next instanceof Map) {
      const entries = [...next].map(([k, v]) => [inner(k), inner(v)] as const);
      next.clear();
      for (const [k, v] of entries) next.set(k, v);
    } else if (next instanceof Set) {
      const items = [...next].map((v) => inner(v));
      next.clear();
      for (const v of items) next.add(v);
    } else if (Array.isArray(next) || Object.getPrototypeOf(next) === Object.prototype) {
      const container = next as Record<string, unknown>;
      for (const key of Object.keys(container)) {
        const member = container[key];
        const restored = inner(member);
        if (restored !== member) defineData(container, key, restored);
      }
    }
  }
  return root;
}

/** One level of `value`: a record as its error, anything else as it is (a container queued to restore). */
function decodeShallow(decoder: Decoder, value: unknown, pending: object[]): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (decoder.records.has(value)) return decoder.rebuilt.get(value) ?? decodeRecord(decoder, value as EncodedRecord);
  if (!decoder.visited.has(value)) {
    decoder.visited.add(value);
    pending.push(value);
  }
  return value;
}

function decodeRecord(decoder: Decoder, record: EncodedRecord): Error | Buffer {
  if (record.kind === "buffer") {
    const { bytes } = record;
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    decoder.rebuilt.set(record, buffer);
    return buffer;
  }
  if (record.kind === "uncloneable") {
    const error = new Error(`Thread threw an uncloneable value: ${record.description}`);
    defineData(error, "code", "ERR_PARALLEL_UNCLONEABLE_THROW");
    defineHidden(error, "stack", `Error: ${error.message}`);
    decoder.rebuilt.set(record, error);
    return error;
  }
  const error = createError(record.constructorName, record.message, record.name);
  decoder.rebuilt.set(record, error); // before its parts: references back to it find the error
  const props = record.props;
  if (!Object.hasOwn(props, "name") && error.name !== record.name) defineHidden(error, "name", record.name);
  defineHidden(error, "stack", record.stack ?? `${record.name}: ${record.message}`);
  if (record.code !== undefined) defineData(error, "code", record.code);
  if (Object.hasOwn(record, "cause")) defineHidden(error, "cause", decodeValue(decoder, record.cause));
  if (record.constructorName === "ExceptionGroup") {
    const members = Array.isArray(record.errors) ? record.errors.map((m: unknown) => decodeValue(decoder, m)) : [];
    defineHidden(error, "errors", Object.freeze(members)); // no members: cut (too deep)
  } else if (record.errors !== undefined) {
    defineHidden(error, "errors", decodeValue(decoder, record.errors));
  }
  for (const key of Object.keys(props)) defineData(error, key, decodeValue(decoder, props[key]));
  if (record.lost !== undefined && record.lost.length > 0) {
    const earlier = Object.hasOwn(props, "lostProperties") ? read(error, "lostProperties") : undefined;
    defineData(
      error,
      "lostProperties",
      Array.isArray(earlier) ? [...(earlier as unknown[]), ...record.lost] : record.lost,
    );
  }
  return error;
}
