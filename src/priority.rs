//! A pool thread's scheduling priority. CPU-bound calls on more threads than
//! cores would otherwise take turns with the program's own event loop (a
//! service's `/health` answer waits behind them). So a thread that takes a
//! call while more threads run calls than there are cores lowers its own
//! priority by the executor's `niceIncrement`: it gives way to the event
//! loop and still has every core the loop leaves free. While the threads fit
//! the cores they keep the program's priority (a lowered CPU-bound thread
//! also loses to V8's own compiler and GC threads, and the kernel balances
//! low-weight threads across cores poorly: a pipeline on as many threads as
//! cores ran 25% slower lowered). Only ever lowered: an unprivileged process
//! can't raise a priority back. A lowered thread's event-loop wake-ups go
//! through the core's waker thread while the cores are oversubscribed (see
//! `waker.rs` in the core).

use std::cell::Cell;

use napi_derive::napi;

thread_local! {
  /// The nice steps this thread lowers itself by when the cores are oversubscribed (0: never).
  static INCREMENT: Cell<u32> = const { Cell::new(0) };
  /// Whether it did (once at most).
  static LOWERED: Cell<bool> = const { Cell::new(false) };
}

/// Sets how many nice steps (0–19) the calling pool thread lowers itself by
/// once it takes a call while more threads run calls than there are cores:
/// on Linux those steps; on macOS any number means the `utility` QoS class,
/// on Windows `BELOW_NORMAL` (`LOWEST` from 10).
#[napi(js_name = "setThreadNiceIncrement")]
pub fn set_thread_nice_increment(increment: u32) {
  INCREMENT.with(|i| i.set(increment.min(19)));
}

/// Called on the pool thread as it takes a job: lowers it if it should now.
pub(crate) fn on_job() {
  let increment = INCREMENT.with(|i| i.get());
  if increment == 0 || LOWERED.with(|l| l.get()) || !parallel_threads_core::oversubscribed() {
    return;
  }
  LOWERED.with(|l| l.set(true));
  if lower(increment as i32) {
    parallel_threads_core::defer_wakeups_of_this_thread();
  }
}

#[cfg(target_os = "linux")]
fn lower(increment: i32) -> bool {
  // On Linux, PRIO_PROCESS with a thread id sets that thread's nice value alone.
  // SAFETY: plain system calls on the calling thread's own id.
  unsafe {
    let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
    *libc::__errno_location() = 0;
    let current = libc::getpriority(libc::PRIO_PROCESS, tid);
    if current == -1 && *libc::__errno_location() != 0 {
      return false;
    }
    let target = (current + increment).min(19);
    target != current && libc::setpriority(libc::PRIO_PROCESS, tid, target) == 0
  }
}

#[cfg(target_vendor = "apple")]
fn lower(_increment: i32) -> bool {
  // SAFETY: sets the calling thread's own QoS class.
  unsafe { libc::pthread_set_qos_class_self_np(libc::qos_class_t::QOS_CLASS_UTILITY, 0) == 0 }
}

#[cfg(windows)]
fn lower(increment: i32) -> bool {
  #[link(name = "kernel32")]
  extern "system" {
    fn GetCurrentThread() -> *mut core::ffi::c_void;
    fn SetThreadPriority(thread: *mut core::ffi::c_void, priority: i32) -> i32;
  }
  const THREAD_PRIORITY_BELOW_NORMAL: i32 = -1;
  const THREAD_PRIORITY_LOWEST: i32 = -2;
  let priority = if increment >= 10 {
    THREAD_PRIORITY_LOWEST
  } else {
    THREAD_PRIORITY_BELOW_NORMAL
  };
  // SAFETY: the pseudo-handle of the calling thread, always valid.
  unsafe { SetThreadPriority(GetCurrentThread(), priority) != 0 }
}

#[cfg(not(any(target_os = "linux", target_vendor = "apple", windows)))]
fn lower(_increment: i32) -> bool {
  false
}
