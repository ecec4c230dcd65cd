// README example: dynamic calls in a loop, with futures and wait().
import assert from "node:assert/strict";
import { ParallelExecutor, wait } from "parallel-threads";

const futures = [];
for (let i = 0; i < 10; i++) futures.push(ParallelExecutor.executeOne((n) => n * n, i));
const { done, notDone } = await wait(futures, { timeout: 10_000, returnWhen: "ALL_COMPLETED" });

assert.equal(done.size, 10);
assert.equal(notDone.size, 0);
const squares = futures.map((future) => future.result());
assert.deepEqual(squares, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
console.log(squares.join(" "));
