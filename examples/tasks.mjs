// README example: run your own module's functions on threads with tasks().
import assert from "node:assert/strict";
import { parallel, tasks } from "parallel-threads";

const work = tasks(new URL("./tasks/work.mjs", import.meta.url));

const one = await work.digest("hello", 1000); // a single call: a promise of its result
const [two, words] = await parallel(work.digest)("world", 1000).parallel(work.countWords)("a b  c").results();

assert.equal(one.length, 64);
assert.equal(two.length, 64);
assert.equal(words, 3);
console.log(one.slice(0, 12), two.slice(0, 12), words);
