//! Whether more threads run calls than there are cores, as the engine notes
//! it when it hands a thread a call (pool threads lower their priority on
//! it). A file of its own: the flag is process-wide, and this is the only
//! test of this binary.

mod common;

use common::*;
use parallel_threads_core::{oversubscribed, Job};

#[test]
fn more_running_calls_than_cores_is_noted_at_assignment_and_cleared_when_they_fit_again() {
  let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, (cores + 1) as u32);
  let function = engine.register_function("(n) => n");
  let mut running: Vec<(Manual, Job)> = Vec::new();
  for i in 0..=cores {
    main.submit(spec(ex, main.id, function, &[i as f64]));
    let thread = main.expect_one_spawn();
    let pool = Manual::attach(engine, thread);
    let job = pool.job();
    assert_eq!(
      oversubscribed(),
      i + 1 > cores,
      "{} calls running on {cores} cores",
      i + 1
    );
    running.push((pool, job));
  }
  // Two settle; the next assignment finds the calls fitting the cores again.
  for (pool, job) in running.drain(..2) {
    pool.complete(&job, fulfilled(0.0));
  }
  main.drain();
  main.submit(spec(ex, main.id, function, &[9.0]));
  assert!(!oversubscribed(), "{cores} calls running on {cores} cores");
}
