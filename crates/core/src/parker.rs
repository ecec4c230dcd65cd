//! A wake-up cell for one waiting thread: spin briefly, then sleep on a
//! futex (a condition variable where there is none), always in bounded
//! slices.
//!
//! Every wake bumps a sequence number; a waiter remembers the number it saw
//! and only returns when it changed, so a wake meant for an earlier wait can
//! never be mistaken for a new one.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};
use std::sync::OnceLock;
#[cfg(not(target_os = "linux"))]
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The longest single sleep; waits are re-checked at least this often.
/// The longest a thread sleeps in one go in the core, here and in the
/// binding's waits: a thread parked in native code can't be terminated by V8,
/// so waits come back now and then (bounds how long `worker.terminate()` and
/// process exit can take).
pub const WAIT_SLICE: Duration = Duration::from_millis(100);
const SLICE: Duration = WAIT_SLICE;

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
  /// The sequence number moved: somebody called [`Parker::notify`].
  Notified,
  /// The deadline passed first.
  TimedOut,
}

/// A wake-up cell; see the module docs.
#[derive(Default)]
pub struct Parker {
  seq: AtomicU32,
  sleeping: AtomicBool,
  /// Adaptive spinning: raised when a spin caught the wake-up, lowered when
  /// it had to sleep anyway (on a busy machine spinning only steals time).
  spin_credit: AtomicI32,
  waits: AtomicU32,
  #[cfg(not(target_os = "linux"))]
  lock: Mutex<()>,
  #[cfg(not(target_os = "linux"))]
  cv: Condvar,
}

impl Parker {
  /// The current sequence number: pass it to [`Parker::wait`].
  pub fn seq(&self) -> u32 {
    self.seq.load(Ordering::SeqCst)
  }

  /// Wakes the waiter (now, or its next wait that started from an older
  /// sequence number).
  pub fn notify(&self) {
    self.seq.fetch_add(1, Ordering::SeqCst);
    if self.sleeping.load(Ordering::SeqCst) {
      self.wake();
    }
  }

  /// Waits until the sequence number differs from `seen` or `deadline`
  /// passes. Spins first when another core could answer quickly.
  pub fn wait(&self, seen: u32, deadline: Option<Instant>) -> Woken {
    if self.spin(seen) {
      return Woken::Notified;
    }
    self.sleeping.store(true, Ordering::SeqCst);
    let outcome = loop {
      if self.seq.load(Ordering::SeqCst) != seen {
        break Woken::Notified;
      }
      let slice = match deadline {
        Some(deadline) => {
          let now = Instant::now();
          if now >= deadline {
            break Woken::TimedOut;
          }
          (deadline - now).min(SLICE)
        }
        None => SLICE,
      };
      self.sleep(seen, slice);
    };
    self.sleeping.store(false, Ordering::SeqCst);
    outcome
  }

  /// Spins for at most `limit` (on more than one core) until the sequence
  /// number differs from `seen`; true when it did. For a wake-up known to be
  /// imminent, where the adaptive spin of [`Parker::wait`] may have given up.
  pub fn spin_for(&self, seen: u32, limit: Duration) -> bool {
    if !multi_core() {
      return false;
    }
    let start = Instant::now();
    loop {
      if self.seq.load(Ordering::Acquire) != seen {
        return true;
      }
      for _ in 0..64 {
        std::hint::spin_loop();
      }
      if start.elapsed() >= limit {
        return false;
      }
    }
  }

  /// Spins for a short while if spinning has been paying off (and now and
  /// then to find out whether it would again); true when the wake came.
  fn spin(&self, seen: u32) -> bool {
    if !multi_core() {
      return false;
    }
    let credit = self.spin_credit.load(Ordering::Relaxed);
    let probe = self
      .waits
      .fetch_add(1, Ordering::Relaxed)
      .is_multiple_of(32);
    if credit < 0 && !probe {
      return false;
    }
    let start = Instant::now();
    let mut i = 0u32;
    loop {
      if self.seq.load(Ordering::Acquire) != seen {
        self
          .spin_credit
          .store((credit + 1).min(MAX_CREDIT), Ordering::Relaxed);
        return true;
      }
      std::hint::spin_loop();
      i += 1;
      if i.is_multiple_of(64) && start.elapsed() >= SPIN {
        self
          .spin_credit
          .store((credit - 2).max(-MAX_CREDIT), Ordering::Relaxed);
        return false;
      }
    }
  }

  /// Sleeps while the sequence number is `seen`, at most `slice`: a bare
  /// futex (one syscall each way, no lock to hand over on wake-up).
  #[cfg(target_os = "linux")]
  fn sleep(&self, seen: u32, slice: Duration) {
    let timeout = libc::timespec {
      tv_sec: slice.as_secs() as libc::time_t,
      tv_nsec: slice.subsec_nanos() as libc::c_long,
    };
    // SAFETY: the futex word is a live AtomicU32 of self; the kernel only
    // compares it with `seen` and sleeps; spurious returns are re-checked.
    unsafe {
      libc::syscall(
        libc::SYS_futex,
        self.seq.as_ptr(),
        libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
        seen,
        &timeout as *const libc::timespec,
      );
    }
  }

  #[cfg(target_os = "linux")]
  fn wake(&self) {
    // SAFETY: as in `sleep`; waking a futex nobody waits on is harmless.
    unsafe {
      libc::syscall(
        libc::SYS_futex,
        self.seq.as_ptr(),
        libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
        i32::MAX,
      );
    }
  }

  #[cfg(not(target_os = "linux"))]
  fn sleep(&self, seen: u32, slice: Duration) {
    let guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
    if self.seq.load(Ordering::SeqCst) == seen {
      let _ = self.cv.wait_timeout(guard, slice);
    }
  }

  #[cfg(not(target_os = "linux"))]
  fn wake(&self) {
    drop(self.lock.lock().unwrap_or_else(|e| e.into_inner()));
    self.cv.notify_all();
  }
}

/// The longest spin before sleeping.
const SPIN: Duration = Duration::from_micros(30);
/// Bounds of the spin credit.
const MAX_CREDIT: i32 = 8;

/// Whether this process may use more than one core (spinning on one core
/// only delays the thread that is to answer).
pub(crate) fn multi_core() -> bool {
  cores() > 1
}

/// The cores this process may run on (its affinity mask), read once.
pub(crate) fn cores() -> usize {
  static CORES: OnceLock<usize> = OnceLock::new();
  *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::Arc;

  #[test]
  fn a_notify_before_the_wait_is_not_lost() {
    let parker = Parker::default();
    let seen = parker.seq();
    parker.notify();
    assert_eq!(parker.wait(seen, None), Woken::Notified);
  }

  #[test]
  fn a_wait_times_out_without_a_notify() {
    let parker = Parker::default();
    let start = Instant::now();
    let woken = parker.wait(parker.seq(), Some(start + Duration::from_millis(30)));
    assert_eq!(woken, Woken::TimedOut);
    assert!(start.elapsed() >= Duration::from_millis(30));
  }

  #[test]
  fn spin_for_sees_a_notify_and_gives_up_after_its_limit() {
    let parker = Arc::new(Parker::default());
    let seen = parker.seq();
    assert!(!parker.spin_for(seen, Duration::from_micros(200)));
    parker.notify();
    // On one core spin_for never spins: it only reports false.
    assert_eq!(
      parker.spin_for(seen, Duration::from_millis(1)),
      multi_core()
    );
    let seen = parker.seq();
    let other = Arc::clone(&parker);
    let notifier = std::thread::spawn(move || {
      std::thread::sleep(Duration::from_millis(1));
      other.notify();
    });
    if multi_core() {
      assert!(parker.spin_for(seen, Duration::from_secs(10)));
    }
    notifier.join().unwrap();
  }

  #[test]
  fn a_sleeping_waiter_is_woken_from_another_thread() {
    let parker = Arc::new(Parker::default());
    let seen = parker.seq();
    let other = Arc::clone(&parker);
    let handle = std::thread::spawn(move || other.wait(seen, None));
    std::thread::sleep(Duration::from_millis(20));
    parker.notify();
    assert_eq!(handle.join().unwrap(), Woken::Notified);
  }
}
