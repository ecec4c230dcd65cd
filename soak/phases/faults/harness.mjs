// The harness of the fault phases: `faultPhase` runs one fault kind mixed with healthy calls;
// `summarize` turns a phase's call records into its figures (figures.faults[name]) and checks.

import { isDeepStrictEqual } from "node:util";
import { healthyAsync, healthySync } from "../../lib/calls.mjs";
import { describe, errorName, pickStats } from "../../lib/describe.mjs";
import { endEvents } from "../../lib/end-events.mjs";
import { delay, eventually, watchdog } from "../../lib/time.mjs";

/**
 * One fault phase: `count` rounds, `concurrency` at a time, on an executor of its own. A
 * round puts the fault call in a chain at a random place with 0–2 healthy calls, and adds
 * 1–2 healthy executeOne calls beside it. `fault(k)` gives round k's fault call:
 * `{ fn, args, options?, expect }`, `expect(r)` a problem (a string) or undefined.
 */
export async function faultPhase(ctx, name, { count, concurrency, executorOptions, fault }) {
  const { o, lib, pick } = ctx;
  const executor = new lib.ParallelExecutor({ idleTimeout: 1_000, ...executorOptions });
  const ends = endEvents();
  const records = [];
  const healthyKinds = [...healthySync, ...healthyAsync];
  const t0 = performance.now();
  const inconsistent = [];

  const track = (future, expect, kind) => {
    const record = { kind, settles: 0, problem: undefined, outcome: undefined };
    records.push(record);
    return settleInto(record, future, expect);
  };
  const healthyExpect = (expected) => (r) =>
    r.ok && isDeepStrictEqual(r.value, expected)
      ? undefined
      : `healthy call: ${r.ok ? JSON.stringify(r.value) : describe(r.error)}`;

  let next = 0;
  async function round(k) {
    const f = fault(k);
    const inChain = pick(3);
    const faultAt = pick(inChain + 1);
    const specs = [];
    for (let j = 0; j <= inChain; j++) {
      if (j === faultAt) specs.push({ fn: f.fn, options: f.options, args: f.args, expect: f.expect, kind: "fault" });
      else {
        const [fn, args, value] = healthyKinds[pick(healthyKinds.length)];
        const i = k * 10 + j;
        specs.push({ fn, args: args(i), expect: healthyExpect(value(i)), kind: "healthy" });
      }
    }
    let chain;
    for (const s of specs)
      chain = chain ? chain.parallel(s.fn, s.options)(...s.args) : executor.parallel(s.fn, s.options)(...s.args);
    const waits = chain.futures.map((future, j) => track(future, specs[j].expect, specs[j].kind));
    const side = 1 + pick(2);
    for (let j = 0; j < side; j++) {
      const [fn, args, value] = healthyKinds[pick(healthyKinds.length)];
      const i = k * 10 + 5 + j;
      waits.push(track(executor.executeOne(fn, ...args(i)), healthyExpect(value(i)), "healthy"));
    }
    // settled() must agree with the futures.
    const settled = await chain.settled();
    await Promise.all(waits);
    settled.forEach((s, j) => {
      const future = chain.futures[j];
      const agrees =
        s.status === "fulfilled"
          ? future.state === "fulfilled" && isDeepStrictEqual(s.value, future.result())
          : future.exception() === s.reason;
      if (!agrees) inconsistent.push({ round: k, index: j, status: s.status, state: future.state });
    });
  }
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < count) await round(next++);
  });
  const { outcome, durationMs, rest, stats, ev } = await settlePhase(workers, executor, ends, o.faultTimeout, t0);
  return summarize(ctx, name, {
    records,
    outcome,
    durationMs,
    rest,
    stats,
    events: ev,
    inconsistent,
    faultCount: count,
  });
}

/**
 * Fills a call's `record` when its `future` settles: counts the settles, names
 * the outcome ("fulfilled" or the error's name) and keeps what `expect(r)`
 * finds wrong (`r`: `{ ok: true, value }` or `{ ok: false, error }`).
 */
export function settleInto(record, future, expect) {
  return future.then(
    (value) => {
      record.settles++;
      record.outcome = "fulfilled";
      record.problem = expect({ ok: true, value });
    },
    (error) => {
      record.settles++;
      record.outcome = errorName(error);
      record.problem = expect({ ok: false, error });
    },
  );
}

/**
 * Ends a fault phase: waits (under the watchdog) for its workers, then for
 * the executor to come back to rest; closes the executor and stops counting
 * call:end events.
 */
export async function settlePhase(workers, executor, ends, timeout, t0) {
  const outcome = await watchdog(Promise.all(workers), timeout);
  const durationMs = Math.round(performance.now() - t0);
  const rest = await eventually(() => {
    const s = executor.stats();
    return s.busy === 0 && s.queued === 0;
  }, 10_000);
  const stats = executor.stats();
  executor.close();
  await delay(50);
  return { outcome, durationMs, rest, stats, ev: ends.stop() };
}

/** A phase's figures (also stored as figures.faults[name]) and its checks. */
export function summarize(
  { figures, check },
  name,
  { records, outcome, durationMs, rest, stats, events, inconsistent, faultCount },
) {
  const faults = records.filter((r) => r.kind === "fault");
  const healthy = records.filter((r) => r.kind === "healthy");
  const tally = (list) => {
    const t = {};
    for (const r of list) t[r.outcome ?? "unsettled"] = (t[r.outcome ?? "unsettled"] ?? 0) + 1;
    return t;
  };
  const problems = records.filter((r) => r.problem !== undefined).map((r) => `${r.kind}: ${r.problem}`);
  const unsettled = records.filter((r) => r.settles === 0).length;
  const settledTwice = records.filter((r) => r.settles > 1).length;
  const result = {
    faults: faults.length,
    faultOutcomes: tally(faults),
    healthy: healthy.length,
    healthyOutcomes: tally(healthy),
    calls: records.length,
    unsettled,
    settledTwice,
    problems: problems.length,
    problemSamples: [...new Set(problems)].slice(0, 5),
    hung: outcome.hung,
    durationMs,
    atRest: rest,
    stats: pickStats(stats),
    endEvents: events,
    settledDisagrees: inconsistent.length,
  };
  figures.faults[name] = result;
  check(
    `faults/${name}: ${faultCount} faults ran, no watchdog`,
    !outcome.hung && faults.length === faultCount,
    `${faults.length} faults, ${unsettled} unsettled`,
  );
  check(
    `faults/${name}: every call settled once`,
    unsettled === 0 && settledTwice === 0,
    `unsettled ${unsettled}, twice ${settledTwice}`,
  );
  check(
    `faults/${name}: documented outcomes (faults) and right values (healthy)`,
    problems.length === 0,
    result.problemSamples.join("; "),
  );
  check(
    `faults/${name}: one call:end event per call`,
    events.calls === records.length && events.duplicates === 0,
    `${events.calls} calls with events for ${records.length} calls, ${events.duplicates} duplicates`,
  );
  check(
    `faults/${name}: settled() agrees with the futures`,
    inconsistent.length === 0,
    JSON.stringify(inconsistent.slice(0, 3)),
  );
  check(`faults/${name}: executor back to rest (busy 0, queued 0)`, rest, JSON.stringify(pickStats(stats)));
  return result;
}

/** The expectation of a fault that breaks its thread: ThreadCrashError, then `extra(error)` if given. */
export const crash =
  ({ lib }, extra) =>
  (r) => {
    if (r.ok) return `fault call fulfilled with ${JSON.stringify(r.value)}`;
    if (!(r.error instanceof lib.ThreadCrashError) || r.error.code !== "ERR_PARALLEL_THREAD_CRASH")
      return `expected ThreadCrashError, got ${describe(r.error)}`;
    return extra?.(r.error);
  };
