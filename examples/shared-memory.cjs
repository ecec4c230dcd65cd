// README example: eight calls meet at a barrier in shared memory, so they really run at once.
const assert = require("node:assert/strict");
const { parallel } = require("parallel-threads");

function meet(shared, parties) {
  const counter = new Int32Array(shared);
  Atomics.add(counter, 0, 1);
  const deadline = Date.now() + 10_000;
  while (Atomics.load(counter, 0) < parties && Date.now() < deadline)
    Atomics.wait(counter, 0, Atomics.load(counter, 0), 50);
  return Atomics.load(counter, 0) >= parties;
}

const shared = new SharedArrayBuffer(4);
let calls = parallel(meet)(shared, 8);
for (let i = 1; i < 8; i++) calls = calls.parallel(meet)(shared, 8);

const met = calls.resultsSync();
assert.deepEqual(met, Array(8).fill(true));
console.log("all 8 calls met at the barrier");
