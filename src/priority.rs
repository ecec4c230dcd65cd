//! A pool thread's scheduling priority. CPU-bound calls on more threads than
//! cores would otherwise take turns with the program's own event loop (a
//! service's `/health` answer waits behind them); a thread started below the
//! caller's priority gives way to it and still has every core the event
//! loop leaves free. Only ever lowered: an unprivileged process can't raise
//! a priority back, so it is set once, when the thread starts. A lowered
//! thread's event-loop wake-ups go through the core's waker thread (see
//! `waker.rs` in the core: otherwise a lowered thread preempted inside Node's
//! wake-up lock stalls the program's event loop).

use napi_derive::napi;

/// Lowers the calling OS thread's priority by `increment` nice steps (Linux,
/// 1–19); on macOS any increment means the `utility` QoS class, on Windows
/// `BELOW_NORMAL` (`LOWEST` from 10). Returns whether the priority changed.
#[napi(js_name = "lowerThreadPriority")]
pub fn lower_thread_priority(increment: u32) -> bool {
  if increment == 0 {
    return false;
  }
  let lowered = lower(increment.min(19) as i32);
  if lowered {
    parallel_threads_core::defer_wakeups_of_this_thread();
  }
  lowered
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
