//! Core errors as JavaScript errors with stable codes.

use napi::{Error, Status};
use parallel_threads_core::CoreError;

/// A core error as a napi error whose status carries the stable code.
pub fn core_error(error: CoreError) -> Error {
  Error::new(
    Status::GenericFailure,
    format!("{}: {}", error.code(), error),
  )
}
