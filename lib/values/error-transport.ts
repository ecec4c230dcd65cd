/**
 * How a thrown value crosses threads. The thread encodes it into plain data
 * that `v8.serialize` accepts (`encodeThrown`); the caller rebuilds an error
 * from that data (`decodeThrown`). Cycles and shared references among the
 * errors (`err.cause = err`) are kept: the encoded graph has the same shape,
 * and `v8.serialize` keeps shared references.
 */
import { serialize } from "node:v8";
import { types } from "node:util";
import {
  CancelledError,
  ChainConsumedError,
  CloneError,
  ExceptionGroup,
  NotPortableError,
  ThreadCrashError,
  TimeoutError,
} from "../errors/errors.js";
import { brandFor, hasBrand } from "../errors/exception-group.js";

/** Built-in error classes rebuilt as real instances. */
export type BuiltinErrorName =
  | "Error"
  | "TypeError"
  | "RangeError"
  | "SyntaxError"
  | "ReferenceError"
  | "EvalError"
  | "URIError"
  | "AggregateError"
  | "DOMException";

/** This library's error classes, rebuilt with their brand. */
export type LibraryErrorName =
  | "TimeoutError"
  | "CancelledError"
  | "ThreadCrashError"
  | "NotPortableError"
  | "CloneError"
  | "ChainConsumedError"
  | "ExceptionGroup";

/** A thrown `Error` (or subclass), as plain data. */
export interface EncodedError {
  kind: "error";
  /** The error's `name` (read through getters). */
  name: string;
  message: string;
  /** The thread's stack string, if it had one. */
  stack?: string;
  /**
   * The class to rebuild: one of ours (by brand), else the nearest built-in
   * class in the prototype chain (a `class E extends TypeError` gives
   * `"TypeError"`); `undefined` for anything else.
   */
  constructorName: BuiltinErrorName | LibraryErrorName | undefined;
  /** `code`, when it is a string or a number. */
  code?: string | number;
  /** Present when the error had a `cause` (even `undefined`). */
  cause?: EncodedThrown;
  /** The members of an `AggregateError` (or `ExceptionGroup`). */
  errors?: EncodedThrown[];
  /** Own enumerable properties other than the ones above, each cloneable. */
  props: Record<string, unknown>;
  /** Names of properties dropped: not cloneable, throwing getters, or nesting too deep. */
  lost?: string[];
}

/** A thrown non-Error value that structured clone accepts, as it is. */
export interface EncodedValue {
  kind: "value";
  value: unknown;
}

/** A thrown non-Error value that can't be cloned (a function, a symbol…). */
export interface EncodedUnclonable {
  kind: "value-unclonable";
  /** `String(value)`, shortened. */
  description: string;
  /** `typeof value`, or the class name for objects. */
  type: string;
}

/** Anything thrown, encoded to cross threads. */
export type EncodedThrown = EncodedError | EncodedValue | EncodedUnclonable;

/** Error/cause/errors nesting deeper than this is dropped (listed in `lost`). */
export const MAX_ERROR_DEPTH = 64;

/** The line between the thread's frames and the call site's in a decoded `stack`. */
export const CALL_SITE_SEPARATOR = "    at parallel() call site:";

const BUILTIN_NAMES: readonly BuiltinErrorName[] = [
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
  "AggregateError",
  "DOMException",
];

type ErrorCtor = new (message?: string) => Error;
const globals = globalThis as unknown as Record<string, ErrorCtor | undefined>;

const BUILTIN_BY_PROTO = new Map<object, BuiltinErrorName>();
for (const name of BUILTIN_NAMES) {
  const ctor = globals[name];
  if (typeof ctor === "function") BUILTIN_BY_PROTO.set(ctor.prototype, name);
}

// Rebuilds one of our classes from its message; props, cause, errors follow.
const LIBRARY: Record<LibraryErrorName, (message: string) => Error> = {
  TimeoutError: (m) => new TimeoutError(m),
  CancelledError: (m) => new CancelledError(m),
  ThreadCrashError: (m) => new ThreadCrashError(m),
  NotPortableError: (m) => new NotPortableError(m, []),
  CloneError: (m) => new CloneError(m, { valueType: "unknown" }),
  ChainConsumedError: (m) => new ChainConsumedError(m),
  ExceptionGroup: (m) => new ExceptionGroup(m, [undefined]), // members set after
};
// Most derived first: a brand check must find the class itself.
const LIBRARY_BRANDS = (Object.keys(LIBRARY) as LibraryErrorName[]).map((name) => [name, brandFor(name)] as const);

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

function isCloneable(value: unknown): boolean {
  try {
    serialize(value);
    return true;
  } catch {
    return false;
  }
}

function isErrorLike(value: unknown): value is object {
  if (types.isNativeError(value)) return true;
  try {
    return value instanceof Error;
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

function prototypesOf(error: object): object[] {
  const chain: object[] = [];
  try {
    for (let p = Object.getPrototypeOf(error); p !== null; p = Object.getPrototypeOf(p)) chain.push(p);
  } catch {
    // a proxy whose getPrototypeOf throws: keep what was found
  }
  return chain;
}

/** A built-in error class of another realm (a `vm` context): native, with a built-in name. */
function foreignBuiltin(proto: object): BuiltinErrorName | undefined {
  const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value as unknown;
  if (typeof ctor !== "function") return undefined;
  const name = BUILTIN_NAMES.find((n) => n === ctor.name);
  return name !== undefined && Function.prototype.toString.call(ctor).includes("[native code]") ? name : undefined;
}

function classOf(error: object): BuiltinErrorName | LibraryErrorName | undefined {
  for (const [name, brand] of LIBRARY_BRANDS) if (hasBrand(error, brand)) return name;
  const chain = prototypesOf(error);
  for (const proto of chain) {
    const name = BUILTIN_BY_PROTO.get(proto);
    if (name !== undefined) return name;
  }
  for (const proto of chain) {
    const name = foreignBuiltin(proto);
    if (name !== undefined) return name;
  }
  return undefined;
}

function nameOf(error: object, fallback: string): string {
  const name = read(error, "name");
  if (typeof name === "string") return name;
  return name === undefined || name === NOT_READ ? fallback : safeString(name);
}

/**
 * Encodes anything thrown into plain data that `v8.serialize` accepts (run
 * in the thread). Errors keep name, message, stack, class, `code`, `cause`
 * and `errors` (recursively), and their own enumerable properties that
 * clone; the others are named in `lost`. Other values go as they are when
 * they clone, else as a description.
 */
export function encodeThrown(value: unknown): EncodedThrown {
  return encode(value, new Map(), 0);
}

function encode(value: unknown, seen: Map<object, EncodedError>, depth: number): EncodedThrown {
  if (isErrorLike(value)) return seen.get(value) ?? encodeError(value, seen, depth);
  if (isCloneable(value)) return { kind: "value", value };
  return { kind: "value-unclonable", description: describe(value), type: typeName(value) };
}

function encodeError(error: object, seen: Map<object, EncodedError>, depth: number): EncodedError {
  const constructorName = classOf(error);
  const message = read(error, "message");
  const stack = read(error, "stack");
  const encoded: EncodedError = {
    kind: "error",
    name: nameOf(error, constructorName ?? "Error"),
    message: message === undefined || message === NOT_READ ? "" : safeString(message),
    constructorName,
    props: {},
  };
  if (typeof stack === "string") encoded.stack = stack;
  seen.set(error, encoded); // before recursing: cycles point back here
  const handled = new Set(["name", "message", "stack"]);
  const lost: string[] = [];

  const code = read(error, "code");
  if (typeof code === "string" || typeof code === "number") {
    encoded.code = code;
    handled.add("code");
  }
  if (has(error, "cause")) {
    handled.add("cause");
    if (depth >= MAX_ERROR_DEPTH) lost.push("cause");
    else encoded.cause = encode(read(error, "cause"), seen, depth + 1);
  }
  const errors = read(error, "errors");
  if ((constructorName === "AggregateError" || constructorName === "ExceptionGroup") && Array.isArray(errors)) {
    handled.add("errors");
    if (depth >= MAX_ERROR_DEPTH) lost.push("errors");
    else encoded.errors = errors.map((e: unknown) => encode(e, seen, depth + 1));
  }

  for (const key of Object.keys(error)) {
    if (handled.has(key)) continue;
    const value = read(error, key);
    if (value !== NOT_READ && isCloneable(value)) encoded.props[key] = value;
    else lost.push(key);
  }
  if (lost.length > 0) encoded.lost = lost;
  return encoded;
}

function defineHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}

function defineData(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The frames of an `Error().stack` (its lines from the first `at`). */
function framesOf(stack: string): string {
  const lines = stack.split("\n");
  const first = lines.findIndex((line) => /^\s+at /.test(line));
  return first === -1 ? "" : lines.slice(first).join("\n");
}

/**
 * Rebuilds a thrown value from `encodeThrown`'s data (run in the caller).
 * Built-in classes come back as real instances (an `AggregateError` with
 * its decoded `errors`), our classes with their brand (`instanceof
 * TimeoutError` holds), other classes as an `Error` with an own `name`.
 * `message`, `code`, `cause` and own properties are restored; properties
 * that could not cross are named in an own `lostProperties` array (the
 * message is unchanged). Non-Error values come back as they were; an
 * uncloneable one becomes an `Error` with code
 * `ERR_PARALLEL_UNCLONEABLE_THROW`.
 *
 * `callSiteStack` (an `Error().stack` taken at the `parallel()` call) is
 * appended to the top-level error's stack after {@link CALL_SITE_SEPARATOR};
 * nested causes keep their thread stacks only.
 */
export function decodeThrown(data: EncodedThrown, callSiteStack?: string): unknown {
  const decoded = decode(data, new Map());
  if (data.kind !== "value" && callSiteStack !== undefined) {
    const frames = framesOf(callSiteStack);
    const error = decoded as Error;
    if (frames !== "") {
      const own = data.kind === "error" ? error.stack : `${error.name}: ${error.message}`;
      defineHidden(error, "stack", `${own}\n${CALL_SITE_SEPARATOR}\n${frames}`);
    }
  }
  return decoded;
}

function decode(data: EncodedThrown, memo: Map<EncodedError, Error>): unknown {
  switch (data.kind) {
    case "value":
      return data.value;
    case "value-unclonable":
      return Object.assign(new Error(`Thread threw an uncloneable value: ${data.description}`), {
        code: "ERR_PARALLEL_UNCLONEABLE_THROW",
      });
    case "error":
      return memo.get(data) ?? decodeError(data, memo);
  }
}

function create(data: EncodedError): Error {
  const name = data.constructorName;
  if (name === undefined) return new Error(data.message);
  if (name in LIBRARY) return LIBRARY[name as LibraryErrorName](data.message);
  if (name === "AggregateError") return new AggregateError([], data.message);
  const ctor = globals[name];
  if (typeof ctor !== "function") return new Error(data.message);
  if (name === "DOMException") {
    return new (ctor as unknown as new (message: string, name: string) => Error)(data.message, data.name);
  }
  return new ctor(data.message);
}

function decodeError(data: EncodedError, memo: Map<EncodedError, Error>): Error {
  const error = create(data);
  memo.set(data, error); // before recursing: cycles point back here
  if (error.name !== data.name) defineHidden(error, "name", data.name);
  defineHidden(error, "stack", data.stack ?? `${data.name}: ${data.message}`);
  if (data.code !== undefined) defineData(error, "code", data.code);
  if ("cause" in data) defineHidden(error, "cause", decode(data.cause as EncodedThrown, memo));
  if (data.errors !== undefined) {
    const members = data.errors.map((e) => decode(e, memo));
    defineHidden(error, "errors", error instanceof ExceptionGroup ? Object.freeze(members) : members);
  } else if (error instanceof ExceptionGroup) {
    defineHidden(error, "errors", Object.freeze([])); // members lost (too deep)
  }
  for (const [key, value] of Object.entries(data.props)) defineData(error, key, value);
  if (data.lost !== undefined && data.lost.length > 0) {
    const earlier = data.props["lostProperties"];
    const names = Array.isArray(earlier) ? [...(earlier as unknown[]), ...data.lost] : data.lost;
    defineData(error, "lostProperties", names);
  }
  return error;
}
