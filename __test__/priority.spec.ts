/**
 * Pool threads run below the program's priority (`niceIncrement`, default
 * 10), so that busy threads give way to its event loop. Read from the
 * thread's own /proc entry on Linux; the option is validated everywhere.
 */
import { readFileSync } from "node:fs";

import test from "ava";

import { ParallelExecutor } from "parallel-threads";

/** The nice value of the calling OS thread (Linux). */
function threadNice(): number {
  const stat: string = require("node:fs").readFileSync("/proc/thread-self/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

function programNice(): number {
  const stat = readFileSync("/proc/thread-self/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

const linux = process.platform === "linux" ? test : test.skip;

linux("threads run 10 nice steps below the program by default, niceIncrement steps when given", async (t) => {
  const base = programNice();
  const expect = (increment: number): number => Math.min(19, base + increment);
  t.is(await ParallelExecutor.executeOne(threadNice), expect(10));
  for (const niceIncrement of [0, 3, 19]) {
    const executor = new ParallelExecutor({ maxThreads: 1, niceIncrement });
    try {
      t.is(await executor.executeOne(threadNice), expect(niceIncrement), `niceIncrement ${niceIncrement}`);
    } finally {
      await executor.close();
    }
  }
  t.is(programNice(), base, "the program's own priority is untouched");
});

test("niceIncrement must be an integer from 0 to 19", (t) => {
  for (const niceIncrement of [-1, 20, 1.5, Number.NaN])
    t.throws(() => new ParallelExecutor({ niceIncrement }), { instanceOf: RangeError, code: "ERR_OUT_OF_RANGE" });
  t.throws(() => new ParallelExecutor({ niceIncrement: "low" as unknown as number }), {
    instanceOf: TypeError,
    code: "ERR_INVALID_ARG_TYPE",
  });
});
