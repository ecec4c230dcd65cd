/**
 * Model-based stress test of dispatch (SPEC §2, §3, §5, §6 "One call, one
 * thread", §9): random programs of sync, async, throwing, nested, timed-out
 * and cancelled calls on executors with maxThreads 1–4 (and the default
 * executor), checked against a model — see __test__/model/dispatch-model.ts.
 *
 * Environment:
 *   DISPATCH_MODEL_PROGRAMS  programs to run (default 300)
 *   DISPATCH_MODEL_SEED      fast-check seed (default 1)
 *   DISPATCH_MODEL_PATH      replay one counterexample (fast-check path, with the same seed)
 *   DISPATCH_MODEL_SHRINK_MS time allowed for shrinking a failure (default 20000)
 *   DISPATCH_MODEL_KEEP_GOING=1  don't stop at the first failing program: run them all, count the
 *                            failures (no shrinking), fail at the end (used by soak/dispatch-model.mjs)
 *   DISPATCH_MODEL_SYNC_ONLY=1  only synchronous functions (checks the harness on a build whose
 *                            async dispatch is known to be broken)
 *   DISPATCH_MODEL_SUMMARY   a file to write a JSON summary to (programs, failures, first failures)
 */
import test from "ava";
import fc from "fast-check";
import { writeFileSync } from "node:fs";

import { ParallelExecutor } from "parallel-threads";

import {
  checkProgram,
  describeProgram,
  programArb,
  runProgram,
  traceOf,
  type RunContext,
  type RunResult,
} from "./model/dispatch-model.js";

const PROGRAMS = Number(process.env.DISPATCH_MODEL_PROGRAMS ?? 300);
const SEED = Number(process.env.DISPATCH_MODEL_SEED ?? 1);
const PATH = process.env.DISPATCH_MODEL_PATH;
const SHRINK_MS = Number(process.env.DISPATCH_MODEL_SHRINK_MS ?? 20_000);
const KEEP_GOING = process.env.DISPATCH_MODEL_KEEP_GOING === "1";
const SUMMARY = process.env.DISPATCH_MODEL_SUMMARY;
const SYNC_ONLY = process.env.DISPATCH_MODEL_SYNC_ONLY === "1";

// One executor per maxThreads, reused across programs: warm threads and cold ones (first use,
// replacements of terminated threads) both occur.
const executors = new Map<number, ParallelExecutor>();
let hung = false;
test.after.always(() => {
  for (const executor of executors.values()) executor.close();
  // A hung call that even cancel() could not end keeps the process alive: don't let it hang ava.
  if (hung) setTimeout(() => process.exit(1), 2_000).unref();
});

const ctx: RunContext = {
  executor(k) {
    let executor = executors.get(k);
    if (executor === undefined) {
      executor = new ParallelExecutor({ maxThreads: k, idleTimeout: 60_000 });
      executors.set(k, executor);
    }
    return executor;
  },
  guardMs: 20_000,
  restMs: 5_000,
};

interface Failure {
  run: number;
  path: string;
  program: string;
  violations: string[];
  trace: string;
}

test(`dispatch model: ${PROGRAMS} random programs (seed ${SEED}${PATH ? `, path ${PATH}` : ""}${SYNC_ONLY ? ", sync only" : ""})`, async (t) => {
  // Generous: 300 programs take ~40 s; a failure adds up to SHRINK_MS of shrinking (and hung programs 20 s each).
  t.timeout(Math.max(120_000, PROGRAMS * 1_000) + SHRINK_MS + 60_000);
  const started = Date.now();
  let runs = 0;
  let firstFailureAt: number | undefined;
  const failures: Failure[] = [];
  const kinds = new Map<string, number>();

  const property = fc.asyncProperty(programArb({ syncOnly: SYNC_ONLY }), async (program) => {
    // Shrinking budget: once it is spent, every further shrink candidate is skipped, which ends
    // shrinking with the smallest failing program found so far.
    if (!KEEP_GOING && firstFailureAt !== undefined && Date.now() - firstFailureAt > SHRINK_MS) fc.pre(false);
    const run = runs++;
    let result: RunResult | undefined;
    let violations: string[];
    try {
      result = await runProgram(program, ctx);
      violations = checkProgram(result);
    } catch (error) {
      violations = [`the harness threw: ${(error as Error)?.stack ?? String(error)}`];
    }
    if (violations.length === 0) return;
    if (violations.some((v) => v.startsWith("hung"))) hung = true;
    const trace = result ? traceOf(result) : "(no trace)";
    firstFailureAt ??= Date.now();
    for (const v of violations) {
      const kind = v.includes("overlapped")
        ? "overlap"
        : v.startsWith("hung")
          ? "hang"
          : v.includes("at once")
            ? "maxThreads"
            : v.includes("submitted earlier")
              ? "fifo"
              : v.includes("rest")
                ? "rest"
                : v.startsWith("the harness")
                  ? "harness"
                  : "outcome";
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    if (KEEP_GOING) {
      failures.push({ run, path: String(run), program: describeProgram(program), violations, trace });
      if (failures.length <= 20)
        t.log(
          `program ${run} (DISPATCH_MODEL_PATH=${run}) failed:\n${describeProgram(program)}\n- ${violations.join("\n- ")}\n${trace}`,
        );
      return;
    }
    throw new Error(
      `${violations.length} violation(s):\n- ${violations.join("\n- ")}\ntrace (ms from the program's start):\n${trace}`,
    );
  });

  let error: unknown;
  try {
    await fc.assert(property, {
      numRuns: PROGRAMS,
      seed: SEED,
      ...(PATH !== undefined ? { path: PATH } : {}),
      verbose: 1,
      includeErrorInReport: true,
    });
  } catch (e) {
    error = e;
  }
  const elapsed = Date.now() - started;
  const summary = {
    seed: SEED,
    programs: PROGRAMS,
    runs,
    failures: KEEP_GOING ? failures.length : error === undefined ? 0 : 1,
    violationKinds: Object.fromEntries(kinds),
    elapsedMs: elapsed,
    firstFailures: KEEP_GOING
      ? failures.slice(0, 5)
      : error === undefined
        ? []
        : [{ message: String((error as Error).message ?? error) }],
  };
  if (SUMMARY) writeFileSync(SUMMARY, JSON.stringify(summary, null, 2));
  t.log(`${runs} program runs (incl. shrinking) in ${(elapsed / 1000).toFixed(1)} s, seed ${SEED}`);

  if (error !== undefined) {
    t.log(`reproduce: DISPATCH_MODEL_SEED=${SEED} and the path in the message below as DISPATCH_MODEL_PATH`);
    throw error;
  }
  if (failures.length > 0) {
    t.fail(
      `${failures.length} of ${PROGRAMS} programs failed (seed ${SEED}); first: path ${failures[0]!.path}\n` +
        `${failures[0]!.program}\n- ${failures[0]!.violations.join("\n- ")}`,
    );
    return;
  }
  t.pass();
});
