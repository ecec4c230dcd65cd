//! Calling side: function registry, submitting, cancelling, blocking waits.

use std::time::{Duration, Instant};

use napi::bindgen_prelude::{JsValue, ToNapiValue, Unknown};
use napi::{sys, Env, Result};
use napi_derive::napi;
use parallel_threads_core::{engine, CallSpec};

use crate::protocol::{num, SyncWaitResult};

use crate::convert::{arrivals_with_tail_to_js, out_of, payload_from_js, Made, Out};
use crate::errors::{core_error, napi_error};
use crate::isolate::current_isolate;

/// The id of a portable function's source (registered once per process).
#[napi]
pub fn register_function(source: String) -> u32 {
  engine().register_function(&source)
}

/// The source registered under `id` (threads compile it once).
#[napi]
pub fn function_source(id: u32) -> Option<String> {
  engine().function_source(id).map(|s| s.to_string())
}

fn duration(ms: Option<f64>) -> Option<Duration> {
  ms.and_then(crate::time::duration_ms)
}

/// Starts a call; returns its id, negated while the call waits for a thread.
/// `argsKind`: 0 primitives array, 1 serialized buffer, 2 sent over the
/// thread's port.
// Exported as its fast path (fast.rs), as are waitSync, spinUntilSettled,
// drain, nextJob, complete and completeAndNext.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn submit(
  env: Env,
  executor: u32,
  function_id: u32,
  args_kind: u32,
  args: Unknown<'_>,
  flags: u32,
  timeout_ms: Option<f64>,
) -> Result<f64, String> {
  unsafe {
    start_call(
      env.raw(),
      executor,
      function_id,
      args_kind,
      args.raw(),
      flags,
      timeout_ms,
    )
  }
}

/// `submit`'s work, for it and its fast path.
pub(crate) unsafe fn start_call(
  env: sys::napi_env,
  executor: u32,
  function: u32,
  args_kind: u32,
  args: sys::napi_value,
  flags: u32,
  timeout_ms: Option<f64>,
) -> Result<f64, String> {
  let spec = CallSpec {
    executor,
    caller: current_isolate().map_err(napi_error)?,
    function,
    args: payload_from_js(env, args_kind, args).map_err(napi_error)?,
    flags,
    timeout: duration(timeout_ms),
  };
  let (id, placed) = engine().submit_placed(spec).map_err(core_error)?;
  Ok(if placed { id as f64 } else { -(id as f64) })
}

/// Cancels a call; `reason` (kind 1: serialized) becomes the error's cause.
#[napi]
pub fn cancel(env: Env, call: f64, reason_kind: u32, reason: Unknown<'_>) -> Result<bool> {
  let reason = unsafe { payload_from_js(env.raw(), reason_kind, reason.raw())? };
  Ok(engine().cancel(call as u64, reason))
}

/// Blocks until `calls` settled (or one failed, with `firstFailure`).
/// Returns `SyncWaitResult.Again` (a number) when a wait slice ended (which
/// lets a pending `worker.terminate()` take effect); otherwise what arrived
/// meanwhile, packed as `drain` packs it (into `objs` and `scratch`), with
/// how the wait ended (a `SyncWaitResult`) in the slot after the used ones:
/// `arrivals[arrivals[0]]`.
#[napi(ts_return_type = "Float64Array | number")]
pub fn wait_sync(
  env: Env,
  calls: Vec<f64>,
  first_failure: bool,
  timeout_ms: Option<f64>,
  objs: Unknown<'_>,
  scratch: Unknown<'_>,
) -> Result<Made> {
  let calls: Vec<u64> = calls.into_iter().map(|c| c as u64).collect();
  let out = out_of(&objs, &scratch);
  Ok(Made(unsafe {
    wait_and_drain(env.raw(), &calls, first_failure, timeout_ms, out)?
  }))
}

/// `waitSync`'s work, for it and its fast path.
pub(crate) unsafe fn wait_and_drain(
  env: sys::napi_env,
  calls: &[u64],
  first_failure: bool,
  timeout_ms: Option<f64>,
  out: Out,
) -> Result<sys::napi_value> {
  let deadline = duration(timeout_ms).map(|d| Instant::now() + d);
  let slice_end = Some(Instant::now() + crate::worker::SLICE);
  let isolate = current_isolate()?;
  let (waited, arrivals) =
    engine().wait_sync_and_drain(isolate, calls, first_failure, deadline, slice_end);
  let result = SyncWaitResult::from(waited);
  match arrivals {
    None => u32::to_napi_value(env, result.into()),
    Some(arrivals) => arrivals_with_tail_to_js(env, arrivals, out, Some(num(result))),
  }
}

/// The thread a call was placed on, or undefined while it waits for one.
#[napi]
pub fn call_thread(call: f64) -> Option<u32> {
  engine().call_thread(call as u64)
}

/// The caller posted the call's payload to its thread's port.
#[napi]
pub fn payload_posted(call: f64) {
  engine().payload_posted(call as u64);
}

/// Waits up to `spinMicros` µs until `calls` settled: spinning, or on a
/// single core sleeping (the answering thread needs the core); true when they
/// did (the caller then drains).
#[napi]
pub fn spin_until_settled(calls: Vec<f64>, spin_micros: u32) -> Result<bool> {
  let calls: Vec<u64> = calls.into_iter().map(|c| c as u64).collect();
  spin_until(&calls, spin_micros)
}

/// `spinUntilSettled`'s work, for it and its fast path.
pub(crate) fn spin_until(calls: &[u64], spin_micros: u32) -> Result<bool> {
  let spin = Duration::from_micros(spin_micros.into());
  Ok(engine().spin_until_settled(current_isolate()?, calls, spin))
}
