//! Errors thrown to JavaScript with a stable `code` (the JavaScript error's
//! `code` property is the code given here, not a Node-API status).

use napi::Error;
use parallel_threads_core::CoreError;

/// A JavaScript error whose `code` is the string it carries.
pub type CodedError = Error<String>;

// A binding function that can fail with a coded error returns
// `napi::Result<T, String>` (the macro recognises `Result` by name).

/// A core error, with the core's stable code.
pub fn core_error(error: CoreError) -> CodedError {
  Error::new(error.code().to_owned(), error.to_string())
}

/// A Node-API error (bad input to the binding), coded by its status.
pub fn napi_error(error: napi::Error) -> CodedError {
  Error::new(error.status.as_ref().to_owned(), error.reason.clone())
}
