/**
 * `ExceptionGroup`: several errors raised together, with PEP 654's `split`
 * and `subgroup`. Also the brand helpers that make our error classes'
 * `instanceof` work across two copies of the package.
 */

import { keepName } from "./properties.js";

/** A class used as a matcher: its instances (by `instanceof`) match. */
export type ErrorClass<T = unknown> = abstract new (...args: never[]) => T;

/**
 * What `split` and `subgroup` accept, like Python's `except` clause:
 * a class, a list of classes, or a predicate called with each error.
 */
export type ExceptionMatcher<T = unknown> =
  ErrorClass<T> | readonly ErrorClass<T>[] | ((error: unknown) => error is T) | ((error: unknown) => boolean);

/** @internal The brand of one of our classes, shared by every copy of the package. */
export function brandFor(className: string): symbol {
  return Symbol.for(`parallel-threads.${className}`);
}

/** @internal True if `value` carries `brand` (set by any copy of the package). */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/** @internal Marks `instance` with `brand` (non-enumerable). */
export function setBrand(instance: object, brand: symbol): void {
  Object.defineProperty(instance, brand, { value: true });
}

/**
 * @internal The body of our classes' `Symbol.hasInstance`: the class itself
 * accepts any branded value (from any copy); subclasses use the ordinary
 * prototype check, so `new Base() instanceof Sub` stays false.
 */
export function isInstance(ctor: ErrorClass, base: ErrorClass, brand: symbol, value: unknown): boolean {
  if (ctor === base && hasBrand(value, brand)) return true;
  return Function.prototype[Symbol.hasInstance].call(ctor, value);
}

const GROUP_BRAND = brandFor("ExceptionGroup");

function argTypeError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: "ERR_INVALID_ARG_TYPE" });
}

/** True for a class constructor (as opposed to a predicate function). */
function isClass(fn: (...args: never[]) => unknown): boolean {
  const proto: unknown = (fn as { prototype?: unknown }).prototype;
  if (typeof proto !== "object" || proto === null) return false; // arrows
  if (fn === Error || proto instanceof Error) return true;
  return /^class\b/.test(Function.prototype.toString.call(fn));
}

/** Turns a matcher into a predicate, rejecting anything else (TypeError). */
function toPredicate(matcher: unknown): (error: unknown) => boolean {
  if (Array.isArray(matcher)) {
    const classes: unknown[] = matcher;
    if (!classes.every((c) => typeof c === "function")) {
      throw argTypeError("The matcher list must contain only classes");
    }
    const list = classes as ErrorClass[];
    return (error) => list.some((cls) => error instanceof cls);
  }
  if (typeof matcher !== "function") {
    throw argTypeError("The matcher must be a class, a list of classes or a predicate function");
  }
  const fn = matcher as (error: unknown) => unknown;
  if (isClass(fn)) return (error) => error instanceof (fn as unknown as ErrorClass);
  return (error) => Boolean(fn(error));
}

/** Copies PEP 654's metadata (cause and stack, our traceback) to a derived group. */
function copyMetadata(from: ExceptionGroup, to: ExceptionGroup): void {
  for (const key of ["cause", "stack"] as const) {
    const desc = Object.getOwnPropertyDescriptor(from, key);
    if (desc === undefined) continue;
    // Copy the value: on Node 22+ `stack` is an accessor that reads its receiver.
    const value = desc.get !== undefined ? from[key] : desc.value;
    Object.defineProperty(to, key, { value, writable: true, configurable: true, enumerable: desc.enumerable ?? false });
  }
}

/**
 * Several errors raised together (PEP 654's `ExceptionGroup`), extending
 * `AggregateError`. `exceptions` is the same frozen array as `errors`.
 * The message is kept exactly as given (unlike Python, no
 * "(n sub-exceptions)" suffix is added). Nested groups are ordinary members;
 * a plain `AggregateError` member is a leaf.
 *
 * @example
 * const group = new ExceptionGroup("2 calls failed", [new TypeError("a"), new RangeError("b")]);
 * const [types, rest] = group.split(TypeError);
 */
export class ExceptionGroup<E = unknown> extends AggregateError {
  static {
    keepName(this, "ExceptionGroup");
  }

  /**
   * @param message kept as given.
   * @param exceptions a non-empty iterable of thrown values (any value, as JavaScript can throw anything).
   * @param options `cause`, as for `AggregateError`.
   */
  constructor(message: string, exceptions: Iterable<E | ExceptionGroup<E>>, options?: ErrorOptions) {
    if (typeof message !== "string") throw argTypeError("The message must be a string");
    if (exceptions === null || typeof (exceptions as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== "function") {
      throw argTypeError("The exceptions must be an iterable");
    }
    const list = Array.from(exceptions);
    if (list.length === 0) {
      throw Object.assign(new TypeError("The exceptions must not be empty"), {
        code: "ERR_INVALID_ARG_VALUE",
      });
    }
    super(list, message, options);
    Object.freeze(this.errors);
    setBrand(this, GROUP_BRAND);
  }

  /** Brand check: true for groups made by any copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isInstance(this, ExceptionGroup, GROUP_BRAND, value);
  }

  /** The grouped errors, in order (the same array as `errors`). */
  get exceptions(): readonly (E | ExceptionGroup<E>)[] {
    return this.errors as (E | ExceptionGroup<E>)[];
  }

  /**
   * Builds a group like this one around other exceptions (PEP 654's
   * `derive`); `split` and `subgroup` use it. Override it in a subclass to
   * keep the subclass; the default returns a plain `ExceptionGroup`.
   */
  derive<T>(exceptions: Iterable<T | ExceptionGroup<T>>): ExceptionGroup<T> {
    return new ExceptionGroup(this.message, exceptions);
  }

  /**
   * Splits the group in `[match, rest]`, each an `ExceptionGroup` or
   * `undefined`, keeping the nesting and this group's message, cause and
   * stack. As in PEP 654 the matcher is also tried on this group and on
   * nested groups: a group that matches goes whole to `match`.
   */
  split<T>(
    matcher: ErrorClass<T> | readonly ErrorClass<T>[] | ((error: unknown) => error is T),
  ): [ExceptionGroup<T> | undefined, ExceptionGroup<E> | undefined];
  split(matcher: (error: unknown) => boolean): [ExceptionGroup<E> | undefined, ExceptionGroup<E> | undefined];
  split(matcher: ExceptionMatcher): [ExceptionGroup | undefined, ExceptionGroup | undefined] {
    return splitGroup(this, toPredicate(matcher));
  }

  /**
   * The part of the group that matches (PEP 654's `subgroup`), or
   * `undefined`; this group itself when it matches whole or nothing in it
   * was left out.
   */
  subgroup<T>(
    matcher: ErrorClass<T> | readonly ErrorClass<T>[] | ((error: unknown) => error is T),
  ): ExceptionGroup<T> | undefined;
  subgroup(matcher: (error: unknown) => boolean): ExceptionGroup<E> | undefined;
  subgroup(matcher: ExceptionMatcher): ExceptionGroup | undefined {
    return subgroupOf(this, toPredicate(matcher));
  }
}

Object.defineProperty(ExceptionGroup.prototype, "name", {
  value: "ExceptionGroup",
  writable: true,
  configurable: true,
});

function isGroup(value: unknown): value is ExceptionGroup {
  return hasBrand(value, GROUP_BRAND);
}

function deriveFrom(group: ExceptionGroup, exceptions: unknown[]): ExceptionGroup {
  const derived = group.derive(exceptions);
  copyMetadata(group, derived);
  return derived;
}

// PEP 654 reference `split`, recursion through the same predicate.
function splitGroup(
  group: ExceptionGroup,
  predicate: (error: unknown) => boolean,
): [ExceptionGroup | undefined, ExceptionGroup | undefined] {
  if (predicate(group)) return [group, undefined];
  const matched: unknown[] = [];
  const rest: unknown[] = [];
  for (const error of group.exceptions) {
    if (isGroup(error)) {
      const [m, r] = splitGroup(error, predicate);
      if (m !== undefined) matched.push(m);
      if (r !== undefined) rest.push(r);
    } else if (predicate(error)) {
      matched.push(error);
    } else {
      rest.push(error);
    }
  }
  return [
    matched.length > 0 ? deriveFrom(group, matched) : undefined,
    rest.length > 0 ? deriveFrom(group, rest) : undefined,
  ];
}

// PEP 654 reference `subgroup`: returns the group itself when unmodified.
function subgroupOf(group: ExceptionGroup, predicate: (error: unknown) => boolean): ExceptionGroup | undefined {
  if (predicate(group)) return group;
  const kept: unknown[] = [];
  let modified = false;
  for (const error of group.exceptions) {
    if (isGroup(error)) {
      const sub = subgroupOf(error, predicate);
      if (sub !== undefined) kept.push(sub);
      if (sub !== error) modified = true;
    } else if (predicate(error)) {
      kept.push(error);
    } else {
      modified = true;
    }
  }
  if (!modified) return group;
  return kept.length > 0 ? deriveFrom(group, kept) : undefined;
}
