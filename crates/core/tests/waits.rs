//! Blocking waits: `wait_sync` of callers and of pool threads (nested calls),
//! `next_job`, shutdown. (The ping-pong stress of the wake-ups is in `stress.rs`.)

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use parallel_threads_core::{CoreError, Next, Outcome, Payload, Status, SyncWait};

fn rejected(why: &str) -> Outcome {
  Outcome {
    status: Status::Rejected,
    payload: reason(why),
  }
}

#[test]
fn wait_sync_returns_settled_once_the_calls_finish() {
  let engine = new_engine();
  let work: Work = Arc::new(|_, job| {
    std::thread::sleep(Duration::from_millis(20));
    fulfilled(arg(&job.args, 0) + 1.0)
  });
  let pool = Pool::start(engine, work, None);
  let user = User::register(engine);
  let ex = executor(engine, 4);
  let calls: Vec<_> = (0..3)
    .map(|i| user.submit(spec(ex, user.id, 0, &[i as f64])))
    .collect();
  let start = Instant::now();
  assert_eq!(
    engine.wait_sync(user.id, &calls, false, soon()),
    SyncWait::Settled
  );
  assert!(start.elapsed() >= Duration::from_millis(15));
  let mut done = user.drain().completions;
  done.sort_by_key(|(c, _)| *c);
  let expected: Vec<_> = calls
    .iter()
    .enumerate()
    .map(|(i, c)| (*c, fulfilled(i as f64 + 1.0)))
    .collect();
  assert_eq!(done, expected);
  // Settled calls: returns at once.
  assert_eq!(
    engine.wait_sync(user.id, &calls, false, None),
    SyncWait::Settled
  );
  pool.stop();
}

#[test]
fn wait_sync_times_out_at_its_deadline() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let call = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let job = pool.job();
  let start = Instant::now();
  let waited = engine.wait_sync(main.id, &[call], false, after(Duration::from_millis(60)));
  assert_eq!(waited, SyncWait::TimedOut);
  assert!(start.elapsed() >= Duration::from_millis(60));
  assert!(start.elapsed() < Duration::from_secs(2));
  pool.complete(&job, fulfilled(1.0));
  assert_eq!(
    engine.wait_sync(main.id, &[call], false, soon()),
    SyncWait::Settled
  );
}

#[test]
fn the_spawners_wait_returns_when_a_duty_arrives() {
  let engine = new_engine();
  let main = User::register(engine);
  let user = User::register(engine);
  let ex = executor(engine, 4);
  let call = main.submit(spec(ex, main.id, 0, &[]));
  // Duties already waiting: at once.
  assert_eq!(
    engine.wait_sync(main.id, &[call], false, soon()),
    SyncWait::Duties
  );
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let job = pool.job();

  let other = std::thread::spawn(move || {
    std::thread::sleep(Duration::from_millis(30));
    engine.submit(spec(ex, user.id, 0, &[])).unwrap()
  });
  let start = Instant::now();
  assert_eq!(
    engine.wait_sync(main.id, &[call], false, soon()),
    SyncWait::Duties
  );
  assert!(start.elapsed() < Duration::from_secs(2));
  other.join().unwrap();
  assert_eq!(spawns(&main.drain().duties).len(), 1);

  pool.complete(&job, fulfilled(0.0));
  assert_eq!(
    engine.wait_sync(main.id, &[call], false, soon()),
    SyncWait::Settled
  );
}

#[test]
fn wait_sync_and_drain_returns_what_arrived_with_how_the_wait_ended() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let call = main.submit(spec(ex, main.id, 0, &[]));
  // The spawn duty was already waiting: the wait ends, and it is drained.
  let (waited, arrivals) = engine.wait_sync_and_drain(main.id, &[call], false, soon(), None);
  assert_eq!(waited, SyncWait::Duties);
  let spawned = spawns(&arrivals.expect("drained").duties);
  assert_eq!(spawned.len(), 1);
  let pool = Manual::attach(engine, spawned[0]);
  let job = pool.job();
  // A slice that ends first: nothing is drained (the call's outcome stays).
  let slice = Some(Instant::now() + Duration::from_millis(20));
  let (waited, arrivals) = engine.wait_sync_and_drain(main.id, &[call], false, None, slice);
  assert_eq!((waited, arrivals.is_none()), (SyncWait::Again, true));
  pool.complete(&job, fulfilled(7.0));
  let (waited, arrivals) = engine.wait_sync_and_drain(main.id, &[call], false, soon(), None);
  assert_eq!(waited, SyncWait::Settled);
  assert_eq!(
    arrivals.expect("drained").completions,
    vec![(call, fulfilled(7.0))]
  );
  assert!(main.drain().completions.is_empty(), "drained once");
}

#[test]
fn another_isolates_wait_ignores_the_spawners_duties() {
  let engine = new_engine();
  let main = User::register(engine);
  let user = User::register(engine);
  let ex = executor(engine, 1);
  let call = user.submit(spec(ex, user.id, 0, &[]));
  let waited = engine.wait_sync(user.id, &[call], false, after(Duration::from_millis(40)));
  assert_eq!(waited, SyncWait::TimedOut);
  assert_eq!(spawns(&main.drain().duties).len(), 1);
}

#[test]
fn wait_sync_with_first_failure_returns_as_soon_as_one_call_failed() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 2);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let b = main.submit(spec(ex, main.id, 0, &[]));
  let spawned = spawns(&main.drain().duties);
  let t1 = Manual::attach(engine, spawned[0]);
  let t2 = Manual::attach(engine, spawned[1]);
  let (ja, jb) = (t1.job(), t2.job());
  assert_eq!((ja.call, jb.call), (a, b));

  let failing = std::thread::spawn(move || {
    std::thread::sleep(Duration::from_millis(30));
    engine.complete(t2.id, jb.call, rejected("boom"), true);
  });
  let start = Instant::now();
  assert_eq!(
    engine.wait_sync(main.id, &[a, b], true, soon()),
    SyncWait::Settled
  );
  assert!(start.elapsed() < Duration::from_secs(2));
  failing.join().unwrap();
  // `a` is still running: without first_failure the wait goes on.
  let waited = engine.wait_sync(main.id, &[a, b], false, after(Duration::from_millis(30)));
  assert_eq!(waited, SyncWait::TimedOut);
  assert_eq!(main.drain().completions, vec![(b, rejected("boom"))]);

  t1.complete(&ja, fulfilled(1.0));
  assert_eq!(
    engine.wait_sync(main.id, &[a, b], true, soon()),
    SyncWait::Settled
  );
}

#[test]
fn wait_sync_with_first_failure_waits_for_all_when_none_fails() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 2);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let b = main.submit(spec(ex, main.id, 0, &[]));
  let spawned = spawns(&main.drain().duties);
  let t1 = Manual::attach(engine, spawned[0]);
  let t2 = Manual::attach(engine, spawned[1]);
  let (ja, jb) = (t1.job(), t2.job());
  t2.complete(&jb, fulfilled(2.0));
  let waited = engine.wait_sync(main.id, &[a, b], true, after(Duration::from_millis(30)));
  assert_eq!(waited, SyncWait::TimedOut);
  t1.complete(&ja, fulfilled(1.0));
  assert_eq!(
    engine.wait_sync(main.id, &[a, b], true, soon()),
    SyncWait::Settled
  );
}

#[test]
fn a_pool_thread_waiting_on_its_own_calls_leaves_max_threads() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let outer = main.submit(spec(ex, main.id, 0, &[]));
  let t1 = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(t1.job().call, outer);
  let nested = engine.submit(spec(ex, t1.isolate, 0, &[5.0])).unwrap();
  assert!(
    common::spawns(&main.drain().duties).is_empty(),
    "t1 still holds the only place"
  );

  let (id, isolate) = (t1.id, t1.isolate);
  let seen = main.bell.count();
  let waiter = std::thread::spawn(move || {
    let waited = engine.wait_sync(isolate, &[nested], false, soon());
    (waited, engine.drain(isolate).completions)
  });
  // Once t1 blocks, a thread comes for the nested call.
  assert!(main.bell.wait_past(seen, LONG) > seen);
  let t2 = Manual::attach(engine, main.expect_one_spawn());
  let job = t2.job();
  assert_eq!((job.call, job.caller), (nested, isolate));
  t2.complete(&job, fulfilled(5.0));
  let (waited, done) = waiter.join().unwrap();
  assert_eq!(waited, SyncWait::Settled);
  assert_eq!(done, vec![(nested, fulfilled(5.0))]);
  engine.complete(id, outer, fulfilled(6.0), true);
  assert_eq!(main.drain().completions, vec![(outer, fulfilled(6.0))]);
}

#[test]
fn a_pool_threads_wait_ends_when_its_thread_is_terminated() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let outer = main.submit(spec(ex, main.id, 0, &[]));
  let t1 = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(t1.job().call, outer);
  let nested = engine.submit(spec(ex, t1.isolate, 0, &[])).unwrap();
  let isolate = t1.isolate;
  let waiter = std::thread::spawn(move || engine.wait_sync(isolate, &[nested], false, soon()));
  std::thread::sleep(Duration::from_millis(30));
  let start = Instant::now();
  assert!(engine.cancel(outer, Payload::empty()));
  assert_eq!(waiter.join().unwrap(), SyncWait::Exit);
  assert!(start.elapsed() < Duration::from_secs(2));
  assert!(terminations(&main.drain().duties).contains(&t1.id));
}

/// Calls of function 1 build a tree: `[depth, fanout]` → the number of leaves,
/// each inner call waiting synchronously (in the core) for its children.
fn tree_work() -> Work {
  Arc::new(|ctx, job| {
    let (depth, fanout) = (arg(&job.args, 0), arg(&job.args, 1));
    if depth == 0.0 {
      return fulfilled(1.0);
    }
    let calls: Vec<_> = (0..fanout as usize)
      .map(|_| {
        ctx
          .engine
          .submit(spec(ctx.executor, ctx.isolate, 1, &[depth - 1.0, fanout]))
          .unwrap()
      })
      .collect();
    let waited = ctx.engine.wait_sync(ctx.isolate, &calls, false, soon());
    if waited != SyncWait::Settled {
      return rejected(&format!("nested wait ended with {waited:?}"));
    }
    let done = ctx.engine.drain(ctx.isolate).completions;
    let mut leaves = 0.0;
    for (call, outcome) in &done {
      if !calls.contains(call) || outcome.status != Status::Fulfilled {
        return rejected(&format!("unexpected outcome {call}: {outcome:?}"));
      }
      leaves += arg(&outcome.payload, 0);
    }
    if done.len() != calls.len() {
      return rejected("missing outcomes");
    }
    fulfilled(leaves)
  })
}

#[test]
fn a_nested_fan_out_deeper_than_max_threads_finishes() {
  let engine = new_engine();
  let pool = Pool::start(engine, tree_work(), None);
  let ex = executor(engine, 2);
  let root = pool.submit(spec(ex, pool.spawner, 1, &[3.0, 2.0]));
  assert_eq!(pool.outcome(root), fulfilled(8.0));
  pool.with_state(|s| {
    assert!(
      s.spawned.len() > 2,
      "waiting threads left maxThreads: {:?}",
      s.spawned
    );
    assert!(s.duplicates.is_empty());
  });
  pool.stop();
}

#[test]
fn a_nested_chain_deeper_than_max_threads_finishes() {
  let engine = new_engine();
  let pool = Pool::start(engine, tree_work(), None);
  let ex = executor(engine, 1);
  let root = pool.submit(spec(ex, pool.spawner, 1, &[6.0, 1.0]));
  assert_eq!(pool.outcome(root), fulfilled(1.0));
  pool.with_state(|s| assert_eq!(s.spawned.len(), 7));
  pool.stop();
}

#[test]
fn shutdown_ends_every_wait_at_once() {
  let engine = new_engine();
  let main = User::register(engine);
  let user = User::register(engine);
  let ex = executor(engine, 1);
  let held = user.submit(spec(ex, user.id, 0, &[])); // its thread never comes
  let idle_ex = executor(engine, 1);
  main.submit(spec(idle_ex, main.id, 0, &[]));
  let arrivals = main.drain();
  let pool = Manual::attach(engine, *spawns(&arrivals.duties).last().unwrap());
  pool.complete(&pool.job(), fulfilled(0.0));

  let id = pool.id;
  let parked = std::thread::spawn(move || engine.next_job(id, None));
  let waiting = std::thread::spawn(move || engine.wait_sync(user.id, &[held], false, None));
  std::thread::sleep(Duration::from_millis(50));
  let start = Instant::now();
  engine.shutdown();
  assert_eq!(parked.join().unwrap(), Next::Exit);
  assert_eq!(waiting.join().unwrap(), SyncWait::Exit);
  assert!(start.elapsed() < Duration::from_secs(1));

  assert_eq!(engine.next_job(id, None), Next::Exit);
  assert_eq!(
    engine.wait_sync(main.id, &[held], false, None),
    SyncWait::Exit
  );
  let err = engine.submit(spec(ex, main.id, 0, &[])).unwrap_err();
  assert_eq!(err, CoreError::ShuttingDown);
  assert_eq!(err.code(), "ERR_PARALLEL_SHUTTING_DOWN");
}
