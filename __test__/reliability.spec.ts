/**
 * Reliability (issue 8), the short version that runs in CI: `node soak/run.mjs
 * --quick` in a child process (100,000 tiny calls through chains and
 * executeOne, 10 of each fault mixed with healthy calls, 12 main programs
 * that exit with calls in flight) must exit 0, and its figures must show
 * every call settled once with the right value or the documented error, RSS
 * growth under 20 MiB after the warm-up, and the threads back at rest. The
 * full version is `npm run soak`.
 *
 * The tests after it are failing tests for library bugs the soak found (see
 * the report); each is bounded in time, and cleans up what it started.
 *
 * All tests are serial: the soak measures RSS and throughput, and a spinning
 * thread from another test must not skew it.
 */
import test from "ava";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { ParallelExecutor, TimeoutError } from "parallel-threads";

const ROOT = path.join(__dirname, "../..");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], timeout: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

interface FaultFigures {
  faults: number;
  faultOutcomes: Record<string, number>;
  healthy: number;
  healthyOutcomes: Record<string, number>;
  calls: number;
  unsettled: number;
  settledTwice: number;
  problems: number;
  problemSamples: string[];
  hung: boolean;
  atRest: boolean;
  endEvents: { calls: number; duplicates: number };
  settledDisagrees: number;
}

// On Node 24 a worker running out of memory under resourceLimits can hang for
// good (Node's, README "Limitations"): there the soak runs without that phase.
const withOom = Number(process.versions.node.split(".")[0]) < 24;

test.serial(
  "the quick soak passes: every call settles once and right, RSS stays flat, threads come back to rest, main programs exit promptly",
  async (t) => {
    t.timeout(150_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), "parallel-threads-soak-"));
    try {
      const out = path.join(dir, "quick.json");
      const args = [path.join(ROOT, "soak/run.mjs"), "--quick", "--out", out, ...(withOom ? [] : ["--no-oom"])];
      const result = await run(args, 140_000);
      t.log(
        result.stdout
          .split("\n")
          .filter((line) => line.startsWith("FAIL") || line.startsWith("calls/s") || line.startsWith("RSS growth"))
          .join("\n"),
      );
      t.is(result.code, 0, `soak/run.mjs --quick failed:\n${result.stdout}\n${result.stderr}`);
      const f = JSON.parse(readFileSync(out, "utf8"));
      t.true(f.ok, JSON.stringify(f.checks.filter((c: { ok: boolean }) => !c.ok)));

      // The soak: every result once, right.
      const s = f.soak;
      t.false(s.hung);
      t.is(s.arrived, s.calls);
      t.is(s.missing, 0);
      t.is(s.arrivedTwice, 0);
      t.is(s.duplicates, 0);
      t.is(s.wrong, 0);
      t.is(s.failed, 0);
      t.true(s.rssGrowthMiB < 20, `RSS grew ${s.rssGrowthMiB} MiB after the warm-up`);
      t.true(s.callsPerSecond > 0);

      // Threads back at rest, then retired.
      const own = f.threads.ownExecutorAtRest;
      t.is(own.busy, 0);
      t.is(own.queued, 0);
      t.is(own.idle, own.threads);
      t.is(f.threads.ownExecutorAfterIdleTimeout.threads, 0);

      // Faults: each phase ran all its faults; every call settled once; faults with their documented error.
      const expected: Record<string, string> = {
        "process.exit": "ThreadCrashError",
        "timer exception": "ThreadCrashError",
        ...(withOom ? { "out of memory": "ThreadCrashError" } : {}),
        "infinite loop + timeout": "TimeoutError",
        "cancel storms": "CancelledError",
      };
      for (const [name, error] of Object.entries(expected)) {
        const phase = f.faults[name] as FaultFigures;
        t.truthy(phase, name);
        t.false(phase.hung, name);
        t.true(phase.faults >= 10, `${name}: ${phase.faults} faults`);
        t.deepEqual(Object.keys(phase.faultOutcomes), [error], `${name}: ${JSON.stringify(phase.faultOutcomes)}`);
        t.is(phase.unsettled, 0, name);
        t.is(phase.settledTwice, 0, name);
        t.is(phase.problems, 0, `${name}: ${phase.problemSamples.join("; ")}`);
        t.is(phase.endEvents.calls, phase.calls, `${name}: one call:end event per call`);
        t.is(phase.endEvents.duplicates, 0, name);
        t.is(phase.settledDisagrees, 0, name);
        t.true(phase.atRest, name);
        const healthyOutcomes = Object.keys(phase.healthyOutcomes);
        // In a storm, healthy calls are cancelled too; none ever fails with
        // ThreadCrashError (one call, one thread: README "Threads").
        if (name === "cancel storms")
          t.true(
            healthyOutcomes.every((k) => k === "fulfilled" || k === "CancelledError"),
            JSON.stringify(phase.healthyOutcomes),
          );
        else t.deepEqual(healthyOutcomes, ["fulfilled"], `${name}: ${JSON.stringify(phase.healthyOutcomes)}`);
      }

      // Main programs exiting with calls in flight.
      t.is(f.mainExit.ok, f.mainExit.children);
      t.is(f.mainExit.hung, 0);
      t.is(f.mainExit.slowOver5s, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

// ---------------------------------------------------------------- library bugs (failing tests; see the report)

// Found by the soak when awaiting async calls shared threads: an async call
// that loops after an await held a shared thread, so the other call there
// never settled. One call, one thread (SPEC §6) rules it out; this keeps it
// out: the looping call waits for the only thread, then times out, and the
// awaiting call settles.
test.serial(
  "an awaiting call settles when an async call that loops after an await times out (maxThreads 1)",
  async (t) => {
    const executor = new ParallelExecutor({ maxThreads: 1 });
    const innocent = executor.executeOne(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return "done";
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100)); // the innocent call is awaiting, holding the only thread
      const looping = executor.parallel(
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 10));
          for (;;) {
            /* until stopped */
          }
        },
        { timeout: 200 },
      )();
      const [record] = await looping.settled();
      t.true(record.status === "rejected" && record.reason instanceof TimeoutError, "the loop timed out");
      const outcome = await Promise.race([
        innocent.then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        ),
        new Promise((resolve) => setTimeout(() => resolve("still pending after 5 s"), 5_000)),
      ]);
      t.not(
        outcome,
        "still pending after 5 s",
        `the other call never settled; stats ${JSON.stringify(executor.stats())}`,
      );
    } finally {
      innocent.cancel(new Error("test cleanup")); // its thread is then terminated, loop and all
      executor.close();
    }
  },
);

// lib/runtime/thread.ts, resumeInCore(): after an async call the thread schedules its
// return to the core with `setImmediate(…).unref()`. An unref'd immediate
// doesn't make the event loop skip its poll phase, so the thread sleeps in
// epoll until something else wakes it (here V8's memory reducer, ~8 s
// later): until then it is not waiting in the core, so it can't retire, and
// `idleTimeout` isn't honoured (measured: 8.4 s for idleTimeout 300 ms;
// without `.unref()`: 306 ms).
test.serial("threads whose last calls were async retire after idleTimeout", async (t) => {
  const executor = new ParallelExecutor({ maxThreads: 2, idleTimeout: 300 });
  try {
    const values = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        executor.executeOne(async (n: number) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return n;
        }, i),
      ),
    );
    t.is(values.length, 20);
    const started = Date.now();
    while (executor.stats().threads > 0 && Date.now() - started < 3_000)
      await new Promise((resolve) => setTimeout(resolve, 25));
    t.is(
      executor.stats().threads,
      0,
      `threads still alive ${Date.now() - started} ms after the last call (idleTimeout 300 ms)`,
    );
  } finally {
    executor.close();
  }
});

// A pool thread that runs synchronous calls back to back never turns its
// event loop (lib/runtime/thread.ts runInCore loops in the core), so memory Node
// frees from the event loop (external buffers over Rust memory, V8's
// foreground tasks) would pile up without bound: lib/runtime/thread.ts gives the loop
// a turn every 256 calls. This measures RSS after a warm-up, in eight
// windows of 25,000 calls: a leak grows it in every window, so the median
// window must grow < 3 MiB (~125 bytes a call). Allocators and V8 grow their
// pools in steps now and then (one window of +30 MiB, then flat, seen on
// Node 24): bounded, so only the total has a (loose) limit.
//
// The calling isolate runs with --max-semi-space-size=1: at ~100,000+ calls/s
// V8 grows the main isolate's young generation to its maximum (measured on
// Node 24: heapTotal +124 MiB, RSS +300 MiB in the first 160,000 calls, then
// flat; Node 20/22: +28–30 MiB heapTotal, RSS +60–100 MiB; piscina shows the
// same at a tenth of the rate). That is V8's heap sizing, bounded, not a leak
// of this library, and it would hide one: with the semi-space pinned, RSS is
// flat within 1–4 MiB after the first 100,000 calls on Node 20, 22 and 24.
test.serial("synchronous calls with object arguments don't leak memory on their thread", async (t) => {
  t.timeout(60_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), "parallel-threads-leak-"));
  try {
    const script = path.join(dir, "leak.mjs");
    writeFileSync(
      script,
      `const { ParallelExecutor } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, "index.mjs")).href)});
const executor = new ParallelExecutor({ maxThreads: 1, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
async function calls(n) {
  let inFlight = 0, done = 0;
  await new Promise((resolve) => {
    const pump = () => {
      while (inFlight < 32 && done + inFlight < n) {
        inFlight++;
        executor.executeOne((o) => o.i, { i: done }).then(() => { inFlight--; done++; if (done === n) resolve(); else pump(); });
      }
    };
    pump();
  });
}
async function rss() {
  await executor.executeOne(() => { globalThis.gc?.(); return 0; });
  for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); }
  return process.memoryUsage().rss;
}
await calls(60_000);
const growths = [];
let last = await rss();
for (let w = 0; w < 8; w++) {
  await calls(25_000);
  const now = await rss();
  growths.push((now - last) / 1048576);
  last = now;
}
console.log(JSON.stringify({ growths }));
process.exit(0);
`,
    );
    const result = await run(["--expose-gc", "--max-semi-space-size=1", script], 55_000);
    t.is(result.code, 0, result.stderr);
    const { growths } = JSON.parse(result.stdout.trim().split("\n").pop()!) as { growths: number[] };
    const median = [...growths].sort((a, b) => a - b)[growths.length >> 1]!;
    const shown = growths.map((g) => g.toFixed(1)).join(", ");
    t.log(`RSS growth per 25,000 calls after a 60,000-call warm-up: ${shown} MiB`);
    t.true(median < 3, `RSS grows in most windows of 25,000 calls (median ${median.toFixed(1)} MiB: ${shown})`);
    t.true(
      growths.reduce((a, b) => a + b, 0) < 96,
      `RSS grew ${growths.reduce((a, b) => a + b, 0).toFixed(1)} MiB over 200,000 calls (${shown})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
