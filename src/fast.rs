//! The binding functions of a call's hot path (submitting, waiting,
//! draining, taking and completing jobs) as plain Node-API callbacks.
//!
//! A `#[napi]` function's generated glue costs more per crossing than most
//! of these functions' own work: it allocates and tears down a borrow scope
//! (an `Arc<Mutex<…>>` and thread-local stacks) and a re-entrancy barrier on
//! every call, for borrows of class instances these functions never take.
//! Here each function reads its arguments with the Node-API calls it needs
//! and nothing else, and replaces the export of the `#[napi]` function of the
//! same name (calls.rs, isolate.rs, worker.rs): those declare the function
//! (binding.d.ts, binding.js) and define its behaviour, which these callbacks
//! must match — same arguments, results and errors (thrown as the generated
//! glue throws them, `JsError::throw_into`: the message and a `code`).

use std::ffi::c_char;
use std::time::{Duration, Instant};

use napi::bindgen_prelude::{FromNapiValue, ToNapiValue};
use napi::{sys, Error, JsError, Result, Status as NapiStatus};
use napi_derive::napi;
use parallel_threads_core::{engine, CallSpec, Outcome};

use crate::convert::{
  arrivals_to_js, arrivals_with_tail_to_js, next_to_js, payload_from_js, status_from_js, Out,
};
use crate::errors::{core_error, napi_error, CodedError};
use crate::isolate::current_isolate;
use crate::protocol::{num, SyncWaitResult};

type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// Registers the callbacks on the addon's exports (after the `#[napi]` ones).
#[napi(module_exports)]
pub fn register_fast_paths(
  exports: napi::bindgen_prelude::Object<'_>,
  env: napi::Env,
) -> Result<()> {
  const FUNCTIONS: [(&str, Callback); 7] = [
    ("submit\0", submit),
    ("waitSync\0", wait_sync),
    ("drain\0", drain),
    ("nextJob\0", next_job),
    ("complete\0", complete),
    ("completeAndNext\0", complete_and_next),
    ("spinUntilSettled\0", spin_until_settled),
  ];
  for (name, callback) in FUNCTIONS {
    let mut function = std::ptr::null_mut();
    unsafe {
      check(
        sys::napi_create_function(
          env.raw(),
          name.as_ptr().cast::<c_char>(),
          (name.len() - 1) as isize,
          Some(callback),
          std::ptr::null_mut(),
          &mut function,
        ),
        "creating a binding function",
      )?;
      check(
        sys::napi_set_named_property(
          env.raw(),
          napi::bindgen_prelude::JsValue::raw(&exports),
          name.as_ptr().cast::<c_char>(),
          function,
        ),
        "exporting a binding function",
      )?;
    }
  }
  Ok(())
}

fn check(status: sys::napi_status, what: &str) -> Result<()> {
  if status == sys::Status::napi_ok {
    Ok(())
  } else {
    Err(Error::new(NapiStatus::from(status), what.to_owned()))
  }
}

/// The first `N` arguments (missing ones are `undefined`).
unsafe fn args<const N: usize>(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> Result<[sys::napi_value; N]> {
  let mut argv = [std::ptr::null_mut(); N];
  let mut argc = N;
  check(
    sys::napi_get_cb_info(
      env,
      info,
      &mut argc,
      argv.as_mut_ptr(),
      std::ptr::null_mut(),
      std::ptr::null_mut(),
    ),
    "reading arguments",
  )?;
  if argc < N {
    let mut undefined = std::ptr::null_mut();
    check(sys::napi_get_undefined(env, &mut undefined), "undefined")?;
    for arg in argv.iter_mut().skip(argc) {
      *arg = undefined;
    }
  }
  Ok(argv)
}

/// The value, or the error thrown (the function then returns nothing).
unsafe fn done(
  env: sys::napi_env,
  result: std::result::Result<sys::napi_value, CodedError>,
) -> sys::napi_value {
  match result {
    Ok(value) => value,
    Err(error) => {
      JsError::from(error).throw_into(env);
      std::ptr::null_mut()
    }
  }
}

unsafe fn type_of(env: sys::napi_env, value: sys::napi_value) -> Result<sys::napi_valuetype> {
  let mut kind = 0;
  check(sys::napi_typeof(env, value, &mut kind), "typeof")?;
  Ok(kind)
}

unsafe fn u32_of(env: sys::napi_env, value: sys::napi_value) -> Result<u32> {
  u32::from_napi_value(env, value)
}

unsafe fn f64_of(env: sys::napi_env, value: sys::napi_value) -> Result<f64> {
  f64::from_napi_value(env, value)
}

unsafe fn bool_of(env: sys::napi_env, value: sys::napi_value) -> Result<bool> {
  bool::from_napi_value(env, value)
}

/// A number, or `None` for `undefined` / `null`.
unsafe fn optional_f64(env: sys::napi_env, value: sys::napi_value) -> Result<Option<f64>> {
  match type_of(env, value)? {
    sys::ValueType::napi_undefined | sys::ValueType::napi_null => Ok(None),
    _ => f64_of(env, value).map(Some),
  }
}

/// Call ids: an array of numbers, or one number.
unsafe fn call_ids(env: sys::napi_env, value: sys::napi_value) -> Result<Vec<u64>> {
  if type_of(env, value)? == sys::ValueType::napi_number {
    return Ok(vec![f64_of(env, value)? as u64]);
  }
  let mut length = 0u32;
  check(
    sys::napi_get_array_length(env, value, &mut length),
    "call ids must be an array",
  )?;
  let mut calls = Vec::with_capacity(length as usize);
  for i in 0..length {
    let mut item = std::ptr::null_mut();
    check(sys::napi_get_element(env, value, i, &mut item), "call id")?;
    calls.push(f64_of(env, item)? as u64);
  }
  Ok(calls)
}

/// `Out` from the `objs` and `scratch` arguments (`scratch` may be `undefined`).
unsafe fn out(env: sys::napi_env, objs: sys::napi_value, scratch: sys::napi_value) -> Result<Out> {
  Ok(Out {
    objs,
    scratch: (type_of(env, scratch)? == sys::ValueType::napi_object).then_some(scratch),
  })
}

fn duration(ms: Option<f64>) -> Option<Duration> {
  ms.and_then(crate::time::duration_ms)
}

fn slice_end() -> Option<Instant> {
  Some(Instant::now() + crate::worker::SLICE)
}

/// `submit(executor, functionId, argsKind, args, flags, timeoutMs?)`: starts
/// a call; its id, negated while the call waits for a thread.
unsafe extern "C" fn submit(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  done(
    env,
    (|| {
      let [executor, function, kind, payload, flags, timeout] =
        args::<6>(env, info).map_err(napi_error)?;
      let kind = u32_of(env, kind).map_err(napi_error)?;
      let spec = CallSpec {
        executor: u32_of(env, executor).map_err(napi_error)?,
        caller: current_isolate().map_err(napi_error)?,
        function: u32_of(env, function).map_err(napi_error)?,
        args: payload_from_js(env, kind, payload).map_err(napi_error)?,
        flags: u32_of(env, flags).map_err(napi_error)?,
        timeout: duration(optional_f64(env, timeout).map_err(napi_error)?),
      };
      let (id, placed) = engine().submit_placed(spec).map_err(core_error)?;
      f64::to_napi_value(env, if placed { id as f64 } else { -(id as f64) }).map_err(napi_error)
    })(),
  )
}

/// `waitSync(calls, firstFailure, timeoutMs?, objs, scratch)`: blocks until
/// `calls` settled (or one failed, with `firstFailure`). Returns
/// `SyncWaitResult.Again` (a number) when a wait slice ended; otherwise what
/// arrived meanwhile, packed as `drain` packs it, with the `SyncWaitResult`
/// in the slot after the used ones (`arrivals[arrivals[0]]`).
unsafe extern "C" fn wait_sync(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  done(
    env,
    (|| {
      let [calls, first_failure, timeout, objs, scratch] = args::<5>(env, info)?;
      let calls = call_ids(env, calls)?;
      let first_failure = bool_of(env, first_failure)?;
      let deadline = duration(optional_f64(env, timeout)?).map(|d| Instant::now() + d);
      let out = out(env, objs, scratch)?;
      let isolate = current_isolate()?;
      let (waited, arrivals) =
        engine().wait_sync_and_drain(isolate, &calls, first_failure, deadline, slice_end());
      let result = SyncWaitResult::from(waited);
      match arrivals {
        None => u32::to_napi_value(env, result.into()),
        Some(arrivals) => arrivals_with_tail_to_js(env, arrivals, out, Some(num(result))),
      }
    })()
    .map_err(napi_error),
  )
}

/// `drain(objs, scratch?)`: takes the completions (and, for the spawner, the
/// duties) that arrived, packed (see `arrivals_to_js`).
unsafe extern "C" fn drain(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  done(
    env,
    (|| {
      let [objs, scratch] = args::<2>(env, info)?;
      let out = out(env, objs, scratch)?;
      let arrivals = engine().drain(current_isolate()?);
      arrivals_to_js(env, arrivals, out)
    })()
    .map_err(napi_error),
  )
}

/// `nextJob(thread, idleMs, objs, scratch)`: blocks until this thread has a
/// call (a packed job), is retired, must return to its event loop, or should
/// call again (see `NextCode`).
unsafe extern "C" fn next_job(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  done(
    env,
    (|| {
      let [thread, idle_ms, objs, scratch] = args::<4>(env, info)?;
      let thread = u32_of(env, thread)?;
      let idle_until = crate::time::deadline_ms(f64_of(env, idle_ms)?);
      let out = out(env, objs, scratch)?;
      let next = engine().next_job_within(thread, idle_until, slice_end());
      next_to_js(env, next, out)
    })()
    .map_err(napi_error),
  )
}

/// The outcome in `complete`'s arguments `status, kind, payload`.
unsafe fn outcome(
  env: sys::napi_env,
  status: sys::napi_value,
  kind: sys::napi_value,
  payload: sys::napi_value,
) -> Result<Outcome> {
  let kind = u32_of(env, kind)?;
  Ok(Outcome {
    status: status_from_js(u32_of(env, status)?)?,
    payload: payload_from_js(env, kind, payload)?,
  })
}

/// `complete(thread, call, status, kind, payload, quiet)`: a call finished;
/// `quiet`: the thread's event loop has nothing left to do.
unsafe extern "C" fn complete(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  done(
    env,
    (|| {
      let [thread, call, status, kind, payload, quiet] = args::<6>(env, info)?;
      let thread = u32_of(env, thread)?;
      let call = f64_of(env, call)? as u64;
      let outcome = outcome(env, status, kind, payload)?;
      let quiet = bool_of(env, quiet)?;
      engine().complete(thread, call, outcome, quiet);
      <()>::to_napi_value(env, ())
    })()
    .map_err(napi_error),
  )
}

/// `completeAndNext(thread, call, status, kind, payload, idleMs, objs,
/// scratch)`: `complete` (of a quiet thread) then `nextJob`, in one crossing.
unsafe extern "C" fn complete_and_next(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  done(
    env,
    (|| {
      let [thread, call, status, kind, payload, idle_ms, objs, scratch] = args::<8>(env, info)?;
      let thread = u32_of(env, thread)?;
      let call = f64_of(env, call)? as u64;
      let outcome = outcome(env, status, kind, payload)?;
      let idle_until = crate::time::deadline_ms(f64_of(env, idle_ms)?);
      let out = out(env, objs, scratch)?;
      let next = engine().complete_and_next_within(thread, call, outcome, idle_until, slice_end());
      next_to_js(env, next, out)
    })()
    .map_err(napi_error),
  )
}

/// `spinUntilSettled(calls, spinMicros)`: waits up to `spinMicros` µs until
/// `calls` settled (spinning, or on one core sleeping); true when they did.
unsafe extern "C" fn spin_until_settled(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  done(
    env,
    (|| {
      let [calls, spin_micros] = args::<2>(env, info)?;
      let calls = call_ids(env, calls)?;
      let spin = Duration::from_micros(u32_of(env, spin_micros)?.into());
      let settled = engine().spin_until_settled(current_isolate()?, &calls, spin);
      bool::to_napi_value(env, settled)
    })()
    .map_err(napi_error),
  )
}
