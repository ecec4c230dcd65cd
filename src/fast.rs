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
//! (binding.d.ts, binding.js) and document it, and both do their work with
//! the same function (`start_call`, `wait_and_drain`, …); only reading the
//! arguments is written twice. Errors are thrown as the generated glue
//! throws them (`JsError::throw_into`: the message and a `code`).

use std::ffi::c_char;

use napi::bindgen_prelude::{FromNapiValue, ToNapiValue};
use napi::{sys, JsError, Result};
use napi_derive::napi;
use parallel_threads_core::{engine, Outcome};

use crate::calls::{spin_until, start_call, wait_and_drain};
use crate::convert::{check, map_elements, Out};
use crate::errors::{napi_error, CodedError};
use crate::isolate::drain_into;
use crate::worker::{complete_and_next_into, next_job_into, outcome_from_js};

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

/// A callback's whole shape: reads its first `N` arguments, runs `body` on
/// them, and returns its value or throws its error (coded by Node-API status).
unsafe fn respond<const N: usize>(
  env: sys::napi_env,
  info: sys::napi_callback_info,
  body: impl FnOnce([sys::napi_value; N]) -> Result<sys::napi_value>,
) -> sys::napi_value {
  done(env, args::<N>(env, info).and_then(body).map_err(napi_error))
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
  map_elements(env, value, "call ids must be an array", |item| {
    Ok(f64_of(env, item)? as u64)
  })
}

/// `Out` from the `objs` and `scratch` arguments (`scratch` may be `undefined`).
unsafe fn out(env: sys::napi_env, objs: sys::napi_value, scratch: sys::napi_value) -> Result<Out> {
  Ok(Out {
    objs,
    scratch: (type_of(env, scratch)? == sys::ValueType::napi_object).then_some(scratch),
  })
}

/// `submit(executor, functionId, argsKind, args, flags, timeoutMs?)`.
unsafe extern "C" fn submit(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  done(
    env,
    (|| {
      let [executor, function, kind, payload, flags, timeout] =
        args::<6>(env, info).map_err(napi_error)?;
      let number = |value| u32_of(env, value).map_err(napi_error);
      let timeout = optional_f64(env, timeout).map_err(napi_error)?;
      let id = start_call(
        env,
        number(executor)?,
        number(function)?,
        number(kind)?,
        payload,
        number(flags)?,
        timeout,
      )?;
      f64::to_napi_value(env, id).map_err(napi_error)
    })(),
  )
}

/// `waitSync(calls, firstFailure, timeoutMs?, objs, scratch)`.
unsafe extern "C" fn wait_sync(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  respond(
    env,
    info,
    |[calls, first_failure, timeout, objs, scratch]| {
      let calls = call_ids(env, calls)?;
      let (first_failure, timeout) = (bool_of(env, first_failure)?, optional_f64(env, timeout)?);
      wait_and_drain(
        env,
        &calls,
        first_failure,
        timeout,
        out(env, objs, scratch)?,
      )
    },
  )
}

/// `drain(objs, scratch?)`.
unsafe extern "C" fn drain(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  respond(env, info, |[objs, scratch]| {
    drain_into(env, out(env, objs, scratch)?)
  })
}

/// `nextJob(thread, idleMs, objs, scratch)`.
unsafe extern "C" fn next_job(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  respond(env, info, |[thread, idle_ms, objs, scratch]| {
    let out = out(env, objs, scratch)?;
    next_job_into(env, u32_of(env, thread)?, f64_of(env, idle_ms)?, out)
  })
}

/// The outcome in `complete`'s arguments `status, kind, payload`.
unsafe fn outcome(
  env: sys::napi_env,
  status: sys::napi_value,
  kind: sys::napi_value,
  payload: sys::napi_value,
) -> Result<Outcome> {
  outcome_from_js(env, u32_of(env, status)?, u32_of(env, kind)?, payload)
}

/// `complete(thread, call, status, kind, payload, quiet)`.
unsafe extern "C" fn complete(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  respond(env, info, |[thread, call, status, kind, payload, quiet]| {
    let (thread, call) = (u32_of(env, thread)?, f64_of(env, call)? as u64);
    let outcome = outcome(env, status, kind, payload)?;
    engine().complete(thread, call, outcome, bool_of(env, quiet)?);
    <()>::to_napi_value(env, ())
  })
}

/// `completeAndNext(thread, call, status, kind, payload, idleMs, objs, scratch)`.
unsafe extern "C" fn complete_and_next(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  respond(
    env,
    info,
    |[thread, call, status, kind, payload, idle_ms, objs, scratch]| {
      let (thread, call) = (u32_of(env, thread)?, f64_of(env, call)? as u64);
      let outcome = outcome(env, status, kind, payload)?;
      let out = out(env, objs, scratch)?;
      complete_and_next_into(env, thread, call, outcome, f64_of(env, idle_ms)?, out)
    },
  )
}

/// `spinUntilSettled(calls, spinMicros)`.
unsafe extern "C" fn spin_until_settled(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  respond(env, info, |[calls, spin_micros]| {
    let settled = spin_until(&call_ids(env, calls)?, u32_of(env, spin_micros)?)?;
    bool::to_napi_value(env, settled)
  })
}
