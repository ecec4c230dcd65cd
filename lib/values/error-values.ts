/**
 * Errors inside argument and result values. The structured clone algorithm
 * keeps only an error's built-in class, message, stack and cause: an own
 * `code` or `name`, other own properties and an `AggregateError`'s `errors`
 * would be lost on the way. When the clone check finds such an error, the
 * value crosses as an envelope: a copy of its containers in which each error
 * is a plain marker holding all of it (`wrapErrors`), made back into errors
 * on the other side (`unwrapErrors`). Shared references and cycles are kept.
 */

const ENVELOPE = "\0parallel-threads:errors";
const MARK = "\0parallel-threads:error";

/** The built-in error classes an error value may have (the clone check refuses others). */
const CLASSES = new Map<object, string>(
  [Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError, AggregateError].map((ctor) => [
    ctor.prototype,
    ctor.name,
  ]),
);
const CONSTRUCTORS: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
};

/** An error as plain data, inside an envelope. */
interface ErrorData {
  className: string;
  message: string;
  stack?: string;
  /** Own non-enumerable `name`, when it has one (an enumerable one is in `props`). */
  name?: string;
  hasCause: boolean;
  cause?: unknown;
  errors?: unknown[];
  props: Array<[string, unknown]>;
}

type Marker = { [MARK]: ErrorData };

function defineData(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function defineHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}

/** Whether structured clone would lose part of this error (the clone check asks). */
export function losesParts(error: Error): boolean {
  return Object.keys(error).length > 0 || Object.hasOwn(error, "name") || error instanceof AggregateError;
}

/** `value` as an envelope in which every error is a marker; see the module comment. */
export function wrapErrors(value: unknown): unknown {
  return { [ENVELOPE]: wrap(value, new Map()) };
}

function wrap(value: unknown, memo: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const known = memo.get(value);
  if (known !== undefined) return known;
  if (value instanceof Error) return wrapError(value, memo);
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    memo.set(value, copy);
    for (const key of Object.keys(value))
      defineData(copy, key, wrap((value as unknown as Record<string, unknown>)[key], memo));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    memo.set(value, copy);
    for (const [k, v] of value) copy.set(wrap(k, memo), wrap(v, memo));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    memo.set(value, copy);
    for (const v of value) copy.add(wrap(v, memo));
    return copy;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) return value; // a leaf: Date, RegExp, buffers, boxed values
  const copy = {};
  memo.set(value, copy);
  for (const key of Object.keys(value)) defineData(copy, key, wrap((value as Record<string, unknown>)[key], memo));
  return copy;
}

function wrapError(error: Error, memo: Map<object, unknown>): Marker {
  const data: ErrorData = {
    className: CLASSES.get(Object.getPrototypeOf(error) as object) ?? "Error",
    message: error.message,
    hasCause: "cause" in error,
    props: [],
  };
  const marker = { [MARK]: data };
  memo.set(error, marker); // before recursing: cycles point back here
  if (typeof error.stack === "string") data.stack = error.stack;
  if (Object.getOwnPropertyDescriptor(error, "name")?.enumerable === false) data.name = String(error.name);
  if (data.hasCause) data.cause = wrap(error.cause, memo);
  if (error instanceof AggregateError) data.errors = wrap(error.errors, memo) as unknown[];
  for (const key of Object.keys(error))
    data.props.push([key, wrap((error as unknown as Record<string, unknown>)[key], memo)]);
  return marker;
}

/** Whether a decoded value is an envelope made by `wrapErrors`. */
export function isEnvelope(value: unknown): value is { [ENVELOPE]: unknown } {
  return typeof value === "object" && value !== null && Object.hasOwn(value, ENVELOPE);
}

/** The value inside an envelope, its markers made back into errors (in place). */
export function unwrapErrors(envelope: { [ENVELOPE]: unknown }): unknown {
  return unwrap(envelope[ENVELOPE], new Map(), new Set());
}

function unwrap(value: unknown, errors: Map<object, Error>, seen: Set<object>): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Object.hasOwn(value, MARK)) return errors.get(value) ?? unwrapError(value as Marker, errors, seen);
  if (seen.has(value)) return value;
  seen.add(value);
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [unwrap(k, errors, seen), unwrap(v, errors, seen)] as const);
    value.clear();
    for (const [k, v] of entries) value.set(k, v);
  } else if (value instanceof Set) {
    const items = [...value].map((v) => unwrap(v, errors, seen));
    value.clear();
    for (const v of items) value.add(v);
  } else if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const inner = record[key];
      const revived = unwrap(inner, errors, seen);
      if (revived !== inner) defineData(record, key, revived);
    }
  }
  return value;
}

function unwrapError(marker: Marker, errors: Map<object, Error>, seen: Set<object>): Error {
  const data = marker[MARK];
  const error =
    data.className === "AggregateError"
      ? new AggregateError([], data.message)
      : new (CONSTRUCTORS[data.className] ?? Error)(data.message);
  errors.set(marker, error); // before recursing: cycles point back here
  if (data.stack !== undefined) defineHidden(error, "stack", data.stack);
  if (data.name !== undefined) defineHidden(error, "name", data.name);
  if (data.hasCause) defineHidden(error, "cause", unwrap(data.cause, errors, seen));
  if (data.errors !== undefined) defineHidden(error, "errors", unwrap(data.errors, errors, seen));
  for (const [key, value] of data.props) defineData(error, key, unwrap(value, errors, seen));
  return error;
}
