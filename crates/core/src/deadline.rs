//! Deadlines of calls: one small tokio runtime on its own thread fires them.

use std::sync::OnceLock;
use std::time::Instant;

use tokio::runtime::{Builder, Handle};
use tokio::task::AbortHandle;

/// A scheduled deadline; dropping it does not cancel it, [`Deadline::cancel`] does.
#[derive(Debug)]
pub struct Deadline(AbortHandle);

impl Deadline {
  /// Stops the deadline from firing (no effect once it fired).
  pub fn cancel(&self) {
    self.0.abort();
  }
}

/// Runs `fire` at `at` on the deadline thread, unless cancelled first.
pub fn schedule<F>(at: Instant, fire: F) -> Deadline
where
  F: FnOnce() + Send + 'static,
{
  let task = sleep_then(at, fire);
  Deadline(runtime().spawn(task).abort_handle())
}

async fn sleep_then<F: FnOnce() + Send + 'static>(at: Instant, fire: F) {
  tokio::time::sleep_until(at.into()).await;
  fire();
}

fn runtime() -> &'static Handle {
  static HANDLE: OnceLock<Handle> = OnceLock::new();
  HANDLE.get_or_init(|| {
    let runtime = Builder::new_current_thread()
      .enable_time()
      .build()
      .expect("the deadline runtime can always be built");
    let handle = runtime.handle().clone();
    std::thread::Builder::new()
      .name("parallel-threads-deadlines".into())
      .spawn(move || runtime.block_on(std::future::pending::<()>()))
      .expect("the deadline thread can always be spawned");
    handle
  })
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::mpsc;
  use std::time::Duration;

  #[test]
  fn a_deadline_fires_after_its_time() {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    let _deadline = schedule(start + Duration::from_millis(20), move || {
      tx.send(Instant::now()).unwrap()
    });
    let fired = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(fired - start >= Duration::from_millis(20));
  }

  #[test]
  fn a_cancelled_deadline_never_fires() {
    let (tx, rx) = mpsc::channel::<()>();
    let deadline = schedule(Instant::now() + Duration::from_millis(20), move || {
      tx.send(()).unwrap()
    });
    deadline.cancel();
    assert!(rx.recv_timeout(Duration::from_millis(100)).is_err());
  }
}
