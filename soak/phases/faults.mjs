// Fault phases: process.exit in a call, an uncaught exception from a timer the call left, out of
// memory under resourceLimits, an infinite loop under a per-call timeout, and cancel storms — each
// mixed with healthy calls (one module each in faults/). Every call settles once, faults with the
// documented error (ThreadCrashError / TimeoutError / CancelledError), healthy calls with their
// right value; one diagnostics_channel call:end event per call.
//
// The healthy calls mixed with faults are sync and async in every phase: one call, one thread
// (README "Threads"), so a fault never touches a healthy call. --no-oom skips the out-of-memory
// phase (Node 24 can hang in it: README "Limitations").

import { cancelStorms } from "./faults/cancel-storms.mjs";
import { loopTimeout } from "./faults/loop-timeout.mjs";
import { outOfMemory } from "./faults/out-of-memory.mjs";
import { processExit } from "./faults/process-exit.mjs";
import { timerException } from "./faults/timer-exception.mjs";

export async function runFaults(ctx) {
  const { o } = ctx;
  ctx.figures.faults = {};
  process.stdout.write(`faults: ${o.faults} of each… `);
  await processExit(ctx);
  process.stdout.write("exit ");
  await timerException(ctx);
  process.stdout.write("timer ");
  if (o.oom) {
    await outOfMemory(ctx);
    process.stdout.write("oom ");
  }
  await loopTimeout(ctx);
  process.stdout.write("timeout ");
  await cancelStorms(ctx, o.faults);
  process.stdout.write("cancel ");
}
