//! Whether more threads are running calls than there are cores, as the
//! engine last saw when it handed a thread a call. Pool threads read it when
//! they take a call (to lower their priority, see the binding's
//! `priority.rs`) without taking the engine's lock.

use std::sync::atomic::{AtomicBool, Ordering};

static OVERSUBSCRIBED: AtomicBool = AtomicBool::new(false);

/// Records that `running` threads are running calls now.
pub(crate) fn note_running(running: usize) {
  let over = running > crate::parker::cores();
  if OVERSUBSCRIBED.load(Ordering::Relaxed) != over {
    OVERSUBSCRIBED.store(over, Ordering::Relaxed);
  }
}

/// Whether more threads ran calls than there are cores when a thread last got a call.
pub fn oversubscribed() -> bool {
  OVERSUBSCRIBED.load(Ordering::Relaxed)
}
