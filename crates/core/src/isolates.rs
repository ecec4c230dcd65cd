//! Isolates: registering, draining what arrived for them, blocking waits,
//! the spawner's duties, and shutdown.

use std::sync::Arc;
use std::time::Instant;

use crate::engine::{Engine, Wakes};
use crate::parker::Woken;
use crate::payload::{Outcome, Payload};
use crate::state::{CallId, Duty, IsolateId, IsolateKind, Notifier, State, ThreadId};

/// Everything that arrived for an isolate since it last looked.
#[derive(Debug, Default, PartialEq)]
pub struct Arrivals {
  pub completions: Vec<(CallId, Outcome)>,
  /// Only for the spawner isolate.
  pub duties: Vec<Duty>,
  /// Calls with port payloads that got a thread: post their payloads.
  pub assignments: Vec<(CallId, ThreadId)>,
}

/// How a blocking wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncWait {
  /// The calls waited for settled (or, with `first_failure`, one failed).
  Settled,
  /// The deadline passed first.
  TimedOut,
  /// The spawner has duties to do in JavaScript; wait again afterwards.
  Duties,
  /// This thread is being terminated, or the process is exiting.
  Exit,
  /// The wait slice ended before anything else: come back to JavaScript
  /// (so a pending `worker.terminate()` can take effect), then wait again.
  Again,
}

impl Engine {
  /// A program's isolate (not a pool thread) registers; the first one
  /// becomes the spawner of worker threads.
  pub fn register_user_isolate(&self, notifier: Notifier) -> IsolateId {
    self.with(|st, _| {
      let id = st.add_isolate(IsolateKind::User, notifier);
      if st.spawner.is_none() {
        st.spawner = Some(id);
      }
      id
    })
  }

  /// An isolate's environment is being torn down.
  pub fn isolate_gone(&self, isolate: IsolateId) {
    self.with(|st, wakes| {
      if let Some(IsolateKind::Pool(thread)) = st.isolates.get(&isolate).map(|i| i.kind) {
        st.remove_thread(wakes, thread, Payload::empty());
      } else {
        st.remove_isolate(wakes, isolate);
      }
    })
  }

  /// Takes what arrived for `isolate`; re-arms its event-loop wake-up.
  pub fn drain(&self, isolate: IsolateId) -> Arrivals {
    self.lock().take_arrivals(isolate)
  }

  /// Whether `isolate` is the spawner (it owns the threads and their ports).
  pub fn is_spawner(&self, isolate: IsolateId) -> bool {
    self.lock().spawner == Some(isolate)
  }

  /// The thread a call was placed on, if it has one yet.
  pub fn call_thread(&self, call: CallId) -> Option<ThreadId> {
    self.lock().calls.get(&call).and_then(|c| c.thread)
  }

  /// Blocks the calling isolate until `calls` settled (or one failed, with
  /// `first_failure`), the deadline passes, or it has other work to do.
  pub fn wait_sync(
    &self,
    isolate: IsolateId,
    calls: &[CallId],
    first_failure: bool,
    deadline: Option<Instant>,
  ) -> SyncWait {
    let no_slice = None;
    let (waited, ()) =
      self.wait_sync_then(isolate, calls, first_failure, deadline, no_slice, |_, _| ());
    waited
  }

  /// [`Engine::wait_sync`], returning [`SyncWait::Again`] at `slice_end` at
  /// the latest, then (unless it did) [`Engine::drain`], under the lock that
  /// ends the wait: a blocking round trip takes one lock after its wake-up,
  /// and the binding one crossing, instead of three and two.
  pub fn wait_sync_and_drain(
    &self,
    isolate: IsolateId,
    calls: &[CallId],
    first_failure: bool,
    deadline: Option<Instant>,
    slice_end: Option<Instant>,
  ) -> (SyncWait, Option<Arrivals>) {
    self.wait_sync_then(
      isolate,
      calls,
      first_failure,
      deadline,
      slice_end,
      |st, outcome| (outcome != SyncWait::Again).then(|| st.take_arrivals(isolate)),
    )
  }

  /// The blocking wait; `then` runs under the lock that ends it.
  fn wait_sync_then<R>(
    &self,
    isolate: IsolateId,
    calls: &[CallId],
    first_failure: bool,
    deadline: Option<Instant>,
    slice_end: Option<Instant>,
    then: impl FnOnce(&mut State, SyncWait) -> R,
  ) -> (SyncWait, R) {
    let mut wakes = Wakes::default();
    let mut st = self.lock();
    let outcome = loop {
      if let Some(done) = st.check_sync_wait(&mut wakes, isolate, calls, first_failure) {
        break done;
      }
      let Some(iso) = st.isolates.get(&isolate) else {
        break SyncWait::Exit;
      };
      let (parker, seen) = (Arc::clone(&iso.parker), iso.parker.seq());
      drop(st);
      std::mem::take(&mut wakes).run_now();
      let until = match (deadline, slice_end) {
        (Some(d), Some(s)) => Some(d.min(s)),
        (d, s) => d.or(s),
      };
      let woken = parker.wait(seen, until);
      st = self.lock();
      if woken == Woken::TimedOut {
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
          break SyncWait::TimedOut;
        }
        if slice_end.is_some_and(|s| now >= s) {
          break SyncWait::Again;
        }
      }
    };
    st.end_sync_wait(&mut wakes, isolate);
    let result = then(&mut st, outcome);
    drop(st);
    wakes.run_now();
    (outcome, result)
  }

  /// Waits at most `spin` until `calls` settled; true when they did. For
  /// `results()`: a call that answers within a few microseconds settles
  /// without a trip through the event loop. Spins when another core can run
  /// the call meanwhile; on one core it sleeps instead (the caller is woken
  /// directly when the outcome arrives).
  pub fn spin_until_settled(
    &self,
    isolate: IsolateId,
    calls: &[CallId],
    spin: std::time::Duration,
  ) -> bool {
    let multi_core = crate::parker::multi_core();
    let start = Instant::now();
    let parker = {
      let mut st = self.lock();
      let Some(iso) = st.isolates.get_mut(&isolate) else {
        return false;
      };
      iso.sync_waiting = true;
      Arc::clone(&iso.parker)
    };
    let settled = loop {
      let seen = parker.seq();
      let pending = {
        let st = self.lock();
        calls.iter().any(|c| st.calls.contains_key(c))
      };
      if !pending {
        break true;
      }
      if start.elapsed() >= spin {
        break false;
      }
      if multi_core {
        while parker.seq() == seen && start.elapsed() < spin {
          for _ in 0..64 {
            std::hint::spin_loop();
          }
        }
      } else {
        // On one core spinning would only keep the thread that is to answer
        // off it: sleep instead, so that thread runs now and wakes us directly
        // (no trip through the event loop either way).
        parker.wait(seen, Some(start + spin));
      }
    };
    let mut st = self.lock();
    if let Some(iso) = st.isolates.get_mut(&isolate) {
      iso.sync_waiting = false;
      // Anything that arrived while spinning is drained by the caller now;
      // make sure a later arrival wakes the event loop again.
      if !iso.completions.is_empty() {
        iso.notify_pending = false;
      }
    }
    settled
  }

  /// The process is exiting: every wait in the core returns at once.
  pub fn shutdown(&self) {
    self.with(|st, wakes| {
      st.shutdown = true;
      for thread in st.threads.values() {
        wakes.parker(&thread.parker);
      }
      for iso in st.isolates.values() {
        wakes.parker(&iso.parker);
      }
    })
  }
}

impl State {
  /// Takes what arrived for `isolate`; re-arms its event-loop wake-up.
  pub(crate) fn take_arrivals(&mut self, isolate: IsolateId) -> Arrivals {
    let is_spawner = self.spawner == Some(isolate);
    let Some(iso) = self.isolates.get_mut(&isolate) else {
      return Arrivals::default();
    };
    iso.notify_pending = false;
    let completions = std::mem::take(&mut iso.completions);
    let assignments = std::mem::take(&mut iso.assignments);
    let duties = if is_spawner {
      self.duties.drain(..).collect()
    } else {
      Vec::new()
    };
    Arrivals {
      completions,
      duties,
      assignments,
    }
  }

  /// One look at a blocking wait: `Some` when it must end now, else marks
  /// the isolate as waiting (its thread then leaves maxThreads).
  fn check_sync_wait(
    &mut self,
    wakes: &mut Wakes,
    isolate: IsolateId,
    calls: &[CallId],
    first_failure: bool,
  ) -> Option<SyncWait> {
    let shutdown = self.shutdown;
    let spawner_busy = self.spawner == Some(isolate) && !self.duties.is_empty();
    let pending = calls.iter().filter(|c| self.calls.contains_key(c)).count();
    let iso = self.isolates.get_mut(&isolate)?;
    let kind = iso.kind;
    let failed = first_failure
      && iso
        .completions
        .iter()
        .any(|(c, o)| o.status != crate::Status::Fulfilled && calls.contains(c));
    if pending == 0 || failed {
      return Some(SyncWait::Settled);
    }
    if shutdown {
      return Some(SyncWait::Exit);
    }
    if spawner_busy || !iso.assignments.is_empty() {
      return Some(SyncWait::Duties);
    }
    iso.sync_waiting = true;
    if let IsolateKind::Pool(thread_id) = kind {
      let thread = self.threads.get_mut(&thread_id)?;
      if thread.terminating {
        return Some(SyncWait::Exit);
      }
      if !thread.nested_wait {
        thread.nested_wait = true;
        let executor = thread.executor;
        self.ensure_threads(wakes, executor);
      }
    }
    None
  }

  fn end_sync_wait(&mut self, _wakes: &mut Wakes, isolate: IsolateId) {
    let Some(iso) = self.isolates.get_mut(&isolate) else {
      return;
    };
    iso.sync_waiting = false;
    if let IsolateKind::Pool(thread_id) = iso.kind {
      if let Some(thread) = self.threads.get_mut(&thread_id) {
        thread.nested_wait = false;
      }
    }
  }

  /// The spawner changed: its threads die with it (no new calls go there),
  /// and threads it was to start may never come. Forget those and their
  /// duties, and ask the new spawner for the threads the queues need.
  fn forget_unstarted_threads(&mut self, wakes: &mut Wakes) {
    self.duties.retain(|d| matches!(d, Duty::Terminate { .. }));
    let spawner = self.spawner;
    self.foreign_in_flight = self
      .calls
      .values()
      .filter(|c| Some(c.caller) != spawner)
      .count() as u32;
    if self.foreign_in_flight > 0 {
      self.push_duty(wakes, Duty::Hold(true));
    }
    // Running threads are the old spawner's children and die with it: they
    // take no new calls.
    for thread in self.threads.values_mut() {
      thread.doomed = true;
    }
    for executor in self.executors.values_mut() {
      executor.idle.clear();
    }
    let starting: Vec<ThreadId> = self
      .threads
      .iter()
      .filter(|(_, t)| t.phase == crate::state::Phase::Starting)
      .map(|(id, _)| *id)
      .collect();
    for thread_id in starting {
      if let Some(thread) = self.threads.remove(&thread_id) {
        if let Some(executor) = self.executors.get_mut(&thread.executor) {
          executor.threads.retain(|t| *t != thread_id);
        }
      }
    }
    let executors: Vec<_> = self.executors.keys().copied().collect();
    for executor in executors {
      self.ensure_threads(wakes, executor);
    }
  }

  /// Forgets an isolate; calls it made are abandoned (nobody waits for them).
  pub(crate) fn remove_isolate(&mut self, wakes: &mut Wakes, isolate: IsolateId) {
    if self.isolates.remove(&isolate).is_none() {
      return;
    }
    let mut orphans: Vec<CallId> = self
      .calls
      .iter()
      .filter(|(_, c)| c.caller == isolate)
      .map(|(id, _)| *id)
      .collect();
    // Queued ones first: abandoning a running one terminates its thread and
    // would ask for a new thread for the queued calls about to go too.
    orphans.sort_by_key(|c| self.calls.get(c).is_some_and(|c| c.thread.is_some()));
    for call in orphans {
      self.abandon(wakes, call, Outcome::bare(crate::Status::Cancelled));
    }
    if self.spawner == Some(isolate) {
      self.spawner = self
        .isolates
        .iter()
        .filter(|(_, iso)| iso.kind == IsolateKind::User)
        .map(|(id, _)| *id)
        .min();
      self.forget_unstarted_threads(wakes);
    }
  }
}
