//! What crosses between isolates: arguments and outcomes, as plain Rust data.

/// One value of a fast-path payload (JavaScript primitives), or a buffer that
/// the TypeScript layer serialized with the structured clone algorithm.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
  Undefined,
  Null,
  Bool(bool),
  Number(f64),
  Str(String),
}

/// Arguments of a call, or the value/error of an outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
  /// Primitives carried as they are (no serialization at all).
  Values(Vec<Value>),
  /// A structured-clone serialization made by the TypeScript layer.
  Serialized(Vec<u8>),
  /// The payload travels over the MessagePort shared by the caller and the
  /// thread (used for transfers and shared memory).
  Port,
}

impl Payload {
  /// The empty argument list.
  pub fn empty() -> Self {
    Payload::Values(Vec::new())
  }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
  /// The function returned (or its promise fulfilled).
  Fulfilled = 0,
  /// The function threw (or its promise rejected); the payload is the error.
  Rejected = 1,
  /// The call ran past its own timeout; its thread is terminated.
  TimedOut = 2,
  /// The call was cancelled; its thread is terminated.
  Cancelled = 3,
  /// The thread died under the call; the payload may describe why.
  Crashed = 4,
}

/// The settled state of a call, delivered to the isolate that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
  pub status: Status,
  pub payload: Payload,
}

impl Outcome {
  /// An outcome that carries no payload.
  pub fn bare(status: Status) -> Self {
    Outcome {
      status,
      payload: Payload::empty(),
    }
  }
}
