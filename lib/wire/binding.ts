/**
 * The raw Node-API binding (internal): typed here so the rest of the layer
 * never touches the generated loader directly.
 */

import { readFileSync } from "node:fs";

import { spawnerAddonFile } from "./pool-thread.js";

/**
 * Payload kinds: primitives as they are, a structured-clone buffer, the
 * MessagePort; and in packed output (or a result) numbers inline: one
 * (`Number`), or a count and the numbers (`Numbers`, output only).
 */
export const enum PayloadKind {
  Values = 0,
  Serialized = 1,
  Port = 2,
  Number = 3,
  Numbers = 4,
}

/** Outcome statuses, as the core numbers them. */
export const enum CallStatus {
  Fulfilled = 0,
  Rejected = 1,
  TimedOut = 2,
  Cancelled = 3,
  Crashed = 4,
}

/**
 * A job as the core hands it to a thread, packed:
 * `[slotsUsed, callId, functionId, flags, caller, argsKind, args…]` (see `packedData`).
 */
export type RawJob = Float64Array;

/** Where the fields of a `RawJob` are. */
export const enum JobSlot {
  Call = 1,
  Function = 2,
  Flags = 3,
  Caller = 4,
  ArgsKind = 5,
}

/** Percentiles of recent durations, in microseconds (nearest rank over the last 1024 calls). */
export interface Percentiles {
  /** The median. */
  p50: number;
  /** The 90th percentile. */
  p90: number;
  /** The 99th percentile. */
  p99: number;
  /** The largest. */
  max: number;
  /** How many recent calls they come from. */
  count: number;
}

/** Counters and thread figures of an executor. */
export interface RawExecutorStats {
  threads: number;
  starting: number;
  idle: number;
  busy: number;
  queued: number;
  started: number;
  fulfilled: number;
  failed: number;
  queueWait: Percentiles;
  runTime: Percentiles;
}

/** The functions the addon exports (see src/*.rs). */
export interface Binding {
  attachUser(onWake: () => void): number;
  attachThread(thread: number, onWake: () => void): number;
  /**
   * Completions, assignments and duties, packed (`[slotsUsed, …]`): values
   * other than numbers go into `objs`, the numbers into `scratch` when they fit.
   */
  drain(objs: unknown[], scratch: Float64Array | undefined): Float64Array;
  shutdown(): void;
  detach(): void;
  registerFunction(source: string): number;
  functionSource(id: number): string | null;
  submit(
    executor: number,
    fn: number,
    argsKind: PayloadKind,
    args: unknown,
    flags: number,
    timeoutMs: number | undefined | null,
  ): number;
  cancel(call: number, reasonKind: PayloadKind, reason: unknown): boolean;
  waitSync(calls: number[], firstFailure: boolean, timeoutMs: number | undefined | null): number;
  callThread(call: number): number | null | undefined;
  spinUntilSettled(calls: number[], spinMicros: number): boolean;
  isSpawner(): boolean;
  payloadPosted(call: number): void;
  waitPayload(thread: number, call: number): boolean;
  nextJob(thread: number, idleMs: number, objs: unknown[], scratch: Float64Array): RawJob | number;
  takeJob(thread: number, objs: unknown[], scratch: Float64Array): RawJob | undefined | null;
  callYielded(thread: number, call: number): void;
  complete(thread: number, call: number, status: CallStatus, kind: PayloadKind, payload: unknown, quiet: boolean): void;
  completeAndNext(
    thread: number,
    call: number,
    status: CallStatus,
    kind: PayloadKind,
    payload: unknown,
    idleMs: number,
    objs: unknown[],
    scratch: Float64Array,
  ): RawJob | number;
  reportExit(thread: number, kind: PayloadKind, reason: unknown): void;
  /** A memory-reducing GC of this isolate (src/memory.rs); false where unavailable. */
  trimHeap(): boolean;
  threadGone(thread: number, kind: PayloadKind, reason: unknown): void;
  createExecutor(maxThreads: number, idleTimeoutMs: number, spawnOptions: Buffer): number;
  configureExecutor(id: number, maxThreads: number, idleTimeoutMs: number, spawnOptions: Buffer): void;
  closeExecutor(id: number): void;
  prewarm(id: number): void;
  spawnOptions(id: number): Buffer | null;
  executorStats(id: number): RawExecutorStats | null;
  analyzeFunction(source: string, name: string): import("../portability/native.js").NativeAnalysis;
}

/**
 * The addon, loaded once per isolate. A pool thread loads the file its
 * spawner loaded; a program loads its platform's binary directly when it is
 * one of the targets we build. Otherwise, or when that fails, the generated
 * loader (binding.js) looks for it. Skipping the loader (~900 lines, a dozen
 * file lookups) saves ~2 ms of every start.
 */
export const binding: Binding = loadBinding();

function loadBinding(): Binding {
  const file = spawnerAddonFile();
  const target = file === undefined && !process.env["NAPI_RS_NATIVE_LIBRARY_PATH"] ? buildTarget() : undefined;
  const candidates =
    file !== undefined ? [file] : target ? [`../parallel-threads.${target}.node`, `parallel-threads-${target}`] : [];
  for (const candidate of candidates) {
    try {
      return require(candidate) as Binding;
    } catch {
      // the next candidate, then the loader
    }
  }
  return require("../binding.js") /* relative to dist/index.js, the bundle */ as Binding;
}

/** This platform's napi target among those in package.json's `napi.targets`, if it is one. */
function buildTarget(): string | undefined {
  const { platform, arch } = process;
  if (platform === "darwin" && (arch === "x64" || arch === "arm64")) return `darwin-${arch}`;
  if (platform === "win32" && arch === "x64") return "win32-x64-msvc";
  if (platform !== "linux" || (arch !== "x64" && arch !== "arm64")) return undefined;
  let musl: boolean;
  try {
    musl = readFileSync("/usr/bin/ldd", "utf8").includes("musl"); // the generated loader's first test
  } catch {
    return undefined;
  }
  if (!musl) return `linux-${arch}-gnu`;
  return arch === "x64" ? "linux-x64-musl" : undefined;
}

/** The path of the addon file this isolate loaded, when it is one (for its pool threads). */
export function addonFile(): string | undefined {
  for (const loaded of Object.values(require.cache)) {
    if (loaded?.exports === binding && loaded.filename.endsWith(".node")) return loaded.filename;
  }
  return undefined;
}

/** Flags of a call, carried by the core to the thread. */
export const enum CallFlag {
  /** Move the result's ArrayBuffers back instead of copying them. */
  TransferResult = 1,
}

/** `waitSync` results. */
export const enum SyncWaitResult {
  Settled = 0,
  TimedOut = 1,
  Duties = 2,
  Exit = 3,
  Again = 4,
}

/** `nextJob` results that are not jobs. */
export const enum NextCode {
  Retire = 0,
  Exit = 1,
  Again = 2,
}
