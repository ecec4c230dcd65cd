//! The engine: the process-wide registry that every isolate shares, and the
//! bookkeeping common to its operations (locking, deliveries, wake-ups).

use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::parker::Parker;
use crate::payload::{Outcome, Status};
use crate::state::{
  CallId, Duty, Executor, ExecutorConfig, ExecutorId, IsolateId, Notifier, Phase, State, Thread,
  ThreadId,
};

/// Id of the executor every isolate shares unless it makes its own.
pub const DEFAULT_EXECUTOR: ExecutorId = 0;

/// The process-wide engine; see the crate docs.
pub struct Engine {
  state: CacheLine<Mutex<State>>,
}

/// Keeps the lock on a cache line of its own: every isolate's thread takes
/// it, and a neighbour (such as the `LazyLock` holding the engine, read on
/// every call) would otherwise miss the cache each time the lock changes hands.
#[repr(align(128))]
struct CacheLine<T>(T);

/// Wake-ups gathered under the lock and performed after it is released.
#[derive(Default)]
pub(crate) struct Wakes {
  parkers: Vec<Arc<Parker>>,
  notifiers: Vec<Notifier>,
  /// More threads are running calls than there are cores (see `waker.rs`).
  oversubscribed: bool,
}

impl Wakes {
  pub fn parker(&mut self, parker: &Arc<Parker>) {
    self.parkers.push(Arc::clone(parker));
  }

  pub fn notifier(&mut self, notifier: &Notifier) {
    self.notifiers.push(Arc::clone(notifier));
  }

  pub fn run_now(self) {
    for parker in self.parkers {
      parker.notify();
    }
    for notifier in self.notifiers {
      crate::waker::notify(notifier, self.oversubscribed);
    }
  }
}

/// How long an idle thread is kept warm by default before it is retired.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// The default `maxThreads`: 16, or twice the cores where that is more
/// (README "Threads" says why).
pub fn default_max_threads() -> u32 {
  let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
  16.max(2 * cores)
}

/// The engine every isolate of this process shares.
pub fn engine() -> &'static Engine {
  static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::new);
  &ENGINE
}

impl Engine {
  /// A fresh engine with the default executor (tests make their own).
  pub fn new() -> Self {
    let engine = Engine {
      state: CacheLine(Mutex::new(State::default())),
    };
    engine.lock().executors.insert(
      DEFAULT_EXECUTOR,
      Executor::new(ExecutorConfig {
        max_threads: default_max_threads(),
        idle_timeout: DEFAULT_IDLE_TIMEOUT,
        spawn_options: Vec::new(),
      }),
    );
    engine.lock().next_executor = DEFAULT_EXECUTOR + 1;
    engine
  }

  pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
    self.state.0.lock().unwrap_or_else(|e| e.into_inner())
  }

  /// Runs `op` under the lock, then performs the wake-ups it gathered.
  pub(crate) fn with<R>(&self, op: impl FnOnce(&mut State, &mut Wakes) -> R) -> R {
    let mut wakes = Wakes::default();
    let result = {
      let mut state = self.lock();
      op(&mut state, &mut wakes)
    };
    wakes.run_now();
    result
  }
}

impl Default for Engine {
  fn default() -> Self {
    Engine::new()
  }
}

impl Executor {
  pub(crate) fn new(config: ExecutorConfig) -> Self {
    Executor {
      config,
      threads: Vec::new(),
      idle: Vec::new(),
      queue: Default::default(),
      closed: false,
      counters: Default::default(),
      queue_wait: Default::default(),
      run_time: Default::default(),
    }
  }
}

impl State {
  /// Wakes an isolate: its blocking wait if it is in one, else its event loop.
  pub(crate) fn wake_isolate(&mut self, wakes: &mut Wakes, isolate: IsolateId) {
    let Some(iso) = self.isolates.get_mut(&isolate) else {
      return;
    };
    if iso.sync_waiting {
      wakes.parker(&iso.parker);
      // A program's isolate drains everything when its wait ends: no need to
      // wake its event loop too (a pool thread may also have jobs to take).
      if iso.kind == crate::state::IsolateKind::User {
        return;
      }
    }
    if !iso.notify_pending {
      iso.notify_pending = true;
      if let Some(notifier) = iso.notifier.clone() {
        wakes.notifier(&notifier);
        wakes.oversubscribed =
          wakes.oversubscribed || self.running_threads() > crate::parker::cores();
      }
    }
  }

  /// Threads running a call's code now (not awaiting): the ones that need a core.
  pub(crate) fn running_threads(&self) -> usize {
    self
      .threads
      .values()
      .filter(|t| t.phase == Phase::Busy && !t.call_yielded)
      .count()
  }

  /// Settles a call: hands its outcome to the isolate that made it.
  pub(crate) fn deliver(&mut self, wakes: &mut Wakes, call_id: CallId, outcome: Outcome) {
    self.deliver_at(wakes, call_id, outcome, Instant::now());
  }

  /// [`State::deliver`] of a call that ended at `now` (read before the lock).
  pub(crate) fn deliver_at(
    &mut self,
    wakes: &mut Wakes,
    call_id: CallId,
    outcome: Outcome,
    now: Instant,
  ) {
    let Some(call) = self.calls.remove(&call_id) else {
      return;
    };
    if let Some(deadline) = &call.deadline {
      deadline.cancel();
    }
    if let Some(executor) = self.executors.get_mut(&call.executor) {
      if outcome.status == Status::Fulfilled {
        executor.counters.fulfilled += 1;
      } else {
        executor.counters.failed += 1;
      }
      if let Some(started) = call.started_at {
        executor.queue_wait.record(started - call.submitted_at);
        executor
          .run_time
          .record(now.saturating_duration_since(started));
      }
    }
    if self.spawner != Some(call.caller) && self.foreign_in_flight > 0 {
      self.foreign_in_flight -= 1;
      if self.foreign_in_flight == 0 {
        self.push_duty(wakes, Duty::Hold(false));
      }
    }
    let Some(iso) = self.isolates.get_mut(&call.caller) else {
      return;
    };
    iso.count_call(call.executor, -1);
    iso.completions.push((call_id, outcome));
    self.wake_isolate(wakes, call.caller);
  }

  /// Asks the spawner isolate to do `duty`.
  pub(crate) fn push_duty(&mut self, wakes: &mut Wakes, duty: Duty) {
    self.duties.push_back(duty);
    if let Some(spawner) = self.spawner {
      self.wake_isolate(wakes, spawner);
    }
  }

  /// Asks for `thread` to be terminated; its waits in the core end at once.
  pub(crate) fn terminate(&mut self, wakes: &mut Wakes, thread_id: ThreadId) {
    let Some(thread) = self.threads.get_mut(&thread_id) else {
      return;
    };
    if thread.terminating {
      return;
    }
    thread.terminating = true;
    thread.doomed = true;
    wakes.parker(&thread.parker);
    if let Some(iso) = thread.isolate.and_then(|id| self.isolates.get(&id)) {
      wakes.parker(&iso.parker);
    }
    let executor = thread.executor;
    if let Some(executor) = self.executors.get_mut(&executor) {
      executor.idle.retain(|t| *t != thread_id);
    }
    self.push_duty(wakes, Duty::Terminate { thread: thread_id });
  }

  /// Whether a thread takes up one of its executor's `maxThreads` places
  /// (idle and starting threads do). A thread whose call waits for its own
  /// nested calls to the same executor (blocked in `resultsSync()`, or
  /// awaiting) does not, so those calls always get a thread: nested calls
  /// never deadlock. Meanwhile the executor may run more calls at once than
  /// `maxThreads`; surplus threads end as soon as they are idle.
  pub(crate) fn counts_toward_max(&self, thread: &Thread) -> bool {
    if thread.terminating {
      return false;
    }
    let waiting = thread.nested_wait
      || match thread.phase {
        Phase::Busy => thread.call_yielded,
        Phase::Draining => true,
        Phase::Starting | Phase::Idle => false,
      };
    let waiting_on_nested = waiting
      && thread
        .isolate
        .and_then(|id| self.isolates.get(&id))
        .is_some_and(|iso| iso.in_flight_on(thread.executor) > 0);
    !waiting_on_nested
  }
}
