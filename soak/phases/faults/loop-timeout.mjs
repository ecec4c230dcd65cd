// Fault: an infinite loop (at once, or after an await) under a per-call timeout of 20–100 ms:
// TimeoutError.

import { spinAfterAwait, spinCall } from "../../lib/calls.mjs";
import { describe } from "../../lib/describe.mjs";
import { faultPhase } from "./harness.mjs";

export async function loopTimeout(ctx) {
  const { lib, pick } = ctx;
  await faultPhase(ctx, "infinite loop + timeout", {
    count: ctx.o.faults,
    concurrency: 3,
    executorOptions: { maxThreads: 4 },
    fault: (k) => {
      const timeout = 20 + pick(80);
      return {
        fn: k % 2 === 0 ? spinCall : spinAfterAwait,
        options: { timeout },
        args: [],
        expect: (r) => {
          if (r.ok) return `loop fulfilled with ${JSON.stringify(r.value)}`;
          if (!(r.error instanceof lib.TimeoutError) || r.error.code !== "ERR_PARALLEL_TIMEOUT")
            return `expected TimeoutError, got ${describe(r.error)}`;
          return undefined;
        },
      };
    },
  });
}
