// README example in TypeScript (run with tsx): typed chains, tasks and errors.
import assert from "node:assert/strict";
import { ExceptionGroup, parallel, tasks } from "parallel-threads";

const work = tasks<typeof import("./tasks/work.mjs")>(new URL("./tasks/work.mjs", import.meta.url));

function toText(n: number): string {
  return `${n}`;
}

const [three, four, digest] = await parallel(() => 1 + 2)()
  .parallel(toText)(4)
  .parallel(work.digest)("x", 10)
  .results(); // [number, string, string]

assert.equal(three + 1, 4);
assert.equal(four.length, 1);
assert.equal(digest.length, 64);

try {
  await parallel((): never => {
    throw new RangeError("one");
  })()
    .parallel(async (): Promise<never> => {
      throw new TypeError("two");
    })()
    .results();
} catch (error) {
  assert.ok(error instanceof ExceptionGroup);
  const [ranges, rest] = error.split(RangeError);
  assert.equal(ranges?.exceptions.length, 1);
  assert.ok(rest?.exceptions[0] instanceof TypeError);
}
console.log("typed example ok");
