/**
 * The one table of error classes the value codec (value-codec.ts) knows:
 * which class an error has (`classOf`), and a new instance of that class
 * (`createError`). Built-in classes come back as real instances, the
 * library's own classes with their brand (`instanceof TimeoutError` holds in
 * any copy of the package); any other class has no entry.
 */
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

/** A class the codec rebuilds. */
export type ErrorClassName = BuiltinErrorName | LibraryErrorName;

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

// Makes one of our classes from its message; the codec sets the rest.
const LIBRARY: Record<LibraryErrorName, (message: string) => Error> = {
  TimeoutError: (m) => new TimeoutError(m),
  CancelledError: (m) => new CancelledError(m),
  ThreadCrashError: (m) => new ThreadCrashError(m),
  NotPortableError: (m) => new NotPortableError(m, []),
  CloneError: (m) => new CloneError(m, { valueType: "unknown" }),
  ChainConsumedError: (m) => new ChainConsumedError(m),
  ExceptionGroup: (m) => new ExceptionGroup(m, [undefined]), // members set by the codec
};
const LIBRARY_BRANDS = (Object.keys(LIBRARY) as LibraryErrorName[]).map((name) => [name, brandFor(name)] as const);

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

/**
 * The class to rebuild `error` as: one of ours (by brand), else the nearest
 * built-in class in its prototype chain (a `class E extends TypeError` gives
 * `"TypeError"`), of this realm or another; `undefined` for anything else.
 */
export function classOf(error: object): ErrorClassName | undefined {
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

/**
 * A new error of class `className` (an `Error` when there is none) with
 * `message`; `name` is a DOMException's name (it sets its `code`). An
 * `AggregateError` or `ExceptionGroup` is made without its members.
 */
export function createError(className: ErrorClassName | undefined, message: string, name: string): Error {
  if (className === undefined) return new Error(message);
  if (className in LIBRARY) return LIBRARY[className as LibraryErrorName](message);
  if (className === "AggregateError") return new AggregateError([], message);
  const ctor = globals[className];
  if (typeof ctor !== "function") return new Error(message);
  if (className === "DOMException") {
    return new (ctor as unknown as new (message: string, name: string) => Error)(message, name);
  }
  return new ctor(message);
}
