/**
 * The calling side of this isolate: attaches it to the core, keeps the
 * futures of the calls it made, settles them when outcomes arrive, and does
 * the spawner's duties.
 */

import { isMainThread } from "node:worker_threads";

import { addon, binding } from "../wire/binding.js";
import {
  CallStatus,
  DutyCode,
  PayloadKind,
  readArrivals,
  SyncWaitResult,
  type ArrivalHandler,
} from "../wire/protocol.js";
import type { EncodedThrown } from "../values/error-transport.js";
import { takeWaiterFrames } from "../errors/call-site-frames.js";
import { ThreadCrashError, TimeoutError } from "../errors/errors.js";
import { WAITER_SITE } from "./call-sites.js";
import { decodeThrown } from "../values/error-transport.js";
import * as spawner from "./spawner.js";
import type { Future } from "../futures/future.js";
import { post, receive } from "../values/ports.js";
import type { ThreadDeath } from "./spawner.js";
import { arrived, decodeData, decodeValue, type PortMessage } from "../values/transport.js";

/** What the runtime keeps about a call it made. */
export interface PendingCall {
  readonly future: Future<unknown>;
  /** Frames of the `parallel()` call site (captured lazily by V8), or a marker (lib/runtime/call-sites.ts). */
  readonly site: { readonly stack?: string };
  readonly name: string;
  readonly timeout: number | undefined;
  /** A payload to post on the port of the thread the call gets. */
  portPayload?: { args: unknown; transfer: PortMessage["transfer"] };
}

const pending = new Map<number, PendingCall>();
let isolate: number | undefined;
let keepAlive: NodeJS.Timeout | undefined;

/** Attaches this isolate to the core once; returns its id. */
function attachHere(): number {
  if (isolate !== undefined) return isolate;
  isolate = binding.attachUser(onWakeHere);
  keepAlive = setInterval(() => {}, 2 ** 31 - 1);
  keepAlive.unref();
  if (isMainThread) process.once("exit", () => binding.shutdown());
  else process.once("exit", () => binding.detach());
  return isolate;
}

/** Starts an executor's first thread booting now (a no-op when it has threads). */
function prewarmHere(executor: number): void {
  attachHere();
  binding.prewarm(executor);
  onWakeHere();
}

/** Posts a call's port payload to the thread it got, and tells the thread. */
function postPayloadHere(call: number, thread: number): void {
  const entry = pending.get(call);
  const port = spawner.portOf(thread);
  if (entry?.portPayload === undefined || port === undefined) return;
  post(port, call, entry.portPayload.args, entry.portPayload.transfer);
  entry.portPayload = undefined;
  binding.payloadPosted(call);
}

/**
 * A queued call got its thread: post its payload there. Should that fail,
 * the call fails with the error and is withdrawn (its thread goes on).
 */
function postQueuedPayload(call: number, thread: number): void {
  try {
    postPayloadHere(call, thread);
  } catch (error) {
    const entry = pending.get(call);
    withdrawHere(call);
    entry?.future._settle("rejected", undefined, error);
  }
}

/** @internal Used by the thread-side runtime, which attaches as a pool thread. */
function attachAsThreadHere(thread: number, onThreadWake: () => void): void {
  isolate = binding.attachThread(thread, () => {
    onWakeHere();
    onThreadWake();
  });
}

/** Other isolates' calls run on this spawner's threads (which end with it). */
let holding = false;

/** Keeps this isolate's event loop alive while it waits for calls, or its threads serve others. */
function updateKeepAlive(): void {
  if (pending.size > 0 || holding) keepAlive?.ref();
  else keepAlive?.unref();
}

function holdForOthers(hold: boolean): void {
  holding = hold;
  updateKeepAlive();
}

/** Tracks a submitted call until its outcome arrives. */
function trackHere(call: number, entry: PendingCall): void {
  pending.set(call, entry);
  if (pending.size === 1) updateKeepAlive();
}

/** Stops tracking a call that was settled here (cancelled). */
function untrackHere(call: number): void {
  pending.delete(call);
  if (pending.size === 0) updateKeepAlive();
}

/**
 * Takes a call back: no longer tracked here, cancelled in the core (a call
 * that ran no code yet leaves its thread free). Whether it was unsettled.
 */
function withdrawHere(call: number): boolean {
  untrackHere(call);
  return binding.cancel(call, 0, []);
}

/** Settles futures whose outcomes arrived and does the spawner's duties. */
function onWakeHere(): void {
  const objs: unknown[] = [];
  // A nested drain (a settled future's listener waiting for calls) gets
  // fresh numbers: this loop still reads the scratch.
  handleArrivals(binding.drain(objs, draining ? undefined : drainScratch), objs);
}

/** Handles drained arrivals (read from `drainScratch` when they are in it). */
function handleArrivals(arrivals: Float64Array, objs: unknown[]): void {
  const nested = draining;
  draining = true;
  try {
    if (readArrivals(arrivals, objs, arrivalHandler) > 1) startBurst();
  } finally {
    draining = nested;
  }
}

/** Reused for the numbers of a drain; 8 KiB: a burst of ~250 completions. */
const drainScratch = new Float64Array(1024);
let draining = false;

/** What this isolate does with each arrival of a drain. */
const arrivalHandler: ArrivalHandler = {
  completion: settle,
  assignment: postQueuedPayload,
  duty(code, a, b) {
    if (code === DutyCode.Spawn) spawner.spawnThread(a, b, isolate!);
    else if (code === DutyCode.Terminate) spawner.terminateThread(a);
    else holdForOthers(a === 1);
  },
};

function settle(call: number, status: CallStatus, kind: PayloadKind, data: unknown): void {
  const entry = pending.get(call);
  if (entry === undefined) return;
  untrackHere(call);
  const { future } = entry;
  try {
    switch (status) {
      case CallStatus.Fulfilled:
        if (kind === PayloadKind.Port)
          future._settle("fulfilled", arrived(receive(spawner.allPorts(), call)?.payload), undefined);
        else future._settle("fulfilled", decodeValue(kind, data), undefined);
        return;
      case CallStatus.Rejected:
        fail(entry, decodeThrown(decodeData(kind, data) as EncodedThrown, entry.site.stack));
        return;
      case CallStatus.TimedOut:
        fail(
          entry,
          new TimeoutError(`${entry.name} ran past its timeout of ${entry.timeout} ms; its thread was terminated`),
        );
        return;
      case CallStatus.Cancelled:
        future._settle("cancelled", undefined, undefined);
        return;
      case CallStatus.Crashed:
        fail(entry, crashError(entry, decodeData(kind, data) as ThreadDeath | undefined));
        return;
    }
  } catch (error) {
    future._settle("rejected", undefined, error);
  }
}

/**
 * What an input of a `map` chunk threw, decoded as a call's failure is
 * (`fail`): by default (`WAITER_SITE`) marked to take the frames of the code
 * that waits for it.
 */
export function thrownBy(encoded: EncodedThrown, site: { readonly stack?: string }): unknown {
  const error = decodeThrown(encoded, site.stack);
  if (site === WAITER_SITE) takeWaiterFrames(error);
  return error;
}

/** Rejects a call's future; by default its error takes the frames of the code that waits for it. */
function fail(entry: PendingCall, error: unknown): void {
  if (entry.site === WAITER_SITE) {
    takeWaiterFrames(error);
    if (error instanceof ThreadCrashError) takeWaiterFrames(error.cause); // the thread's error that broke it
  }
  entry.future._settle("rejected", undefined, error);
}

function crashError(entry: PendingCall, death: ThreadDeath | undefined): ThreadCrashError {
  const message = death?.message ?? "the thread running this call died (killed, out of memory, or crashed)";
  const cause = death?.cause === undefined ? undefined : decodeThrown(death.cause as EncodedThrown, entry.site.stack);
  return new ThreadCrashError(`${entry.name}: ${message}`, { cause, exitCode: death?.exitCode });
}

/** The longest a `results()` spins for calls that answer quickly (µs). */
const SPIN_MICROS = 40;
/** Chains of more calls than this don't spin. */
const MAX_SPIN_CALLS = 8;

/** A chain's call as the spin looks at it: its core id (not positive for a local call) and whether it settled. */
export interface WaitedCall {
  readonly call: number;
  readonly future: { readonly done: boolean };
}
/** Set from a drain that settled several calls until the next macrotask. */
let inBurst = false;

function startBurst(): void {
  if (inBurst) return;
  inBurst = true;
  setImmediate(() => {
    inBurst = false;
  });
}

let spinCredit = 0;
let spinSkips = 0;

/**
 * Before `results()` falls back to the event loop, spin a few microseconds in
 * the core for calls that answer quickly: they then settle without a trip
 * through the event loop (most of a tiny call's round trip). Adaptive: after
 * spins that did not pay off it only tries now and then, so slow calls cost
 * the event loop nothing. On a single core the core sleeps instead of
 * spinning (the thread that answers needs that core).
 */
function spinForQuickCallsHere(links: readonly WaitedCall[]): void {
  // Looked at before the calls are listed, and again after: with other calls
  // of ours in flight, the event loop has work (don't block it); several
  // calls just settled, their continuations (likely to start more calls) are
  // queued behind this one (spinning would hold them all up).
  if (links.length > MAX_SPIN_CALLS || pending.size > links.length || inBurst) return;
  const calls: number[] = [];
  for (const link of links) if (link.call > 0 && !link.future.done) calls.push(link.call);
  if (calls.length === 0 || pending.size > calls.length) return;
  if (spinCredit < 0 && ++spinSkips % 32 !== 0) return;
  const settled = binding.spinUntilSettled(calls, SPIN_MICROS);
  onWakeHere();
  spinCredit = settled ? Math.min(spinCredit + 1, 8) : Math.max(spinCredit - 2, -8);
}

/**
 * Blocks until `calls` settled (or one failed, with `firstFailure`), doing
 * the spawner's duties meanwhile. Returns false on timeout.
 */
function waitSyncHere(calls: number[], firstFailure: boolean, deadline: number | undefined): boolean {
  for (;;) {
    const left = deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
    // The wait drains what arrived in the same crossing.
    const objs: unknown[] = [];
    const arrivals = binding.waitSync(calls, firstFailure, left, objs, draining ? undefined : drainScratch);
    if (typeof arrivals === "number") continue; // SyncWaitResult.Again: a slice ended
    const result = arrivals[arrivals[0]!] as SyncWaitResult;
    handleArrivals(arrivals, objs);
    if (result === SyncWaitResult.Settled) return true;
    if (result === SyncWaitResult.TimedOut) return false;
    if (result === SyncWaitResult.Exit)
      throw new ThreadCrashError("the thread is being terminated or the process is exiting");
  }
}

/**
 * The runtime every copy of the package in this isolate uses. Copies that
 * load the same addon file share one addon instance, so one isolate
 * registration in the core, one wake-up and one drain: the first copy to
 * load publishes its runtime on the addon, and later copies use that one
 * (its futures, pending calls, spawner and thread ports), so every outcome
 * reaches the future it belongs to. Copies with different addon files have
 * separate cores and each use their own.
 */
const runtime = shared({
  attach: attachHere,
  prewarm: prewarmHere,
  postPayload: postPayloadHere,
  attachAsThread: attachAsThreadHere,
  track: trackHere,
  withdraw: withdrawHere,
  onWake: onWakeHere,
  spinForQuickCalls: spinForQuickCallsHere,
  waitSync: waitSyncHere,
  ownImmediates: () => (inBurst ? 1 : 0),
});

function shared<R extends object>(own: R): R {
  const key = Symbol.for("parallel-threads.runtime");
  const exports = addon as unknown as Record<symbol, R | undefined>;
  const published = exports[key];
  if (published !== undefined) return published;
  Object.defineProperty(exports, key, { value: own });
  return own;
}

/** Attaches this isolate to the core once; returns its id. */
export const attach = runtime.attach;
/** Starts an executor's first thread booting now (a no-op when it has threads). */
export const prewarm = runtime.prewarm;
/** Posts a call's port payload to the thread it got, and tells the thread. */
export const postPayload = runtime.postPayload;
/** @internal Used by the thread-side runtime, which attaches as a pool thread. */
export const attachAsThread = runtime.attachAsThread;
/** Tracks a submitted call until its outcome arrives. */
export const track = runtime.track;
/** Takes a call back: untracked here and cancelled in the core; whether it was unsettled. */
export const withdraw = runtime.withdraw;
/** Settles futures whose outcomes arrived and does the spawner's duties. */
export const onWake = runtime.onWake;
/** Spins briefly in the core for calls that answer quickly (see `spinForQuickCallsHere`). */
export const spinForQuickCalls = runtime.spinForQuickCalls;
/** Blocks until `calls` settled (or one failed); false on timeout. */
export const waitSync = runtime.waitSync;
/** How many `setImmediate`s of this runtime are pending (not work of the program's). */
export const ownImmediates = runtime.ownImmediates;
