//! The wire protocol between the TypeScript layer and the addon, declared
//! once: these enums are exported to JavaScript (and to the generated
//! `binding.d.ts`), and `lib/wire/protocol.ts` reads and writes the packed
//! layouts with them. Numbers cross Node-API, so each has a fixed value.

use napi_derive::napi;
use parallel_threads_core::{Next, Status, SyncWait};

/// How a payload travels.
#[napi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadKind {
  /// An array of primitives, as they are.
  Values = 0,
  /// A buffer of V8's structured clone.
  Serialized = 1,
  /// Sent over the thread's MessagePort (transfers, shared memory).
  Port = 2,
  /// One number, inline in the packed numbers (either direction).
  Number = 3,
  /// Numbers inline, output only: a count, then the numbers.
  Numbers = 4,
}

/// How a call ended, as its outcome says.
#[napi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStatus {
  Fulfilled = 0,
  Rejected = 1,
  TimedOut = 2,
  Cancelled = 3,
  Crashed = 4,
}

/// Where the fields of a packed job are (`[slotsUsed, call, function,
/// flags, caller, argsKind, args…]`).
#[napi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobSlot {
  Call = 1,
  Function = 2,
  Flags = 3,
  Caller = 4,
  ArgsKind = 5,
}

/// What `nextJob` returns when it returns no job.
#[napi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextCode {
  /// Idle past its idle timeout: the thread exits.
  Retire = 0,
  /// Being terminated, or the process is exiting: back to the event loop.
  Exit = 1,
  /// A wait slice ended: call again.
  Again = 2,
}

/// How a blocking wait (`waitSync`) ended.
#[napi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncWaitResult {
  Settled = 0,
  TimedOut = 1,
  /// The spawner has duties to do: do them, then wait again.
  Duties = 2,
  Exit = 3,
  /// A wait slice ended: call again.
  Again = 4,
}

/// A duty of the spawner isolate in drained arrivals: `[code, a, b]`.
#[napi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyCode {
  /// Start thread `a` of executor `b`.
  Spawn = 0,
  /// Terminate thread `a`.
  Terminate = 1,
  /// Keep the event loop alive (`a` = 1) or not (`a` = 0) for other isolates' calls.
  Hold = 2,
}

/// Flags of a call, carried by the core to its thread as they are.
#[napi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFlag {
  /// Move the result's ArrayBuffers back instead of copying them.
  TransferResult = 1,
  /// A chunk of `map`: the one argument is an array of inputs; the function
  /// runs once per input, in order (each awaited), until one fails; the
  /// result is `[values, failure?]` (see lib/runtime/chunk.ts).
  Chunk = 2,
}

impl From<Status> for CallStatus {
  fn from(status: Status) -> Self {
    match status {
      Status::Fulfilled => CallStatus::Fulfilled,
      Status::Rejected => CallStatus::Rejected,
      Status::TimedOut => CallStatus::TimedOut,
      Status::Cancelled => CallStatus::Cancelled,
      Status::Crashed => CallStatus::Crashed,
    }
  }
}

impl From<SyncWait> for SyncWaitResult {
  fn from(wait: SyncWait) -> Self {
    match wait {
      SyncWait::Settled => SyncWaitResult::Settled,
      SyncWait::TimedOut => SyncWaitResult::TimedOut,
      SyncWait::Duties => SyncWaitResult::Duties,
      SyncWait::Exit => SyncWaitResult::Exit,
      SyncWait::Again => SyncWaitResult::Again,
    }
  }
}

/// The code of a `Next` that is not a job.
pub fn next_code(next: &Next) -> Option<NextCode> {
  match next {
    Next::Job(_) => None,
    Next::Retire => Some(NextCode::Retire),
    Next::Exit => Some(NextCode::Exit),
    Next::Again => Some(NextCode::Again),
  }
}

/// A number of the packed layouts (they are all small integers).
pub fn num<T: Into<u32>>(value: T) -> f64 {
  f64::from(value.into())
}

macro_rules! as_u32 {
  ($($t:ty),*) => {$(
    impl From<$t> for u32 {
      fn from(value: $t) -> u32 {
        value as u32
      }
    }
  )*};
}
as_u32!(
  PayloadKind,
  CallStatus,
  JobSlot,
  NextCode,
  SyncWaitResult,
  DutyCode,
  CallFlag
);
