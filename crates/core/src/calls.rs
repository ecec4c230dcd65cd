//! Calls: submitting, placing on threads, cancelling and expiring.

use std::sync::Arc;
use std::time::Instant;

use crate::deadline;
use crate::engine::{Engine, Wakes};
use crate::error::CoreError;
use crate::payload::{Outcome, Payload, Status};
use crate::state::{Call, CallId, CallSpec, Duty, ExecutorId, Job, Phase, State, ThreadId};

/// How often a doomed thread is pinged.
const WATCH: std::time::Duration = std::time::Duration::from_millis(500);
/// Pings in a row a doomed thread may leave unanswered before it is terminated.
const UNANSWERED_PINGS: u32 = 3;

/// How long a thread spins for a payload about to be posted before sleeping:
/// waking a sleeping thread costs 25–90 µs on a VM's idle vCPU.
const PAYLOAD_SPIN: std::time::Duration = std::time::Duration::from_micros(100);

impl Engine {
  /// Starts a call: places it on a thread of its own at once, or queues it
  /// (and asks for a thread) when none is free.
  pub fn submit(&'static self, spec: CallSpec) -> Result<CallId, CoreError> {
    self.submit_placed(spec).map(|(id, _)| id)
  }

  /// [`Engine::submit`], also telling whether the call got a thread at once
  /// (one lock instead of a second one for [`Engine::call_thread`]).
  pub fn submit_placed(&'static self, spec: CallSpec) -> Result<(CallId, bool), CoreError> {
    self.with(|st, wakes| {
      if st.shutdown {
        return Err(CoreError::ShuttingDown);
      }
      let executor = st
        .executors
        .get_mut(&spec.executor)
        .ok_or(CoreError::UnknownExecutor(spec.executor))?;
      if executor.closed {
        return Err(CoreError::ExecutorClosed(spec.executor));
      }
      let iso = st
        .isolates
        .get_mut(&spec.caller)
        .ok_or(CoreError::UnknownIsolate(spec.caller))?;
      iso.in_flight += 1;
      executor.counters.started += 1;
      if st.spawner != Some(spec.caller) {
        st.foreign_in_flight += 1;
        if st.foreign_in_flight == 1 {
          st.push_duty(wakes, Duty::Hold(true));
        }
      }
      st.next_call += 1;
      let id = st.next_call;
      let deadline = spec
        .timeout
        .map(|timeout| deadline::schedule(Instant::now() + timeout, move || self.expire(id)));
      let job = Job {
        call: id,
        function: spec.function,
        args: spec.args,
        caller: spec.caller,
        flags: spec.flags,
      };
      st.calls.insert(
        id,
        Call {
          executor: spec.executor,
          caller: spec.caller,
          thread: None,
          queued: None,
          async_fn: spec.async_fn,
          yielded: false,
          deadline,
          posted: false,
          submitted_at: Instant::now(),
          started_at: None,
        },
      );
      st.place(wakes, spec.executor, job);
      let placed = st.calls.get(&id).is_some_and(|c| c.thread.is_some());
      Ok((id, placed))
    })
  }

  /// Cancels a call that has not settled: it fails with `Cancelled` carrying
  /// `reason`, and its thread is terminated (once nothing else runs there).
  /// Returns whether the call was still unsettled.
  pub fn cancel(&'static self, call: CallId, reason: Payload) -> bool {
    let (unsettled, thread) = self.with(|st, wakes| {
      let thread = st.calls.get(&call).and_then(|c| c.thread);
      let outcome = Outcome {
        status: Status::Cancelled,
        payload: reason,
      };
      (st.abandon(wakes, call, outcome), thread)
    });
    if let Some(thread) = thread {
      self.watch_if_doomed(thread);
    }
    unsettled
  }

  /// The caller posted a call's payload to its thread's port: let the
  /// thread (waiting in [`Engine::wait_payload`]) read it.
  pub fn payload_posted(&self, call: CallId) {
    self.with(|st, wakes| {
      let Some(c) = st.calls.get_mut(&call) else {
        return;
      };
      c.posted = true;
      if let Some(thread) = c.thread.and_then(|t| st.threads.get(&t)) {
        wakes.parker(&thread.parker);
      }
    })
  }

  /// Blocks a thread until the payload of `call` was posted to its port.
  /// Spins up to [`PAYLOAD_SPIN`] first.
  /// Returns false when the call is gone or the thread must exit.
  /// Returns true (look again) at `until` at the latest.
  pub fn wait_payload(&self, thread_id: ThreadId, call: CallId, until: Option<Instant>) -> bool {
    loop {
      let (parker, seen) = {
        let st = self.lock();
        let Some(thread) = st.threads.get(&thread_id) else {
          return false;
        };
        if st.shutdown || thread.terminating {
          return false;
        }
        match st.calls.get(&call) {
          None => return false,
          Some(c) if c.posted => return true,
          Some(_) => {}
        }
        (Arc::clone(&thread.parker), thread.parker.seq())
      };
      // The caller posts right after submitting (or as soon as it drains the
      // assignment): worth a spin before sleeping, whatever the thread's
      // spinning record for new calls says.
      if parker.spin_for(seen, PAYLOAD_SPIN) {
        continue;
      }
      if parker.wait(seen, until) == crate::parker::Woken::TimedOut {
        return true;
      }
    }
  }

  /// Fails a call that ran past its own timeout (the deadline thread calls this).
  pub fn expire(&'static self, call: CallId) {
    let thread = self.with(|st, wakes| {
      let thread = st.calls.get(&call).and_then(|c| c.thread);
      st.abandon(wakes, call, Outcome::bare(Status::TimedOut));
      thread
    });
    if let Some(thread) = thread {
      self.watch_if_doomed(thread);
    }
  }

  /// A doomed thread still runs other calls. If it stops answering (an
  /// abandoned call loops on it, so the others can never finish), it is
  /// terminated after all: checked every [`WATCH`] with a ping through its
  /// event loop.
  pub(crate) fn watch_if_doomed(&'static self, thread_id: ThreadId) {
    let watch = self.with(|st, wakes| {
      let Some(thread) = st.threads.get_mut(&thread_id) else {
        return false;
      };
      if !thread.doomed || thread.terminating {
        return false;
      }
      if let Some(pinged) = thread.pinged_at {
        if thread.answered_at.is_none_or(|answered| answered < pinged) {
          thread.unanswered += 1;
          if thread.unanswered >= UNANSWERED_PINGS {
            st.terminate(wakes, thread_id);
            return false;
          }
        } else {
          thread.unanswered = 0;
        }
      }
      thread.pinged_at = Some(Instant::now());
      if let Some(isolate) = thread.isolate {
        st.wake_isolate(wakes, isolate);
      }
      true
    });
    if watch {
      deadline::schedule(Instant::now() + WATCH, move || {
        self.watch_if_doomed(thread_id)
      });
    }
  }
}

impl State {
  /// Puts a job on a free thread, or queues it and makes sure threads come.
  pub(crate) fn place(&mut self, wakes: &mut Wakes, executor_id: ExecutorId, job: Job) {
    let async_fn = self.calls.get(&job.call).is_some_and(|c| c.async_fn);
    if let Some(thread) = self.free_thread(executor_id, async_fn) {
      self.assign(wakes, thread, job);
      return;
    }
    let call = job.call;
    if let Some(c) = self.calls.get_mut(&call) {
      c.queued = Some(job);
    }
    if let Some(executor) = self.executors.get_mut(&executor_id) {
      executor.queue.push_back(call);
    }
    self.ensure_threads(wakes, executor_id);
  }

  /// An idle thread, or for an `async function` a thread whose calls all await.
  fn free_thread(&mut self, executor_id: ExecutorId, async_fn: bool) -> Option<ThreadId> {
    let executor = self.executors.get_mut(&executor_id)?;
    if let Some(thread) = executor.idle.pop() {
      return Some(thread);
    }
    if !async_fn {
      return None;
    }
    executor
      .threads
      .iter()
      .filter_map(|id| self.threads.get(id).map(|t| (id, t)))
      .filter(|(_, t)| t.phase == Phase::Shared && !t.doomed)
      .min_by_key(|(_, t)| t.calls.len())
      .map(|(id, _)| *id)
  }

  /// Hands a job to a thread and wakes it, in the core or in its event loop.
  pub(crate) fn assign(&mut self, wakes: &mut Wakes, thread_id: ThreadId, job: Job) {
    let call_id = job.call;
    let (caller, port_payload) = (job.caller, job.args == Payload::Port);
    let Some(thread) = self.threads.get_mut(&thread_id) else {
      return;
    };
    thread.phase = Phase::Running;
    thread.calls.push(call_id);
    thread.inbox.push_back(job);
    let parked = thread.parked;
    let parker = Arc::clone(&thread.parker);
    let isolate = thread.isolate;
    if let Some(call) = self.calls.get_mut(&call_id) {
      call.thread = Some(thread_id);
      call.queued = None;
    }
    if parked {
      wakes.parker(&parker);
    } else if let Some(isolate) = isolate {
      self.wake_isolate(wakes, isolate);
    }
    if port_payload {
      if let Some(iso) = self.isolates.get_mut(&caller) {
        iso.assignments.push((call_id, thread_id));
      }
      self.wake_isolate(wakes, caller);
    }
  }

  /// Gives queued calls to a thread that just became idle or shared.
  pub(crate) fn pump(&mut self, wakes: &mut Wakes, thread_id: ThreadId) {
    let Some(thread) = self.threads.get(&thread_id) else {
      return;
    };
    if thread.doomed || thread.isolate.is_none() {
      return;
    }
    let (phase, executor_id) = (thread.phase, thread.executor);
    let Some(executor) = self.executors.get_mut(&executor_id) else {
      return;
    };
    let position = match phase {
      Phase::Idle => (!executor.queue.is_empty()).then_some(0),
      Phase::Shared => {
        let calls = &self.calls;
        executor
          .queue
          .iter()
          .position(|c| calls.get(c).is_some_and(|c| c.async_fn))
      }
      Phase::Starting | Phase::Running => None,
    };
    let job = position
      .and_then(|i| executor.queue.remove(i))
      .and_then(|call| self.calls.get_mut(&call))
      .and_then(|call| call.queued.take());
    match job {
      Some(job) => self.assign(wakes, thread_id, job),
      None if phase == Phase::Idle => {
        if self.executors.get(&executor_id).is_some_and(|e| e.closed) {
          self.terminate(wakes, thread_id);
        } else if let Some(executor) = self.executors.get_mut(&executor_id) {
          if !executor.idle.contains(&thread_id) {
            executor.idle.push(thread_id);
          }
        }
      }
      None => {}
    }
  }

  /// Asks for as many new threads as queued calls need, within `maxThreads`.
  pub(crate) fn ensure_threads(&mut self, wakes: &mut Wakes, executor_id: ExecutorId) {
    let Some(executor) = self.executors.get(&executor_id) else {
      return;
    };
    let starting = executor
      .threads
      .iter()
      .filter(|id| {
        self
          .threads
          .get(id)
          .is_some_and(|t| t.phase == Phase::Starting)
      })
      .count();
    let active = executor
      .threads
      .iter()
      .filter(|id| self.counts_toward_max(**id))
      .count();
    let wanted = executor.queue.len().saturating_sub(starting);
    let room = (executor.config.max_threads as usize).saturating_sub(active);
    for _ in 0..wanted.min(room) {
      let thread = self.new_thread(executor_id);
      self.push_duty(
        wakes,
        Duty::Spawn {
          thread,
          executor: executor_id,
        },
      );
    }
  }

  /// Fails an unsettled call with `outcome` and frees or terminates its thread.
  pub(crate) fn abandon(&mut self, wakes: &mut Wakes, call_id: CallId, outcome: Outcome) -> bool {
    let Some(call) = self.calls.get(&call_id) else {
      return false;
    };
    let (executor_id, thread, yielded) = (call.executor, call.thread, call.yielded);
    self.deliver(wakes, call_id, outcome);
    let Some(thread_id) = thread else {
      if let Some(executor) = self.executors.get_mut(&executor_id) {
        executor.queue.retain(|c| *c != call_id);
      }
      return true;
    };
    let Some(thread) = self.threads.get_mut(&thread_id) else {
      return true;
    };
    thread.calls.retain(|c| *c != call_id);
    let not_started = thread.inbox.iter().any(|job| job.call == call_id);
    if not_started {
      thread.inbox.retain(|job| job.call != call_id);
      self.after_call_left(wakes, thread_id, false);
    } else if yielded {
      thread.doomed = true;
      if thread.calls.is_empty() {
        self.terminate(wakes, thread_id);
      }
    } else {
      self.terminate(wakes, thread_id);
    }
    self.ensure_threads(wakes, executor_id);
    true
  }

  /// Updates a thread after one of its calls left it (done or abandoned).
  pub(crate) fn after_call_left(
    &mut self,
    wakes: &mut Wakes,
    thread_id: ThreadId,
    was_yielded: bool,
  ) {
    let Some(thread) = self.threads.get_mut(&thread_id) else {
      return;
    };
    if thread.calls.is_empty() {
      thread.phase = Phase::Idle;
    } else if !was_yielded && thread.inbox.is_empty() {
      thread.phase = Phase::Shared;
    }
    if thread.doomed {
      if thread.calls.is_empty() {
        self.terminate(wakes, thread_id);
      }
      return;
    }
    self.pump(wakes, thread_id);
  }
}
