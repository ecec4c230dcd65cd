/**
 * Starting one thread call: the portability check, argument encoding,
 * submitting to the core, and the future that tracks it.
 */

import { binding } from "../wire/binding.js";
import { typeError } from "../errors/errors.js";
import { Future, type CallControl } from "../futures/future.js";
import type * as Portability from "../portability/check.js";
import { taskOf, taskSource } from "../runtime/task-source.js";
import { CloneError } from "../errors/errors.js";
import { CallFlag, PayloadKind } from "../wire/protocol.js";
import { attach, postPayload, spinForQuickCalls, track, withdraw } from "../runtime/caller.js";
import type { PortMessage } from "../values/transport.js";
import { moveOut } from "../values/ports.js";
import { encodeArgs } from "../values/transport.js";
import { callEndChannel, callStartChannel, type CallEndMessage, type CallStartMessage } from "./diagnostics.js";
import { validateCallOptions, type CallOptions } from "../futures/options.js";

/** A function as the core knows it: its registered id and name. */
export interface Registered {
  readonly id: number;
  readonly name: string;
  /** How errors name its calls: `name()`. */
  readonly label: string;
}

function entryFor(id: number, name: string): Registered {
  return { id, name, label: `${name}()` };
}

const registered = new WeakMap<Function, Registered>();

/** The portability check (native parse and scope analysis), loaded on first use. */
let portabilityModule: typeof Portability | undefined;
function portability(): typeof Portability {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (portabilityModule ??= require("../portability/check.js") as typeof Portability);
}
/** Verdicts by source text too: an inline arrow is a new object on every call. */
const bySource = new Map<string, Registered>();
const BY_SOURCE_LIMIT = 4096;

/** Checks (once) that `fn` can run on a thread, and registers its source. */
export function registerFunction(fn: Function): Registered {
  attach();
  let entry = registered.get(fn);
  if (entry !== undefined) return entry;
  const task = taskOf(fn);
  if (task !== undefined) {
    entry = entryFor(binding.registerFunction(taskSource(task)), task.exportName);
    registered.set(fn, entry);
    return entry;
  }
  const text = Function.prototype.toString.call(fn);
  const key = `${fn.name}\u0000${text}`;
  entry = bySource.get(key);
  if (entry === undefined) {
    const portable = portability().checkPortable(fn);
    entry = entryFor(binding.registerFunction(portable.source + sourceUrl(portable.name)), portable.name);
    if (bySource.size >= BY_SOURCE_LIMIT) bySource.clear();
    bySource.set(key, entry);
  }
  registered.set(fn, entry);
  return entry;
}

/**
 * A `//# sourceURL` naming the function, so that frames of its code on a
 * thread read `at name (parallel-threads/inline/name.js:line:column)` (the
 * position within the function) rather than an `eval` inside the library's
 * bundle.
 */
function sourceUrl(name: string): string {
  const safe = /^[\w$.-]{1,100}$/.test(name) ? name : "anonymous";
  return `\n//# sourceURL=parallel-threads/inline/${safe}.js`;
}

/** How a thread call's future cancels it, learns that it started, and waits for a quick answer. */
const threadCallControl: CallControl = {
  cancel: withdraw,
  hasStarted: (call) => typeof binding.callThread(call) === "number",
  // The first await of a future spins briefly for a quick answer, as results() does.
  awaited: (call, future) => spinForQuickCalls([{ call, future }]),
};

/** Starts `fn(...args)` on a thread of `executor` (with `CallFlag`s `callFlags`); returns its future. */
export function startCall(
  executor: number,
  fn: Registered,
  args: readonly unknown[],
  options: CallOptions | undefined,
  site: { stack?: string },
  callFlags = 0,
): { future: Future<unknown>; call: number } {
  attach();
  const [kind, data] = encodeArgs(args);
  if (kind === PayloadKind.Port && !binding.isSpawner()) {
    throw new CloneError(
      "SharedArrayBuffers and transfer() can only be sent from the isolate that owns the threads (the one that first loaded parallel-threads)",
      { valueType: "SharedArrayBuffer or transfer()" },
    );
  }
  const timeout = options?.timeout;
  const flags = (options?.transferResult ? CallFlag.TransferResult : 0) | callFlags;
  const submitted = binding.submit(executor, fn.id, kind, kind === PayloadKind.Port ? undefined : data, flags, timeout);
  const call = Math.abs(submitted);
  const future: Future<unknown> = new Future(threadCallControl, call);
  if (submitted < 0) future._markPending();
  let portPayload =
    kind === PayloadKind.Port ? (data as { args: unknown; transfer: PortMessage["transfer"] }) : undefined;
  if (portPayload !== undefined && submitted < 0 && portPayload.transfer.length > 0) {
    // The call waits for a thread: move its buffers out of the caller's hands
    // now (zero-copy), so the call owns them from its start.
    try {
      portPayload = moveOut(portPayload, portPayload.transfer);
    } catch (error) {
      withdraw(call);
      throw error;
    }
  }
  track(call, { future, site, name: fn.label, timeout, portPayload });
  if (portPayload !== undefined) {
    const thread = binding.callThread(call);
    if (typeof thread === "number") {
      try {
        postPayload(call, thread);
      } catch (error) {
        withdraw(call);
        throw error;
      }
    }
  }
  if (callStartChannel.hasSubscribers || callEndChannel.hasSubscribers)
    publishLifecycle(call, executor, fn.name, future);
  if (options?.signal !== undefined) future._cancelOnAbort(options.signal);
  return { future, call };
}

/** Publishes the call's start now and its end when it settles (diagnostics_channel). */
function publishLifecycle(call: number, executor: number, name: string, future: Future<unknown>): void {
  const start: CallStartMessage = { call, executor, name };
  const startedAt = performance.now();
  if (callStartChannel.hasSubscribers) callStartChannel.publish(start);
  future._onSettled((f) => {
    if (!callEndChannel.hasSubscribers) return;
    const state = f.state as CallEndMessage["state"];
    const end: CallEndMessage = { ...start, state, durationMs: performance.now() - startedAt };
    if (state !== "fulfilled") end.error = f.exception();
    callEndChannel.publish(end);
  });
}

/** Validates `parallel(fn, options)` arguments. */
export function checkCallable(fn: unknown, where: string): asserts fn is Function {
  if (typeof fn !== "function") {
    throw typeError("ERR_INVALID_ARG_TYPE", `${where} expects a function, got ${fn === null ? "null" : typeof fn}`);
  }
}

export { validateCallOptions };
