/**
 * The thread side: the script every pool thread runs. It attaches to the
 * core, waits there for a call while it has nothing else to do, runs the call
 * and completes it. The core gives it one call at a time and the next only
 * once that call settled. While its call is awaiting, or timers a settled
 * call left are pending, it waits in its event loop instead; it tells the
 * core when its loop is quiet again (by waiting for work there), and only
 * then is it idle.
 */

import { createRequire } from "node:module";
import * as path from "node:path";
import { workerData, type MessagePort } from "node:worker_threads";
// Bound once: the globals `performance` and `process` are accessors on
// globalThis, a slow global load in each call's path.
import { performance } from "node:perf_hooks";
import process from "node:process";

import { binding } from "../wire/binding.js";
import { CallFlag, CallStatus, JobSlot, NextCode, packedData, PayloadKind, type RawJob } from "../wire/protocol.js";
import { encodeThrown } from "../values/error-transport.js";
import { attachAsThread, ownImmediates } from "./caller.js";
import { post, receive } from "../values/ports.js";
import { taskOfSource } from "./task-source.js";
import { runChunk, sendableOutcome, type ChunkOutcome, type ChunkRunner } from "./chunk.js";
import { importTaskModule } from "./typescript.js";
import { arrived, decodeArgs, encodeData, encodeValue, type Encoded, type PortMessage } from "../values/transport.js";

const { thread, idleTimeout, niceIncrement, port, spawner, tsxApi } = workerData as {
  thread: number;
  idleTimeout: number;
  /** Nice steps this thread lowers itself by once the cores are oversubscribed (the executor option). */
  niceIncrement: number;
  port: MessagePort;
  spawner: number;
  /** Where tsx is, when the program runs under it (this thread loads it only for TypeScript tasks). */
  tsxApi: string | undefined;
};

binding.setThreadNiceIncrement(niceIncrement);

// Portable functions may `require()` built-ins and installed packages.
// Also as `__require`, the name esbuild gives `require` in an ESM bundle, so
// inline functions of a bundled program keep working.
const threadRequire = createRequire(path.join(process.cwd(), "[parallel-threads]"));
(globalThis as { require?: NodeJS.Require }).require = threadRequire;
(globalThis as { __require?: NodeJS.Require }).__require = threadRequire;

/** The call whose promise has not settled yet (a thread holds one call at a time). */
let awaiting: number | undefined;

const functions = new Map<number, Function>();
const loading = new Map<number, Promise<Function>>();
let resumeScheduled = false;

/** The function registered under `id`: compiled from its source, or (for a task) loaded from its module. */
function compiled(id: number): Function | Promise<Function> {
  const fn = functions.get(id) ?? loading.get(id);
  if (fn !== undefined) return fn;
  const source = binding.functionSource(id);
  if (source === null) throw new Error(`unknown function id ${id}`);
  const task = taskOfSource(source);
  if (task !== undefined) {
    const pending = loadTask(task.url, task.exportName).then(
      (task) => {
        functions.set(id, task);
        loading.delete(id);
        return task;
      },
      (error: unknown) => {
        loading.delete(id);
        throw error;
      },
    );
    loading.set(id, pending);
    return pending;
  }
  const made = (0, eval)(`(${source}\n)`) as Function;
  functions.set(id, made);
  return made;
}

/** Imports a task's module (once per thread) and picks the export. */
async function loadTask(url: string, exportName: string): Promise<Function> {
  let module: Record<string, unknown>;
  try {
    module = await importTaskModule(url, tsxApi);
  } catch (error) {
    throw new Error(`tasks(): could not import ${url}: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
  await loaderQuiet();
  const fn = module[exportName] ?? (module.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof fn !== "function") {
    throw new TypeError(`tasks(): ${url} has no exported function "${exportName}"`);
  }
  return fn as Function;
}

/** What a module import leaves in flight after it resolved: file reads and closes, and the loader's immediates. */
const LOADER_IO = new Set(["FSReqPromise", "FSReqCallback", "CloseReq", "Immediate"]);

/**
 * Waits (20 ms at most) for the file requests and immediates the module
 * loader left in flight, so that the call that loaded a task module leaves its thread idle
 * when it settles: else the thread is busy with them for a moment and the
 * next call gets a new thread (with its own JIT warm-up) instead of this one.
 */
async function loaderQuiet(): Promise<void> {
  const until = performance.now() + 20;
  for (let turn = 0; performance.now() < until; turn++) {
    if (!process.getActiveResourcesInfo().some((resource) => LOADER_IO.has(resource))) return;
    await new Promise((resolve) => (turn < 8 ? setImmediate(resolve) : setTimeout(resolve, 1)));
  }
}

/** The outcome of a call that returned `value` (moved over the port when it must be). */
function fulfilled(value: unknown, call: number, flags: number, caller: number): [CallStatus, ...Encoded] {
  try {
    let encoded: Encoded;
    try {
      encoded = encodeValue(value, caller === spawner, (flags & CallFlag.TransferResult) !== 0);
    } catch (error) {
      if ((flags & CallFlag.Chunk) === 0) throw error;
      // The inputs before the value that can't cross keep their values.
      const outcome = sendableOutcome(
        value as ChunkOutcome,
        (v) => encodeValue(v, caller === spawner, false),
        encodeFailure,
      );
      encoded = encodeValue(outcome, caller === spawner, false);
    }
    const [kind, data] = encoded;
    if (kind !== PayloadKind.Port) return [CallStatus.Fulfilled, kind, data];
    const message = data as { value: unknown; transfer: PortMessage["transfer"] };
    post(port, call, message.value, message.transfer);
    return [CallStatus.Fulfilled, PayloadKind.Port, undefined];
  } catch (error) {
    return rejected(error);
  }
}

/**
 * Where the core puts the job it hands over: its numbers in `jobScratch`
 * (reused: a job is read before the next is fetched), its other values in
 * `jobObjs` (new for each fetch).
 */
const jobScratch = new Float64Array(64);
let jobObjs: unknown[] = [];
function freshJobObjs(): unknown[] {
  return (jobObjs = []);
}

/** A job's arguments; `undefined` when its payload will never come (the call is gone). */
function argsOf(job: RawJob, call: number): unknown[] | undefined {
  const kind = job[JobSlot.ArgsKind] as PayloadKind;
  if (kind !== PayloadKind.Port) return decodeArgs(kind, packedData(job, jobObjs, JobSlot.ArgsKind));
  for (;;) {
    const message = receive([port], call);
    if (message !== undefined) return arrived(message.payload) as unknown[];
    if (!binding.waitPayload(thread, call)) return undefined;
  }
}

function rejected(error: unknown): [CallStatus, ...Encoded] {
  return [CallStatus.Rejected, ...encodeData(encodeFailure(error))];
}

/** What a call threw, as it crosses (without this runtime's frames). */
function encodeFailure(error: unknown): ReturnType<typeof encodeThrown> {
  dropLibraryFrames(error);
  return encodeThrown(error);
}

/** How a chunk of `map` calls its function for each input. */
const chunkRunner: ChunkRunner = {
  call: (fn, input) => runCallOfParallelThreads(fn, [input]),
  thrown: encodeFailure,
};

/**
 * Cuts an error's stack where the call's own frames end (at
 * `runCallOfParallelThreads`, which called the function; a name no user
 * function has): below it are only this runtime's frames and Node's module
 * loading, which say nothing about the user's code.
 */
function dropLibraryFrames(error: unknown): void {
  if (!(error instanceof Error) || typeof error.stack !== "string") return;
  const at = error.stack.indexOf("\n    at runCallOfParallelThreads (");
  if (at > 0)
    Object.defineProperty(error, "stack", { value: error.stack.slice(0, at), writable: true, configurable: true });
}

/**
 * Runs a job; returns its outcome when it finished synchronously, `undefined`
 * while it awaits, `null` when it was abandoned before it could start.
 */
function run(job: RawJob): [CallStatus, ...Encoded] | undefined | null {
  // Read everything now: the scratch holds the next job once this one awaits.
  const call = job[JobSlot.Call]!;
  const fnId = job[JobSlot.Function]!;
  const flags = job[JobSlot.Flags]!;
  const caller = job[JobSlot.Caller]!;
  trimmed = false;
  let result: unknown;
  try {
    const args = argsOf(job, call);
    if (args === undefined) return null;
    result =
      (flags & CallFlag.Chunk) === 0
        ? runCallOfParallelThreads(compiled(fnId), args)
        : runChunk(chunkRunner, compiled(fnId), args[0]);
  } catch (error) {
    return rejected(error);
  }
  if (typeof (result as PromiseLike<unknown> | null)?.then !== "function")
    return fulfilled(result, call, flags, caller);
  awaiting = call;
  binding.callYielded(thread, call);
  Promise.resolve(result)
    .then((value) => fulfilled(value, call, flags, caller), rejected)
    .then(([status, kind, data]) => {
      awaiting = undefined;
      binding.complete(thread, call, status, kind, data, !loopIsBusy());
      resumeInCore();
    });
  return undefined;
}

function runCallOfParallelThreads(fn: Function | Promise<Function>, args: unknown[]): unknown {
  return typeof fn === "function" ? fn(...args) : fn.then((loaded) => loaded(...args));
}

/** Whether `resumeInCore`'s immediate is running (Node still lists it as active then). */
let inResumeImmediate = false;

/** Whether the event loop has work of its own (the call awaiting, or timers and handles a call left). */
function loopIsBusy(): boolean {
  if (awaiting !== undefined) return true;
  const resources = process.getActiveResourcesInfo();
  if (resources.length === 0) return false;
  // This runtime's own immediates are not work a call left.
  let own = ownImmediates() + (resumeScheduled ? 1 : 0) + (inResumeImmediate ? 1 : 0);
  for (const resource of resources) {
    if (resource !== "Immediate" || own-- <= 0) return true;
  }
  return false;
}

/** When this thread last finished a call: idle retirement counts from here. */
let idleSince = performance.now();

/** Milliseconds of idleness left before this thread retires. */
function idleLeft(): number {
  return Math.max(0, idleTimeout - (performance.now() - idleSince));
}

/**
 * A thread idle this long gives back the memory its heap grew while busy
 * (V8 would, from the event loop an idle thread doesn't turn), once per idle
 * spell: a full collection of a small heap, a few milliseconds.
 */
const TRIM_AFTER_IDLE_MS = 200;
let trimmed = true; // nothing to give back before the first call

/**
 * Calls run back to back in the core before the event loop gets a turn:
 * V8 frees ArrayBuffer memory (and runs other platform tasks) from there.
 * A call whose payload came over the port (transferred or shared memory,
 * usually large) always gives it a turn: its collection work then runs
 * while the thread waits, not in the middle of the next call (16 MiB
 * transfers: median 0.38 → 0.28 ms in `npm run bench`).
 */
const CALLS_PER_LOOP_TURN = 256;

/** Waits for calls inside the core for as long as nothing else needs the event loop. */
function runInCore(next: RawJob | number): void {
  let calls = 0;
  for (;;) {
    if (typeof next === "number") {
      if (next === NextCode.Again) {
        if (!trimmed && performance.now() - idleSince >= TRIM_AFTER_IDLE_MS) {
          trimmed = true;
          binding.trimHeap();
        }
        next = binding.nextJob(thread, idleLeft(), freshJobObjs(), jobScratch);
        continue;
      }
      if (next === NextCode.Retire) process.exit(0);
      return; // Exit: terminating or the process is exiting
    }
    const call = next[JobSlot.Call]!;
    const viaPort = next[JobSlot.ArgsKind] === PayloadKind.Port;
    const outcome = run(next);
    if (outcome === null) {
      next = binding.nextJob(thread, idleTimeout, freshJobObjs(), jobScratch);
      continue;
    }
    if (outcome === undefined || viaPort || loopIsBusy() || ++calls >= CALLS_PER_LOOP_TURN) {
      if (outcome !== undefined) binding.complete(thread, call, ...outcome, !loopIsBusy());
      resumeInCore();
      return;
    }
    idleSince = performance.now();
    next = binding.completeAndNext(
      thread,
      call,
      outcome[0],
      outcome[1],
      outcome[2],
      idleTimeout,
      freshJobObjs(),
      jobScratch,
    );
  }
}

/**
 * Once the event loop has nothing left to do, go back to waiting in the core
 * (which makes a thread that was draining a settled call's leftovers idle).
 * While the call awaits, its completion calls this again; while only
 * leftovers keep the loop busy, look again every 20 ms.
 */
function resumeInCore(): void {
  if (resumeScheduled) return;
  resumeScheduled = true;
  setImmediate(() => {
    resumeScheduled = false;
    // Node counts a running immediate as active until its queue is done.
    inResumeImmediate = true;
    try {
      if (loopIsBusy()) {
        if (awaiting === undefined) setTimeout(resumeInCore, 20).unref();
        return;
      }
      idleSince = performance.now();
      runInCore(binding.nextJob(thread, idleTimeout, freshJobObjs(), jobScratch));
    } finally {
      inResumeImmediate = false;
    }
  });
}

/** The core woke this thread's event loop: run the call it was given, if any. */
function onThreadWake(): void {
  const job = binding.takeJob(thread, freshJobObjs(), jobScratch);
  if (job) {
    const call = job[JobSlot.Call]!;
    const outcome = run(job);
    if (outcome) binding.complete(thread, call, ...outcome, !loopIsBusy());
  }
  resumeInCore();
}

/**
 * An uncaught exception (from a timer or callback a call left) ends the
 * thread; the call it holds, if any, fails with `ThreadCrashError` naming it.
 * Only that call ran here, so nothing else is touched.
 */
process.on("uncaughtException", (error) => {
  binding.reportExit(
    thread,
    ...encodeData({
      message: "an uncaught exception (from a timer or callback it left) broke the thread",
      cause: encodeThrown(error),
    }),
  );
  process.exit(1);
});
process.on("exit", (exitCode) => {
  binding.reportExit(
    thread,
    ...encodeData({ message: `the thread running this call exited with code ${exitCode}`, exitCode }),
  );
});

attachAsThread(thread, onThreadWake);
runInCore(binding.nextJob(thread, idleTimeout, freshJobObjs(), jobScratch));
