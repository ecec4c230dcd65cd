//! Event-loop wake-ups made on behalf of threads that run below normal
//! priority. Waking an isolate's event loop goes through a lock that the
//! woken loop also takes (Node's threadsafe function queue): a low-priority
//! pool thread preempted while it holds that lock stalls the program's event
//! loop until the scheduler runs it again — milliseconds when every core is
//! busy. While more threads run calls than there are cores, such threads
//! hand their wake-ups to one waker thread at normal priority instead,
//! through a lock-free channel (the hop costs a few microseconds, so they
//! wake directly while the cores have room).

use std::cell::Cell;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::state::Notifier;

/// The waker thread ends after this long without a wake-up to make (the next one starts it again).
const WAKER_IDLE: Duration = Duration::from_millis(500);

thread_local! {
  static DEFERS: Cell<bool> = const { Cell::new(false) };
}

/// The running waker thread's end of its channel. Only deferring threads
/// take this lock (to send, or to start the waker), and the waker when it
/// ends: never a program's thread.
static WAKER: Mutex<Option<Sender<Notifier>>> = Mutex::new(None);

fn waker_slot() -> MutexGuard<'static, Option<Sender<Notifier>>> {
  WAKER
    .lock()
    .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// From now on, the calling thread's event-loop wake-ups are made by the waker thread.
pub fn defer_wakeups_of_this_thread() {
  DEFERS.with(|d| d.set(true));
}

/// Calls `notifier` here, or hands it to the waker thread when this thread
/// defers its wake-ups and the cores are `oversubscribed`.
pub(crate) fn notify(notifier: Notifier, oversubscribed: bool) {
  if !oversubscribed || !DEFERS.with(|d| d.get()) {
    notifier();
    return;
  }
  let mut slot = waker_slot();
  let notifier = match slot.as_ref() {
    Some(sender) => match sender.send(notifier) {
      Ok(()) => return,
      Err(unsent) => unsent.0, // the waker ended: start another
    },
    None => notifier,
  };
  let (sender, receiver) = channel::<Notifier>();
  let started = std::thread::Builder::new()
    .name("parallel-threads waker".into())
    .spawn(move || run_waker(receiver));
  match started {
    Ok(_) => {
      let _ = sender.send(notifier);
      *slot = Some(sender);
    }
    Err(_) => {
      *slot = None;
      drop(slot);
      notifier();
    }
  }
}

/// The waker thread: makes the wake-ups it is handed until it has been idle for `WAKER_IDLE`.
fn run_waker(receiver: Receiver<Notifier>) {
  loop {
    match receiver.recv_timeout(WAKER_IDLE) {
      Ok(notifier) => notifier(),
      Err(RecvTimeoutError::Disconnected) => return,
      Err(RecvTimeoutError::Timeout) => {
        // Senders send under the lock: once it is held and the channel is
        // empty, nothing more can come to this waker.
        let mut slot = waker_slot();
        match receiver.try_recv() {
          Ok(notifier) => {
            drop(slot);
            notifier();
          }
          Err(TryRecvError::Empty | TryRecvError::Disconnected) => {
            *slot = None;
            return;
          }
        }
      }
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::atomic::{AtomicUsize, Ordering};
  use std::sync::Arc;
  use std::time::{Duration, Instant};

  #[test]
  fn a_deferring_thread_s_wakeups_still_arrive() {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let notifier: Notifier = Arc::new(move || {
      seen.fetch_add(1, Ordering::SeqCst);
    });
    std::thread::spawn(move || {
      defer_wakeups_of_this_thread();
      for _ in 0..100 {
        notify(Arc::clone(&notifier), true);
      }
    })
    .join()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while count.load(Ordering::SeqCst) < 100 && Instant::now() < deadline {
      std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(count.load(Ordering::SeqCst), 100);
  }

  #[test]
  fn the_waker_ends_when_idle_and_starts_again() {
    let count = Arc::new(AtomicUsize::new(0));
    let wake_once = |count: &Arc<AtomicUsize>| {
      let seen = Arc::clone(count);
      std::thread::spawn(move || {
        defer_wakeups_of_this_thread();
        notify(
          Arc::new(move || {
            seen.fetch_add(1, Ordering::SeqCst);
          }),
          true,
        );
      })
      .join()
      .unwrap();
    };
    wake_once(&count);
    let deadline = Instant::now() + Duration::from_secs(10);
    while (count.load(Ordering::SeqCst) < 1 || waker_slot().is_some()) && Instant::now() < deadline
    {
      std::thread::sleep(Duration::from_millis(10));
    }
    assert!(waker_slot().is_none(), "the idle waker ended");
    wake_once(&count);
    while count.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
      std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(count.load(Ordering::SeqCst), 2);
  }

  #[test]
  fn other_threads_wake_directly() {
    let here = std::thread::current().id();
    let ran_on = Arc::new(std::sync::Mutex::new(None));
    let slot = Arc::clone(&ran_on);
    notify(
      Arc::new(move || {
        *slot.lock().unwrap() = Some(std::thread::current().id());
      }),
      true,
    );
    assert_eq!(*ran_on.lock().unwrap(), Some(here));
  }

  #[test]
  fn a_deferring_thread_wakes_directly_while_the_cores_have_room() {
    std::thread::spawn(|| {
      defer_wakeups_of_this_thread();
      let here = std::thread::current().id();
      let ran_on = Arc::new(std::sync::Mutex::new(None));
      let slot = Arc::clone(&ran_on);
      notify(
        Arc::new(move || {
          *slot.lock().unwrap() = Some(std::thread::current().id());
        }),
        false,
      );
      assert_eq!(*ran_on.lock().unwrap(), Some(here));
    })
    .join()
    .unwrap();
  }
}
