//! Executors: separate thread pools with their own options.

use crate::engine::Engine;
use crate::error::CoreError;
use crate::samples::Percentiles;
use crate::state::{Executor, ExecutorConfig, ExecutorCounters, ExecutorId, Phase};

/// A snapshot of an executor, for `stats()`.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ExecutorStats {
  pub threads: u32,
  pub starting: u32,
  pub idle: u32,
  pub busy: u32,
  pub queued: u32,
  pub counters: ExecutorCounters,
  /// Recent queue waits (submit → a thread takes the call), in µs.
  pub queue_wait: Percentiles,
  /// Recent run times (a thread took the call → it settled), in µs.
  pub run_time: Percentiles,
}

impl Engine {
  /// Creates an executor; its threads are spawned on demand.
  pub fn create_executor(&self, config: ExecutorConfig) -> Result<ExecutorId, CoreError> {
    if config.max_threads == 0 {
      return Err(CoreError::InvalidOption("maxThreads must be at least 1"));
    }
    let mut st = self.lock();
    let id = st.next_executor;
    st.next_executor += 1;
    st.executors.insert(id, Executor::new(config));
    Ok(id)
  }

  /// Changes an executor's options (the default executor's, typically).
  pub fn configure_executor(
    &self,
    id: ExecutorId,
    config: ExecutorConfig,
  ) -> Result<(), CoreError> {
    if config.max_threads == 0 {
      return Err(CoreError::InvalidOption("maxThreads must be at least 1"));
    }
    self.with(|st, wakes| {
      let executor = st
        .executors
        .get_mut(&id)
        .ok_or(CoreError::UnknownExecutor(id))?;
      executor.config = config;
      st.ensure_threads(wakes, id);
      Ok(())
    })
  }

  /// Starts one thread for an executor that has none, so that the first
  /// call does not wait for a whole thread start-up after it was made.
  pub fn prewarm(&self, id: ExecutorId) {
    self.with(|st, wakes| {
      let Some(executor) = st.executors.get(&id) else {
        return;
      };
      if executor.closed || !executor.threads.is_empty() || st.shutdown {
        return;
      }
      let thread = st.new_thread(id);
      st.push_duty(
        wakes,
        crate::state::Duty::Spawn {
          thread,
          executor: id,
        },
      );
    })
  }

  /// The worker options the TypeScript layer stored with an executor.
  pub fn spawn_options(&self, id: ExecutorId) -> Option<Vec<u8>> {
    self
      .lock()
      .executors
      .get(&id)
      .map(|e| e.config.spawn_options.clone())
  }

  /// The idle timeout of an executor, in milliseconds.
  pub fn idle_timeout_ms(&self, id: ExecutorId) -> Option<u64> {
    self
      .lock()
      .executors
      .get(&id)
      .map(|e| e.config.idle_timeout.as_millis() as u64)
  }

  /// Closes an executor: it takes no new calls, its idle threads are
  /// terminated now and the others when their calls are done.
  pub fn close_executor(&self, id: ExecutorId) -> Result<(), CoreError> {
    self.with(|st, wakes| {
      let executor = st
        .executors
        .get_mut(&id)
        .ok_or(CoreError::UnknownExecutor(id))?;
      executor.closed = true;
      // Calls queued before closing still run; the threads end as they
      // become idle with the queue empty (see `State::pump`).
      if !executor.queue.is_empty() {
        return Ok(());
      }
      let threads = executor.threads.clone();
      for thread_id in threads {
        let Some(thread) = st.threads.get_mut(&thread_id) else {
          continue;
        };
        thread.doomed = true;
        if thread.call.is_none() {
          st.terminate(wakes, thread_id);
        }
      }
      Ok(())
    })
  }

  /// Threads and counters of an executor.
  pub fn executor_stats(&self, id: ExecutorId) -> Option<ExecutorStats> {
    let st = self.lock();
    let executor = st.executors.get(&id)?;
    let mut stats = ExecutorStats {
      queued: executor.queue.len() as u32,
      counters: executor.counters,
      queue_wait: executor.queue_wait.percentiles(),
      run_time: executor.run_time.percentiles(),
      ..Default::default()
    };
    for thread in executor.threads.iter().filter_map(|t| st.threads.get(t)) {
      stats.threads += 1;
      match thread.phase {
        Phase::Starting => stats.starting += 1,
        Phase::Idle => stats.idle += 1,
        Phase::Busy | Phase::Draining => stats.busy += 1,
      }
    }
    Some(stats)
  }
}
