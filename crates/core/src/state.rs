//! The engine's shared state: every isolate, executor, thread and call of
//! the process, behind one lock. Operations live in the sibling modules.

use std::collections::VecDeque;

// Keys are ids the core hands out and the program's own function sources:
// FxHash is several times cheaper than the default SipHash, and HashDoS
// resistance buys nothing here.
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::deadline::Deadline;
use crate::parker::Parker;
use crate::payload::{Outcome, Payload};
use crate::samples::Samples;

pub type IsolateId = u32;
pub type ExecutorId = u32;
pub type ThreadId = u32;
pub type CallId = u64;
pub type FunctionId = u32;

/// Wakes an isolate's event loop (in the binding: a weak ThreadsafeFunction).
pub type Notifier = Arc<dyn Fn() + Send + Sync>;

/// What kind of isolate registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsolateKind {
  /// A program's own isolate (the main thread, or a user's worker).
  User,
  /// One of our pool threads.
  Pool(ThreadId),
}

/// Work the spawner isolate must do in JavaScript: only it owns `Worker`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Duty {
  /// Start a worker thread that will attach as `thread`.
  Spawn {
    thread: ThreadId,
    executor: ExecutorId,
  },
  /// Terminate the worker of `thread` (cancelled, timed out, retired, closed).
  Terminate { thread: ThreadId },
  /// Other isolates' calls run on the spawner's threads (`true`), or no
  /// longer do (`false`): the spawner keeps its event loop alive meanwhile,
  /// since its threads end with it.
  Hold(bool),
}

/// A call as its thread receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
  pub call: CallId,
  pub function: FunctionId,
  pub args: Payload,
  pub caller: IsolateId,
  /// Flags of the TypeScript layer (e.g. transfer the result), carried as is.
  pub flags: u32,
}

/// What a caller hands to [`crate::Engine::submit`].
#[derive(Debug, Clone)]
pub struct CallSpec {
  pub executor: ExecutorId,
  pub caller: IsolateId,
  pub function: FunctionId,
  pub args: Payload,
  pub flags: u32,
  /// The call's own timeout.
  pub timeout: Option<Duration>,
}

/// Options of one executor.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutorConfig {
  pub max_threads: u32,
  pub idle_timeout: Duration,
  /// Worker options serialized by the TypeScript layer, opaque here.
  pub spawn_options: Vec<u8>,
}

impl Isolate {
  /// Its unsettled calls to `executor`.
  pub fn in_flight_on(&self, executor: ExecutorId) -> u32 {
    self
      .in_flight
      .iter()
      .find(|(e, _)| *e == executor)
      .map_or(0, |(_, n)| *n)
  }

  /// Counts a call to `executor` made (`+1`) or settled (`-1`).
  pub fn count_call(&mut self, executor: ExecutorId, delta: i32) {
    match self.in_flight.iter_mut().find(|(e, _)| *e == executor) {
      Some((_, n)) => *n = n.saturating_add_signed(delta),
      None if delta > 0 => self.in_flight.push((executor, delta as u32)),
      None => {}
    }
    self.in_flight.retain(|(_, n)| *n > 0);
  }
}

pub(crate) struct Isolate {
  pub kind: IsolateKind,
  pub notifier: Option<Notifier>,
  pub parker: Arc<Parker>,
  pub completions: Vec<(CallId, Outcome)>,
  pub notify_pending: bool,
  pub sync_waiting: bool,
  /// Calls this isolate made that have not settled, by executor (a pool
  /// thread waiting for its own calls to its executor leaves `maxThreads`).
  pub in_flight: Vec<(ExecutorId, u32)>,
  /// Calls of this isolate with port payloads that just got a thread: the
  /// isolate must post their payload to that thread's port.
  pub assignments: Vec<(CallId, ThreadId)>,
}

/// Where a thread is in its life. A thread holds at most one unsettled call
/// (README "Threads": one call, one thread): it is `Busy` from the moment a call is
/// assigned to it until that call settles, whether the call is synchronous or
/// awaiting, and only `Idle` threads take calls while a new thread could be
/// had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
  /// Spawn requested; the worker has not attached yet.
  Starting,
  /// No call, and its event loop is quiet: it takes the next call.
  Idle,
  /// Holds one call, assigned or started, until that call settles.
  Busy,
  /// Its call settled but its event loop still has work the call left
  /// behind (timers, handles): it takes a call only when its executor is at
  /// `maxThreads` with calls waiting, and becomes `Idle` when it waits for
  /// work again.
  Draining,
}

pub(crate) struct Thread {
  pub executor: ExecutorId,
  pub isolate: Option<IsolateId>,
  pub phase: Phase,
  /// The one call it holds (`Busy`), started or not.
  pub call: Option<CallId>,
  /// That call while the thread has not taken it yet.
  pub inbox: Option<Job>,
  /// The phase it had when that call was assigned (`Idle` or `Draining`),
  /// which it gets back if the call leaves before it starts.
  pub before_call: Phase,
  pub parker: Arc<Parker>,
  /// Waiting for work inside the core (not in its event loop).
  pub parked: bool,
  /// Takes no new calls; terminated once its call is done.
  pub doomed: bool,
  /// Terminate requested: its waits in the core return at once.
  pub terminating: bool,
  /// Blocked waiting for calls it made itself: does not count toward maxThreads.
  pub nested_wait: bool,
  /// Its call returned a promise: while the call's own nested calls are in
  /// flight, the thread leaves `maxThreads` (so nested calls are never
  /// starved). Reset when it is given a call.
  pub call_yielded: bool,
  /// Why it is going away, if it said so before dying.
  pub exit_reason: Option<Payload>,
}

pub(crate) struct Call {
  pub executor: ExecutorId,
  pub caller: IsolateId,
  pub thread: Option<ThreadId>,
  /// Present while the call waits for a thread.
  pub queued: Option<Job>,
  pub deadline: Option<Deadline>,
  /// Its payload travels over a MessagePort (posted by the caller after
  /// submitting).
  pub port_payload: bool,
  /// Its payload travels over a MessagePort and has been posted there.
  pub posted: bool,
  pub submitted_at: Instant,
  /// When its thread took it (queue wait ends, run time begins).
  pub started_at: Option<Instant>,
}

#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutorCounters {
  pub started: u64,
  pub fulfilled: u64,
  pub failed: u64,
}

pub(crate) struct Executor {
  pub config: ExecutorConfig,
  pub threads: Vec<ThreadId>,
  /// Idle threads, most recently used last (reused first: warm caches).
  pub idle: Vec<ThreadId>,
  /// Calls waiting for a thread, in order.
  pub queue: VecDeque<CallId>,
  pub closed: bool,
  pub counters: ExecutorCounters,
  pub queue_wait: Samples,
  pub run_time: Samples,
}

#[derive(Default)]
pub(crate) struct State {
  pub isolates: HashMap<IsolateId, Isolate>,
  pub executors: HashMap<ExecutorId, Executor>,
  pub threads: HashMap<ThreadId, Thread>,
  pub calls: HashMap<CallId, Call>,
  pub functions: Vec<Arc<str>>,
  pub function_ids: HashMap<Arc<str>, FunctionId>,
  pub duties: VecDeque<Duty>,
  pub spawner: Option<IsolateId>,
  /// Calls in flight made by isolates other than the spawner.
  pub foreign_in_flight: u32,
  pub shutdown: bool,
  pub next_isolate: IsolateId,
  pub next_executor: ExecutorId,
  pub next_thread: ThreadId,
  pub next_call: CallId,
}
