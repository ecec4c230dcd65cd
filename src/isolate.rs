//! The isolate this addon instance runs in: attaching it to the core with a
//! weak ThreadsafeFunction that wakes its event loop, detaching it when its
//! environment is torn down, and draining what arrived for it.

use std::cell::Cell;
use std::sync::Arc;

use napi::bindgen_prelude::{Function, Unknown};
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi::{Env, Error, Result, Status};
use napi_derive::napi;
use parallel_threads_core::{engine, IsolateId, Notifier, ThreadId};

use crate::convert::{arrivals_to_js, out_of, Made, Out};
use crate::errors::{core_error, napi_error};

thread_local! {
  /// The core's id of the isolate on this OS thread (one JS isolate per thread).
  static ISOLATE: Cell<Option<IsolateId>> = const { Cell::new(None) };
}

/// The id of this isolate, or an error if it never attached.
pub fn current_isolate() -> Result<IsolateId> {
  ISOLATE.with(|id| id.get()).ok_or_else(|| {
    Error::new(
      Status::GenericFailure,
      "ERR_PARALLEL_NOT_ATTACHED: this isolate is not attached to the parallel-threads core"
        .to_owned(),
    )
  })
}

/// A notifier that calls `on_wake` (no arguments) on this isolate's event
/// loop. Weak for a program's isolate (it never keeps the process alive);
/// strong for a pool thread, whose event loop must live until it is retired.
fn notifier(on_wake: Function<'_, (), ()>, weak: bool) -> Result<Notifier> {
  let builder = on_wake
    .build_threadsafe_function::<()>()
    .callee_handled::<false>();
  if weak {
    let tsfn = builder.weak::<true>().build_callback(|_ctx| Ok(()))?;
    Ok(Arc::new(move || {
      let _ = tsfn.call((), ThreadsafeFunctionCallMode::NonBlocking);
    }))
  } else {
    let tsfn = builder.weak::<false>().build_callback(|_ctx| Ok(()))?;
    Ok(Arc::new(move || {
      let _ = tsfn.call((), ThreadsafeFunctionCallMode::NonBlocking);
    }))
  }
}

fn remember(env: &Env, id: IsolateId) -> Result<()> {
  ISOLATE.with(|cell| cell.set(Some(id)));
  env.add_env_cleanup_hook(id, |id| {
    ISOLATE.with(|cell| cell.set(None));
    engine().isolate_gone(id);
  })?;
  Ok(())
}

/// Attaches a program's isolate; `onWake` runs on its event loop whenever
/// something arrived for it. Returns the isolate id.
#[napi]
pub fn attach_user(env: Env, on_wake: Function<'_, (), ()>) -> Result<u32> {
  if let Some(id) = ISOLATE.with(|id| id.get()) {
    return Ok(id);
  }
  let id = engine().register_user_isolate(notifier(on_wake, true)?);
  remember(&env, id)?;
  Ok(id)
}

/// Attaches a pool thread that the spawner started for `thread`.
#[napi]
pub fn attach_thread(
  env: Env,
  thread: ThreadId,
  on_wake: Function<'_, (), ()>,
) -> Result<u32, String> {
  let id = engine()
    .attach_thread(thread, notifier(on_wake, false).map_err(napi_error)?)
    .map_err(core_error)?;
  remember(&env, id).map_err(napi_error)?;
  Ok(id)
}

/// Takes the completions (and, for the spawner, the duties) that arrived,
/// packed (see `arrivals_to_js`): values other than numbers go into `objs`,
/// the numbers into `scratch` when they fit (it is returned then).
#[napi(ts_return_type = "Float64Array")]
pub fn drain(env: Env, objs: Unknown<'_>, scratch: Unknown<'_>) -> Result<Made> {
  Ok(Made(unsafe {
    drain_into(env.raw(), out_of(&objs, &scratch))?
  }))
}

/// `drain`'s work, for it and its fast path (fast.rs).
pub(crate) unsafe fn drain_into(
  env: napi::sys::napi_env,
  out: Out,
) -> Result<napi::sys::napi_value> {
  arrivals_to_js(env, engine().drain(current_isolate()?), out)
}

/// The process is exiting: wake every wait in the core so threads can stop.
#[napi]
pub fn shutdown() {
  engine().shutdown();
}

/// Whether this isolate owns the pool threads (and their MessagePorts).
#[napi]
pub fn is_spawner() -> Result<bool> {
  Ok(engine().is_spawner(current_isolate()?))
}

/// This isolate is ending (a user worker's `exit` event): detach it now, so
/// the threads it owns take no new calls and another isolate takes over.
#[napi]
pub fn detach() {
  if let Some(id) = ISOLATE.with(|cell| cell.take()) {
    engine().isolate_gone(id);
  }
}
