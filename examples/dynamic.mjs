// README example: dynamic calls with futures.
import assert from "node:assert/strict";
import { ParallelExecutor } from "parallel-threads";

const futures = [];
for (let i = 0; i < 10; i++) futures.push(ParallelExecutor.executeOne((n) => n * n, i));
const squares = await Promise.all(futures);

assert.deepEqual(squares, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
console.log(squares.join(" "));
