/**
 * Pool threads give way to the program's event loop when there are more of
 * them running calls than cores: a thread that takes a call while that is
 * so lowers its own priority by `niceIncrement` (default 10) and stays
 * lowered; threads that fit the cores keep the program's priority. Read from
 * each thread's own /proc entry on Linux; the option is validated
 * everywhere. Calls meet at a barrier (shared memory), never timed.
 */
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";

import test from "ava";

import { ParallelExecutor } from "parallel-threads";

/** Meets the other calls at the barrier, then reads the nice value of its own OS thread (Linux). */
function niceAtBarrier(input: { sab: SharedArrayBuffer; parties: number }): number {
  const view = new Int32Array(input.sab);
  Atomics.add(view, 0, 1);
  Atomics.notify(view, 0);
  const deadline = Date.now() + 10_000;
  for (let seen = Atomics.load(view, 0); seen < input.parties && Date.now() < deadline; seen = Atomics.load(view, 0))
    Atomics.wait(view, 0, seen, 20);
  const stat: string = require("node:fs").readFileSync("/proc/thread-self/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

function programNice(): number {
  const stat = readFileSync("/proc/thread-self/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

/** The nice values of `parties` calls that run at once on `executor`. */
function atOnce(executor: ParallelExecutor, parties: number): Promise<number[]> {
  const sab = new SharedArrayBuffer(4);
  return Promise.all(Array.from({ length: parties }, () => executor.executeOne(niceAtBarrier, { sab, parties })));
}

const linux = process.platform === "linux" ? test : test.skip;
const cores = availableParallelism();

linux(
  "threads that fit the cores keep the program's priority; those past them run niceIncrement steps lower",
  async (t) => {
    const base = programNice();
    for (const [niceIncrement, expected] of [
      [undefined, Math.min(19, base + 10)],
      [3, Math.min(19, base + 3)],
      [0, base],
    ] as const) {
      const executor = new ParallelExecutor({ maxThreads: cores + 2, niceIncrement });
      try {
        t.deepEqual(await atOnce(executor, 1), [base], "a call alone keeps the program's priority");
        const nices = await atOnce(executor, cores + 2);
        const lowered = nices.filter((n) => n !== base);
        t.true(
          lowered.every((n) => n === expected),
          `niceIncrement ${niceIncrement}: ${nices.join(", ")}`,
        );
        if (expected !== base) t.true(lowered.length >= 2, `${lowered.length} of ${cores + 2} lowered: ${nices}`);
        else t.is(lowered.length, 0);
      } finally {
        await executor.close();
      }
    }
    t.is(programNice(), base, "the program's own priority is untouched");
  },
);

test("niceIncrement must be an integer from 0 to 19", (t) => {
  for (const niceIncrement of [-1, 20, 1.5, Number.NaN])
    t.throws(() => new ParallelExecutor({ niceIncrement }), { instanceOf: RangeError, code: "ERR_OUT_OF_RANGE" });
  t.throws(() => new ParallelExecutor({ niceIncrement: "low" as unknown as number }), {
    instanceOf: TypeError,
    code: "ERR_INVALID_ARG_TYPE",
  });
});
