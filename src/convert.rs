//! Conversions between JavaScript values and the core's payloads, jobs and
//! arrivals. Hot path: raw Node-API calls, no intermediate objects.

use napi::bindgen_prelude::{FromNapiValue, ToNapiValue};
use napi::{sys, Error, Result, Status as NapiStatus, ValueType};
use parallel_threads_core::{Arrivals, Duty, Job, Next, Outcome, Payload, Status, Value};

/// How a payload travels, as the TypeScript layer numbers it.
pub const KIND_VALUES: u32 = 0;
pub const KIND_SERIALIZED: u32 = 1;
pub const KIND_PORT: u32 = 2;

fn check(status: sys::napi_status, what: &str) -> Result<()> {
  if status == sys::Status::napi_ok {
    Ok(())
  } else {
    Err(Error::new(NapiStatus::from(status), what.to_owned()))
  }
}

/// A copy of a Buffer's bytes, read in place (no reference to the Buffer is
/// kept, so nothing waits for this isolate's event loop to be released).
unsafe fn bytes_of(env: sys::napi_env, value: sys::napi_value) -> Result<Vec<u8>> {
  let mut data = std::ptr::null_mut();
  let mut length = 0usize;
  check(
    sys::napi_get_buffer_info(env, value, &mut data, &mut length),
    "a serialized payload must be a Buffer",
  )?;
  if length == 0 {
    return Ok(Vec::new());
  }
  Ok(std::slice::from_raw_parts(data.cast::<u8>(), length).to_vec())
}

/// Reads a payload of `kind` from a JavaScript value.
pub unsafe fn payload_from_js(
  env: sys::napi_env,
  kind: u32,
  value: sys::napi_value,
) -> Result<Payload> {
  match kind {
    KIND_VALUES => {
      let mut length = 0u32;
      check(
        sys::napi_get_array_length(env, value, &mut length),
        "payload values must be an array",
      )?;
      let mut values = Vec::with_capacity(length as usize);
      for i in 0..length {
        let mut item = std::ptr::null_mut();
        check(
          sys::napi_get_element(env, value, i, &mut item),
          "reading a payload value",
        )?;
        values.push(value_from_js(env, item)?);
      }
      Ok(Payload::Values(values))
    }
    KIND_SERIALIZED => Ok(Payload::Serialized(bytes_of(env, value)?)),
    KIND_PORT => Ok(Payload::Port),
    _ => Err(Error::new(
      NapiStatus::InvalidArg,
      format!("unknown payload kind {kind}"),
    )),
  }
}

unsafe fn value_from_js(env: sys::napi_env, value: sys::napi_value) -> Result<Value> {
  let mut kind = 0;
  check(sys::napi_typeof(env, value, &mut kind), "typeof")?;
  Ok(match ValueType::from(kind) {
    ValueType::Undefined => Value::Undefined,
    ValueType::Null => Value::Null,
    ValueType::Boolean => Value::Bool(bool::from_napi_value(env, value)?),
    ValueType::Number => Value::Number(f64::from_napi_value(env, value)?),
    ValueType::String => Value::Str(String::from_napi_value(env, value)?),
    _ => {
      return Err(Error::new(
        NapiStatus::InvalidArg,
        "payload values must be primitives".to_owned(),
      ))
    }
  })
}

unsafe fn value_to_js(env: sys::napi_env, value: Value) -> Result<sys::napi_value> {
  match value {
    Value::Undefined => <()>::to_napi_value(env, ()),
    Value::Null => napi::bindgen_prelude::Null::to_napi_value(env, napi::bindgen_prelude::Null),
    Value::Bool(b) => bool::to_napi_value(env, b),
    Value::Number(n) => f64::to_napi_value(env, n),
    Value::Str(s) => String::to_napi_value(env, s),
  }
}

/// `[kind, value]` of a payload, pushed onto `out`.
unsafe fn push_payload(
  env: sys::napi_env,
  out: &mut Vec<sys::napi_value>,
  payload: Payload,
) -> Result<()> {
  match payload {
    Payload::Values(values) => {
      out.push(u32::to_napi_value(env, KIND_VALUES)?);
      let mut array = std::ptr::null_mut();
      check(
        sys::napi_create_array_with_length(env, values.len(), &mut array),
        "array",
      )?;
      for (i, value) in values.into_iter().enumerate() {
        check(
          sys::napi_set_element(env, array, i as u32, value_to_js(env, value)?),
          "set element",
        )?;
      }
      out.push(array);
    }
    Payload::Serialized(bytes) => {
      out.push(u32::to_napi_value(env, KIND_SERIALIZED)?);
      out.push(buffer_copy(env, &bytes)?);
    }
    Payload::Port => {
      out.push(u32::to_napi_value(env, KIND_PORT)?);
      out.push(<()>::to_napi_value(env, ())?);
    }
  }
  Ok(())
}

/// A JavaScript-owned copy of `bytes`. (An external buffer over Rust memory
/// is freed from its isolate's event loop, which a busy pool thread may not
/// turn for a long time: the memory would pile up.)
unsafe fn buffer_copy(env: sys::napi_env, bytes: &[u8]) -> Result<sys::napi_value> {
  let mut data = std::ptr::null_mut();
  let mut buffer = std::ptr::null_mut();
  check(
    sys::napi_create_buffer_copy(
      env,
      bytes.len(),
      bytes.as_ptr().cast(),
      &mut data,
      &mut buffer,
    ),
    "copying a payload",
  )?;
  Ok(buffer)
}

unsafe fn array_of(env: sys::napi_env, items: Vec<sys::napi_value>) -> Result<sys::napi_value> {
  let mut array = std::ptr::null_mut();
  check(
    sys::napi_create_array_with_length(env, items.len(), &mut array),
    "array",
  )?;
  for (i, item) in items.into_iter().enumerate() {
    check(
      sys::napi_set_element(env, array, i as u32, item),
      "set element",
    )?;
  }
  Ok(array)
}

unsafe fn push_job(env: sys::napi_env, out: &mut Vec<sys::napi_value>, job: Job) -> Result<()> {
  out.push(f64::to_napi_value(env, job.call as f64)?);
  out.push(u32::to_napi_value(env, job.function)?);
  out.push(u32::to_napi_value(env, job.flags)?);
  out.push(u32::to_napi_value(env, job.caller)?);
  push_payload(env, out, job.args)
}

/// A job as `[callId, functionId, flags, caller, argsKind, args]`.
pub struct JsJob(pub Job);

impl ToNapiValue for JsJob {
  unsafe fn to_napi_value(env: sys::napi_env, job: Self) -> Result<sys::napi_value> {
    let mut items = Vec::with_capacity(6);
    push_job(env, &mut items, job.0)?;
    array_of(env, items)
  }
}

/// What a waiting thread gets: a job array, `0` (retire), `1` (exit) or `2` (again).
pub struct JsNext(pub Next);

impl ToNapiValue for JsNext {
  unsafe fn to_napi_value(env: sys::napi_env, next: Self) -> Result<sys::napi_value> {
    match next.0 {
      Next::Job(job) => JsJob::to_napi_value(env, JsJob(job)),
      Next::Retire => u32::to_napi_value(env, 0),
      Next::Exit => u32::to_napi_value(env, 1),
      Next::Again => u32::to_napi_value(env, 2),
    }
  }
}

/// Arrivals as one flat array: `[n, (callId, status, kind, payload) × n,
/// m, (callId, thread) × m, (dutyKind, thread, executor) × rest]`, where the
/// m pairs are port payloads to post, and dutyKind 0 = spawn, 1 = terminate,
/// 2 = hold the event loop open (thread = 1) or not (thread = 0).
pub struct JsArrivals(pub Arrivals);

impl ToNapiValue for JsArrivals {
  unsafe fn to_napi_value(env: sys::napi_env, arrivals: Self) -> Result<sys::napi_value> {
    let Arrivals {
      completions,
      duties,
      assignments,
    } = arrivals.0;
    let mut items = Vec::with_capacity(1 + completions.len() * 4 + duties.len() * 3);
    items.push(u32::to_napi_value(env, completions.len() as u32)?);
    for (call, Outcome { status, payload }) in completions {
      items.push(f64::to_napi_value(env, call as f64)?);
      items.push(u32::to_napi_value(env, status as u32)?);
      push_payload(env, &mut items, payload)?;
    }
    items.push(u32::to_napi_value(env, assignments.len() as u32)?);
    for (call, thread) in assignments {
      items.push(f64::to_napi_value(env, call as f64)?);
      items.push(u32::to_napi_value(env, thread)?);
    }
    for duty in duties {
      let (kind, thread, executor) = match duty {
        Duty::Spawn { thread, executor } => (0, thread, executor),
        Duty::Terminate { thread } => (1, thread, 0),
        Duty::Hold(hold) => (2, u32::from(hold), 0),
      };
      items.push(u32::to_napi_value(env, kind)?);
      items.push(u32::to_napi_value(env, thread)?);
      items.push(u32::to_napi_value(env, executor)?);
    }
    array_of(env, items)
  }
}

/// The status number the TypeScript layer sends for a finished call.
pub fn status_from_js(status: u32) -> Result<Status> {
  Ok(match status {
    0 => Status::Fulfilled,
    1 => Status::Rejected,
    4 => Status::Crashed,
    _ => {
      return Err(Error::new(
        NapiStatus::InvalidArg,
        format!("unknown call status {status}"),
      ))
    }
  })
}
