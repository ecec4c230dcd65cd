// Fault: an uncaught exception from a timer the call left behind. ThreadCrashError whose cause is
// that call's own timer error (one call, one thread: no other call's timer can break its thread);
// figures.faults["timer exception"].causes counts them.

import { timerCall } from "../../lib/calls.mjs";
import { describe } from "../../lib/describe.mjs";
import { crash, faultPhase } from "./harness.mjs";

export async function timerException(ctx) {
  const timerCauses = { own: 0 };
  await faultPhase(ctx, "timer exception", {
    count: ctx.o.faults,
    concurrency: 3,
    executorOptions: { maxThreads: 4 },
    fault: (k) => ({
      fn: timerCall,
      args: [`#${k}`],
      expect: crash(ctx, (e) => {
        const message = e.cause instanceof Error ? e.cause.message : "";
        // One call, one thread: only the call's own timer can break its thread.
        if (message === `left-behind timer #${k}`) timerCauses.own++;
        else return `cause ${describe(e.cause)}`;
        return undefined;
      }),
    }),
  });
  ctx.figures.faults["timer exception"].causes = timerCauses;
}
