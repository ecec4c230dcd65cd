/**
 * Events on `node:diagnostics_channel`, so tracing tools can follow calls:
 * `parallel-threads:call:start` `{ call, executor, name }` when a thread call
 * starts, and `parallel-threads:call:end` `{ call, executor, name, state,
 * durationMs, error? }` when it settles. Published only while subscribed.
 */

import { channel } from "node:diagnostics_channel";

/** Published when a thread call starts. */
export const callStartChannel = channel("parallel-threads:call:start");
/** Published when a thread call settles. */
export const callEndChannel = channel("parallel-threads:call:end");

/** What `parallel-threads:call:start` carries. */
export interface CallStartMessage {
  /** The call's id (unique in the process). */
  call: number;
  /** The id of the executor it runs on (0: the default one). */
  executor: number;
  /** The function's name. */
  name: string;
}

/** What `parallel-threads:call:end` carries. */
export interface CallEndMessage extends CallStartMessage {
  /** How the call ended. */
  state: "fulfilled" | "rejected" | "cancelled";
  /** Milliseconds from its start to its end, as the caller saw them. */
  durationMs: number;
  /** The error, for a call that did not fulfil. */
  error?: unknown;
}
