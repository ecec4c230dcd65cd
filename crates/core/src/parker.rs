//! A wake-up cell for one waiting thread: spin briefly, then sleep on a
//! condition variable, always in bounded slices.
//!
//! Every wake bumps a sequence number; a waiter remembers the number it saw
//! and only returns when it changed, so a wake meant for an earlier wait can
//! never be mistaken for a new one.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The longest single sleep; waits are re-checked at least this often.
const SLICE: Duration = Duration::from_millis(100);

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
  lock: Mutex<()>,
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
      let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
      self.cv.notify_all();
    }
  }

  /// Waits until the sequence number differs from `seen` or `deadline`
  /// passes. Spins first when another core could answer quickly.
  pub fn wait(&self, seen: u32, deadline: Option<Instant>) -> Woken {
    let spins = spin_budget();
    for _ in 0..spins {
      if self.seq.load(Ordering::Acquire) != seen {
        return Woken::Notified;
      }
      std::hint::spin_loop();
    }
    let mut guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
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
      guard = self
        .cv
        .wait_timeout(guard, slice)
        .unwrap_or_else(|e| e.into_inner())
        .0;
    };
    self.sleeping.store(false, Ordering::SeqCst);
    drop(guard);
    outcome
  }
}

/// Spin iterations before sleeping: none when this process may use only one
/// core (spinning would only delay the thread that is to answer).
fn spin_budget() -> u32 {
  static BUDGET: OnceLock<u32> = OnceLock::new();
  *BUDGET.get_or_init(|| {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores > 1 {
      4_000
    } else {
      0
    }
  })
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
