//! Stress of the wake-ups: two threads ping-pong 100k times, through engine
//! calls and through bare parkers. Every wait re-checks the sequence number
//! it saw, so a lost wake would stall a round (and fail it at its deadline)
//! and a stale one must never be taken for a new one.
//!
//! The tests here run one at a time: spinning waiters on an oversubscribed
//! machine would mostly measure the scheduler.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use common::*;
use parallel_threads_core::parker::{Parker, Woken};
use parallel_threads_core::{Duty, SyncWait};

/// The longest the engine ping-pong goes on (about 1-2 s for all its rounds
/// in a debug build on an idle 2-core machine; far longer when the machine
/// is busy, as spinning waiters then mostly measure the scheduler).
const BUDGET: Duration = Duration::from_secs(8);

fn one_at_a_time() -> MutexGuard<'static, ()> {
  static SERIAL: Mutex<()> = Mutex::new(());
  SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn two_threads_ping_pong_through_engine_calls() {
  const ROUNDS: u32 = 100_000;
  let _serial = one_at_a_time();
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let next = |n: f64| main.submit(spec(ex, main.id, 0, &[n]));
  let mut call = next(0.0);
  let arrivals = main.drain();
  let [Duty::Spawn { thread, .. }] = arrivals.duties[..] else {
    panic!("{arrivals:?}");
  };
  let work: Work = Arc::new(|_, job| fulfilled(arg(&job.args, 0) + 1.0));
  let worker = spawn_worker(engine, thread, ex, work, None);

  let start = Instant::now();
  let mut rounds = 0;
  for round in 0..ROUNDS {
    if start.elapsed() > BUDGET {
      break; // a machine busy with other work: keep the suite's time bounded
    }
    rounds += 1;
    let waited = engine.wait_sync(main.id, &[call], false, soon());
    assert_eq!(waited, SyncWait::Settled, "round {round}");
    let arrivals = main.drain();
    assert!(arrivals.duties.is_empty(), "round {round}: {arrivals:?}");
    assert_eq!(
      arrivals.completions,
      vec![(call, fulfilled(round as f64 + 1.0))],
      "round {round}"
    );
    call = next(round as f64 + 1.0);
  }
  let elapsed = start.elapsed();
  assert_eq!(
    engine.wait_sync(main.id, &[call], false, soon()),
    SyncWait::Settled
  );
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!(stats.threads, 1);
  assert_eq!(stats.counters.fulfilled, rounds as u64 + 1);
  engine.shutdown();
  worker.join().unwrap();
  eprintln!("{rounds} round trips in {elapsed:?}");
  assert!(
    rounds >= ROUNDS / 10,
    "only {rounds} round trips in {elapsed:?}"
  );
}

#[test]
fn parkers_ping_pong_without_losing_a_wake() {
  const ROUNDS: u64 = 100_000;
  let _serial = one_at_a_time();
  let turn = Arc::new(AtomicU64::new(0));
  let ping = Arc::new(Parker::default());
  let pong = Arc::new(Parker::default());

  /// Waits for `turn` to reach `value`; returns how many wakes were stale.
  fn wait_for(parker: &Parker, turn: &AtomicU64, value: u64) -> u64 {
    let deadline = Instant::now() + LONG;
    let mut stale = 0;
    loop {
      let seen = parker.seq();
      if turn.load(Ordering::SeqCst) == value {
        return stale;
      }
      // A wake may be stale (the notify of the previous turn, landing after
      // its waiter already saw that turn): re-check, never trust it.
      if parker.wait(seen, Some(deadline)) == Woken::TimedOut {
        panic!("lost a wake waiting for turn {value}");
      }
      stale += u64::from(turn.load(Ordering::SeqCst) != value);
    }
  }

  let other = {
    let (turn, ping, pong) = (Arc::clone(&turn), Arc::clone(&ping), Arc::clone(&pong));
    std::thread::spawn(move || {
      for i in 0..ROUNDS {
        let _ = wait_for(&pong, &turn, 2 * i + 1);
        turn.store(2 * i + 2, Ordering::SeqCst);
        ping.notify();
      }
    })
  };
  let start = Instant::now();
  let mut stale = 0;
  for i in 0..ROUNDS {
    stale += wait_for(&ping, &turn, 2 * i);
    turn.store(2 * i + 1, Ordering::SeqCst);
    pong.notify();
  }
  other.join().unwrap();
  assert_eq!(turn.load(Ordering::SeqCst), 2 * ROUNDS);
  eprintln!(
    "{ROUNDS} parker round trips in {:?} ({stale} stale wakes re-checked)",
    start.elapsed()
  );
}

#[test]
fn a_wait_outlasts_its_sleep_slices_without_a_notify() {
  let _serial = one_at_a_time();
  let parker = Parker::default();
  let start = Instant::now();
  // Longer than several of the parker's bounded sleeps: each wake-up from a
  // slice re-checks the sequence number and goes back to sleep.
  let woken = parker.wait(parker.seq(), Some(start + Duration::from_millis(350)));
  assert_eq!(woken, Woken::TimedOut);
  assert!(start.elapsed() >= Duration::from_millis(350));
}

#[test]
fn a_wake_before_the_sequence_number_was_read_is_not_taken_for_a_new_one() {
  let _serial = one_at_a_time();
  let parker = Parker::default();
  parker.notify();
  let seen = parker.seq();
  let start = Instant::now();
  assert_eq!(
    parker.wait(seen, Some(start + Duration::from_millis(50))),
    Woken::TimedOut
  );
  parker.notify();
  assert_eq!(parker.wait(seen, None), Woken::Notified);
}
