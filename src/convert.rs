//! Conversions between JavaScript values and the core's payloads, jobs and
//! arrivals. Hot path: raw Node-API calls, no intermediate objects.

use napi::bindgen_prelude::{FromNapiValue, JsValue, ToNapiValue, Unknown};
use napi::{sys, Error, Result, Status as NapiStatus, ValueType};
use parallel_threads_core::{Arrivals, Duty, Job, Next, Outcome, Payload, Status, Value};

use crate::protocol::{next_code, num, CallStatus, DutyCode, PayloadKind};

const KIND_VALUES: u32 = PayloadKind::Values as u32;
const KIND_SERIALIZED: u32 = PayloadKind::Serialized as u32;
const KIND_PORT: u32 = PayloadKind::Port as u32;
const KIND_NUMBER: u32 = PayloadKind::Number as u32;

/// A Node-API status as a `Result` (`what` names the step that failed).
pub(crate) fn check(status: sys::napi_status, what: &str) -> Result<()> {
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

/// Each element of the array `array`, read by `read`; `not_array` says what
/// was expected when it is not an array.
pub(crate) unsafe fn map_elements<T>(
  env: sys::napi_env,
  array: sys::napi_value,
  not_array: &str,
  mut read: impl FnMut(sys::napi_value) -> Result<T>,
) -> Result<Vec<T>> {
  let mut length = 0u32;
  check(
    sys::napi_get_array_length(env, array, &mut length),
    not_array,
  )?;
  let mut items = Vec::with_capacity(length as usize);
  for i in 0..length {
    let mut item = std::ptr::null_mut();
    check(
      sys::napi_get_element(env, array, i, &mut item),
      "reading an array element",
    )?;
    items.push(read(item)?);
  }
  Ok(items)
}

/// Reads a payload of `kind` from a JavaScript value.
pub unsafe fn payload_from_js(
  env: sys::napi_env,
  kind: u32,
  value: sys::napi_value,
) -> Result<Payload> {
  match kind {
    KIND_VALUES => Ok(Payload::Values(map_elements(
      env,
      value,
      "payload values must be an array",
      |item| value_from_js(env, item),
    )?)),
    KIND_NUMBER => Ok(Payload::Values(vec![Value::Number(f64::from_napi_value(
      env, value,
    )?)])),
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

/// Output for JavaScript, packed: numbers go into one `Float64Array` (no
/// Node-API call per number, which costs more than the rest of a tiny call's
/// crossing); other values go into `objs`, an empty array the caller passes
/// in, and their slot in the numbers holds their index there.
pub struct Packed {
  nums: Vec<f64>,
  /// Values for `objs`, set when the output is made.
  objs: Vec<sys::napi_value>,
}

impl Packed {
  fn new(capacity: usize) -> Self {
    let mut nums = Vec::with_capacity(capacity + 1);
    nums.push(0.0); // the header: how many slots are used
    Packed {
      nums,
      objs: Vec::new(),
    }
  }

  fn num(&mut self, n: f64) {
    self.nums.push(n);
  }

  fn obj(&mut self, value: sys::napi_value) {
    self.nums.push(self.objs.len() as f64);
    self.objs.push(value);
  }

  /// A payload as `kind, slots…`: one number inline (`NUMBER, n`), several
  /// (`NUMBERS, count, n…`), or the index of its value in `objs`.
  unsafe fn payload(&mut self, env: sys::napi_env, payload: Payload) -> Result<()> {
    match payload {
      Payload::Values(values) => {
        if values.iter().all(|v| matches!(v, Value::Number(_))) {
          if values.len() != 1 {
            self.num(num(PayloadKind::Numbers));
            self.num(values.len() as f64);
          } else {
            self.num(num(PayloadKind::Number));
          }
          for value in values {
            if let Value::Number(n) = value {
              self.num(n);
            }
          }
          return Ok(());
        }
        self.num(num(PayloadKind::Values));
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
        self.obj(array);
      }
      Payload::Serialized(bytes) => {
        self.num(num(PayloadKind::Serialized));
        self.obj(buffer_copy(env, &bytes)?);
      }
      Payload::Port => {
        self.num(num(PayloadKind::Port));
        self.num(0.0);
      }
    }
    Ok(())
  }

  /// The `Float64Array`, after putting the other values into `out.objs`:
  /// `out.scratch` when the numbers fit there (no allocation), else a new one.
  unsafe fn finish(self, env: sys::napi_env, out: Out) -> Result<sys::napi_value> {
    self.finish_with_tail(env, out, None)
  }

  /// `finish`, with `tail` (if any) in the slot after the used ones
  /// (`nums[nums[0]]`), outside the layout its readers walk.
  unsafe fn finish_with_tail(
    mut self,
    env: sys::napi_env,
    out: Out,
    tail: Option<f64>,
  ) -> Result<sys::napi_value> {
    for (i, value) in self.objs.into_iter().enumerate() {
      check(
        sys::napi_set_element(env, out.objs, i as u32, value),
        "set element",
      )?;
    }
    self.nums[0] = self.nums.len() as f64;
    if let Some(tail) = tail {
      self.nums.push(tail);
    }
    if let Some(scratch) = out.scratch {
      let mut is_typed = false;
      check(
        sys::napi_is_typedarray(env, scratch, &mut is_typed),
        "scratch",
      )?;
      if is_typed {
        let mut kind = 0;
        let mut length = 0usize;
        let mut data = std::ptr::null_mut();
        check(
          sys::napi_get_typedarray_info(
            env,
            scratch,
            &mut kind,
            &mut length,
            &mut data,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
          ),
          "scratch",
        )?;
        if kind == sys::TypedarrayType::float64_array && length >= self.nums.len() {
          std::ptr::copy_nonoverlapping(self.nums.as_ptr(), data.cast::<f64>(), self.nums.len());
          return Ok(scratch);
        }
      }
    }
    let bytes = self.nums.len() * std::mem::size_of::<f64>();
    let mut data = std::ptr::null_mut();
    let mut buffer = std::ptr::null_mut();
    check(
      sys::napi_create_arraybuffer(env, bytes, &mut data, &mut buffer),
      "packing numbers",
    )?;
    if bytes > 0 {
      std::ptr::copy_nonoverlapping(self.nums.as_ptr(), data.cast::<f64>(), self.nums.len());
    }
    let mut array = std::ptr::null_mut();
    check(
      sys::napi_create_typedarray(
        env,
        sys::TypedarrayType::float64_array,
        self.nums.len(),
        buffer,
        0,
        &mut array,
      ),
      "packing numbers",
    )?;
    Ok(array)
  }
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

/// Where packed output goes: `objs` gets the values other than numbers;
/// the numbers go into `scratch` (a `Float64Array`) when they fit.
#[derive(Clone, Copy)]
pub struct Out {
  pub objs: sys::napi_value,
  pub scratch: Option<sys::napi_value>,
}

/// A job, packed: `[slotsUsed, callId, functionId, flags, caller, argsKind,
/// args…]` (the slots of `JobSlot`).
pub unsafe fn job_to_js(env: sys::napi_env, job: Job, out: Out) -> Result<sys::napi_value> {
  // On the pool thread taking the job: the moment to lower its priority, if it should.
  crate::priority::on_job();
  let mut packed = Packed::new(8);
  packed.num(job.call as f64);
  packed.num(f64::from(job.function));
  packed.num(f64::from(job.flags));
  packed.num(f64::from(job.caller));
  packed.payload(env, job.args)?;
  packed.finish(env, out)
}

/// What a waiting thread gets: a packed job, or a `NextCode`.
pub unsafe fn next_to_js(env: sys::napi_env, next: Next, out: Out) -> Result<sys::napi_value> {
  match (next_code(&next), next) {
    (_, Next::Job(job)) => job_to_js(env, job, out),
    (Some(code), _) => u32::to_napi_value(env, code.into()),
    (None, _) => unreachable!("only a job has no code"),
  }
}

/// Arrivals, packed: `[slotsUsed, n, (callId, status, kind, slots…) × n, m,
/// (callId, thread) × m, (DutyCode, a, b) × rest]`, where the m pairs are
/// port payloads to post (see `DutyCode` for a and b).
pub unsafe fn arrivals_to_js(
  env: sys::napi_env,
  arrivals: Arrivals,
  out: Out,
) -> Result<sys::napi_value> {
  arrivals_with_tail_to_js(env, arrivals, out, None)
}

/// `arrivals_to_js`, with `tail` in the slot after the used ones.
pub unsafe fn arrivals_with_tail_to_js(
  env: sys::napi_env,
  arrivals: Arrivals,
  out: Out,
  tail: Option<f64>,
) -> Result<sys::napi_value> {
  let Arrivals {
    completions,
    duties,
    assignments,
  } = arrivals;
  let mut packed =
    Packed::new(2 + completions.len() * 4 + assignments.len() * 2 + duties.len() * 3);
  packed.num(completions.len() as f64);
  for (call, Outcome { status, payload }) in completions {
    packed.num(call as f64);
    packed.num(num(CallStatus::from(status)));
    packed.payload(env, payload)?;
  }
  packed.num(assignments.len() as f64);
  for (call, thread) in assignments {
    packed.num(call as f64);
    packed.num(f64::from(thread));
  }
  for duty in duties {
    let (kind, thread, executor) = match duty {
      Duty::Spawn { thread, executor } => (DutyCode::Spawn, thread, executor),
      Duty::Terminate { thread } => (DutyCode::Terminate, thread, 0),
      Duty::Hold(hold) => (DutyCode::Hold, u32::from(hold), 0),
    };
    packed.num(num(kind));
    packed.num(f64::from(thread));
    packed.num(f64::from(executor));
  }
  packed.finish_with_tail(env, out, tail)
}

/// `Out` from a binding's arguments (`scratch` may be `undefined`).
pub fn out_of(objs: &Unknown<'_>, scratch: &Unknown<'_>) -> Out {
  Out {
    objs: objs.raw(),
    scratch: match scratch.get_type() {
      Ok(ValueType::Object) => Some(scratch.raw()),
      _ => None,
    },
  }
}

/// A value made already, returned as it is.
pub struct Made(pub sys::napi_value);

impl ToNapiValue for Made {
  unsafe fn to_napi_value(_env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
    Ok(value.0)
  }
}

/// The status the TypeScript layer sends for a finished call (fulfilled,
/// rejected, or crashed).
pub fn status_from_js(status: u32) -> Result<Status> {
  Ok(match status {
    s if s == CallStatus::Fulfilled as u32 => Status::Fulfilled,
    s if s == CallStatus::Rejected as u32 => Status::Rejected,
    s if s == CallStatus::Crashed as u32 => Status::Crashed,
    _ => {
      return Err(Error::new(
        NapiStatus::InvalidArg,
        format!("unknown call status {status}"),
      ))
    }
  })
}
