//! Executors: creating, configuring, closing, and their statistics.

use std::time::Duration;

use napi::bindgen_prelude::Buffer;
use napi::Result;
use napi_derive::napi;
use parallel_threads_core::{engine, ExecutorConfig, Percentiles};

use crate::errors::core_error;

fn config(max_threads: u32, idle_timeout_ms: f64, spawn_options: Buffer) -> ExecutorConfig {
  ExecutorConfig {
    max_threads,
    idle_timeout: crate::time::duration_ms(idle_timeout_ms).unwrap_or(Duration::MAX),
    spawn_options: spawn_options.to_vec(),
  }
}

/// The defaults of an executor's options, defined by the core.
#[napi(object)]
pub struct ExecutorDefaults {
  /// 16, or twice the cores where that is more.
  pub max_threads: u32,
  /// How long an idle thread is kept warm, in milliseconds.
  pub idle_timeout_ms: f64,
}

/// The defaults of an executor's options.
#[napi]
pub fn executor_defaults() -> ExecutorDefaults {
  ExecutorDefaults {
    max_threads: parallel_threads_core::default_max_threads(),
    idle_timeout_ms: parallel_threads_core::DEFAULT_IDLE_TIMEOUT.as_millis() as f64,
  }
}

/// Creates an executor; returns its id.
#[napi]
pub fn create_executor(
  max_threads: u32,
  idle_timeout_ms: f64,
  spawn_options: Buffer,
) -> Result<u32, String> {
  engine()
    .create_executor(config(max_threads, idle_timeout_ms, spawn_options))
    .map_err(core_error)
}

/// Changes an executor's options.
#[napi]
pub fn configure_executor(
  id: u32,
  max_threads: u32,
  idle_timeout_ms: f64,
  spawn_options: Buffer,
) -> Result<(), String> {
  engine()
    .configure_executor(id, config(max_threads, idle_timeout_ms, spawn_options))
    .map_err(core_error)
}

/// Starts one thread for an executor that has none yet.
#[napi]
pub fn prewarm(id: u32) {
  engine().prewarm(id);
}

/// Closes an executor.
#[napi]
pub fn close_executor(id: u32) -> Result<(), String> {
  engine().close_executor(id).map_err(core_error)
}

/// The serialized worker options and idle timeout of an executor.
#[napi]
pub fn spawn_options(id: u32) -> Option<Buffer> {
  engine().spawn_options(id).map(Buffer::from)
}

/// Percentiles of recent durations, in microseconds.
#[napi(object)]
pub struct RawPercentiles {
  pub p50: f64,
  pub p90: f64,
  pub p99: f64,
  pub max: f64,
  pub count: u32,
}

impl From<Percentiles> for RawPercentiles {
  fn from(p: Percentiles) -> Self {
    RawPercentiles {
      p50: p.p50,
      p90: p.p90,
      p99: p.p99,
      max: p.max,
      count: p.count,
    }
  }
}

/// Threads and counters of an executor.
#[napi(object)]
pub struct RawExecutorStats {
  pub threads: u32,
  pub starting: u32,
  pub idle: u32,
  pub busy: u32,
  pub queued: u32,
  pub started: f64,
  pub fulfilled: f64,
  pub failed: f64,
  pub queue_wait: RawPercentiles,
  pub run_time: RawPercentiles,
}

/// A snapshot of an executor's threads and counters.
#[napi]
pub fn executor_stats(id: u32) -> Option<RawExecutorStats> {
  engine().executor_stats(id).map(|s| RawExecutorStats {
    threads: s.threads,
    starting: s.starting,
    idle: s.idle,
    busy: s.busy,
    queued: s.queued,
    started: s.counters.started as f64,
    fulfilled: s.counters.fulfilled as f64,
    failed: s.counters.failed as f64,
    queue_wait: s.queue_wait.into(),
    run_time: s.run_time.into(),
  })
}
