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
  call: number;
  executor: number;
  name: string;
}

/** What `parallel-threads:call:end` carries. */
export interface CallEndMessage extends CallStartMessage {
  state: "fulfilled" | "rejected" | "cancelled";
  durationMs: number;
  error?: unknown;
}
