// Fault: cancel storms. Each storm starts 8–16 calls on an executor of its own (6 threads), as
// executeOne calls and chains: endless spins (the "faults"), sleeps, Atomics.wait blocks and
// quick calls. It cancels them at random times by every means there is (an AbortSignal per call,
// chain.cancel, chain[Symbol.asyncDispose], a results() signal, future.cancel), some twice, then
// sweeps up the endless calls still running. Every call settles once: fulfilled with its right
// value or CancelledError (state "cancelled") whose cause is a reason given; a late cancel on a
// settled call changes nothing; settled() agrees with the futures.

import { isDeepStrictEqual } from "node:util";
import { blockCall, quickCall, sleepCall, spinCall } from "../../lib/calls.mjs";
import { describe } from "../../lib/describe.mjs";
import { endEvents } from "../../lib/end-events.mjs";
import { delay } from "../../lib/time.mjs";
import { settleInto, settlePhase, summarize } from "./harness.mjs";

export async function cancelStorms(ctx, count) {
  const { o, lib, check } = ctx;
  const executor = new lib.ParallelExecutor({ maxThreads: 6, idleTimeout: 1_000 });
  const ends = endEvents();
  const state = { records: [], inconsistent: [], mechanisms: {} };
  const { records, inconsistent, mechanisms } = state;
  const t0 = performance.now();
  let next = 0;

  const workers = Array.from({ length: 2 }, async () => {
    while (next < count) await storm(ctx, executor, next++, state);
  });
  const { outcome, durationMs, rest, stats, ev } = await settlePhase(workers, executor, ends, o.faultTimeout, t0);
  for (const r of records) delete r.future;
  const result = summarize(ctx, "cancel storms", {
    records,
    outcome,
    durationMs,
    rest,
    stats,
    events: ev,
    inconsistent,
    faultCount: records.filter((r) => r.kind === "fault").length,
  });
  result.storms = count;
  result.mechanisms = mechanisms;
  const cancelled = records.filter((r) => r.outcome === "CancelledError").length;
  result.cancelled = cancelled;
  result.fulfilled = records.filter((r) => r.outcome === "fulfilled").length;
  check("faults/cancel storms: ran every storm", !outcome.hung && next >= count, `${count} storms`);
  return result;
}

/** Storm `k`: its calls go to `state.records`, inconsistencies to `state.inconsistent`. */
async function storm({ o, lib, rand, pick }, executor, k, { records, inconsistent, mechanisms }) {
  const { CancelledError } = lib;
  const reasons = new Set();
  const reason = (how) => {
    const r = new Error(`storm ${k}: ${how}`);
    reasons.add(r);
    mechanisms[how] = (mechanisms[how] ?? 0) + 1;
    return r;
  };
  const callKinds = [
    () => ({ fn: spinCall, args: [], value: undefined, endless: true }),
    () => {
      const ms = pick(40);
      return { fn: sleepCall, args: [ms], value: ms };
    },
    () => {
      const ms = pick(30);
      return { fn: blockCall, args: [ms], value: ms };
    },
    () => {
      const i = pick(1000);
      return { fn: quickCall, args: [i], value: i + 1 };
    },
  ];
  const size = 8 + pick(9);
  const chains = [];
  const singles = [];
  const waits = [];
  const expectFor = (spec) => (r) => {
    if (r.ok) {
      if (spec.endless) return "an endless call fulfilled";
      return isDeepStrictEqual(r.value, spec.value) ? undefined : `wrong value ${JSON.stringify(r.value)}`;
    }
    if (!(r.error instanceof CancelledError) || r.error.code !== "ERR_PARALLEL_CANCELLED")
      return `expected CancelledError, got ${describe(r.error)}`;
    const cause = r.error.cause;
    if (!reasons.has(cause) && !(cause instanceof CancelledError))
      return `cause is not a reason given: ${describe(cause)}`;
    return undefined;
  };
  const mine = [];
  const track = (future, spec) => {
    const record = {
      kind: spec.endless ? "fault" : "healthy",
      settles: 0,
      outcome: undefined,
      problem: undefined,
      future,
      endless: spec.endless,
    };
    records.push(record);
    mine.push(record);
    const expectForSpec = expectFor(spec);
    const expect = (r) =>
      !r.ok && r.error instanceof CancelledError && future.state !== "cancelled"
        ? `CancelledError but state ${future.state}`
        : expectForSpec(r);
    waits.push(settleInto(record, future, expect));
  };
  let made = 0;
  while (made < size) {
    if (rand() >= o.chainShare) {
      const spec = callKinds[pick(callKinds.length)]();
      const future = executor.executeOne(spec.fn, ...spec.args);
      singles.push(future);
      track(future, spec);
      made++;
    } else {
      const length = Math.min(1 + pick(4), size - made);
      let chain;
      const controllers = [];
      const specs = [];
      for (let j = 0; j < length; j++) {
        const spec = callKinds[pick(callKinds.length)]();
        specs.push(spec);
        let options;
        if (rand() < 0.25) {
          const controller = new AbortController();
          controllers.push(controller);
          options = { signal: controller.signal };
        }
        chain = chain
          ? chain.parallel(spec.fn, options)(...spec.args)
          : executor.parallel(spec.fn, options)(...spec.args);
      }
      chain.futures.forEach((future, j) => track(future, specs[j]));
      chains.push({ chain, controllers });
      made += length;
    }
  }
  // Cancel at random times, by every means there is.
  const actions = [];
  for (const { chain, controllers } of chains) {
    for (const controller of controllers) actions.push(() => controller.abort(reason("signal")));
    const how = pick(5); // 4: left alone
    if (how === 0) actions.push(() => chain.cancel(reason("chain.cancel")));
    else if (how === 1)
      actions.push(
        () =>
          void chain[Symbol.asyncDispose]().then(
            () => (mechanisms["asyncDispose"] = (mechanisms["asyncDispose"] ?? 0) + 1),
          ),
      );
    else if (how === 2) {
      const controller = new AbortController();
      chain.results({ signal: controller.signal }).catch(() => undefined);
      actions.push(() => controller.abort(reason("results signal")));
    } else
      for (const future of chain.futures) if (rand() < 0.5) actions.push(() => future.cancel(reason("future.cancel")));
  }
  for (const future of singles) if (rand() < 0.5) actions.push(() => future.cancel(reason("future.cancel")));
  await Promise.all(
    actions.map(async (act) => {
      await delay(pick(80));
      act();
      if (rand() < 0.2) act(); // twice: a no-op
    }),
  );
  // Endless calls still running get cancelled now, so the storm ends; the others finish.
  await delay(20);
  for (const r of mine) if (r.endless && !r.future.done) r.future.cancel(reason("final sweep"));
  await Promise.all(waits);
  // A late cancel on a settled call changes nothing.
  for (const r of mine) {
    const before = r.future.state;
    if (r.future.cancel(new Error("late")) || r.future.state !== before)
      inconsistent.push({ storm: k, note: "late cancel changed a settled call" });
  }
  // settled() agrees with the futures.
  for (const { chain } of chains) {
    const settled = await chain.settled();
    settled.forEach((s, j) => {
      const future = chain.futures[j];
      const agrees = s.status === "fulfilled" ? future.state === "fulfilled" : future.exception() === s.reason;
      if (!agrees) inconsistent.push({ storm: k, index: j, status: s.status, state: future.state });
    });
  }
}
