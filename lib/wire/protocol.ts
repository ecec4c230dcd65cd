/**
 * The wire protocol, TypeScript side. Its enums are declared once, in the
 * addon (src/protocol.rs), which exports them to JavaScript and to the
 * generated binding.d.ts; this module names them for the layer and is the one
 * reader of the packed layouts the addon writes (src/convert.rs): numbers in
 * a Float64Array, other values in a side array (`objs`) that the numbers
 * index.
 */

import type * as Generated from "../../binding.js";
import { binding } from "./binding.js";

/** How a payload travels (src/protocol.rs). */
export const PayloadKind = binding.PayloadKind;
export type PayloadKind = Generated.PayloadKind;
/** How a call ended. */
export const CallStatus = binding.CallStatus;
export type CallStatus = Generated.CallStatus;
/** Where the fields of a packed job are. */
export const JobSlot = binding.JobSlot;
export type JobSlot = Generated.JobSlot;
/** What `nextJob` returns when it returns no job. */
export const NextCode = binding.NextCode;
export type NextCode = Generated.NextCode;
/** How a blocking wait ended. */
export const SyncWaitResult = binding.SyncWaitResult;
export type SyncWaitResult = Generated.SyncWaitResult;
/** A duty of the spawner isolate. */
export const DutyCode = binding.DutyCode;
export type DutyCode = Generated.DutyCode;
/** Flags of a call, carried to its thread. */
export const CallFlag = binding.CallFlag;
export type CallFlag = Generated.CallFlag;

/** A job as the core hands it to a thread, packed: see `JobSlot`, then the arguments (`packedData`). */
export type RawJob = Float64Array;

/**
 * The data of the payload packed at `nums[at]` (its kind; then one number, a
 * count and numbers, or the index of its value in `objs`).
 */
export function packedData(nums: Float64Array, objs: unknown[], at: number): unknown {
  switch (nums[at] as PayloadKind) {
    case PayloadKind.Number:
      return asSmall(nums[at + 1]!);
    case PayloadKind.Numbers:
      return Array.from(nums.subarray(at + 2, at + 2 + nums[at + 1]!), asSmall);
    case PayloadKind.Port:
      return undefined;
    default:
      return objs[nums[at + 1]!];
  }
}

/**
 * A number read from a Float64Array, as an integer when it is one: V8 would
 * otherwise keep it a boxed double, and integer code running on it (say a
 * recursive `fib(n)`) would run on doubles, a third slower.
 */
function asSmall(n: number): number {
  const i = n | 0;
  // `1 / n > 0` tells 0 from -0 without a property load (`Object.is`): the
  // first 0 a warm loop meets then doesn't send its optimized code back.
  return i === n && (i !== 0 || 1 / n > 0) ? i : n;
}

/** How many slots the payload packed at `nums[at]` takes. */
function packedWidth(nums: Float64Array, at: number): number {
  return nums[at] === PayloadKind.Numbers ? 2 + nums[at + 1]! : 2;
}

/** What a drain delivers, one arrival at a time. */
export interface ArrivalHandler {
  /** A call settled; a `Numbers` payload comes as `Values` (its data is the array). */
  completion(call: number, status: CallStatus, kind: PayloadKind, data: unknown): void;
  /** A call with a port payload got `thread`: post the payload. */
  assignment(call: number, thread: number): void;
  /** A duty of the spawner (see `DutyCode` for `a` and `b`). */
  duty(code: DutyCode, a: number, b: number): void;
}

/**
 * Walks a drain's packed arrivals: `[slotsUsed, n, (call, status, kind,
 * slots…) × n, m, (call, thread) × m, (code, a, b) × rest]`. Returns how
 * many completions there were. Assignments and duties are handled first:
 * they run no user code, while settling a completion can (a
 * `diagnostics_channel` subscriber), and what that code drains must come
 * after this batch's duties (a Terminate after its Spawn).
 */
export function readArrivals(arrivals: Float64Array, objs: unknown[], handler: ArrivalHandler): number {
  const completions = arrivals[1]!;
  let i = 2;
  for (let n = 0; n < completions; n++) i += 2 + packedWidth(arrivals, i + 2);
  const assignments = arrivals[i++]!;
  for (let n = 0; n < assignments; n++, i += 2) handler.assignment(arrivals[i]!, arrivals[i + 1]!);
  for (const end = arrivals[0]!; i < end; i += 3)
    handler.duty(arrivals[i] as DutyCode, arrivals[i + 1]!, arrivals[i + 2]!);
  i = 2;
  for (let n = 0; n < completions; n++) {
    const kind = arrivals[i + 2] as PayloadKind;
    const data = packedData(arrivals, objs, i + 2);
    handler.completion(
      arrivals[i]!,
      arrivals[i + 1] as CallStatus,
      kind === PayloadKind.Numbers ? PayloadKind.Values : kind,
      data,
    );
    i += 2 + packedWidth(arrivals, i + 2);
  }
  return completions;
}
