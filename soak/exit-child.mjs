// A main program that ends while thread calls are in flight (run by
// soak/run.mjs, one process per fault). Usage:
//   node soak/exit-child.mjs <mode> <seed>
// Modes:
//   exit-now          start calls (spinning, blocked in Atomics.wait, sleeping, quick, nested), then process.exit(0) at once
//   exit-later        the same, then process.exit(0) after 0–150 ms (calls running, threads parked)
//   exit-in-callback  process.exit(0) from the callback of the first settled call, others still running
//   throw             an uncaught exception in the main program after 0–100 ms, calls still running (exit code 1)
//   return            start finite calls, await nothing, return: the process waits for them, then exits;
//                     on 'exit' prints {"started":n,"settled":n,"wrong":n}
//   idle-return       await some calls, set process.exitCode = 3 and return: warm idle threads must not keep it alive
// The parent checks the exit code, that nothing hangs (a watchdog kills it) and the time it took.
import { ParallelExecutor, parallel } from "parallel-threads";

const [mode = "exit-now", seedText = "1"] = process.argv.slice(2);
let seed = Number(seedText) >>> 0 || 1;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (n) => Math.floor(rand() * n);

// Portable call bodies (re-created inside threads; they use only their arguments).
const spin = () => {
  for (;;) {
    /* until the process ends */
  }
};
const block = (ms) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
};
const sleep = async (ms) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
};
const quick = (i) => i + 1;
const busy = (ms) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return ms;
};
const nested = async (n) => {
  // A call that makes calls of its own from inside its thread.
  const { parallel: inner } = require("parallel-threads");
  const values = await inner((x) => x * 2)(n)
    .parallel(async (x) => x + 1)(n)
    .results();
  return values[0] + values[1];
};

/** Starts calls that never end by themselves (they need the process to end them). */
function startUnending() {
  const chains = [];
  chains.push(parallel(spin)().parallel(block)(60_000).parallel(sleep)(60_000).parallel(quick)(1));
  const executor = new ParallelExecutor({ maxThreads: 3 });
  chains.push(executor.parallel(block)(60_000).parallel(sleep)(60_000));
  ParallelExecutor.executeOne(nested, 3);
  ParallelExecutor.executeOne(spin);
  for (let i = 0; i < pick(4); i++) ParallelExecutor.executeOne(quick, i);
  for (const chain of chains) chain.settled(); // an observer on each, as a program would have
  return chains;
}

switch (mode) {
  case "exit-now":
    startUnending();
    process.exit(0);
    break;
  case "exit-later":
    startUnending();
    setTimeout(() => process.exit(0), pick(150));
    break;
  case "exit-in-callback": {
    startUnending();
    ParallelExecutor.executeOne(quick, 41).then(() => process.exit(0));
    break;
  }
  case "throw":
    startUnending();
    setTimeout(() => {
      throw new Error("main program fault");
    }, pick(100));
    break;
  case "return": {
    let started = 0;
    let settled = 0;
    let wrong = 0;
    const expect = (promise, value) => {
      started++;
      promise.then(
        (v) => {
          settled++;
          if (JSON.stringify(v) !== JSON.stringify(value)) wrong++;
        },
        () => {
          settled++;
          wrong++;
        },
      );
    };
    const n = 3 + pick(6);
    for (let i = 0; i < n; i++) {
      const ms = pick(80);
      switch (pick(5)) {
        case 0:
          expect(ParallelExecutor.executeOne(block, ms), ms);
          break;
        case 1:
          expect(ParallelExecutor.executeOne(sleep, ms), ms);
          break;
        case 2:
          expect(
            parallel(busy)(ms % 30)
              .parallel(quick)(i)
              .results(),
            [ms % 30, i + 1],
          );
          break;
        case 3:
          expect(ParallelExecutor.executeOne(nested, i), 3 * i + 1);
          break;
        default:
          expect(parallel(quick)(i).results(), [i + 1]);
      }
    }
    process.on("exit", () => {
      process.stdout.write(`${JSON.stringify({ started, settled, wrong })}\n`);
    });
    break;
  }
  case "idle-return": {
    const values = await parallel(quick)(1).parallel(sleep)(10).parallel(block)(10).results();
    if (JSON.stringify(values) !== "[2,10,10]") throw new Error(`wrong values ${JSON.stringify(values)}`);
    process.exitCode = 3;
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
