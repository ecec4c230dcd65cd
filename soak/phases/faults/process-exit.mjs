// Fault: process.exit(code) in a call. It ends its own thread only: ThreadCrashError with that
// exit code; the process and the healthy calls beside it go on.

import { exitCall } from "../../lib/calls.mjs";
import { crash, faultPhase } from "./harness.mjs";

export async function processExit(ctx) {
  await faultPhase(ctx, "process.exit", {
    count: ctx.o.faults,
    concurrency: 3,
    executorOptions: { maxThreads: 4 },
    fault: (k) => {
      const code = 1 + (k % 120);
      return {
        fn: exitCall,
        args: [code],
        expect: crash(ctx, (e) => (e.exitCode === code ? undefined : `exitCode ${e.exitCode}, expected ${code}`)),
      };
    },
  });
}
