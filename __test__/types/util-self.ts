/** The helpers of util.ts reject what they must (so the other type tests mean something). */
import { expectType, type Equal, type Expect } from "./util.js";

type _same = Expect<Equal<[number, string], [number, string]>>;
// @ts-expect-error different types
type _different = Expect<Equal<number, string>>;
// @ts-expect-error assignable is not equal: a literal is not its base type
type _literal = Expect<Equal<"a", string>>;
// @ts-expect-error readonly tuples differ from mutable ones
type _readonly = Expect<Equal<readonly [number], [number]>>;
// @ts-expect-error any is not number
type _any = Expect<Equal<any, number>>;
// @ts-expect-error a union is not one of its members
type _union = Expect<Equal<number | string, number>>;

export function values(n: number, s: string, tuple: [number, string]): void {
  expectType<number>()(n);
  expectType<[number, string]>()(tuple);
  // @ts-expect-error a string is not a number
  expectType<number>()(s);
  // @ts-expect-error a number is not number | string
  expectType<number | string>()(n);
}
