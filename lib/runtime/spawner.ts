/**
 * The spawner's duties: only the isolate that owns `Worker` objects can start
 * and terminate them, so the core asks it to (see the core's `Duty`).
 */

import { deserialize, serialize } from "node:v8";
import { MessageChannel, Worker, type MessagePort, type WorkerOptions } from "node:worker_threads";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

import { addonFile, binding } from "../wire/binding.js";
import { PayloadKind } from "../wire/protocol.js";
import { encodeThrown } from "../values/error-transport.js";
import { ADDON_FILE, POOL_THREAD } from "../wire/pool-thread.js";
import { threadArgv, withoutRefusedFlags, type ThreadArgv } from "./typescript.js";

/** Worker options an executor stores with the core. */
export interface SpawnOptions {
  resourceLimits?: WorkerOptions["resourceLimits"];
  execArgv?: string[];
  env?: Record<string, string | undefined>;
  idleTimeout: number;
  /** Nice steps a thread lowers itself by once the cores are oversubscribed (0: never). */
  niceIncrement?: number;
}

/**
 * By default a pool thread that takes a call while more threads run calls
 * than there are cores lowers itself by this many nice steps, so that they
 * give way to the calling event loop (README "Threads" has the measurements).
 */
export const DEFAULT_NICE_INCREMENT = 10;

/** The description of a thread's death, as the core passes it to callers. */
export interface ThreadDeath {
  message: string;
  exitCode?: number;
  cause?: unknown;
}

/**
 * A pool thread runs the library's own entry (dist/index.js), which starts
 * the thread side when it sees `POOL_THREAD` in its workerData: code in a
 * call that loads the library then gets that same instance. When this code
 * runs from a program's bundle instead (a bundler put the library in), the
 * entry is the installed package's (resolved from `process.cwd()`).
 */
let workerScript: string | undefined;
function workerScriptPath(): string {
  return (workerScript ??= findWorkerScript());
}

function findWorkerScript(): string {
  const here = typeof __filename === "string" ? __filename : undefined;
  if (here !== undefined && isOwnEntry(here)) return here;
  try {
    return createRequire(path.join(process.cwd(), "[parallel-threads]")).resolve("parallel-threads");
  } catch (cause) {
    throw new Error(
      "parallel-threads is bundled into this program and can't find its own files to start threads from: " +
        "mark it external in your bundler (esbuild --external:parallel-threads, webpack externals, rollup " +
        "external), or keep the package installed where process.cwd() resolves it",
      { cause },
    );
  }
}

/** Whether `file` is the library's own bundle (dist/index.js of the parallel-threads package). */
function isOwnEntry(file: string): boolean {
  if (path.basename(file) !== "index.js" || path.basename(path.dirname(file)) !== "dist") return false;
  try {
    const manifest = JSON.parse(readFileSync(path.join(path.dirname(file), "../package.json"), "utf8")) as {
      name?: string;
    };
    return manifest.name === "parallel-threads";
  } catch {
    return false;
  }
}
const workers = new Map<number, Worker>();
const ports = new Map<number, MessagePort>();

/** Serializes spawn options for the core. */
export function encodeSpawnOptions(options: SpawnOptions): Buffer {
  return serialize(options);
}

/** The worker options of `executor`, as stored in the core (read at each spawn: spawns are rare). */
function spawnOptionsOf(executor: number): SpawnOptions {
  const raw = binding.spawnOptions(executor);
  return raw && raw.length > 0
    ? (deserialize(raw) as SpawnOptions)
    : { idleTimeout: binding.executorDefaults().idleTimeoutMs };
}

function reportGone(thread: number, death: ThreadDeath): void {
  binding.threadGone(thread, PayloadKind.Serialized, serialize(death));
}

/** The port to `thread`'s worker (only the spawner has these). */
export function portOf(thread: number): MessagePort | undefined {
  return ports.get(thread);
}

/** Every port of this spawner. */
export function allPorts(): Iterable<MessagePort> {
  return ports.values();
}

/** This isolate's Node options for threads, without tsx's loader (see typescript.ts). */
let inheritedArgv: ThreadArgv | undefined;

/**
 * A new Worker. An executor's own execArgv is used as given; the inherited
 * one loses tsx's loader, and then the process-wide flags a Worker refuses
 * to be given (it inherits them anyway).
 */
function startWorker(options: SpawnOptions, workerData: Record<string, unknown>, port: MessagePort): Worker {
  const inherit = options.execArgv === undefined;
  const argv = inherit ? (inheritedArgv ??= threadArgv(process.execArgv)) : { execArgv: options.execArgv };
  const start = () =>
    new Worker(workerScriptPath(), {
      workerData: { ...workerData, tsxApi: argv.tsxApi },
      transferList: [port],
      resourceLimits: options.resourceLimits,
      execArgv: argv.execArgv,
      env: options.env,
      name: `parallel-threads #${String(workerData.thread)}`,
    });
  try {
    return start();
  } catch (error) {
    if (!inherit || argv.execArgv === undefined) throw error;
    inheritedArgv = withoutRefusedFlags(argv, error);
    return startWorker(options, workerData, port);
  }
}

/** Starts the worker for `thread`; it attaches to the core by itself. */
export function spawnThread(thread: number, executor: number, spawner: number): void {
  const options = spawnOptionsOf(executor);
  const { port1, port2 } = new MessageChannel();
  let worker: Worker;
  try {
    worker = startWorker(
      options,
      {
        [POOL_THREAD]: true,
        [ADDON_FILE]: addonFile(),
        thread,
        idleTimeout: options.idleTimeout,
        niceIncrement: options.niceIncrement ?? DEFAULT_NICE_INCREMENT,
        port: port2,
        spawner,
      },
      port2,
    );
  } catch (error) {
    reportGone(thread, { message: "the thread could not be started", cause: encodeThrown(error) });
    return;
  }
  worker.unref();
  port1.unref();
  workers.set(thread, worker);
  ports.set(thread, port1);
  let failure: unknown;
  worker.on("error", (error) => {
    failure = error;
  });
  worker.on("exit", (exitCode) => {
    workers.delete(thread);
    ports.get(thread)?.close();
    ports.delete(thread);
    const why = failure === undefined ? `exited with code ${exitCode}` : "failed";
    reportGone(thread, {
      message: `the thread running this call ${why}`,
      exitCode,
      cause: failure === undefined ? undefined : encodeThrown(failure),
    });
  });
}

/** Terminates the worker of `thread` (cancelled, timed out, retired or closed). */
export function terminateThread(thread: number): void {
  void workers.get(thread)?.terminate();
}
