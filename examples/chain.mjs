// README example: typed parallel calls, each on its own thread.
import assert from "node:assert/strict";
import { parallel } from "parallel-threads";

function toText(n) {
  return `${n}`;
}

const [three, four, five] = await parallel(() => 1 + 2)()
  .parallel(toText)(4)
  .parallel(async () => 1 + 4)()
  .results();

assert.deepEqual([three, four, five], [3, "4", 5]);
console.log(three, four, five);
