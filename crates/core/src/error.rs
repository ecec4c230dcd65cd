//! Errors of the core itself (misuse), each with a stable code.

use std::fmt;

use crate::state::{ExecutorId, IsolateId, ThreadId};

/// Misuse of the engine; the binding turns these into JavaScript errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreError {
  UnknownExecutor(ExecutorId),
  ExecutorClosed(ExecutorId),
  UnknownIsolate(IsolateId),
  UnknownThread(ThreadId),
  InvalidOption(&'static str),
  ShuttingDown,
}

impl CoreError {
  /// The stable `code` of the JavaScript error.
  pub fn code(&self) -> &'static str {
    match self {
      CoreError::UnknownExecutor(_) => "ERR_PARALLEL_UNKNOWN_EXECUTOR",
      CoreError::ExecutorClosed(_) => "ERR_PARALLEL_EXECUTOR_CLOSED",
      CoreError::UnknownIsolate(_) => "ERR_PARALLEL_NOT_ATTACHED",
      CoreError::UnknownThread(_) => "ERR_PARALLEL_UNKNOWN_THREAD",
      CoreError::InvalidOption(_) => "ERR_OUT_OF_RANGE",
      CoreError::ShuttingDown => "ERR_PARALLEL_SHUTTING_DOWN",
    }
  }
}

impl fmt::Display for CoreError {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match self {
      CoreError::UnknownExecutor(id) => write!(f, "no executor with id {id}"),
      CoreError::ExecutorClosed(_) => write!(f, "this executor is closed and takes no new calls"),
      CoreError::UnknownIsolate(id) => write!(f, "isolate {id} is not attached to the core"),
      CoreError::UnknownThread(id) => write!(f, "no starting thread with id {id}"),
      CoreError::InvalidOption(message) => f.write_str(message),
      CoreError::ShuttingDown => write!(f, "the process is exiting; no new calls start"),
    }
  }
}

impl std::error::Error for CoreError {}
