//! Placing calls: spawning, warm reuse, one call per thread (awaiting calls
//! included), maxThreads and FIFO queueing, threads draining leftovers,
//! nested calls, the function registry.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use parallel_threads_core::{
  CoreError, Duty, ExecutorStats, Job, Next, Payload, SyncWait, DEFAULT_EXECUTOR,
};

#[test]
fn a_call_spawns_a_thread_that_runs_it_and_the_caller_drains_the_outcome() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 4);
  let function = engine.register_function("(a, b) => a + b");
  let call = main.submit(spec(ex, main.id, function, &[2.0, 3.0]));

  assert_eq!(main.bell.count(), 1, "the spawner is woken for its duty");
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.threads, stats.starting, stats.queued), (1, 1, 1));
  let arrivals = main.drain();
  assert!(arrivals.completions.is_empty());
  let [Duty::Spawn { thread, executor }] = arrivals.duties[..] else {
    panic!("expected one Spawn duty: {arrivals:?}");
  };
  assert_eq!(executor, ex);

  let pool = Manual::attach(engine, thread);
  let job = pool.job();
  assert_eq!(job.call, call);
  assert_eq!(job.function, function);
  assert_eq!(job.caller, main.id);
  assert_eq!(job.args, nums(&[2.0, 3.0]));
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.threads, stats.busy, stats.queued), (1, 1, 0));

  let sum = arg(&job.args, 0) + arg(&job.args, 1);
  pool.complete(&job, fulfilled(sum));
  assert_eq!(main.bell.count(), 2, "the caller is woken for the outcome");
  let arrivals = main.drain();
  assert_eq!(arrivals.completions, vec![(call, fulfilled(5.0))]);
  assert!(arrivals.duties.is_empty());
  assert!(main.drain().completions.is_empty(), "delivered once");

  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.threads, stats.idle, stats.busy), (1, 1, 0));
  assert_eq!(stats.counters.started, 1);
  assert_eq!(stats.counters.fulfilled, 1);
  assert_eq!(stats.counters.failed, 0);
}

#[test]
fn a_call_runs_on_a_real_worker_thread() {
  let engine = new_engine();
  let work: Work = Arc::new(|_, job| fulfilled(arg(&job.args, 0) * 2.0));
  let pool = Pool::start(engine, work, None);
  let ex = executor(engine, 2);
  let call = pool.submit(spec(ex, pool.spawner, 0, &[21.0]));
  assert_eq!(pool.outcome(call), fulfilled(42.0));
  pool.with_state(|s| {
    assert_eq!(s.spawned.len(), 1);
    assert!(s.duplicates.is_empty());
  });
  pool.stop();
}

#[test]
fn a_second_call_reuses_the_idle_thread_without_a_spawn() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 4);
  let first = main.submit(spec(ex, main.id, 0, &[1.0]));
  let thread = main.expect_one_spawn();
  let pool = Manual::attach(engine, thread);
  let job = pool.job();
  assert_eq!(job.call, first);
  pool.complete(&job, fulfilled(1.0));
  assert_eq!(main.drain().completions, vec![(first, fulfilled(1.0))]);

  let second = main.submit(spec(ex, main.id, 0, &[2.0]));
  let arrivals = main.drain();
  assert!(arrivals.duties.is_empty(), "no new thread: {arrivals:?}");
  let job = pool.job();
  assert_eq!(job.call, second);
  pool.complete(&job, fulfilled(2.0));
  assert_eq!(main.drain().completions, vec![(second, fulfilled(2.0))]);
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.threads, stats.idle), (1, 1));
}

#[test]
fn the_most_recently_idle_thread_is_reused_first() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 4);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let b = main.submit(spec(ex, main.id, 0, &[]));
  let spawned = spawns(&main.drain().duties);
  assert_eq!(spawned.len(), 2);
  let t1 = Manual::attach(engine, spawned[0]);
  let t2 = Manual::attach(engine, spawned[1]);
  let (ja, jb) = (t1.job(), t2.job());
  assert_eq!((ja.call, jb.call), (a, b));
  t2.complete(&jb, fulfilled(0.0));
  t1.complete(&ja, fulfilled(0.0));
  // t1 became idle last: it is warmest.
  let c = main.submit(spec(ex, main.id, 0, &[]));
  assert_eq!(t1.job().call, c);
  assert_eq!(engine.take_job(t2.id), None);
}

#[test]
fn wakes_of_an_isolate_are_coalesced_until_it_drains() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 4);
  main.submit(spec(ex, main.id, 0, &[]));
  main.submit(spec(ex, main.id, 0, &[]));
  assert_eq!(main.bell.count(), 1, "one wake until drained");
  assert_eq!(spawns(&main.drain().duties).len(), 2);
  main.submit(spec(ex, main.id, 0, &[]));
  assert_eq!(main.bell.count(), 2, "draining re-arms the wake");
}

#[test]
fn an_idle_thread_in_its_event_loop_is_woken_through_its_notifier() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, a);
  engine.complete(pool.id, a, fulfilled(0.0), true);
  // Its event loop ran the wake it got when the first call came (the wake
  // handler drains, which re-arms the notifier).
  assert_eq!(pool.bell.count(), 1);
  engine.drain(pool.isolate);
  // The thread is not waiting in the core: it must be woken in its event loop.
  let rung = pool.bell.count();
  let b = main.submit(spec(ex, main.id, 0, &[]));
  assert_eq!(pool.bell.count(), rung + 1);
  assert_eq!(engine.take_job(pool.id).map(|j| j.call), Some(b));
  assert_eq!(engine.take_job(pool.id), None);
}

#[test]
fn calls_beyond_max_threads_queue_and_each_completes_exactly_once() {
  const MAX: u32 = 3;
  const CALLS: usize = 20;
  let engine = new_engine();
  let gate = Gate::default();
  let running = Arc::new(AtomicU32::new(0));
  let peak = Arc::new(AtomicU32::new(0));
  let work: Work = {
    let (gate, running, peak) = (gate.clone(), Arc::clone(&running), Arc::clone(&peak));
    Arc::new(move |_, job| {
      let now = running.fetch_add(1, Ordering::SeqCst) + 1;
      peak.fetch_max(now, Ordering::SeqCst);
      assert!(gate.pass());
      std::thread::sleep(Duration::from_millis(1));
      running.fetch_sub(1, Ordering::SeqCst);
      fulfilled(arg(&job.args, 0) * 10.0)
    })
  };
  let pool = Pool::start(engine, work, None);
  let ex = executor(engine, MAX);
  let calls: Vec<_> = (0..CALLS)
    .map(|i| pool.submit(spec(ex, pool.spawner, 0, &[i as f64])))
    .collect();
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!(stats.threads, MAX);
  assert!(stats.queued as usize >= CALLS - MAX as usize);
  gate.open();

  let outcomes = pool.outcomes(&calls);
  for (i, outcome) in outcomes.iter().enumerate() {
    assert_eq!(*outcome, fulfilled(i as f64 * 10.0));
  }
  pool.with_state(|s| {
    assert_eq!(s.spawned.len(), MAX as usize, "exactly maxThreads spawns");
    assert!(s.terminated.is_empty());
    assert!(s.duplicates.is_empty(), "duplicates: {:?}", s.duplicates);
    assert_eq!(s.outcomes.len(), CALLS);
  });
  assert!(peak.load(Ordering::SeqCst) <= MAX);
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!(
    stats,
    ExecutorStats {
      threads: MAX,
      idle: MAX,
      counters: parallel_threads_core::ExecutorCounters {
        started: CALLS as u64,
        fulfilled: CALLS as u64,
        failed: 0
      },
      queue_wait: stats.queue_wait,
      run_time: stats.run_time,
      ..Default::default()
    }
  );
  assert_eq!(
    stats.queue_wait.count, CALLS as u32,
    "every call's queue wait was sampled"
  );
  assert_eq!(
    stats.run_time.count, CALLS as u32,
    "every call's run time was sampled"
  );
  assert!(stats.queue_wait.p50 <= stats.queue_wait.p99 && stats.run_time.p50 <= stats.run_time.p99);
  pool.stop();
}

#[test]
fn an_awaiting_call_keeps_its_thread_and_the_next_call_gets_another() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 4);
  let a = main.submit(spec(ex, main.id, 0, &[1.0]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let ja = pool.job();
  assert_eq!(ja.call, a);
  engine.call_yielded(pool.id, a);

  // Below maxThreads, a call that finds no idle thread gets a new one: never
  // the thread whose call awaits (its code after an `await` must not wait
  // behind another call's).
  let b = main.submit(spec(ex, main.id, 0, &[2.0]));
  let other = Manual::attach(engine, main.expect_one_spawn());
  assert_ne!(other.id, pool.id);
  assert_eq!(engine.take_job(pool.id), None, "one call per thread");
  let jb = other.job();
  assert_eq!(jb.call, b);
  engine.call_yielded(other.id, b);
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.threads, stats.busy, stats.queued), (2, 2, 0));

  other.complete(&jb, fulfilled(2.0));
  pool.complete(&ja, fulfilled(1.0));
  assert_eq!(
    main.drain().completions,
    vec![(b, fulfilled(2.0)), (a, fulfilled(1.0))]
  );
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.idle, stats.busy), (2, 0));
}

#[test]
fn past_max_threads_a_call_waits_for_the_awaiting_call_to_settle() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let ja = pool.job();
  engine.call_yielded(pool.id, a);
  let b = main.submit(spec(ex, main.id, 0, &[]));
  assert!(main.drain().duties.is_empty(), "maxThreads reached");
  assert_eq!(engine.take_job(pool.id), None);
  assert_eq!(engine.call_thread(b), None, "b waits for a thread");
  assert_eq!(engine.executor_stats(ex).unwrap().queued, 1);
  pool.complete(&ja, fulfilled(0.0));
  assert_eq!(pool.job().call, b);
}

#[test]
fn past_max_threads_calls_start_in_the_order_they_were_made() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 2);
  let calls: Vec<_> = (0..8)
    .map(|i| main.submit(spec(ex, main.id, 0, &[i as f64])))
    .collect();
  let spawned = spawns(&main.drain().duties);
  assert_eq!(spawned.len(), 2);
  let mut running: std::collections::VecDeque<(Manual, Job)> = spawned
    .iter()
    .map(|id| {
      let thread = Manual::attach(engine, *id);
      let job = thread.job();
      (thread, job)
    })
    .collect();
  let mut started: Vec<Job> = running.iter().map(|(_, job)| job.clone()).collect();
  // Whichever thread frees up takes the oldest waiting call; the calls await
  // first (an awaiting call holds its thread all the same).
  while started.len() < calls.len() {
    let (thread, job) = running.pop_front().unwrap();
    engine.call_yielded(thread.id, job.call);
    thread.complete(&job, fulfilled(0.0));
    let next = thread.job();
    started.push(next.clone());
    running.push_back((thread, next));
  }
  let order: Vec<_> = started.iter().map(|j| j.call).collect();
  assert_eq!(order, calls);
}

#[test]
fn a_thread_draining_a_settled_calls_leftovers_is_not_idle() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 2);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let ja = pool.job();
  // `a` settles but leaves a timer behind: the thread is not idle yet.
  pool.complete_leaving_work(&ja, fulfilled(1.0));
  assert_eq!(main.drain().completions, vec![(a, fulfilled(1.0))]);
  let stats = engine.executor_stats(ex).unwrap();
  assert_eq!((stats.idle, stats.busy), (0, 1));

  // A new call gets a new thread rather than wait behind the leftovers.
  let b = main.submit(spec(ex, main.id, 0, &[]));
  let other = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(engine.take_job(pool.id), None);
  assert_eq!(other.job().call, b);

  // Its loop quiet again, the thread waits for work: it is idle.
  assert_eq!(pool.next(Duration::from_millis(5)), Next::Retire);
}

#[test]
fn at_max_threads_a_thread_draining_leftovers_takes_the_waiting_call() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let ja = pool.job();
  let b = main.submit(spec(ex, main.id, 0, &[]));
  assert!(main.drain().duties.is_empty(), "maxThreads reached");
  // No other thread can be had: rather than wait for the leftovers to end,
  // `b` runs there (woken in its event loop, alongside the leftovers).
  engine.drain(pool.isolate); // its event loop ran the wake of the first call
  let rung = pool.bell.count();
  pool.complete_leaving_work(&ja, fulfilled(1.0));
  assert_eq!(pool.bell.count(), rung + 1);
  assert_eq!(engine.take_job(pool.id).map(|j| j.call), Some(b));
  assert_eq!(main.drain().completions, vec![(a, fulfilled(1.0))]);
}

#[test]
fn a_nested_call_never_lands_on_the_thread_that_waits_for_it() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, a);
  // `a` (synchronous, not yet waiting) starts a nested call: maxThreads is
  // reached, so it waits; the thread running `a` never takes it.
  let nested = engine.submit(spec(ex, pool.isolate, 0, &[])).unwrap();
  assert!(spawns(&main.drain().duties).is_empty());
  assert_eq!(engine.take_job(pool.id), None);
  // Once `a` blocks waiting for it, its thread leaves maxThreads and the
  // nested call gets a thread of its own.
  let waiter = std::thread::spawn(move || {
    engine.wait_sync(
      pool.isolate,
      &[nested],
      false,
      after(Duration::from_secs(5)),
    )
  });
  let helper = Manual::attach(engine, main.wait_for_spawn());
  let job = helper.job();
  assert_eq!(job.call, nested);
  helper.complete(&job, fulfilled(3.0));
  assert_eq!(waiter.join().unwrap(), SyncWait::Settled);
}

#[test]
fn an_awaiting_thread_waiting_on_its_own_calls_leaves_max_threads() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, a);
  engine.call_yielded(pool.id, a);
  // `a` awaits a call of its own: its thread must not hold the only place.
  let nested = engine.submit(spec(ex, pool.isolate, 0, &[7.0])).unwrap();
  let helper = Manual::attach(engine, main.expect_one_spawn());
  let job = helper.job();
  assert_eq!((job.call, job.caller), (nested, pool.isolate));
  helper.complete(&job, fulfilled(7.0));
  assert_eq!(
    engine.drain(pool.isolate).completions,
    vec![(nested, fulfilled(7.0))]
  );
}

#[test]
fn the_function_registry_interns_sources() {
  let engine = new_engine();
  let f = engine.register_function("x => x + 1");
  let g = engine.register_function("x => x * 2");
  assert_ne!(f, g);
  assert_eq!(engine.register_function("x => x + 1"), f);
  assert_eq!(engine.register_function(&String::from("x => x * 2")), g);
  assert_eq!(engine.function_source(f).as_deref(), Some("x => x + 1"));
  assert_eq!(engine.function_source(g).as_deref(), Some("x => x * 2"));
  assert_eq!(engine.function_source(g + 1), None);
}

#[test]
fn misuse_is_reported_with_stable_codes() {
  let engine = new_engine();
  let main = User::register(engine);
  let err = engine.create_executor(config(0)).unwrap_err();
  assert_eq!(err.code(), "ERR_OUT_OF_RANGE");
  assert_eq!(
    engine.configure_executor(DEFAULT_EXECUTOR, config(0)),
    Err(CoreError::InvalidOption("maxThreads must be at least 1"))
  );
  assert_eq!(
    engine.submit(spec(99, main.id, 0, &[])),
    Err(CoreError::UnknownExecutor(99))
  );
  assert_eq!(
    engine.submit(spec(DEFAULT_EXECUTOR, 999, 0, &[])),
    Err(CoreError::UnknownIsolate(999))
  );
  assert_eq!(
    engine.attach_thread(42, Arc::new(|| {})),
    Err(CoreError::UnknownThread(42))
  );
  // A thread attaches once.
  let ex = executor(engine, 1);
  main.submit(spec(ex, main.id, 0, &[]));
  let thread = main.expect_one_spawn();
  let _pool = Manual::attach(engine, thread);
  assert_eq!(
    engine.attach_thread(thread, Arc::new(|| {})),
    Err(CoreError::UnknownThread(thread))
  );
}

#[test]
fn raising_max_threads_spawns_for_queued_calls() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  for _ in 0..3 {
    main.submit(spec(ex, main.id, 0, &[]));
  }
  assert_eq!(spawns(&main.drain().duties).len(), 1);
  engine.configure_executor(ex, config(3)).unwrap();
  assert_eq!(spawns(&main.drain().duties).len(), 2);
  assert_eq!(engine.spawn_options(ex), Some(Vec::new()));
  assert_eq!(engine.idle_timeout_ms(ex), Some(10_000));
}

#[test]
fn the_spawner_is_asked_to_hold_its_event_loop_while_other_isolates_calls_run() {
  let engine = new_engine();
  let main = User::register(engine);
  let other = User::register(engine);
  let ex = executor(engine, 2);
  let call = other.submit(spec(ex, other.id, 0, &[1.0]));
  let arrivals = main.drain();
  assert!(arrivals.duties.contains(&Duty::Hold(true)), "{arrivals:?}");
  let pool = Manual::attach(engine, spawns(&arrivals.duties)[0]);
  let job = pool.job();
  assert_eq!(job.call, call);
  pool.complete(&job, fulfilled(1.0));
  assert!(main.drain().duties.contains(&Duty::Hold(false)));
  // The spawner's own calls never ask it to hold.
  main.submit(spec(ex, main.id, 0, &[2.0]));
  assert!(!main
    .drain()
    .duties
    .iter()
    .any(|d| matches!(d, Duty::Hold(_))));
}

#[test]
fn submit_placed_tells_whether_the_call_got_a_thread_at_once() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let (first, placed) = engine.submit_placed(spec(ex, main.id, 0, &[1.0])).unwrap();
  assert!(!placed, "no thread yet: the call waits for one");
  assert_eq!(engine.call_thread(first), None);
  let thread = main.expect_one_spawn();
  let pool = Manual::attach(engine, thread);
  let job = pool.job();
  assert_eq!(job.call, first);

  let (second, placed) = engine.submit_placed(spec(ex, main.id, 0, &[2.0])).unwrap();
  assert!(!placed, "the only thread is busy (maxThreads 1)");
  pool.complete(&job, fulfilled(1.0));
  let job = pool.job();
  assert_eq!(job.call, second, "the queued call goes to the freed thread");
  assert_eq!(engine.call_thread(second), Some(thread));
  pool.complete(&job, fulfilled(2.0));

  let (third, placed) = engine.submit_placed(spec(ex, main.id, 0, &[3.0])).unwrap();
  assert!(placed, "an idle thread takes it at once");
  assert_eq!(engine.call_thread(third), Some(thread));
}

#[test]
fn a_thread_awaiting_calls_to_another_executor_still_holds_its_place() {
  let engine = new_engine();
  let main = User::register(engine);
  let (ex, other) = (executor(engine, 1), executor(engine, 1));
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, a);
  engine.call_yielded(pool.id, a);
  // `a` awaits a call to another executor: that one needs no place of `ex`.
  engine.submit(spec(other, pool.isolate, 0, &[])).unwrap();
  assert_eq!(
    spawns(&main.drain().duties).len(),
    1,
    "a thread for `other`"
  );
  let b = main.submit(spec(ex, main.id, 0, &[]));
  assert!(
    spawns(&main.drain().duties).is_empty(),
    "maxThreads of `ex` is reached: b waits"
  );
  assert_eq!(engine.call_thread(b), None);
}

#[test]
fn threads_past_max_threads_left_by_a_nested_wait_end_when_idle() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  let ja = pool.job();
  engine.call_yielded(pool.id, a);
  // `a` awaits a nested call to its own executor: it leaves maxThreads, and
  // the nested call gets a second thread.
  let nested = engine.submit(spec(ex, pool.isolate, 0, &[])).unwrap();
  let helper = Manual::attach(engine, main.expect_one_spawn());
  let jn = helper.job();
  assert_eq!(jn.call, nested);
  // The nested call settled: `a` holds its place again, so the helper, idle
  // now, is one thread too many for maxThreads 1 and ends.
  helper.complete(&jn, fulfilled(1.0));
  assert_eq!(terminations(&main.drain().duties), vec![helper.id]);
  pool.complete(&ja, fulfilled(2.0));
  let c = main.submit(spec(ex, main.id, 0, &[]));
  assert_eq!(pool.job().call, c);
}

#[test]
fn a_thread_that_completes_and_waits_in_one_step_takes_the_queued_call_without_a_wake_of_its_event_loop(
) {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let a = main.submit(spec(ex, main.id, 0, &[]));
  let b = main.submit(spec(ex, main.id, 1, &[]));
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, a);
  engine.drain(pool.isolate); // as its event loop would: the next wake rings again
  let rings = pool.bell.count();
  match engine.complete_and_next(pool.id, a, fulfilled(0.0), soon()) {
    Next::Job(job) => assert_eq!(job.call, b),
    other => panic!("expected call {b}, got {other:?}"),
  }
  assert_eq!(
    pool.bell.count(),
    rings,
    "the thread's event loop was woken for a call it took in the core"
  );
  assert_eq!(main.drain().completions, vec![(a, fulfilled(0.0))]);
}

#[test]
fn a_port_call_withdrawn_before_its_payload_came_frees_its_thread_for_the_next_call() {
  let engine = new_engine();
  let main = User::register(engine);
  let ex = executor(engine, 1);
  let mut by_port = spec(ex, main.id, 0, &[]);
  by_port.args = Payload::Port;
  let a = main.submit(by_port);
  let pool = Manual::attach(engine, main.expect_one_spawn());
  assert_eq!(pool.job().call, a);
  // The caller could not post the payload (a port already moved elsewhere)
  // and withdraws the call: no code of it ran, so its thread stays.
  assert!(engine.cancel(a, Payload::empty()));
  assert!(
    !engine.wait_payload(pool.id, a, soon()),
    "the thread learns that the payload will never come"
  );
  let b = main.submit(spec(ex, main.id, 1, &[]));
  assert_eq!(pool.job().call, b, "the same thread takes the next call");
  assert!(terminations(&main.drain().duties).is_empty());
}
