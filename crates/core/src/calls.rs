//! Calls: submitting, placing on threads, cancelling and expiring.

use std::sync::Arc;
use std::time::Instant;

use crate::deadline;
use crate::engine::{Engine, Wakes};
use crate::error::CoreError;
use crate::payload::{Outcome, Payload, Status};
use crate::state::{Call, CallId, CallSpec, Duty, ExecutorId, Job, Phase, State, ThreadId};

/// How long a thread spins for a payload about to be posted before sleeping:
/// waking a sleeping thread costs 25–90 µs on a VM's idle vCPU.
const PAYLOAD_SPIN: std::time::Duration = std::time::Duration::from_micros(100);

impl Engine {
  /// Starts a call: places it on an idle thread, or queues it and asks for a
  /// new thread within `maxThreads` (README "Threads": one call, one thread).
  pub fn submit(&'static self, spec: CallSpec) -> Result<CallId, CoreError> {
    self.submit_placed(spec).map(|(id, _)| id)
  }

  /// [`Engine::submit`], also telling whether the call got a thread at once
  /// (one lock instead of a second one for [`Engine::call_thread`]).
  pub fn submit_placed(&'static self, spec: CallSpec) -> Result<(CallId, bool), CoreError> {
    // Read the clock before taking the lock: every thread waits for it.
    let now = Instant::now();
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
      iso.count_call(spec.executor, 1);
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
        .map(|timeout| deadline::schedule(now + timeout, move || self.expire(id)));
      let port_payload = spec.args == Payload::Port;
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
          deadline,
          port_payload,
          posted: false,
          submitted_at: now,
          started_at: None,
        },
      );
      st.place(wakes, spec.executor, job);
      let placed = st.calls.get(&id).is_some_and(|c| c.thread.is_some());
      Ok((id, placed))
    })
  }

  /// Cancels a call that has not settled: it fails with `Cancelled` carrying
  /// `reason`; if it had started, its thread (which runs nothing else) is
  /// terminated. Returns whether the call was still unsettled.
  pub fn cancel(&self, call: CallId, reason: Payload) -> bool {
    self.with(|st, wakes| {
      let outcome = Outcome {
        status: Status::Cancelled,
        payload: reason,
      };
      st.abandon(wakes, call, outcome)
    })
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

  /// Fails a call that ran past its own timeout (the deadline thread calls
  /// this); its thread, if it had started it, is terminated.
  pub fn expire(&self, call: CallId) {
    self.with(|st, wakes| st.abandon(wakes, call, Outcome::bare(Status::TimedOut)));
  }
}

/// How an executor's `maxThreads` places are taken (see `State::places`).
#[derive(Default)]
struct Places {
  max: usize,
  /// Threads that count toward `maxThreads` (those still starting included).
  counted: usize,
  /// Of those, the ones holding a call.
  busy: usize,
  /// Threads still starting (each will take a queued call).
  starting: usize,
  /// Threads busy with a settled call's leftovers.
  draining: usize,
  /// Calls waiting for a thread.
  queued: usize,
}

impl Places {
  /// Whether an idle thread may take a call: fewer than `maxThreads` of the
  /// threads that count toward it hold one.
  fn below_max(&self) -> bool {
    self.busy < self.max
  }

  /// How many more threads may start now.
  fn room(&self) -> usize {
    self.max.saturating_sub(self.counted)
  }

  /// Queued calls that no thread still starting will take.
  fn unserved(&self) -> usize {
    self.queued.saturating_sub(self.starting)
  }
}

impl State {
  /// Puts a job on an idle thread, or queues it and makes sure threads come.
  pub(crate) fn place(&mut self, wakes: &mut Wakes, executor_id: ExecutorId, job: Job) {
    let has_idle = self
      .executors
      .get(&executor_id)
      .is_some_and(|e| !e.idle.is_empty());
    let idle = if has_idle && self.places(executor_id).below_max() {
      self
        .executors
        .get_mut(&executor_id)
        .and_then(|executor| executor.idle.pop())
    } else {
      None
    };
    if let Some(thread) = idle {
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

  /// Hands a job to a thread that holds no call and wakes it, in the core or
  /// in its event loop.
  pub(crate) fn assign(&mut self, wakes: &mut Wakes, thread_id: ThreadId, job: Job) {
    let call_id = job.call;
    let (caller, port_payload) = (job.caller, job.args == Payload::Port);
    let Some(thread) = self.threads.get_mut(&thread_id) else {
      return;
    };
    debug_assert!(thread.call.is_none(), "a thread holds one call at a time");
    thread.before_call = thread.phase;
    thread.phase = Phase::Busy;
    thread.call = Some(call_id);
    thread.call_yielded = false;
    thread.inbox = Some(job);
    let parked = thread.parked;
    let parker = Arc::clone(&thread.parker);
    let isolate = thread.isolate;
    let executor = thread.executor;
    if let Some(executor) = self.executors.get_mut(&executor) {
      executor.idle.retain(|t| *t != thread_id);
    }
    if let Some(call) = self.calls.get_mut(&call_id) {
      call.thread = Some(thread_id);
      call.queued = None;
    }
    crate::oversubscription::note_running(self.running_threads());
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

  /// A thread that holds no call takes the first queued call (FIFO). A
  /// `Draining` one does so only when no new thread can be had; an `Idle`
  /// one with nothing to take joins the idle list, or ends when its executor
  /// is closed or has more threads than `maxThreads` (left from a time when
  /// threads waiting for nested calls did not count).
  pub(crate) fn pump(&mut self, wakes: &mut Wakes, thread_id: ThreadId) {
    let Some(thread) = self.threads.get(&thread_id) else {
      return;
    };
    if thread.doomed || thread.isolate.is_none() || thread.call.is_some() {
      return;
    }
    let (phase, executor_id) = (thread.phase, thread.executor);
    // Taking nothing changes no thread, so one look serves both questions.
    let places = self.places(executor_id);
    let takes = places.queued > 0
      && match phase {
        Phase::Idle => places.below_max(),
        Phase::Draining => places.unserved() > places.room(),
        Phase::Starting | Phase::Busy => false,
      };
    if takes {
      if let Some(job) = self.dequeue(executor_id) {
        self.assign(wakes, thread_id, job);
        return;
      }
    }
    if phase != Phase::Idle {
      return;
    }
    let surplus = places.counted > places.max;
    if self.executors.get(&executor_id).is_some_and(|e| e.closed) || surplus {
      self.terminate(wakes, thread_id);
    } else if let Some(executor) = self.executors.get_mut(&executor_id) {
      if !executor.idle.contains(&thread_id) {
        executor.idle.push(thread_id);
      }
    }
  }

  /// The first call waiting for a thread of `executor_id`, taken off the queue.
  fn dequeue(&mut self, executor_id: ExecutorId) -> Option<Job> {
    let executor = self.executors.get_mut(&executor_id)?;
    while let Some(call) = executor.queue.pop_front() {
      if let Some(job) = self.calls.get_mut(&call).and_then(|c| c.queued.take()) {
        return Some(job);
      }
    }
    None
  }

  /// How the executor's `maxThreads` places are taken, and what waits for
  /// them: one pass over its threads.
  fn places(&self, executor_id: ExecutorId) -> Places {
    let Some(executor) = self.executors.get(&executor_id) else {
      return Places::default();
    };
    let mut places = Places {
      max: executor.config.max_threads as usize,
      queued: executor.queue.len(),
      ..Places::default()
    };
    for thread in executor
      .threads
      .iter()
      .filter_map(|id| self.threads.get(id))
    {
      match thread.phase {
        Phase::Starting => places.starting += 1,
        Phase::Draining => places.draining += 1,
        Phase::Idle | Phase::Busy => {}
      }
      if !self.counts_toward_max(thread) {
        continue;
      }
      places.counted += 1;
      if thread.phase != Phase::Idle {
        places.busy += 1;
      }
    }
    places
  }

  /// Asks for as many new threads as queued calls need, within `maxThreads`
  /// (threads still starting will take queued calls too). When no new thread
  /// can be had, threads still busy with a settled call's leftovers take the
  /// queued calls rather than leave them waiting.
  pub(crate) fn ensure_threads(&mut self, wakes: &mut Wakes, executor_id: ExecutorId) {
    let places = self.places(executor_id);
    let wanted = places.unserved();
    if wanted == 0 {
      return;
    }
    let room = places.room();
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
    if wanted > room && places.draining > 0 {
      let Some(executor) = self.executors.get(&executor_id) else {
        return;
      };
      let draining: Vec<ThreadId> = executor
        .threads
        .iter()
        .copied()
        .filter(|id| {
          self
            .threads
            .get(id)
            .is_some_and(|t| t.phase == Phase::Draining)
        })
        .collect();
      for thread in draining {
        self.pump(wakes, thread);
      }
    }
  }

  /// Fails an unsettled call with `outcome`. A call that ran no code yet —
  /// its thread had not taken it, or is still waiting for its port payload —
  /// leaves that thread free; one that started has its thread (which runs
  /// nothing else) terminated.
  pub(crate) fn abandon(&mut self, wakes: &mut Wakes, call_id: CallId, outcome: Outcome) -> bool {
    let Some(call) = self.calls.get(&call_id) else {
      return false;
    };
    let (executor_id, thread) = (call.executor, call.thread);
    // A thread waiting for the payload sees the call gone and waits for work.
    let payload_never_came = call.port_payload && !call.posted;
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
    thread.call = None;
    let in_inbox = thread.inbox.as_ref().is_some_and(|job| job.call == call_id);
    if in_inbox || payload_never_came {
      if in_inbox {
        thread.inbox = None;
      } else {
        wakes.parker(&thread.parker); // out of its wait for the payload
      }
      thread.phase = thread.before_call;
      self.after_call_left(wakes, thread_id);
    } else {
      self.terminate(wakes, thread_id);
    }
    self.ensure_threads(wakes, executor_id);
    true
  }

  /// Updates a thread after its call left it (done or abandoned).
  pub(crate) fn after_call_left(&mut self, wakes: &mut Wakes, thread_id: ThreadId) {
    let Some(thread) = self.threads.get(&thread_id) else {
      return;
    };
    if thread.doomed {
      self.terminate(wakes, thread_id);
      return;
    }
    self.pump(wakes, thread_id);
  }
}
