//! Thread side: waiting for calls, finishing them, reporting death.

use std::time::{Duration, Instant};

use napi::bindgen_prelude::{JsValue, Unknown};
use napi::{sys, Env, Result};
use napi_derive::napi;
use parallel_threads_core::{engine, Outcome};

use crate::convert::{job_to_js, next_to_js, out_of, payload_from_js, status_from_js, Made, Out};

fn idle_until(idle_ms: f64) -> Option<Instant> {
  crate::time::deadline_ms(idle_ms)
}

/// How long a thread stays parked in native code before it comes back to
/// JavaScript: bounds how long `worker.terminate()` can take.
pub const SLICE: Duration = parallel_threads_core::parker::WAIT_SLICE;

fn slice_end() -> Option<Instant> {
  Some(Instant::now() + SLICE)
}

/// Blocks until this thread has a call (a packed job: in `scratch` when it
/// fits, its values other than numbers put into `objs`), is retired (0),
/// must return to its event loop (1), or should call again (2, after a slice).
#[napi(ts_return_type = "Float64Array | number")]
pub fn next_job(
  env: Env,
  thread: u32,
  idle_ms: f64,
  objs: Unknown<'_>,
  scratch: Unknown<'_>,
) -> Result<Made> {
  Ok(Made(unsafe {
    next_job_into(env.raw(), thread, idle_ms, out_of(&objs, &scratch))?
  }))
}

/// `nextJob`'s work, for it and its fast path (fast.rs).
pub(crate) unsafe fn next_job_into(
  env: sys::napi_env,
  thread: u32,
  idle_ms: f64,
  out: Out,
) -> Result<sys::napi_value> {
  next_to_js(
    env,
    engine().next_job_within(thread, idle_until(idle_ms), slice_end()),
    out,
  )
}

/// The thread's next call without waiting, if any (packed like `nextJob`'s).
#[napi(ts_return_type = "Float64Array | undefined")]
pub fn take_job(
  env: Env,
  thread: u32,
  objs: Unknown<'_>,
  scratch: Unknown<'_>,
) -> Result<Option<Made>> {
  let Some(job) = engine().take_job(thread) else {
    return Ok(None);
  };
  Ok(Some(Made(unsafe {
    job_to_js(env.raw(), job, out_of(&objs, &scratch))?
  })))
}

/// The call returned a promise and is awaiting.
#[napi]
pub fn call_yielded(thread: u32, call: f64) {
  engine().call_yielded(thread, call as u64);
}

/// A call finished; `status` 0 fulfilled, 1 rejected. `quiet`: the thread's
/// event loop has nothing left to do (else it is idle once it waits again).
#[napi]
pub fn complete(
  env: Env,
  thread: u32,
  call: f64,
  status: u32,
  kind: u32,
  payload: Unknown<'_>,
  quiet: bool,
) -> Result<()> {
  let outcome = unsafe { outcome_from_js(env.raw(), status, kind, payload.raw())? };
  engine().complete(thread, call as u64, outcome, quiet);
  Ok(())
}

/// A call's outcome from `complete`'s `status`, `kind` and `payload` (also
/// for the fast paths, fast.rs).
pub(crate) unsafe fn outcome_from_js(
  env: sys::napi_env,
  status: u32,
  kind: u32,
  payload: sys::napi_value,
) -> Result<Outcome> {
  Ok(Outcome {
    status: status_from_js(status)?,
    payload: payload_from_js(env, kind, payload)?,
  })
}

/// `complete` (of a quiet thread) then `nextJob`, in one crossing.
#[napi(ts_return_type = "Float64Array | number")]
#[allow(clippy::too_many_arguments)]
pub fn complete_and_next(
  env: Env,
  thread: u32,
  call: f64,
  status: u32,
  kind: u32,
  payload: Unknown<'_>,
  idle_ms: f64,
  objs: Unknown<'_>,
  scratch: Unknown<'_>,
) -> Result<Made> {
  let env = env.raw();
  Ok(Made(unsafe {
    let outcome = outcome_from_js(env, status, kind, payload.raw())?;
    complete_and_next_into(
      env,
      thread,
      call as u64,
      outcome,
      idle_ms,
      out_of(&objs, &scratch),
    )?
  }))
}

/// `completeAndNext`'s work, for it and its fast path (fast.rs).
pub(crate) unsafe fn complete_and_next_into(
  env: sys::napi_env,
  thread: u32,
  call: u64,
  outcome: Outcome,
  idle_ms: f64,
  out: Out,
) -> Result<sys::napi_value> {
  let next =
    engine().complete_and_next_within(thread, call, outcome, idle_until(idle_ms), slice_end());
  next_to_js(env, next, out)
}

/// The thread says why it is about to die (serialized error description).
#[napi]
pub fn report_exit(env: Env, thread: u32, kind: u32, reason: Unknown<'_>) -> Result<()> {
  let reason = unsafe { payload_from_js(env.raw(), kind, reason.raw())? };
  engine().report_exit(thread, reason);
  Ok(())
}

/// The spawner saw a worker exit (or fail to start): its calls fail.
#[napi]
pub fn thread_gone(env: Env, thread: u32, kind: u32, reason: Unknown<'_>) -> Result<()> {
  let reason = unsafe { payload_from_js(env.raw(), kind, reason.raw())? };
  engine().thread_gone(thread, reason);
  Ok(())
}

/// Blocks until the caller posted this call's payload to the thread's port;
/// false when the call is gone or the thread must exit.
#[napi]
pub fn wait_payload(thread: u32, call: f64) -> bool {
  engine().wait_payload(thread, call as u64, slice_end())
}
