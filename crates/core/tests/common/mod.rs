//! A small simulation of the JavaScript side, shared by the integration tests:
//! a spawner isolate whose notifier counts wakes, pool threads driven step by
//! step by the test ([`Manual`]) or running on their own OS threads
//! ([`spawn_worker`]), and a background "event loop" of the spawner that does
//! its duties and collects its outcomes ([`Pool`]).

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parallel_threads_core::{
  Arrivals, CallId, CallSpec, Duty, Engine, ExecutorConfig, ExecutorId, FunctionId, IsolateId, Job,
  Next, Notifier, Outcome, Payload, Status, ThreadId, Value,
};

/// A bound for waits that should end much sooner: a test that reaches it fails.
pub const LONG: Duration = Duration::from_secs(10);

/// A fresh engine of its own for one test (`submit` wants `&'static`).
pub fn new_engine() -> &'static Engine {
  Box::leak(Box::new(Engine::new()))
}

pub fn soon() -> Option<Instant> {
  Some(Instant::now() + LONG)
}

pub fn after(d: Duration) -> Option<Instant> {
  Some(Instant::now() + d)
}

/// A notifier that counts the wakes it got and lets a thread wait for one.
#[derive(Clone, Default)]
pub struct Bell {
  inner: Arc<(Mutex<u64>, Condvar)>,
}

impl Bell {
  pub fn notifier(&self) -> Notifier {
    let bell = self.clone();
    Arc::new(move || bell.ring())
  }

  pub fn ring(&self) {
    let (count, cv) = &*self.inner;
    *count.lock().unwrap() += 1;
    cv.notify_all();
  }

  pub fn count(&self) -> u64 {
    *self.inner.0.lock().unwrap()
  }

  /// Waits until the count passes `seen` (or `timeout`); returns the count.
  pub fn wait_past(&self, seen: u64, timeout: Duration) -> u64 {
    let (count, cv) = &*self.inner;
    let guard = count.lock().unwrap();
    let (guard, _) = cv
      .wait_timeout_while(guard, timeout, |c| *c <= seen)
      .unwrap();
    *guard
  }
}

pub fn config(max_threads: u32) -> ExecutorConfig {
  ExecutorConfig {
    max_threads,
    idle_timeout: Duration::from_secs(10),
    spawn_options: Vec::new(),
  }
}

pub fn executor(engine: &Engine, max_threads: u32) -> ExecutorId {
  engine.create_executor(config(max_threads)).unwrap()
}

pub fn num(x: f64) -> Payload {
  Payload::Values(vec![Value::Number(x)])
}

pub fn nums(xs: &[f64]) -> Payload {
  Payload::Values(xs.iter().map(|x| Value::Number(*x)).collect())
}

/// The `i`th number of a payload of numbers.
pub fn arg(payload: &Payload, i: usize) -> f64 {
  match payload {
    Payload::Values(values) => match values.get(i) {
      Some(Value::Number(x)) => *x,
      other => panic!("argument {i} is not a number: {other:?}"),
    },
    other => panic!("not a payload of values: {other:?}"),
  }
}

pub fn fulfilled(x: f64) -> Outcome {
  Outcome {
    status: Status::Fulfilled,
    payload: num(x),
  }
}

pub fn reason(text: &str) -> Payload {
  Payload::Serialized(text.as_bytes().to_vec())
}

/// A call of `function` with numbers as arguments, synchronous, no timeout.
pub fn spec(
  executor: ExecutorId,
  caller: IsolateId,
  function: FunctionId,
  args: &[f64],
) -> CallSpec {
  CallSpec {
    executor,
    caller,
    function,
    args: nums(args),
    flags: 0,
    timeout: None,
  }
}

pub fn spawns(duties: &[Duty]) -> Vec<ThreadId> {
  duties
    .iter()
    .filter_map(|d| match d {
      Duty::Spawn { thread, .. } => Some(*thread),
      Duty::Terminate { .. } | Duty::Hold(_) => None,
    })
    .collect()
}

pub fn terminations(duties: &[Duty]) -> Vec<ThreadId> {
  duties
    .iter()
    .filter_map(|d| match d {
      Duty::Terminate { thread } => Some(*thread),
      Duty::Spawn { .. } | Duty::Hold(_) => None,
    })
    .collect()
}

/// A user isolate (the spawner, when it registers first) driven by the test.
pub struct User {
  pub engine: &'static Engine,
  pub id: IsolateId,
  pub bell: Bell,
}

impl User {
  pub fn register(engine: &'static Engine) -> Self {
    let bell = Bell::default();
    let id = engine.register_user_isolate(bell.notifier());
    User { engine, id, bell }
  }

  pub fn drain(&self) -> Arrivals {
    self.engine.drain(self.id)
  }

  pub fn submit(&self, spec: CallSpec) -> CallId {
    self.engine.submit(spec).unwrap()
  }

  /// Drains and expects exactly one `Spawn` duty (and no completions;
  /// `Hold` duties, for other isolates' calls, are allowed).
  pub fn expect_one_spawn(&self) -> ThreadId {
    let arrivals = self.drain();
    assert!(arrivals.completions.is_empty(), "{arrivals:?}");
    let spawned = spawns(&arrivals.duties);
    assert_eq!(spawned.len(), 1, "{arrivals:?}");
    let others = arrivals
      .duties
      .iter()
      .filter(|d| !matches!(d, Duty::Hold(_)))
      .count();
    assert_eq!(others, 1, "{arrivals:?}");
    spawned[0]
  }

  /// The next thread this isolate is asked to spawn, waiting up to 5 s for
  /// the request (made on another OS thread).
  pub fn wait_for_spawn(&self) -> ThreadId {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
      if let Some(thread) = spawns(&self.drain().duties).first() {
        return *thread;
      }
      assert!(Instant::now() < deadline, "no spawn was asked for");
      std::thread::sleep(Duration::from_millis(1));
    }
  }
}

/// A pool thread driven by the test itself, one step at a time.
pub struct Manual {
  pub engine: &'static Engine,
  pub id: ThreadId,
  pub isolate: IsolateId,
  pub bell: Bell,
}

impl Manual {
  pub fn attach(engine: &'static Engine, id: ThreadId) -> Self {
    let bell = Bell::default();
    let isolate = engine.attach_thread(id, bell.notifier()).unwrap();
    Manual {
      engine,
      id,
      isolate,
      bell,
    }
  }

  /// The next call, which must come (at once, in practice).
  pub fn job(&self) -> Job {
    match self.engine.next_job(self.id, soon()) {
      Next::Job(job) => job,
      other => panic!("thread {} expected a job, got {other:?}", self.id),
    }
  }

  pub fn next(&self, within: Duration) -> Next {
    self.engine.next_job(self.id, after(within))
  }

  /// Completes a call with the thread's event loop quiet: it is idle at once.
  pub fn complete(&self, job: &Job, outcome: Outcome) {
    self.engine.complete(self.id, job.call, outcome, true);
  }

  /// Completes a call that left work behind in the thread's event loop.
  pub fn complete_leaving_work(&self, job: &Job, outcome: Outcome) {
    self.engine.complete(self.id, job.call, outcome, false);
  }
}

/// What a worker sees of itself while it runs a call.
pub struct WorkerCtx {
  pub engine: &'static Engine,
  pub thread: ThreadId,
  pub isolate: IsolateId,
  pub executor: ExecutorId,
}

/// The body of every call a worker runs.
pub type Work = Arc<dyn Fn(&WorkerCtx, &Job) -> Outcome + Send + Sync>;

/// A pool thread on an OS thread of its own: attaches, then loops
/// `next_job` → `work` → `complete_and_next` until retired or told to exit,
/// and reports itself gone like a worker's `exit` event would.
pub fn spawn_worker(
  engine: &'static Engine,
  thread: ThreadId,
  executor: ExecutorId,
  work: Work,
  idle: Option<Duration>,
) -> JoinHandle<()> {
  std::thread::spawn(move || {
    let idle_until = || idle.map(|d| Instant::now() + d);
    let Ok(isolate) = engine.attach_thread(thread, Arc::new(|| {})) else {
      return;
    };
    let ctx = WorkerCtx {
      engine,
      thread,
      isolate,
      executor,
    };
    let mut next = engine.next_job(thread, idle_until());
    while let Next::Job(job) = next {
      let outcome = work(&ctx, &job);
      next = engine.complete_and_next(thread, job.call, outcome, idle_until());
    }
    engine.thread_gone(thread, reason("exited"));
  })
}

#[derive(Default)]
pub struct PoolState {
  pub outcomes: HashMap<CallId, Outcome>,
  /// Calls whose outcome arrived more than once (must stay empty).
  pub duplicates: Vec<CallId>,
  pub spawned: Vec<ThreadId>,
  pub terminated: Vec<ThreadId>,
}

struct PoolShared {
  state: Mutex<PoolState>,
  cv: Condvar,
  bell: Bell,
  stop: AtomicBool,
  workers: Mutex<Vec<JoinHandle<()>>>,
}

/// The spawner isolate with its "event loop" on a background thread: it
/// spawns a worker for each `Spawn` duty, reports a terminated thread gone
/// (as the worker's `exit` event does), and keeps the outcomes of its calls.
pub struct Pool {
  pub engine: &'static Engine,
  pub spawner: IsolateId,
  shared: Arc<PoolShared>,
  driver: Option<JoinHandle<()>>,
}

impl Pool {
  pub fn start(engine: &'static Engine, work: Work, idle: Option<Duration>) -> Pool {
    let shared = Arc::new(PoolShared {
      state: Mutex::new(PoolState::default()),
      cv: Condvar::new(),
      bell: Bell::default(),
      stop: AtomicBool::new(false),
      workers: Mutex::new(Vec::new()),
    });
    let spawner = engine.register_user_isolate(shared.bell.notifier());
    let driver = {
      let shared = Arc::clone(&shared);
      std::thread::spawn(move || {
        let mut seen = 0;
        while !shared.stop.load(Ordering::SeqCst) {
          seen = shared.bell.wait_past(seen, Duration::from_millis(20));
          let arrivals = engine.drain(spawner);
          let mut state = shared.state.lock().unwrap();
          for duty in arrivals.duties {
            match duty {
              Duty::Spawn { thread, executor } => {
                state.spawned.push(thread);
                let handle = spawn_worker(engine, thread, executor, Arc::clone(&work), idle);
                shared.workers.lock().unwrap().push(handle);
              }
              Duty::Terminate { thread } => {
                state.terminated.push(thread);
                engine.thread_gone(thread, reason("terminated"));
              }
              Duty::Hold(_) => {}
            }
          }
          for (call, outcome) in arrivals.completions {
            if state.outcomes.insert(call, outcome).is_some() {
              state.duplicates.push(call);
            }
          }
          drop(state);
          shared.cv.notify_all();
        }
      })
    };
    Pool {
      engine,
      spawner,
      shared,
      driver: Some(driver),
    }
  }

  pub fn submit(&self, spec: CallSpec) -> CallId {
    self.engine.submit(spec).unwrap()
  }

  /// Waits for the outcomes of `calls` (all of them, within [`LONG`]).
  pub fn outcomes(&self, calls: &[CallId]) -> Vec<Outcome> {
    let state = self.shared.state.lock().unwrap();
    let (state, timeout) = self
      .shared
      .cv
      .wait_timeout_while(state, LONG, |s| {
        calls.iter().any(|c| !s.outcomes.contains_key(c))
      })
      .unwrap();
    assert!(!timeout.timed_out(), "calls did not settle in time");
    calls.iter().map(|c| state.outcomes[c].clone()).collect()
  }

  pub fn outcome(&self, call: CallId) -> Outcome {
    self.outcomes(&[call]).remove(0)
  }

  pub fn with_state<R>(&self, look: impl FnOnce(&PoolState) -> R) -> R {
    look(&self.shared.state.lock().unwrap())
  }

  /// Shuts the engine down and joins the driver and the workers.
  pub fn stop(mut self) {
    self.finish();
  }

  fn finish(&mut self) {
    let Some(driver) = self.driver.take() else {
      return;
    };
    self.shared.stop.store(true, Ordering::SeqCst);
    self.shared.bell.ring();
    let _ = driver.join();
    self.engine.shutdown();
    let workers = std::mem::take(&mut *self.shared.workers.lock().unwrap());
    let deadline = Instant::now() + Duration::from_secs(5);
    for worker in workers {
      while !worker.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
      }
      if worker.is_finished() {
        let _ = worker.join();
      }
    }
  }
}

impl Drop for Pool {
  fn drop(&mut self) {
    self.finish();
  }
}

/// A latch that work can wait on until the test opens it.
#[derive(Clone, Default)]
pub struct Gate {
  inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Gate {
  pub fn open(&self) {
    *self.inner.0.lock().unwrap() = true;
    self.inner.1.notify_all();
  }

  /// Waits until open (at most [`LONG`]); returns whether it opened.
  pub fn pass(&self) -> bool {
    let guard = self.inner.0.lock().unwrap();
    let (guard, _) = self
      .inner
      .1
      .wait_timeout_while(guard, LONG, |open| !*open)
      .unwrap();
    *guard
  }
}
