/**
 * A model-based test of dispatch (SPEC §2, §3, §5, §6 "One call, one thread",
 * §9): random small programs of thread calls, run through the public API,
 * checked against a model of what must happen.
 *
 * A program (`Program`) is 2–8 calls on one executor (an own executor with
 * maxThreads 1–4, or now and then the default one), submitted in order as
 * chains (`executor.parallel(f)(…).parallel(g)(…)`) and/or `executeOne`, of
 * these kinds:
 *
 * - sync: busy-waits 0–15 ms, returns its record, or throws an Error that
 *   carries the record as own properties;
 * - async: awaits timers / `await null` / setImmediate / `await import()`
 *   around short busy stretches, then returns or throws the same way;
 * - nested (sync or async outer): makes 1–3 calls with
 *   `require("parallel-threads").parallel(…)` (the default executor), waits
 *   for them with `results()` or `resultsSync()` (a sync outer always uses
 *   `resultsSync()`), returns its record and the inner records;
 * - hang: never finishes (a busy loop, an await that never resolves, an
 *   await then a busy loop, an interval and an await that never resolves),
 *   with a per-call `timeout` of 50–300 ms: must fail with `TimeoutError`.
 *   Only these calls get a timeout: a queued call's timeout counts from
 *   submit, so a timeout on a call that should finish would make its outcome
 *   depend on timing.
 *
 * plus 0–2 cancels (`future.cancel()` on a random call, 0–150 ms after the
 * program starts), waited for with `settled()` / `Promise.allSettled`, or
 * with `resultsSync()` from the main thread when the program has no cancels
 * and no timeouts.
 *
 * A call's record is `{ id, threadId, start, end }`, `start`/`end` from
 * `process.hrtime.bigint()` (CLOCK_MONOTONIC: one clock for every thread)
 * at the call's start and just before it settles on its thread. Each
 * top-level call also writes its start and threadId into a SharedArrayBuffer
 * slot first thing, and the time its code leaves the thread in a `finally`,
 * so a call that returns no record (timed out, cancelled, crashed) is still
 * known to have held its thread from its start until its code left it — or
 * for good, if it never did (a terminated thread never runs the `finally`).
 *
 * Checks (`checkProgram`):
 * 1. every call settled exactly once, with the expected outcome (its record,
 *    its own error, TimeoutError, or CancelledError exactly when a cancel()
 *    returned true; a cancel() that returned true leaves the state
 *    "cancelled" at once, and every later cancel() returns false), and
 *    `future.state`, the `then` callbacks, `settled()` records and
 *    `resultsSync()` agree;
 * 2. no two calls overlapped on one thread: records (nested ones included)
 *    grouped by threadId, intervals disjoint; a call without a record counts
 *    from its start until its code left the thread, or forever (§2, §6: a
 *    timed-out or cancelled call's thread is terminated, so nothing may start
 *    on it after that call);
 * 3. on an own executor, in programs without nested calls (a thread blocked
 *    in its nested calls does not count toward maxThreads, by design): at
 *    most maxThreads completed top-level calls run at once; with maxThreads
 *    1 and no cancels/timeouts, top-level calls start in submission order.
 *    Threads carry over from program to program, so an executor that kept
 *    extra threads from an earlier program's nested calls fails here;
 * 4. nothing hung (a guard per program; `resultsSync` gets the guard as its
 *    own timeout, since timers can't fire while it blocks);
 * 5. afterwards the executor goes back to `busy === 0 && queued === 0`
 *    (the default executor has no public stats(): skipped there).
 *
 * The functions that run in threads are written as source text and made
 * into functions with `vm.runInThisContext`, so nothing the TypeScript
 * compiler emits (helpers for `import()`) can sneak a capture into them;
 * they are re-created inside the thread from that source.
 */
import fc from "fast-check";
import { runInThisContext } from "node:vm";

import {
  CancelledError,
  ExceptionGroup,
  ParallelExecutor,
  TimeoutError,
  parallel,
  type Future,
  type ParallelCalls,
} from "parallel-threads";

// ---------------------------------------------------------------- programs

/** One step of an async stretch. */
export type Op =
  { t: "busy"; ms: number } | { t: "timer"; ms: number } | { t: "null" } | { t: "immediate" } | { t: "import" };

export interface InnerCall {
  async: boolean;
  /** Busy ms for a sync inner call; ignored for async ones. */
  ms: number;
  /** Ops of an async inner call. */
  ops: Op[];
}

export type CallSpec =
  | { kind: "sync"; ms: number; throws: boolean }
  | { kind: "async"; ops: Op[]; throws: boolean }
  | {
      kind: "nested";
      outer: "sync" | "async";
      wait: "results" | "resultsSync";
      /** Ops before and after the nested calls (busy only for a sync outer). */
      before: Op[];
      after: Op[];
      inner: InnerCall[];
    }
  | { kind: "hang"; how: HangHow; timeout: number };

export type HangHow = "loop" | "await" | "await-loop" | "interval";

/** How a call is submitted: `executeOne`, a new chain, or continuing the last chain. */
export type Via = "one" | "new" | "cont";

export interface Step {
  call: CallSpec;
  via: Via;
}

export interface Cancel {
  /** Index of the call (already reduced modulo the number of calls). */
  target: number;
  /** ms after the program started. */
  delay: number;
}

export type ExecutorChoice = 1 | 2 | 3 | 4 | "default";

export interface Program {
  executor: ExecutorChoice;
  steps: Step[];
  cancels: Cancel[];
  wait: "settled" | "resultsSync";
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant("busy" as const), ms: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("timer" as const), ms: fc.integer({ min: 0, max: 10 }) }) },
  { weight: 2, arbitrary: fc.constant({ t: "null" as const }) },
  { weight: 1, arbitrary: fc.constant({ t: "immediate" as const }) },
  { weight: 1, arbitrary: fc.constant({ t: "import" as const }) },
);
const busyOpArb: fc.Arbitrary<Op> = fc.record({ t: fc.constant("busy" as const), ms: fc.integer({ min: 0, max: 5 }) });

const innerArb: fc.Arbitrary<InnerCall> = fc.record({
  async: fc.boolean(),
  ms: fc.integer({ min: 0, max: 5 }),
  ops: fc.array(opArb, { minLength: 0, maxLength: 3 }),
});

const throwsArb = fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

const syncArb: fc.Arbitrary<CallSpec> = fc.record({
  kind: fc.constant("sync" as const),
  ms: fc.integer({ min: 0, max: 15 }),
  throws: throwsArb,
});

const asyncArb: fc.Arbitrary<CallSpec> = fc.record({
  kind: fc.constant("async" as const),
  ops: fc.array(opArb, { minLength: 0, maxLength: 4 }),
  throws: throwsArb,
});

const nestedArb: fc.Arbitrary<CallSpec> = fc.oneof(
  fc.record({
    kind: fc.constant("nested" as const),
    outer: fc.constant("sync" as const),
    wait: fc.constant("resultsSync" as const),
    before: fc.array(busyOpArb, { maxLength: 1 }),
    after: fc.array(busyOpArb, { maxLength: 1 }),
    inner: fc.array(innerArb, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant("nested" as const),
    outer: fc.constant("async" as const),
    wait: fc.constantFrom("results" as const, "resultsSync" as const),
    before: fc.array(opArb, { maxLength: 2 }),
    after: fc.array(opArb, { maxLength: 2 }),
    inner: fc.array(innerArb, { minLength: 1, maxLength: 3 }),
  }),
);

const hangArb: fc.Arbitrary<CallSpec> = fc.record({
  kind: fc.constant("hang" as const),
  how: fc.constantFrom<HangHow>("loop", "await", "await-loop", "interval"),
  timeout: fc.integer({ min: 50, max: 300 }),
});

const callArb: fc.Arbitrary<CallSpec> = fc.oneof(
  { weight: 4, arbitrary: syncArb },
  { weight: 5, arbitrary: asyncArb },
  { weight: 2, arbitrary: nestedArb },
  { weight: 1, arbitrary: hangArb },
);

/** Only synchronous functions, in threads and nested (to check the harness itself on a build whose async dispatch is known to be broken). */
const syncOnlyCallArb: fc.Arbitrary<CallSpec> = fc.oneof(
  { weight: 4, arbitrary: syncArb },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("nested" as const),
      outer: fc.constant("sync" as const),
      wait: fc.constant("resultsSync" as const),
      before: fc.array(busyOpArb, { maxLength: 1 }),
      after: fc.array(busyOpArb, { maxLength: 1 }),
      inner: fc.array(
        innerArb.map((i) => ({ ...i, async: false })),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
  { weight: 1, arbitrary: hangArb.map((h) => ({ ...h, how: "loop" as const })) },
);

export interface ProgramOptions {
  /** Only synchronous calls (no async function anywhere, inner calls included). */
  syncOnly?: boolean;
}

/** The program generator. */
export function programArb(options: ProgramOptions = {}): fc.Arbitrary<Program> {
  const stepArb: fc.Arbitrary<Step> = fc.record({
    call: options.syncOnly ? syncOnlyCallArb : callArb,
    via: fc.constantFrom<Via>("one", "new", "cont"),
  });
  return fc
    .record({
      executor: fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom<ExecutorChoice>(1, 2, 3, 4) },
        { weight: 1, arbitrary: fc.constant<ExecutorChoice>("default") },
      ),
      steps: fc.array(stepArb, { minLength: 2, maxLength: 8 }),
      cancels: fc.array(fc.record({ target: fc.nat(), delay: fc.integer({ min: 0, max: 150 }) }), {
        maxLength: 2,
      }),
      wait: fc.oneof(
        { weight: 3, arbitrary: fc.constant("settled" as const) },
        { weight: 1, arbitrary: fc.constant("resultsSync" as const) },
      ),
    })
    .map((raw) => normalize(raw));
}

/** Makes a generated program consistent (and printable). */
export function normalize(raw: Program): Program {
  const steps = raw.steps.map((s) =>
    // executeOne has no per-call options: a call with a timeout goes in a chain.
    s.call.kind === "hang" && s.via === "one" ? { ...s, via: "new" as const } : s,
  );
  const cancels = raw.cancels.map((c) => ({ target: c.target % steps.length, delay: c.delay }));
  const hasTimeouts = steps.some((s) => s.call.kind === "hang");
  // resultsSync blocks the main thread: no cancel timers could run, and it needs a guard of its own.
  const wait = raw.wait === "resultsSync" && cancels.length === 0 && !hasTimeouts ? "resultsSync" : "settled";
  const program: Program = { executor: raw.executor, steps, cancels, wait };
  Object.defineProperty(program, fc.toStringMethod, { value: () => describeProgram(program), enumerable: false });
  return program;
}

function describeOps(ops: Op[]): string {
  return `[${ops.map((o) => ("ms" in o ? `${o.t} ${o.ms}` : o.t)).join(", ")}]`;
}

function describeCall(c: CallSpec): string {
  switch (c.kind) {
    case "sync":
      return `sync busy ${c.ms}ms${c.throws ? " then throws" : ""}`;
    case "async":
      return `async ${describeOps(c.ops)}${c.throws ? " then throws" : ""}`;
    case "nested":
      return (
        `nested ${c.outer} outer ${describeOps(c.before)} → ${c.wait}(` +
        c.inner.map((i) => (i.async ? `async ${describeOps(i.ops)}` : `sync busy ${i.ms}ms`)).join("; ") +
        `) → ${describeOps(c.after)}`
      );
    case "hang":
      return `hang (${c.how}) with timeout ${c.timeout}ms`;
  }
}

/** A readable program, for counterexamples. */
export function describeProgram(p: Program): string {
  const lines = [
    `program on ${p.executor === "default" ? "the default executor" : `an executor with maxThreads ${p.executor}`}, wait: ${p.wait}`,
  ];
  p.steps.forEach((s, i) => lines.push(`  #${i} ${s.via.padEnd(4)} ${describeCall(s.call)}`));
  for (const c of p.cancels) lines.push(`  cancel #${c.target} at ${c.delay}ms`);
  return lines.join("\n");
}

// ---------------------------------------------------------------- functions run in threads

/** A record a call returns (or its error carries). */
export interface CallRecord {
  id: number | string;
  threadId: number;
  start: number;
  end: number;
  inner?: CallRecord[];
}

/** What a thread function gets: the call spec plus its id. */
type WireSpec = CallSpec & { id: number };
type ThreadFn = (spec: WireSpec, sab: SharedArrayBuffer) => unknown;

function fromSource(source: string): ThreadFn {
  return runInThisContext(`(${source})`) as ThreadFn;
}

// Shared fragments of the thread functions' source (pasted into each: they must be self-contained).
const PROLOGUE = `
  const now = () => Number(process.hrtime.bigint());
  const start = now();
  const threadId = require("node:worker_threads").threadId;
  const slots = sab === undefined ? undefined : new BigInt64Array(sab);
  if (slots !== undefined) {
    Atomics.store(slots, 3 * spec.id, BigInt(start));
    Atomics.store(slots, 3 * spec.id + 1, BigInt(threadId));
  }
  const spin = (ms) => { const until = now() + ms * 1e6; while (now() < until); };
  try {`;

// Closes PROLOGUE's try: the call's code left the thread (returned, threw, or was thrown out of a wait).
const EPILOGUE = `
  } finally {
    if (slots !== undefined) Atomics.store(slots, 3 * spec.id + 2, BigInt(now()));
  }`;

const RUN_OPS = `async (ops, spin) => {
    for (const op of ops) {
      if (op.t === "busy") spin(op.ms);
      else if (op.t === "timer") await new Promise((resolve) => setTimeout(resolve, op.ms));
      else if (op.t === "immediate") await new Promise((resolve) => setImmediate(resolve));
      else if (op.t === "null") await null;
      else if (op.t === "import") await import("node:os");
    }
  }`;

const SETTLE = `
  const error = spec.throws ? new Error("call " + spec.id + " threw") : undefined;
  const record = { id: spec.id, threadId, start, end: now() };
  if (error !== undefined) throw Object.assign(error, record);
  return record;`;

const SYNC_CALL = fromSource(`function syncCall(spec, sab) {${PROLOGUE}
  spin(spec.ms);${SETTLE}${EPILOGUE}
}`);

const ASYNC_CALL = fromSource(`async function asyncCall(spec, sab) {${PROLOGUE}
  const runOps = ${RUN_OPS};
  await runOps(spec.ops, spin);${SETTLE}${EPILOGUE}
}`);

const HANG_SYNC = fromSource(`function hangSync(spec, sab) {${PROLOGUE}
  for (;;) spin(1000);${EPILOGUE}
}`);

const HANG_ASYNC = fromSource(`async function hangAsync(spec, sab) {${PROLOGUE}
  if (spec.how === "interval") setInterval(() => {}, 5);
  if (spec.how === "await-loop") {
    await new Promise((resolve) => setTimeout(resolve, 1));
    for (;;) spin(1000);
  }
  await new Promise(() => {});${EPILOGUE}
}`);

// Inner calls (made inside a thread, on the default executor): defined inside the outer call.
const INNER = `
  const innerSync = function innerSync(s) {
    const now = () => Number(process.hrtime.bigint());
    const start = now();
    const threadId = require("node:worker_threads").threadId;
    const until = start + s.ms * 1e6;
    while (now() < until);
    return { id: s.id, threadId, start, end: now() };
  };
  const innerAsync = async function innerAsync(s) {
    const now = () => Number(process.hrtime.bigint());
    const start = now();
    const threadId = require("node:worker_threads").threadId;
    const spin = (ms) => { const until = now() + ms * 1e6; while (now() < until); };
    const runOps = ${RUN_OPS};
    await runOps(s.ops, spin);
    return { id: s.id, threadId, start, end: now() };
  };
  const { parallel } = require("parallel-threads");
  let chain;
  spec.inner.forEach((s, j) => {
    const f = s.async ? innerAsync : innerSync;
    const arg = { id: spec.id + "." + j, ms: s.ms, ops: s.ops };
    chain = chain === undefined ? parallel(f)(arg) : chain.parallel(f)(arg);
  });`;

const NESTED_SYNC = fromSource(`function nestedSync(spec, sab) {${PROLOGUE}
  for (const op of spec.before) spin(op.ms);${INNER}
  const inner = chain.resultsSync();
  for (const op of spec.after) spin(op.ms);
  return { id: spec.id, threadId, start, end: now(), inner };${EPILOGUE}
}`);

const NESTED_ASYNC = fromSource(`async function nestedAsync(spec, sab) {${PROLOGUE}
  const runOps = ${RUN_OPS};
  await runOps(spec.before, spin);${INNER}
  const inner = spec.wait === "resultsSync" ? chain.resultsSync() : await chain.results();
  await runOps(spec.after, spin);
  return { id: spec.id, threadId, start, end: now(), inner };${EPILOGUE}
}`);

function functionFor(call: CallSpec): ThreadFn {
  switch (call.kind) {
    case "sync":
      return SYNC_CALL;
    case "async":
      return ASYNC_CALL;
    case "nested":
      return call.outer === "sync" ? NESTED_SYNC : NESTED_ASYNC;
    case "hang":
      return call.how === "loop" ? HANG_SYNC : HANG_ASYNC;
  }
}

// ---------------------------------------------------------------- running a program

export interface Observation {
  /** How many times a `then` callback of the call's future ran. */
  settlements: number;
  status?: "fulfilled" | "rejected";
  value?: unknown;
  reason?: unknown;
}

export interface CancelLog {
  target: number;
  returned: boolean;
  stateAfter: string;
}

export interface RunResult {
  program: Program;
  futures: Future<unknown>[];
  observations: Observation[];
  cancels: CancelLog[];
  /**
   * Per call: the start and threadId it wrote into its shared slot first thing, if it started, and
   * when its code left the thread (a `finally`), if it did (undefined: terminated, or never resumed).
   */
  slots: ({ start: number; threadId: number; exit?: number } | undefined)[];
  /** Per chain: the call ids and what settled() / resultsSync() gave. */
  chains: { ids: number[]; settled?: unknown[]; sync?: { values?: unknown[]; error?: unknown } }[];
  /** Problems found while running (hangs, synchronous throws). */
  problems: string[];
  /** The executor's stats after the program, if it has them and they did not come back to rest. */
  restless?: unknown;
  /** process.hrtime of the program's start (ns), for the trace. */
  t0: number;
  /** Calls still unsettled when the guard fired (then cancelled to clean up: no outcome to check). */
  hung: number[];
  /** The own executor's threads (and idle ones) just before the program. */
  threadsBefore?: { threads: number; idle: number };
}

export interface RunContext {
  /** The own executor for maxThreads k (made on first use, reused across programs). */
  executor(k: number): ParallelExecutor;
  /** A program that hasn't settled after this many ms fails as hung. */
  guardMs: number;
  /** How long the executor may take to come back to busy 0, queued 0. */
  restMs: number;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type AnyChain = ParallelCalls<unknown[]>;

/** Runs one program through the public API and records what happened. */
export async function runProgram(program: Program, ctx: RunContext): Promise<RunResult> {
  const n = program.steps.length;
  const own = program.executor === "default" ? undefined : ctx.executor(program.executor);
  const sab = new SharedArrayBuffer(24 * n);
  const futures: Future<unknown>[] = [];
  const observations: Observation[] = [];
  const chains: {
    ids: number[];
    chain: AnyChain;
    settled?: unknown[];
    sync?: { values?: unknown[]; error?: unknown };
  }[] = [];
  const problems: string[] = [];
  const cancels: CancelLog[] = [];
  const hung: number[] = [];

  const observe = (id: number, future: Future<unknown>): void => {
    const o: Observation = { settlements: 0 };
    observations[id] = o;
    futures[id] = future;
    future.then(
      (value) => {
        o.settlements++;
        o.status ??= "fulfilled";
        o.value ??= value;
      },
      (reason: unknown) => {
        o.settlements++;
        o.status ??= "rejected";
        o.reason ??= reason;
      },
    );
  };

  let threadsBefore: RunResult["threadsBefore"];
  if (own) {
    const { threads, idle } = own.stats();
    threadsBefore = { threads, idle };
  }

  // Submit every call, in program order.
  const t0 = Number(process.hrtime.bigint());
  let open: (typeof chains)[number] | undefined;
  for (let id = 0; id < n; id++) {
    const { call, via } = program.steps[id]!;
    const fn = functionFor(call);
    const spec: WireSpec = { ...call, id };
    const options = call.kind === "hang" ? { timeout: call.timeout } : undefined;
    try {
      if (via === "one") {
        observe(id, own ? own.executeOne(fn, spec, sab) : ParallelExecutor.executeOne(fn, spec, sab));
      } else if (via === "cont" && open !== undefined) {
        open.chain = open.chain.parallel(fn, options)(spec, sab) as unknown as AnyChain;
        open.ids.push(id);
        observe(id, open.chain.futures[open.ids.length - 1]!);
      } else {
        const start = own ? own.parallel(fn, options) : parallel(fn, options);
        open = { ids: [id], chain: start(spec, sab) as unknown as AnyChain };
        chains.push(open);
        observe(id, open.chain.futures[0]!);
      }
    } catch (error) {
      problems.push(`submitting call #${id} threw synchronously: ${String(error)}`);
      return finish();
    }
  }

  // Cancels, from timers.
  const cancelTimers = program.cancels.map(
    (c) =>
      new Promise<void>((resolve) => {
        setTimeout(() => {
          const future = futures[c.target]!;
          const returned = future.cancel();
          cancels.push({ target: c.target, returned, stateAfter: future.state });
          resolve();
        }, c.delay);
      }),
  );

  // Wait, under a guard.
  const guardMs = ctx.guardMs;
  const everything = async (): Promise<void> => {
    if (program.wait === "resultsSync") {
      for (const c of chains) {
        try {
          c.sync = { values: c.chain.resultsSync({ timeout: guardMs }) };
        } catch (error) {
          c.sync = { error };
          if (error instanceof TimeoutError && !c.ids.some((id) => program.steps[id]!.call.kind === "hang"))
            problems.push(`hung: resultsSync() of chain [${c.ids.map((i) => `#${i}`).join(", ")}] timed out`);
        }
      }
    }
    await Promise.all([
      ...chains.map(async (c) => {
        c.settled = await c.chain.settled();
      }),
      Promise.allSettled(futures),
      ...cancelTimers,
    ]);
    // Let every `then` callback run (and any extra settlement show up).
    await new Promise((r) => setImmediate(r));
  };
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    everything().then(() => "done" as const),
    new Promise<"hung">((r) => {
      timer = setTimeout(() => r("hung"), guardMs);
    }),
  ]);
  clearTimeout(timer);
  if (outcome === "hung") {
    problems.push(
      `hung: after ${guardMs} ms, calls still unsettled: ` +
        futures
          .map((f, i) => (f.done ? undefined : `#${i} (${f.state})`))
          .filter((s) => s !== undefined)
          .join(", "),
    );
    // Clean up so that later programs get a usable executor (and the process can exit).
    futures.forEach((f, id) => {
      if (f.done) return;
      hung.push(id);
      f.cancel(new Error("hung program"));
    });
  }

  // Back to rest?
  let restless: unknown;
  if (own) {
    const deadline = Date.now() + ctx.restMs;
    for (;;) {
      const s = own.stats();
      if (s.busy === 0 && s.queued === 0) break;
      if (Date.now() > deadline) {
        const { threads, idle, busy, starting, queued } = s;
        restless = { threads, idle, busy, starting, queued };
        break;
      }
      await delay(10);
    }
  }
  return finish();

  function finish(): RunResult {
    const words = new BigInt64Array(sab);
    const slots = Array.from({ length: n }, (_, id) => {
      const threadId = Number(Atomics.load(words, 3 * id + 1));
      const exit = Number(Atomics.load(words, 3 * id + 2));
      return threadId === 0
        ? undefined
        : { start: Number(Atomics.load(words, 3 * id)), threadId, ...(exit === 0 ? {} : { exit }) };
    });
    return {
      program,
      futures,
      observations,
      cancels,
      slots,
      chains: chains.map(({ ids, settled, sync }) => ({ ids, settled, sync })),
      problems,
      restless,
      t0,
      threadsBefore,
      hung,
    };
  }
}

// ---------------------------------------------------------------- the model

type Expected =
  { kind: "value"; record: CallSpec } | { kind: "own-error" } | { kind: "timeout" } | { kind: "cancelled" };

function expectedOutcome(program: Program, cancels: CancelLog[], id: number): Expected {
  if (cancels.some((c) => c.target === id && c.returned)) return { kind: "cancelled" };
  const call = program.steps[id]!.call;
  if (call.kind === "hang") return { kind: "timeout" };
  if ((call.kind === "sync" || call.kind === "async") && call.throws) return { kind: "own-error" };
  return { kind: "value", record: call };
}

function isRecord(v: unknown): v is CallRecord {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.threadId === "number" && typeof r.start === "number" && typeof r.end === "number";
}

function describeValue(v: unknown): string {
  if (v instanceof Error) {
    const own = Object.keys(v).length ? ` ${JSON.stringify({ ...v })}` : "";
    return `${v.constructor?.name ?? "Error"}(${v.name}: ${v.message})${own}`;
  }
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Checks one record (and nested records) against its spec; returns a problem or undefined. */
function checkValue(id: number, call: CallSpec, value: unknown): string | undefined {
  if (!isRecord(value) || value.id !== id) return `#${id} fulfilled with ${describeValue(value)}, not its record`;
  if (!(value.threadId > 0)) return `#${id} ran on thread ${value.threadId}, not a pool thread`;
  if (!(value.start <= value.end)) return `#${id} record has start > end: ${describeValue(value)}`;
  if (call.kind === "nested") {
    const inner = value.inner;
    if (!Array.isArray(inner) || inner.length !== call.inner.length)
      return `#${id} returned inner records ${describeValue(inner)}, expected ${call.inner.length}`;
    for (let j = 0; j < inner.length; j++) {
      const r = inner[j] as unknown;
      if (!isRecord(r) || r.id !== `${id}.${j}` || !(r.threadId > 0))
        return `#${id} inner call ${j} returned ${describeValue(r)}`;
    }
  }
  return undefined;
}

function checkOwnError(id: number, reason: unknown): string | undefined {
  if (!(reason instanceof Error) || reason.message !== `call ${id} threw` || !isRecord(reason) || reason.id !== id)
    return `#${id} should fail with its own error, got ${describeValue(reason)}`;
  return undefined;
}

interface Interval {
  who: string;
  threadId: number;
  start: number;
  end: number;
  /** A top-level call of the program (index), for the executor checks. */
  top?: number;
  /** From the call's own record: it completed (fulfilled or threw its own error). */
  completed?: boolean;
}

/** Checks a run against the model; returns the violations (empty when all is well). */
export function checkProgram(run: RunResult): string[] {
  const { program, observations, cancels, slots, futures } = run;
  const n = program.steps.length;
  const violations = [...run.problems];
  if (violations.some((v) => v.startsWith("submitting"))) return violations;

  // 1. Outcomes.
  const cancelledOnce = new Set<number>();
  for (const c of cancels) {
    if (cancelledOnce.has(c.target) && c.returned)
      violations.push(`cancel(#${c.target}) returned true after an earlier cancel() had already returned true`);
    if (c.returned) {
      if (c.stateAfter !== "cancelled")
        violations.push(`cancel(#${c.target}) returned true but the state right after was "${c.stateAfter}"`);
      cancelledOnce.add(c.target);
    }
  }
  const hung = violations.some((v) => v.startsWith("hung"));
  for (let id = 0; id < n; id++) {
    const o = observations[id]!;
    const f = futures[id]!;
    const expected = expectedOutcome(program, cancels, id);
    if (run.hung.includes(id)) {
      if (o.settlements > 1) violations.push(`#${id} settled ${o.settlements} times (state ${f.state})`);
      continue;
    }
    if (o.settlements !== 1) {
      if (!hung || o.settlements > 1) violations.push(`#${id} settled ${o.settlements} times (state ${f.state})`);
      continue;
    }
    const call = program.steps[id]!.call;
    let problem: string | undefined;
    switch (expected.kind) {
      case "value":
        problem =
          o.status !== "fulfilled"
            ? `#${id} (${describeCall(call)}) should fulfil, but rejected with ${describeValue(o.reason)}`
            : checkValue(id, call, o.value);
        if (!problem && f.state !== "fulfilled") problem = `#${id} fulfilled but its state is "${f.state}"`;
        break;
      case "own-error":
        problem =
          o.status !== "rejected"
            ? `#${id} should reject with its own error, but fulfilled with ${describeValue(o.value)}`
            : checkOwnError(id, o.reason);
        if (!problem && f.state !== "rejected") problem = `#${id} rejected but its state is "${f.state}"`;
        break;
      case "timeout":
        problem =
          o.status !== "rejected" || !(o.reason instanceof TimeoutError)
            ? `#${id} (${describeCall(call)}) should fail with TimeoutError, got ${o.status} ${describeValue(o.status === "fulfilled" ? o.value : o.reason)}`
            : undefined;
        if (!problem && f.state !== "rejected") problem = `#${id} timed out but its state is "${f.state}"`;
        break;
      case "cancelled":
        problem =
          o.status !== "rejected" || !(o.reason instanceof CancelledError)
            ? `#${id} was cancelled (cancel() returned true) but ${o.status} with ${describeValue(o.status === "fulfilled" ? o.value : o.reason)}`
            : undefined;
        if (!problem && f.state !== "cancelled") problem = `#${id} was cancelled but its state is "${f.state}"`;
        break;
    }
    if (problem) violations.push(problem);
  }

  // settled() and resultsSync() agree with the futures.
  for (const c of run.chains) {
    if (c.settled !== undefined) {
      c.ids.forEach((id, pos) => {
        const rec = c.settled![pos] as { status: string; value?: unknown; reason?: unknown } | undefined;
        const o = observations[id]!;
        if (o.settlements !== 1) return;
        // The same value (not necessarily the same object).
        const same =
          o.status === "fulfilled"
            ? describeValue(rec?.value) === describeValue(o.value)
            : describeValue(rec?.reason) === describeValue(o.reason);
        if (rec?.status !== o.status || !same)
          violations.push(`settled() record of #${id} (${describeValue(rec)}) differs from its future's outcome`);
      });
    }
    if (c.sync !== undefined && !hung) {
      const failed = c.ids.filter((id) => observations[id]!.status === "rejected");
      if (failed.length === 0) {
        const values = c.sync.values;
        if (
          values === undefined ||
          values.length !== c.ids.length ||
          c.ids.some((id, pos) => describeValue(values[pos]) !== describeValue(observations[id]!.value))
        )
          violations.push(
            `resultsSync() of chain [${c.ids.map((i) => `#${i}`).join(", ")}] gave ${c.sync.values ? describeValue(c.sync.values) : `error ${describeValue(c.sync.error)}`}, not its futures' values`,
          );
      } else {
        const error = c.sync.error;
        const reasons = failed.map((id) => observations[id]!.reason as { id?: unknown });
        const got =
          failed.length === 1
            ? [error]
            : error instanceof ExceptionGroup
              ? (error.exceptions as { id?: unknown }[])
              : undefined;
        const ok =
          got !== undefined &&
          got.length === reasons.length &&
          got.every((e, i) => (e as { id?: unknown })?.id === reasons[i]!.id);
        if (!ok)
          violations.push(
            `resultsSync() of chain [${c.ids.map((i) => `#${i}`).join(", ")}] should throw ${failed.length === 1 ? `the error of #${failed[0]}` : `an ExceptionGroup of ${failed.map((i) => `#${i}`).join(", ")}`}, got ${c.sync.values ? `values` : describeValue(error)}`,
          );
      }
    }
  }

  // 2. No two calls overlapped on one thread.
  const intervals: Interval[] = [];
  for (let id = 0; id < n; id++) {
    const o = observations[id]!;
    const slot = slots[id];
    const carried = o.status === "fulfilled" ? o.value : o.status === "rejected" ? o.reason : undefined;
    if (isRecord(carried) && carried.id === id) {
      intervals.push({
        who: `#${id}`,
        threadId: carried.threadId,
        start: carried.start,
        end: carried.end,
        top: id,
        completed: true,
      });
      if (slot && (slot.threadId !== carried.threadId || slot.start !== carried.start))
        violations.push(`#${id}'s shared slot (${describeValue(slot)}) disagrees with its record`);
      carried.inner?.forEach((r) => {
        if (isRecord(r)) intervals.push({ who: `#${r.id}`, threadId: r.threadId, start: r.start, end: r.end });
      });
    } else if (slot) {
      // Started, but gave no record (timed out, cancelled, crashed): its code held the thread until it
      // left it (its `finally` ran), or for good if it never did (the thread must have been terminated).
      intervals.push({
        who: `#${id} (no record${slot.exit === undefined ? ", never left its thread" : ""})`,
        threadId: slot.threadId,
        start: slot.start,
        end: slot.exit ?? Infinity,
        top: id,
      });
    }
  }
  const byThread = new Map<number, Interval[]>();
  for (const i of intervals) byThread.set(i.threadId, [...(byThread.get(i.threadId) ?? []), i]);
  for (const [threadId, list] of byThread) {
    list.sort((a, b) => a.start - b.start);
    let longest: Interval | undefined;
    for (const cur of list) {
      if (longest !== undefined && cur.start <= longest.end) {
        violations.push(
          `${longest.who} and ${cur.who} overlapped on thread ${threadId}: ` +
            `${cur.who} started ${((cur.start - longest.start) / 1e6).toFixed(3)} ms after ${longest.who} started, ` +
            (longest.end === Infinity
              ? `while ${longest.who} still held the thread`
              : `${((longest.end - cur.start) / 1e6).toFixed(3)} ms before it ended`),
        );
      }
      if (longest === undefined || cur.end > longest.end) longest = cur;
    }
  }

  // 3. maxThreads and FIFO on an own executor.
  const k = program.executor;
  const nested = program.steps.some((s) => s.call.kind === "nested");
  if (k !== "default" && !nested) {
    // Completed calls only: a cancelled or timed-out call's thread is being terminated, and whether a
    // thread on its way out counts toward maxThreads is not specified.
    const done = intervals.filter((i) => i.top !== undefined && i.completed);
    const events = done.flatMap((i) => [
      { t: i.start, d: +1, i },
      { t: i.end, d: -1, i },
    ]);
    events.sort((a, b) => a.t - b.t || a.d - b.d); // an end before a start at the same instant
    const running = new Set<Interval>();
    let worst: Interval[] = [];
    for (const e of events) {
      if (e.d > 0) running.add(e.i);
      else running.delete(e.i);
      if (running.size > worst.length) worst = [...running];
    }
    if (worst.length > k)
      violations.push(
        `${worst.length} top-level calls ran at once on an executor with maxThreads ${k}: ` +
          worst.map((i) => `${i.who} on thread ${i.threadId}`).join(", ") +
          ` (for ${((Math.min(...worst.map((i) => i.end)) - Math.max(...worst.map((i) => i.start))) / 1e6).toFixed(3)} ms)` +
          (run.threadsBefore && run.threadsBefore.threads > k
            ? `; the executor already had ${run.threadsBefore.threads} threads before this program`
            : ""),
      );
    const plain = program.cancels.length === 0 && !program.steps.some((s) => s.call.kind === "hang");
    if (k === 1 && plain) {
      const starts = [...done].sort((a, b) => a.top! - b.top!);
      for (let i = 1; i < starts.length; i++) {
        if (starts[i]!.start < starts[i - 1]!.start)
          violations.push(
            `with maxThreads 1, ${starts[i]!.who} started before ${starts[i - 1]!.who}, which was submitted earlier`,
          );
      }
    }
  }

  // 5. Back to rest.
  if (run.restless !== undefined)
    violations.push(`the executor did not come back to rest (busy 0, queued 0): ${describeValue(run.restless)}`);

  return violations;
}

/** What each call did, times in ms from the program's start: for failure reports. */
export function traceOf(run: RunResult): string {
  const ms = (t: number): string => (t === Infinity ? "∞" : ((t - run.t0) / 1e6).toFixed(2));
  const lines: string[] = [];
  if (run.threadsBefore)
    lines.push(
      `  (the executor had ${run.threadsBefore.threads} threads, ${run.threadsBefore.idle} idle, before the program)`,
    );
  run.program.steps.forEach((_, id) => {
    const o = run.observations[id];
    const f = run.futures[id];
    const carried = o?.status === "fulfilled" ? o.value : o?.reason;
    const slot = run.slots[id];
    let where = slot
      ? `thread ${slot.threadId} ${ms(slot.start)}–${slot.exit === undefined ? "(never left)" : ms(slot.exit)}`
      : "never started";
    if (isRecord(carried)) where = `thread ${carried.threadId} ${ms(carried.start)}–${ms(carried.end)}`;
    const outcome = run.hung.includes(id)
      ? "unsettled when the guard fired (then cancelled)"
      : o === undefined
        ? "not submitted"
        : o.status === undefined
          ? `unsettled (${f?.state})`
          : o.status === "fulfilled"
            ? "fulfilled"
            : `rejected ${o.reason instanceof Error ? o.reason.name : describeValue(o.reason)}`;
    lines.push(`  #${id}: ${outcome}, ${where}`);
    if (isRecord(carried))
      carried.inner?.forEach((r) => {
        if (isRecord(r)) lines.push(`    ${r.id}: thread ${r.threadId} ${ms(r.start)}–${ms(r.end)}`);
      });
  });
  for (const c of run.cancels)
    lines.push(`  cancel(#${c.target}) returned ${c.returned}, state then "${c.stateAfter}"`);
  return lines.join("\n");
}
