//! Pool threads: spawning, attaching, waiting for work, finishing calls,
//! retiring and dying.

use std::sync::Arc;
use std::time::Instant;

use crate::engine::{Engine, Wakes};
use crate::error::CoreError;
use crate::parker::{Parker, Woken};
use crate::payload::{Outcome, Payload, Status};
use crate::state::{
  CallId, ExecutorId, Isolate, IsolateId, IsolateKind, Job, Notifier, Phase, State, Thread,
  ThreadId,
};

/// What a thread waiting for work gets.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
  /// Run this call.
  Job(Job),
  /// Nothing came within the idle timeout: the thread is retired, exit.
  Retire,
  /// The thread is being terminated or the process is exiting: return to the
  /// event loop at once.
  Exit,
  /// The wait slice ended: return to JavaScript (so a pending
  /// `worker.terminate()` can take effect) and wait again.
  Again,
}

impl Engine {
  /// A worker thread announces itself; returns its isolate id. The thread
  /// then takes queued calls.
  pub fn attach_thread(
    &self,
    thread_id: ThreadId,
    notifier: Notifier,
  ) -> Result<IsolateId, CoreError> {
    self.with(|st, wakes| {
      let thread = st
        .threads
        .get(&thread_id)
        .ok_or(CoreError::UnknownThread(thread_id))?;
      if thread.phase != Phase::Starting {
        return Err(CoreError::UnknownThread(thread_id));
      }
      let isolate = st.add_isolate(IsolateKind::Pool(thread_id), notifier);
      let thread = st
        .threads
        .get_mut(&thread_id)
        .ok_or(CoreError::UnknownThread(thread_id))?;
      thread.isolate = Some(isolate);
      thread.phase = Phase::Idle;
      st.pump(wakes, thread_id);
      Ok(isolate)
    })
  }

  /// Blocks until the thread has a call to run, is retired after
  /// `idle_until`, or must exit. Only for threads with no calls in flight.
  pub fn next_job(&self, thread_id: ThreadId, idle_until: Option<Instant>) -> Next {
    self.next_job_within(thread_id, idle_until, None)
  }

  /// [`Engine::next_job`], returning [`Next::Again`] at `slice_end` at the
  /// latest: a thread parked in native code can't be terminated by V8, so
  /// pool threads come back to JavaScript now and then.
  pub fn next_job_within(
    &self,
    thread_id: ThreadId,
    idle_until: Option<Instant>,
    slice_end: Option<Instant>,
  ) -> Next {
    let first = self.take_or_park(thread_id);
    self.wait_for_job(thread_id, first, idle_until, slice_end)
  }

  /// [`State::take_or_park`] under the lock, the clock read before it.
  fn take_or_park(&self, thread_id: ThreadId) -> Option<TakeOrPark> {
    let now = Instant::now();
    self.with(|st, wakes| st.take_or_park(wakes, thread_id, now))
  }

  /// Waits from `step` on: returns its [`Next`] when it has one, otherwise
  /// sleeps on the thread's parker and takes or parks again.
  fn wait_for_job(
    &self,
    thread_id: ThreadId,
    mut step: Option<TakeOrPark>,
    idle_until: Option<Instant>,
    slice_end: Option<Instant>,
  ) -> Next {
    loop {
      let (parker, seen) = match step {
        None => return Next::Exit,
        Some(TakeOrPark::Take(next)) => return next,
        Some(TakeOrPark::Park(parker, seen)) => (parker, seen),
      };
      let until = match (idle_until, slice_end) {
        (Some(idle), Some(slice)) => Some(idle.min(slice)),
        (idle, slice) => idle.or(slice),
      };
      if parker.wait(seen, until) == Woken::TimedOut {
        let now = Instant::now();
        if idle_until.is_some_and(|idle| now >= idle) && self.try_retire(thread_id) {
          return Next::Retire;
        }
        if slice_end.is_some_and(|slice| now >= slice) {
          if let Some(thread) = self.lock().threads.get_mut(&thread_id) {
            thread.parked = false;
          }
          return Next::Again;
        }
      }
      step = self.take_or_park(thread_id);
    }
  }

  /// Takes the thread's next call without waiting (event-loop mode).
  pub fn take_job(&self, thread_id: ThreadId) -> Option<Job> {
    let now = Instant::now();
    let mut st = self.lock();
    let thread = st.threads.get_mut(&thread_id)?;
    thread.parked = false;
    let job = thread.inbox.take()?;
    st.mark_started(job.call, now);
    Some(job)
  }

  /// The call returned a promise. It keeps its thread until it settles; the
  /// thread only leaves `maxThreads` while the call's own nested calls are in
  /// flight, so that they can always get a thread.
  pub fn call_yielded(&self, thread_id: ThreadId, call_id: CallId) {
    self.with(|st, wakes| {
      let Some(thread) = st.threads.get_mut(&thread_id) else {
        return;
      };
      if thread.call != Some(call_id) {
        return; // settled already (cancelled or timed out)
      }
      thread.call_yielded = true;
      let executor = thread.executor;
      st.ensure_threads(wakes, executor);
    })
  }

  /// A call finished on its thread: deliver the outcome. The thread is idle
  /// at once when its event loop is `quiet`; otherwise it drains what the
  /// call left behind and becomes idle when it next waits for work.
  pub fn complete(&self, thread_id: ThreadId, call_id: CallId, outcome: Outcome, quiet: bool) {
    let now = Instant::now();
    self.with(|st, wakes| st.complete_at(wakes, thread_id, call_id, outcome, quiet, now))
  }

  /// [`Engine::complete`] of a quiet thread, then [`Engine::next_job`].
  pub fn complete_and_next(
    &self,
    thread_id: ThreadId,
    call_id: CallId,
    outcome: Outcome,
    idle_until: Option<Instant>,
  ) -> Next {
    self.complete_and_next_within(thread_id, call_id, outcome, idle_until, None)
  }

  /// [`Engine::complete`] then [`Engine::next_job_within`].
  pub fn complete_and_next_within(
    &self,
    thread_id: ThreadId,
    call_id: CallId,
    outcome: Outcome,
    idle_until: Option<Instant>,
    slice_end: Option<Instant>,
  ) -> Next {
    // One lock for both: between a separate complete and wait, the thread
    // would sit on the idle list unparked, and a call placed on it then
    // would wake its event loop for nothing.
    let now = Instant::now();
    let first = self.with(|st, wakes| {
      // The thread waits in the core from here: a call placed on it now is
      // taken below, not announced to its event loop.
      if let Some(thread) = st.threads.get_mut(&thread_id) {
        thread.parked = true;
      }
      st.complete_at(wakes, thread_id, call_id, outcome, true, now);
      st.take_or_park(wakes, thread_id, now)
    });
    self.wait_for_job(thread_id, first, idle_until, slice_end)
  }

  /// The thread says why it is about to die (uncaught error, `process.exit`);
  /// the first reason given is kept.
  pub fn report_exit(&self, thread_id: ThreadId, reason: Payload) {
    if let Some(thread) = self.lock().threads.get_mut(&thread_id) {
      thread.exit_reason.get_or_insert(reason);
    }
  }

  /// A thread is gone (its environment was torn down, or its worker exited
  /// or failed to start): its calls fail with `Crashed`.
  pub fn thread_gone(&self, thread_id: ThreadId, fallback_reason: Payload) {
    self.with(|st, wakes| st.remove_thread(wakes, thread_id, fallback_reason))
  }

  fn try_retire(&self, thread_id: ThreadId) -> bool {
    self.with(|st, wakes| {
      let Some(thread) = st.threads.get(&thread_id) else {
        return true;
      };
      if thread.call.is_some() || thread.phase != Phase::Idle {
        return false;
      }
      st.remove_thread(wakes, thread_id, Payload::empty());
      true
    })
  }
}

/// What a thread waiting for work does next: run what it was given (or exit),
/// or sleep on its parker from the sequence number it saw.
enum TakeOrPark {
  Take(Next),
  Park(Arc<Parker>, u32),
}

impl State {
  /// Under the lock: the thread's next job if it has one (or that it must
  /// exit); otherwise marks it parked. `None` when the thread is gone.
  fn take_or_park(
    &mut self,
    wakes: &mut Wakes,
    thread_id: ThreadId,
    now: Instant,
  ) -> Option<TakeOrPark> {
    let shutdown = self.shutdown;
    let thread = self.threads.get_mut(&thread_id)?;
    if shutdown || thread.terminating {
      thread.parked = false;
      return Some(TakeOrPark::Take(Next::Exit));
    }
    if thread.phase == Phase::Draining {
      // Waiting for work again: its event loop is quiet.
      thread.phase = Phase::Idle;
      self.pump(wakes, thread_id);
    }
    let thread = self.threads.get_mut(&thread_id)?;
    if let Some(job) = thread.inbox.take() {
      thread.parked = false;
      self.mark_started(job.call, now);
      return Some(TakeOrPark::Take(Next::Job(job)));
    }
    thread.parked = true;
    Some(TakeOrPark::Park(
      Arc::clone(&thread.parker),
      thread.parker.seq(),
    ))
  }

  /// A thread took the call at `now`: its queue wait ends and its run time begins.
  fn mark_started(&mut self, call: CallId, now: Instant) {
    if let Some(call) = self.calls.get_mut(&call) {
      call.started_at = Some(now);
    }
  }

  /// Reserves a thread id for a worker that is about to be spawned.
  pub(crate) fn new_thread(&mut self, executor: ExecutorId) -> ThreadId {
    self.next_thread += 1;
    let id = self.next_thread;
    self.threads.insert(
      id,
      Thread {
        executor,
        isolate: None,
        phase: Phase::Starting,
        call: None,
        inbox: None,
        before_call: Phase::Idle,
        parker: Arc::new(Parker::default()),
        parked: false,
        doomed: false,
        terminating: false,
        nested_wait: false,
        call_yielded: false,
        exit_reason: None,
      },
    );
    if let Some(executor) = self.executors.get_mut(&executor) {
      executor.threads.push(id);
    }
    id
  }

  pub(crate) fn add_isolate(&mut self, kind: IsolateKind, notifier: Notifier) -> IsolateId {
    self.next_isolate += 1;
    let id = self.next_isolate;
    self.isolates.insert(
      id,
      Isolate {
        kind,
        notifier: Some(notifier),
        parker: Arc::new(Parker::default()),
        completions: Vec::new(),
        notify_pending: false,
        sync_waiting: false,
        in_flight: Vec::new(),
        assignments: Vec::new(),
      },
    );
    id
  }

  /// The thread's call finished at `now` with `outcome`.
  fn complete_at(
    &mut self,
    wakes: &mut Wakes,
    thread_id: ThreadId,
    call_id: CallId,
    outcome: Outcome,
    quiet: bool,
    now: Instant,
  ) {
    let Some(thread) = self.threads.get_mut(&thread_id) else {
      return;
    };
    if thread.call != Some(call_id) {
      return; // abandoned earlier (cancelled or timed out): already settled
    }
    thread.call = None;
    thread.phase = if quiet { Phase::Idle } else { Phase::Draining };
    self.deliver_at(wakes, call_id, outcome, now);
    self.after_call_left(wakes, thread_id);
  }

  pub(crate) fn remove_thread(
    &mut self,
    wakes: &mut Wakes,
    thread_id: ThreadId,
    fallback_reason: Payload,
  ) {
    let Some(thread) = self.threads.remove(&thread_id) else {
      return;
    };
    if let Some(executor) = self.executors.get_mut(&thread.executor) {
      executor.threads.retain(|t| *t != thread_id);
      executor.idle.retain(|t| *t != thread_id);
    }
    let reason = thread.exit_reason.unwrap_or(fallback_reason);
    // A call in the inbox never started: place it again elsewhere (except a
    // port payload, which went to this thread's port). One that started
    // fails with the thread.
    match (thread.call, thread.inbox) {
      (Some(_), Some(job)) if job.args != Payload::Port => {
        if let Some(call) = self.calls.get_mut(&job.call) {
          call.thread = None;
          let executor = call.executor;
          self.place(wakes, executor, job);
        }
      }
      (Some(call), _) => self.deliver(
        wakes,
        call,
        Outcome {
          status: Status::Crashed,
          payload: reason.clone(),
        },
      ),
      (None, _) => {}
    }
    if let Some(isolate) = thread.isolate {
      self.remove_isolate(wakes, isolate);
    }
    if thread.phase == Phase::Starting {
      self.fail_queue_if_unserved(wakes, thread.executor, &reason);
    } else {
      self.ensure_threads(wakes, thread.executor);
    }
  }

  /// A worker failed to start. When its executor has no thread left or
  /// coming, its queued calls can't run: fail them rather than retry forever.
  fn fail_queue_if_unserved(
    &mut self,
    wakes: &mut Wakes,
    executor_id: ExecutorId,
    reason: &Payload,
  ) {
    let Some(executor) = self.executors.get(&executor_id) else {
      return;
    };
    if !executor.threads.is_empty() || executor.queue.is_empty() {
      return;
    }
    let queued: Vec<CallId> = executor.queue.iter().copied().collect();
    if let Some(executor) = self.executors.get_mut(&executor_id) {
      executor.queue.clear();
    }
    for call in queued {
      self.deliver(
        wakes,
        call,
        Outcome {
          status: Status::Crashed,
          payload: reason.clone(),
        },
      );
    }
  }
}
