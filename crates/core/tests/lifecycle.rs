//! Threads coming and going: idle retirement, timeouts, cancellation, crashes,
//! workers that never start, isolates going away, closing executors.

mod common;

use std::time::{Duration, Instant};

use common::*;
use parallel_threads_core::{CallSpec, CoreError, Duty, Next, Outcome, Payload, Status, SyncWait};

fn cancelled(why: &str) -> Outcome {
  Outcome {
    status: Status::Cancelled,
    payload: reason(why),
  }
}

fn crashed(why: &str) -> Outcome {
  Outcome {
    status: Status::Crashed,
    payload: reason(why),
  }
}

#[test]
fn an_idle_thread_retires_after_its_idle_deadline() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 2);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let job = pool.job();
  let start = Instant::now();
  let next = engine.complete_and_next(pool.id, a, fulfilled(0.0), after(Duration::from_millis(40)));
  assert_eq!(next, Next::Retire);
  assert!(start.elapsed() >= Duration::from_millis(40));
  assert_eq!(main.drain().completions, vec![(job.call, fulfilled(0.0))]);
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.threads, stats.idle), (0, 0));
  // The next call needs a new thread; the retired one is gone for good.
  main.submit(spec(ex, main.id, 0, &[]));
  assert_ne!(main.expect_one_spawn(), pool.id);
  assert_eq!(engine.next_job(pool.id, None), Next::Exit);
}

#[test]
fn a_call_arriving_before_the_idle_deadline_prevents_retirement() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let job = pool.job();
  pool.complete(&job, fulfilled(0.0));
  let id = pool.id;
  let waiter = std::thread::spawn(move || engine.next_job(id, after(Duration::from_millis(500))));
  std::thread::sleep(Duration::from_millis(30));
  let b = main.submit(spec(ex, main.id, 0, &[]));
  match waiter.join().unwrap() {
    Next::Job(job) => assert_eq!(job.call, b),
    other => panic!("expected the call, got {other:?}"),
  }
}

#[test]
fn a_call_past_its_timeout_times_out_and_its_thread_is_terminated() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 2);
  let call = main.submit(CallSpec {
    timeout: Some(Duration::from_millis(50)),
    ..spec(ex, main.id, 0, &[])
  });
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, call);
  let start = Instant::now();
  assert_eq!(
    engine.wait_sync(main.id, &[call], false, soon()),
    SyncWait::Settled
  );
  assert!(start.elapsed() >= Duration::from_millis(30));
  let arrivals = main.drain();
  assert_eq!(
    arrivals.completions,
    vec![(call, Outcome::bare(Status::TimedOut))]
  );
  assert_eq!(arrivals.duties, vec![Duty::Terminate { thread: pool.id }]);
  // Its waits in the core end at once, and a late completion is ignored.
  assert_eq!(engine.next_job(pool.id, None), Next::Exit);
  pool.complete(&pool_job(call), fulfilled(1.0));
  assert!(main.drain().completions.is_empty());
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!(stats.counters.failed, 1);
  engine.thread_gone(pool.id, reason("terminated"));
  assert!(main.drain().completions.is_empty());
  assert_eq!(engine.executor_stats(ex).unwrap().threads, 0);
}

fn pool_job(call: u64) -> parallel_threads_core::Job {
  parallel_threads_core::Job {
    call,
    function: 0,
    args: Payload::empty(),
    caller: 0,
    flags: 0,
  }
}

#[test]
fn a_call_that_settles_before_its_timeout_is_not_timed_out() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let call = main.submit(CallSpec {
    timeout: Some(Duration::from_millis(30)),
    ..spec(ex, main.id, 0, &[])
  });
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let job = pool.job();
  pool.complete(&job, fulfilled(3.0));
  std::thread::sleep(Duration::from_millis(80));
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(call, fulfilled(3.0))]);
  assert!(arrivals.duties.is_empty());
  assert_eq!(engine.executor_stats(ex).unwrap().idle, 1);
}

#[test]
fn a_queued_call_can_time_out_without_touching_a_thread() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let b = main.submit(CallSpec {
    timeout: Some(Duration::from_millis(30)),
    ..spec(ex, main.id, 0, &[])
  });
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let ja = pool.job();
  assert_eq!(ja.call, a);
  assert_eq!(
    engine.wait_sync(main.id, &[b], false, soon()),
    SyncWait::Settled
  );
  let arrivals = main.drain();
  assert_eq!(
    arrivals.completions,
    vec![(b, Outcome::bare(Status::TimedOut))]
  );
  assert!(arrivals.duties.is_empty(), "{arrivals:?}");
  assert_eq!(engine.executor_stats(ex).unwrap().queued, 0);
  pool.complete(&ja, fulfilled(0.0));
  assert_eq!(main.drain().completions, vec![(a, fulfilled(0.0))]);
}

#[test]
fn cancelling_a_queued_call_touches_no_thread() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let b = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let ja = pool.job();
  assert_eq!(ja.call, a);

  assert!(engine.cancel(b, reason("not needed")));
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(b, cancelled("not needed"))]);
  assert!(arrivals.duties.is_empty(), "{arrivals:?}");
  assert_eq!(engine.executor_stats(ex).unwrap().queued, 0);
  assert!(!engine.cancel(b, reason("twice")), "already settled");

  pool.complete(&ja, fulfilled(1.0));
  assert_eq!(main.drain().completions, vec![(a, fulfilled(1.0))]);
  assert_eq!(engine.take_job(pool.id), None, "b never reaches the thread");
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.threads, stats.idle), (1, 1));
}

#[test]
fn cancelling_a_call_assigned_but_not_started_frees_its_thread() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  pool.complete(&pool.job(), fulfilled(0.0));
  main.drain();
  // Assigned to the idle thread, still in its inbox.
  let b = main.submit(spec(ex, main.id, 0, &[]));
  assert!(engine.cancel(b, reason("early")));
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(b, cancelled("early"))]);
  assert!(arrivals.duties.is_empty(), "the thread is not terminated");
  assert_eq!(engine.take_job(pool.id), None);
  assert_eq!(engine.executor_stats(ex).unwrap().idle, 1);
}

#[test]
fn cancelling_a_running_call_terminates_its_thread_and_replaces_it() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let b = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let ja = pool.job();
  assert_eq!(ja.call, a);

  assert!(engine.cancel(a, reason("stop")));
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(a, cancelled("stop"))]);
  let spawned = spawns(&arrivals.duties);
  assert_eq!(terminations(&arrivals.duties), vec![pool.id]);
  assert_eq!(
    spawned.len(),
    1,
    "the queued call gets a new thread: {arrivals:?}"
  );
  assert_eq!(engine.next_job(pool.id, None), Next::Exit);
  pool.complete(&ja, fulfilled(9.0));
  assert!(
    main.drain().completions.is_empty(),
    "a cancelled call settles once"
  );

  let fresh = Manual::attach(engine, spawned[0]);
  let jb = fresh.job();
  assert_eq!(jb.call, b);
  fresh.complete(&jb, fulfilled(2.0));
  assert_eq!(main.drain().completions, vec![(b, fulfilled(2.0))]);
  engine.thread_gone(pool.id, reason("terminated"));
  assert_eq!(engine.executor_stats(ex).unwrap().threads, 1);
}

/// `a` awaits on one thread, `b` runs on another: the two threads, with
/// their jobs.
fn two_awaiting_calls(
  engine: &'static parallel_threads_core::Engine,
  main: &User,
  ex: parallel_threads_core::ExecutorId,
) -> (
  (Manual, parallel_threads_core::Job),
  (Manual, parallel_threads_core::Job),
) {
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pa = Manual::attach(engine, main.expect_one_spawn());
  let ja = pa.job();
  assert_eq!(ja.call, a);
  engine.call_yielded(pa.id, a);
  let b = main.submit(spec(ex, main.id, 0, &[]));
  let pb = Manual::attach(engine, main.expect_one_spawn());
  let jb = pb.job();
  assert_eq!(jb.call, b);
  engine.call_yielded(pb.id, b);
  ((pa, ja), (pb, jb))
}

#[test]
fn cancelling_an_awaiting_call_terminates_only_its_own_thread() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 4);
  let ((pa, ja), (pb, jb)) = two_awaiting_calls(engine, &main, ex);

  assert!(engine.cancel(ja.call, reason("enough")));
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(ja.call, cancelled("enough"))]);
  assert_eq!(arrivals.duties, vec![Duty::Terminate { thread: pa.id }]);

  // The other call goes on, and its thread stays.
  pb.complete(&jb, fulfilled(2.0));
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(jb.call, fulfilled(2.0))]);
  assert!(arrivals.duties.is_empty(), "{arrivals:?}");
  assert_eq!(engine.executor_stats(ex).unwrap().idle, 1);
}

#[test]
fn timing_out_an_awaiting_call_terminates_only_its_own_thread() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 4);
  let ((pa, ja), (pb, jb)) = two_awaiting_calls(engine, &main, ex);

  engine.expire(jb.call);
  let arrivals = main.drain();
  assert_eq!(
    arrivals.completions,
    vec![(jb.call, Outcome::bare(Status::TimedOut))]
  );
  assert_eq!(arrivals.duties, vec![Duty::Terminate { thread: pb.id }]);
  pa.complete(&ja, fulfilled(1.0));
  assert_eq!(main.drain().completions, vec![(ja.call, fulfilled(1.0))]);
}

#[test]
fn a_gone_thread_fails_its_call_as_crashed_with_the_reason_given() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 2);
  let ((pa, ja), (pb, jb)) = two_awaiting_calls(engine, &main, ex);

  engine.thread_gone(pa.id, reason("exited with code 1"));
  assert_eq!(
    main.drain().completions,
    vec![(ja.call, crashed("exited with code 1"))]
  );
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.threads, stats.counters.failed), (1, 1));
  engine.thread_gone(pa.id, reason("again"));
  assert!(main.drain().completions.is_empty());
  pb.complete(&jb, fulfilled(2.0));
  assert_eq!(main.drain().completions, vec![(jb.call, fulfilled(2.0))]);
}

#[test]
fn the_reason_reported_before_exiting_wins_over_the_fallback() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 2);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, a);
  engine.report_exit(pool.id, reason("process.exit(3)"));
  engine.report_exit(pool.id, reason("later reason"));
  engine.thread_gone(pool.id, reason("exited with code 3"));
  assert_eq!(
    main.drain().completions,
    vec![(a, crashed("process.exit(3)"))]
  );
}

#[test]
fn a_crashed_thread_is_replaced_for_the_queued_calls() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let b = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, a);
  engine.thread_gone(pool.id, reason("oom"));
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(a, crashed("oom"))]);
  let fresh = Manual::attach(engine, spawns(&arrivals.duties)[0]);
  assert_eq!(fresh.job().call, b);
}

#[test]
fn a_worker_that_never_attaches_fails_the_queued_calls_instead_of_respawning() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 2);
  let calls: Vec<_> = (0..3)
    .map(|_| main.submit(spec(ex, main.id, 0, &[])))
    .collect();
  let spawned = spawns(&main.drain().duties);
  assert_eq!(spawned.len(), 2);

  engine.thread_gone(spawned[0], reason("could not start"));
  let arrivals = main.drain();
  assert!(arrivals.duties.is_empty(), "no respawn: {arrivals:?}");
  assert!(
    arrivals.completions.is_empty(),
    "another thread is still coming"
  );

  engine.thread_gone(spawned[1], reason("could not start"));
  let arrivals = main.drain();
  assert!(arrivals.duties.is_empty(), "no respawn: {arrivals:?}");
  let mut done = arrivals.completions;
  done.sort_by_key(|(c, _)| *c);
  let expected: Vec<_> = calls
    .iter()
    .map(|c| (*c, crashed("could not start")))
    .collect();
  assert_eq!(done, expected);
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.threads, stats.queued), (0, 0));
  assert_eq!(
    engine.attach_thread(spawned[0], std::sync::Arc::new(|| {})),
    Err(CoreError::UnknownThread(spawned[0]))
  );

  // The executor still works once threads can start again.
  let d = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, d);
}

#[test]
fn a_callers_isolate_going_away_abandons_its_calls() {
  let engine = new_engine();
  let main = User::register(engine);
  let user = User::register(engine);
  let ex = executor(engine, 2);
  let calls: Vec<_> = (0..5)
    .map(|_| user.submit(spec(ex, user.id, 0, &[])))
    .collect();
  let spawned = spawns(&main.drain().duties);
  assert_eq!(spawned.len(), 2);
  let t1 = Manual::attach(engine, spawned[0]);
  let t2 = Manual::attach(engine, spawned[1]);
  assert_eq!((t1.job().call, t2.job().call), (calls[0], calls[1]));
  // Another isolate's call waits behind them.
  let mine = main.submit(spec(ex, main.id, 0, &[]));

  engine.isolate_gone(user.id);
  let arrivals = main.drain();
  assert!(arrivals.completions.is_empty(), "{arrivals:?}");
  let mut ended = terminations(&arrivals.duties);
  ended.sort();
  assert_eq!(ended, vec![t1.id, t2.id]);
  // Only the call still wanted gets a thread: none for the abandoned queue.
  let fresh = spawns(&arrivals.duties);
  assert_eq!(fresh.len(), 1, "{arrivals:?}");
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.queued, stats.counters.failed), (1, 5));
  assert_eq!(
    engine.submit(spec(ex, user.id, 0, &[])),
    Err(CoreError::UnknownIsolate(user.id))
  );
  assert_eq!(engine.next_job(t1.id, None), Next::Exit);
  assert!(user.drain().completions.is_empty());
  let fresh = Manual::attach(engine, fresh[0]);
  assert_eq!(fresh.job().call, mine);
}

#[test]
fn the_spawner_going_away_hands_its_duties_to_another_user_isolate() {
  let engine = new_engine();
  let main = User::register(engine);
  let other = User::register(engine);
  let ex = executor(engine, 1);
  other.submit(spec(ex, other.id, 0, &[]));
  assert!(other.drain().duties.is_empty(), "not the spawner yet");
  let rung = other.bell.count();
  engine.isolate_gone(main.id);
  assert_eq!(other.bell.count(), rung + 1, "the new spawner is woken");
  assert_eq!(spawns(&other.drain().duties).len(), 1);
}

#[test]
fn a_pool_isolate_going_away_is_its_thread_going_away() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, a);
  engine.isolate_gone(pool.isolate);
  assert_eq!(
    main.drain().completions,
    vec![(a, Outcome::bare(Status::Crashed))]
  );
  assert_eq!(engine.executor_stats(ex).unwrap().threads, 0);
}

#[test]
fn a_closed_executor_refuses_calls_and_ends_its_threads() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 4);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let b = main.submit(spec(ex, main.id, 0, &[]));
  let spawned = spawns(&main.drain().duties);
  let t1 = Manual::attach(engine, spawned[0]);
  let t2 = Manual::attach(engine, spawned[1]);
  let (ja, jb) = (t1.job(), t2.job());
  assert_eq!((ja.call, jb.call), (a, b));
  t1.complete(&ja, fulfilled(1.0));
  main.drain();

  engine.close_executor(ex).unwrap();
  let err = engine.submit(spec(ex, main.id, 0, &[])).unwrap_err();
  assert_eq!(err, CoreError::ExecutorClosed(ex));
  assert_eq!(err.code(), "ERR_PARALLEL_EXECUTOR_CLOSED");
  assert_eq!(
    main.drain().duties,
    vec![Duty::Terminate { thread: t1.id }],
    "idle now"
  );
  assert_eq!(engine.next_job(t1.id, None), Next::Exit);

  t2.complete(&jb, fulfilled(2.0));
  let arrivals = main.drain();
  assert_eq!(
    arrivals.completions,
    vec![(b, fulfilled(2.0))],
    "running calls finish"
  );
  assert_eq!(
    arrivals.duties,
    vec![Duty::Terminate { thread: t2.id }],
    "busy: once done"
  );
  assert_eq!(
    engine.close_executor(99),
    Err(CoreError::UnknownExecutor(99))
  );
}

#[test]
fn calls_queued_before_an_executor_closes_still_run_then_its_threads_end() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let b = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let ja = pool.job();
  assert_eq!(ja.call, a);
  engine.close_executor(ex).unwrap();
  assert!(main.drain().duties.is_empty(), "the thread is busy");
  assert!(engine.submit(spec(ex, main.id, 0, &[])).is_err());

  // `b` was accepted before the executor closed: it runs, it doesn't hang.
  pool.complete(&ja, fulfilled(1.0));
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(a, fulfilled(1.0))]);
  assert!(arrivals.duties.is_empty(), "{arrivals:?}");
  let jb = pool.job();
  assert_eq!(jb.call, b);
  pool.complete(&jb, fulfilled(2.0));
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(b, fulfilled(2.0))]);
  assert_eq!(
    arrivals.duties,
    vec![Duty::Terminate { thread: pool.id }],
    "then it ends"
  );
  assert_eq!(engine.next_job(pool.id, None), Next::Exit);
}

#[test]
fn calls_queued_before_an_executor_closes_get_a_new_thread_if_theirs_died() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let b = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, a);
  engine.close_executor(ex).unwrap();
  engine.thread_gone(pool.id, reason("crashed"));
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(a, crashed("crashed"))]);
  let fresh = Manual::attach(engine, spawns(&arrivals.duties)[0]);
  let jb = fresh.job();
  assert_eq!(jb.call, b);
  fresh.complete(&jb, fulfilled(2.0));
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(b, fulfilled(2.0))]);
  assert_eq!(arrivals.duties, vec![Duty::Terminate { thread: fresh.id }]);
}
