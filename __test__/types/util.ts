/**
 * Tiny type-assertion helpers for the type tests (compiled with noEmit; no
 * dependency). `Expect<Equal<A, B>>` fails to compile unless A and B are
 * exactly the same type (not merely assignable either way).
 */

/** `true` when `A` and `B` are identical types, else `false`. */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when `T` is `true`. */
export type Expect<T extends true> = T;

/** Compiles only when the value's type is exactly `T`: `expectType<T>()(value)`. */
export function expectType<T>(): <V>(value: V & (Equal<V, T> extends true ? unknown : never)) => void {
  return () => undefined;
}
