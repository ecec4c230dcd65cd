// Fault: a call that runs out of memory under resourceLimits (16 MiB old generation):
// ThreadCrashError. Skipped with --no-oom (Node 24 can hang in it: README "Limitations").

import { oomCall } from "../../lib/calls.mjs";
import { crash, faultPhase } from "./harness.mjs";

export async function outOfMemory(ctx) {
  await faultPhase(ctx, "out of memory", {
    count: ctx.o.faults,
    concurrency: 2,
    executorOptions: { maxThreads: 4, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } },
    fault: () => ({ fn: oomCall, args: [], expect: crash(ctx) }),
  });
}
